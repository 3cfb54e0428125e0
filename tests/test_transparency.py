"""Transparency report builder: template data, completeness, escaped exports, saved files."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets import _transparency as tr
from widgets._transparency import TransparencyReport
from widgets._vendor import ToolFileError

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:x) & "q"'


def test_template_is_valid_and_says_what_is_ours():
    t = tr.load_transparency_template()
    assert [s["id"] for s in t["sections"]][:3] == ["policies", "governance", "vendors"]
    assert {s["source"] for s in t["sections"]} == {"pai", "toolkit"}
    assert "could not be checked" in t["provenance"]
    keys = tr.field_keys(t)
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["sections"][0]["fields"][0].update(kind="essay"), "is not one of"),
        (lambda d: d["sections"][0].update(source="rumour"), "is not one of"),
        (lambda d: d["sections"][1].update(id="policies"), "used twice"),
        (lambda d: d["sections"][0]["fields"][0].pop("required"), "'required' is a required property"),
    ],
)
def test_bad_template_files_are_clear_errors(tmp_path, mutate, message):
    data = yaml.safe_load(tr.TEMPLATE_FILE.read_text())
    mutate(data)
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ToolFileError, match=message):
        tr.load_transparency_template(path)


def test_completeness_counts_required_fields_only():
    r = TransparencyReport("Example Org", "2025")
    c = r.completeness()
    required = sum(f["required"] for s in r.template["sections"] for f in s["fields"])
    assert c == {**c, "required": required, "filled": 0, "percent": 0}
    r.set("policies.scope", "Labelling and red-teaming")
    r.set("governance.exceptions", "None")  # optional: does not count
    r.set("policies.guidelines", "   ")  # blank: does not count
    c = r.completeness()
    assert c["filled"] == 1
    assert c["percent"] == round(100 / required)
    assert c["sections"]["policies"] == {"title": "Data-enrichment policies", "required": 3, "filled": 1}
    assert "policies.guidelines" in c["missing"]
    for key in tr.field_keys():
        r.set(key, "3" if key == "vendors.vendor-count" else "Answer")
    assert r.completeness()["percent"] == 100 and r.completeness()["missing"] == []


def test_numbers_are_checked_but_kept_as_typed():
    r = TransparencyReport()
    r.set("vendors.vendor-count", 4)
    assert r.get("vendors.vendor-count") == "4"
    r.set("vendors.vendor-count", "4.0")
    assert r.get("vendors.vendor-count") == "4.0"
    with pytest.raises(ValueError, match="is not a number"):
        r.set("vendors.vendor-count", "four")
    with pytest.raises(ValueError, match="zero or a positive"):
        r.set("vendors.vendor-count", "-1")
    with pytest.raises(KeyError, match="Unknown field"):
        r.set("nope", "x")


def test_html_escapes_every_user_string():
    r = TransparencyReport(HOSTILE, HOSTILE)
    for key in tr.field_keys():
        if key != "vendors.vendor-count":
            r.set(key, HOSTILE + "\nsecond line\n\nnew paragraph")
    page = r.to_html()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<br>second line" in page and "<p>new paragraph</p>" in page
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page


def test_markdown_escapes_user_text_and_shows_gaps():
    r = TransparencyReport(HOSTILE, "2025")
    r.set("policies.scope", HOSTILE)
    md = r.to_markdown()
    assert "<script>" not in md and "[a](javascript" not in md
    assert "_Not yet answered._" in md and "_Not answered (optional)._" in md
    assert "Completeness: 1 of" in md


def test_round_trip_is_lossless():
    r = TransparencyReport("Org ✓", "Jan–Jun 2025")
    r.set("policies.scope", HOSTILE + "\r\nline")
    r.set("vendors.vendor-count", "2")
    text = r.save_json()
    data = json.loads(text)
    assert data["format"] == "pai-transparency-report" and data["format_version"] == 1
    again = tr.load_transparency_report(text)
    assert again.values == r.values and again.organisation == r.organisation and again.period == r.period
    assert again.save_json() == text


def test_values_of_retired_fields_are_kept():
    data = json.loads(TransparencyReport("Org").save_json())
    data["values"]["old.field"] = "kept"
    r = tr.load_transparency_report(json.dumps(data))
    assert r.orphaned() == {"old.field": "kept"}
    assert json.loads(r.save_json())["values"]["old.field"] == "kept"


@pytest.mark.parametrize(
    "text, message",
    [
        ("nope", "not valid JSON"),
        ('{"format": "pai-vendor-checklist", "format_version": 1}', "not a transparency-report file"),
        ('{"format": "pai-transparency-report", "format_version": 2}', "newer than this toolkit"),
        ('{"format": "pai-transparency-report"}', "no valid format_version"),
        ('{"format": "pai-transparency-report", "format_version": 1, "values": {"a": 1}}', "values must be"),
        ('{"format": "pai-transparency-report", "format_version": 1, "organisation": 5}', "organisation must be text"),
    ],
)
def test_bad_files_are_clear_errors(text, message):
    with pytest.raises(ToolFileError, match=message):
        tr.load_transparency_report(text)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30),
       st.dictionaries(st.sampled_from([k for k in tr.field_keys() if k != "vendors.vendor-count"]), st.text(max_size=60)))
def test_round_trip_property(org, period, values):
    r = TransparencyReport(org, period)
    for k, v in values.items():
        r.set(k, v)
    again = tr.load_transparency_report(r.save_json())
    assert (again.organisation, again.period, again.values) == (org, period, r.values)
    assert "<script" not in again.to_html().lower() or "<script" not in "".join(values.values()).lower()


def test_notebook_widget_round_trips():
    r = TransparencyReport("Org", "2026")
    r.set("policies.scope", HOSTILE)
    w = tr.transparency_report_builder(r)
    assert w.template["format"] == "pai-transparency-template"
    assert w.report().values == r.values and w.report().organisation == "Org"
    assert tr.transparency_report_builder().report().values == {}
