"""The rubric file: valid against its schema, cross-references consistent, labels and citations real."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from widgets import _scoring
from widgets._scoring import check_rubric, load_rubric

ROOT = Path(__file__).resolve().parents[1]
RUBRIC_DIR = ROOT / "widgets" / "rubric"
THEMES = ["purpose-timing", "who-takes-part", "fair-treatment", "power-process",
          "influence-report-back", "deployment-relationship", "supply-chain"]
CATALOGUE = ROOT / "benchmarks" / "calibration" / "flags.yaml"


@pytest.fixture(scope="module")
def data():
    return yaml.safe_load((RUBRIC_DIR / "engagement-plan.yaml").read_text(encoding="utf-8"))


def test_schemas_are_valid_json_schemas():
    for name in ("rubric.schema.json", "rubric-1.0.schema.json", "assessment.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads((RUBRIC_DIR / name).read_text()))


def test_rubric_matches_schema_and_cross_references(data):
    assert check_rubric(data) == []


def test_fixed_interfaces(data):
    rubric = load_rubric()
    assert rubric.id == "engagement-plan" and rubric.version == _scoring.CURRENT_VERSION == "2.0"
    assert [t["id"] for t in data["themes"]] == THEMES
    assert 40 <= len(rubric.criteria) <= 60
    assert 10 <= len(rubric.in_scope("short")) <= 14
    for f in data["red_flags"]:
        assert f["title"] and f["meaning"] and f["cap"] and f["next_step"]


def test_every_catalogue_flag_is_a_rubric_flag_with_the_same_id_and_section():
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["flags"]
    rubric = load_rubric()
    assert [f["id"] for f in catalogue] == list(rubric.red_flags)
    for f in catalogue:
        mine = rubric.red_flags[f["id"]]
        assert mine["explained_in"] == f["book"].split("#")[1], f["id"]
        assert mine["kind"] == f["kind"]
        # Guardrails cap the band hard; the other flags lower it by one, unless a corpus principle
        # caps them (proxies only are at most tokenism; claims without mechanisms are tokenism).
        if f["kind"] == "guardrail":
            assert mine["cap"] in ("non-participation", "tokenism") and mine["effect"] == "cap", f["id"]
        elif f["id"] in ("proxies-replace-affected", "participation-washing"):
            assert (mine["cap"], mine["effect"]) == ("tokenism", "cap")
        else:
            assert mine["effect"] == "lower", f["id"]


def test_every_flag_fires_on_some_descriptor_and_not_only_at_level_0():
    rubric = load_rubric()
    fired = {f for c in rubric.criteria for lv in c.raises for f in c.raises[lv]}
    assert fired == set(rubric.red_flags)
    above_zero = {f for c in rubric.criteria for lv in c.raises if lv > 0 for f in c.raises[lv]}
    # Level-1 descriptors that describe the breach itself raise it (report-back, withdrawal, pay ...).
    assert {"no-report-back", "no-withdrawal", "unpaid-participation", "below-living-wage"} <= above_zero
    # Nothing at level 2 ("committed") raises a flag, and level 3 never does.
    assert all(lv < 2 for c in rubric.criteria for lv in c.raises)


def test_one_scale_and_the_calibrated_numbers_live_in_the_rubric(data):
    assert [s["name"] for s in data["scale"]] == ["Absent", "Intended", "Committed", "In place"]
    rules = data["band_rules"]
    assert [s["step"] for s in rules["ladder"]] == ["inform", "consult", "involve", "collaborate", "empower"]
    assert {"profile_low_percent", "profile_min_points", "profile_floor", "flag_drop", "met_at"} <= set(rules)
    source = (ROOT / "widgets" / "_scoring.py").read_text(encoding="utf-8")
    for n in (rules["profile_low_percent"], rules["profile_min_points"]):
        assert not re.search(rf"[^\w.]{n}[^\w.]", source.replace("round_percent", "")), n


def test_context_and_group_questions(data):
    rubric = load_rubric()
    assert set(rubric.context_options) == {"process", "convener", "participants"}
    assert "inform-only" in rubric.context_options["participants"]
    assert "single-decision" in rubric.context_options["process"]
    assert {"council-or-coop", "community-organisation", "public-body"} <= set(rubric.context_options["convener"])
    per_group = {c.id for c in rubric.criteria if c.per_group}
    # Pay, consent, influence and safety are answered per group.
    assert {"pay-participants", "informed-consent", "withdrawal", "shared-decisions", "community-decides",
            "harmful-exposure", "identification-risk"} <= per_group
    # A question that presupposes participants does not apply to an inform-only plan.
    needs = {c.id for c in rubric.criteria if c.needs_participants}
    assert {"pay-participants", "informed-consent", "report-back", "input-traced"} <= needs
    assert rubric.by_id["several-stages"].processes == ("product-lifecycle", "standing-body")
    # Wording fits bodies as well as a named sponsor.
    assert "company" not in " ".join(c.question.lower() for c in rubric.criteria)


def test_frozen_1_0_rubric_still_loads():
    old = load_rubric("1.0")
    assert old.version == "1.0" and len(old.criteria) == 51
    assert old.by_id["early-start"].flags_at(0) == ("decision-already-made",)


def test_every_criterion_is_complete(data):
    for c in data["criteria"]:
        assert c["question"].endswith("?"), c["id"]
        assert set(c["levels"]) == {"0", "1", "2", "3"}
        assert re.fullmatch(r"(theme|guardrail|guardrails|practice|usecase|supplychain|tool)-[a-z0-9-]+",
                            c["explained_in"])
        assert c["next_step"]["action"] and c["next_step"]["who"]


def test_sources_resolve_in_bibliography(data):
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M))
    used = {k for c in data["criteria"] for k in c["sources"]} | {k for b in data["bands"] for k in b["sources"]}
    assert used <= keys, sorted(used - keys)


def test_check_rubric_catches_broken_cross_references(data):
    broken = json.loads(json.dumps(data))
    broken["criteria"][0]["theme"] = "no-such-theme"
    broken["criteria"][1]["raises"] = {"0": ["no-such-flag"]}
    broken["criteria"].append(dict(broken["criteria"][2]))
    broken["band_rules"]["ladder"][2]["criteria"].append("input-traced")
    broken["criteria"][3]["raises"] = {"1": ["participation-washing"]}
    problems = "\n".join(check_rubric(broken))
    assert "unknown theme" in problems and "unknown red flag" in problems and "duplicate criterion" in problems
    assert "more than one ladder step" in problems and "every lower level" in problems


def test_unknown_version_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown rubric version"):
        load_rubric("7.3")


def test_rubric_chapter_executes_and_renders_every_criterion():
    """The chapter is generated at build time; run it as the build does and check its output."""
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "book" / "selfassessment" / "01-rubric.md"
    nb = jupytext.read(path)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    markdown = "\n".join(out["data"]["text/markdown"] for cell in nb.cells if cell.cell_type == "code"
                         for out in cell.get("outputs", []) if "text/markdown" in out.get("data", {}))
    assert all("remove-input" in cell.metadata.get("tags", []) for cell in nb.cells if cell.cell_type == "code")
    for c in load_rubric().criteria:
        assert f"`{c.id}`: {c.question}" in markdown
    assert "59 questions" in markdown
