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
FLAGS = ["unpaid-participation", "decision-already-made", "synthetic-stand-ins", "no-consent-withdrawal",
         "no-report-back", "below-living-wage", "unsupported-harmful-exposure"]


@pytest.fixture(scope="module")
def data():
    return yaml.safe_load((RUBRIC_DIR / "engagement-plan.yaml").read_text(encoding="utf-8"))


def test_schemas_are_valid_json_schemas():
    for name in ("rubric.schema.json", "assessment.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads((RUBRIC_DIR / name).read_text()))


def test_rubric_matches_schema_and_cross_references(data):
    assert check_rubric(data) == []


def test_fixed_interfaces(data):
    rubric = load_rubric()
    assert rubric.id == "engagement-plan" and rubric.version == _scoring.CURRENT_VERSION
    assert [t["id"] for t in data["themes"]] == THEMES
    assert [f["id"] for f in data["red_flags"]] == FLAGS
    assert 40 <= len(rubric.criteria) <= 60
    assert 10 <= len(rubric.in_scope("short")) <= 14
    for f in data["red_flags"]:
        assert f["explained_in"] == f"guardrail-{f['id']}"
        assert f["title"] and f["meaning"] and f["cap"]


def test_every_criterion_is_complete(data):
    for c in data["criteria"]:
        assert c["question"].endswith("?"), c["id"]
        assert set(c["levels"]) == {"0", "1", "2", "3"}
        assert re.fullmatch(r"(theme|guardrail)-[a-z0-9-]+", c["explained_in"])
        assert c["next_step"]["action"] and c["next_step"]["who"]


def test_sources_resolve_in_bibliography(data):
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M))
    used = {k for c in data["criteria"] for k in c["sources"]} | {k for b in data["bands"] for k in b["sources"]}
    assert used <= keys, sorted(used - keys)


def test_check_rubric_catches_broken_cross_references(data):
    broken = json.loads(json.dumps(data))
    broken["criteria"][0]["theme"] = "no-such-theme"
    broken["criteria"][1]["flag"] = {"id": "no-such-flag", "at_or_below": 0}
    broken["criteria"].append(dict(broken["criteria"][2]))
    problems = "\n".join(check_rubric(broken))
    assert "unknown theme" in problems and "unknown red flag" in problems and "duplicate criterion" in problems


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
    assert "51 questions" in markdown
