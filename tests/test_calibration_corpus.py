"""Structure of the calibration corpus (benchmarks/calibration/).

These tests check the corpus's shape only: files and expected answers match one to one, the
expected answers validate against their schema and name only catalogued flags, quotes are
really in the plans, the held-out third is a third and apart from the design set, and the
corpus covers the archetypes, countries and model kinds it promises. They never score a plan:
the corpus must stay independent of any scorer.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CAL = ROOT / "benchmarks" / "calibration"
SETS = {"design": CAL, "heldout": CAL / "heldout", "heldout-2": CAL / "heldout-2", "heldout-3": CAL / "heldout-3", "heldout-4": CAL / "heldout-4", "heldout-5": CAL / "heldout-5", "heldout-6": CAL / "heldout-6", "heldout-7": CAL / "heldout-7"}
# The value each set's expected.yaml carries in `set`: heldout-2 to heldout-6 are further held-out sets.
SET_KIND = {"design": "design", "heldout": "heldout", "heldout-2": "heldout", "heldout-3": "heldout", "heldout-4": "heldout", "heldout-5": "heldout", "heldout-6": "heldout", "heldout-7": "heldout"}
# Sets written in halves by two writers: each half keeps its answers in expected-<part>.yaml
# until the halves are merged into expected.yaml.
SPLIT_SETS = {"heldout-3"}
# Held-out sets that replace an earlier one: new ids, a README that bars designers and counts the
# archetypes it holds. The last is the current held-out set: every earlier set is design data by
# then, so it alone has to be a third of the corpus.
LATER_HELDOUT = ("heldout-2", "heldout-3", "heldout-4", "heldout-5", "heldout-6", "heldout-7")
# How many plans of one archetype each later set may hold: the current set has to be a third of a
# growing corpus, so it holds more of each.
MOST_PER_ARCHETYPE = {"heldout-2": 1, "heldout-3": 2, "heldout-4": 3, "heldout-5": 4, "heldout-6": 6, "heldout-7": 9}
CURRENT_HELDOUT = LATER_HELDOUT[-1]

REQUIRED_ARCHETYPES = {
    "community-led-imperfect",
    "collaborative-council-or-coop",
    "consultation-done-well",
    "honest-inform-only",
    "participation-washing",
    "proxies-only",
    "piece-rate-labelling",
    "community-red-teaming",
    "binding-deliberation",
    "synthetic-panel",
    "mixed-participant-groups",
    "strong-with-minor-weakness",
}
MODEL_KINDS = {"classifier", "llm-chat", "recommender", "speech", "vision", "forecasting", "labelling-pipeline"}
BAND_ORDER = ["non-participation", "tokenism", "consultation", "involvement", "collaboration", "community-led"]
FLAG_FIELDS = {"id", "title", "kind", "applies_to", "looks_like", "not_when", "why", "book", "rubric_1_0", "next_step"}


def _load(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def flags():
    data = _load(CAL / "flags.yaml")
    return data["flags"]


def _part_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("expected-*.yaml"))


def _load_expected(name: str, folder: Path):
    """A set's expected answers: its expected.yaml or, for a set still in halves, the plans of
    its part files in one document (the header is the first part's; the parts must agree)."""
    whole = folder / "expected.yaml"
    if whole.exists() or name not in SPLIT_SETS:
        return _load(whole)
    parts = _part_files(folder)
    if not parts:
        pytest.fail(f"{folder.relative_to(ROOT)}: neither expected.yaml nor any expected-*.yaml part file")
    loaded = [_load(path) for path in parts]
    merged = {key: value for key, value in loaded[0].items() if key != "plans"}
    merged["plans"] = [plan for part in loaded for plan in part["plans"]]
    return merged


@pytest.fixture(scope="module")
def expected():
    return {name: _load_expected(name, folder) for name, folder in SETS.items()}


@pytest.fixture(scope="module")
def schema():
    return json.loads((CAL / "expected.schema.json").read_text(encoding="utf-8"))


def _plans(expected):
    return [(name, plan) for name, data in expected.items() for plan in data["plans"]]


def _plan_text(set_name: str, plan_id: str) -> str:
    return (SETS[set_name] / "plans" / f"{plan_id}.md").read_text(encoding="utf-8")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def test_flag_catalogue_is_complete_and_unique(flags):
    ids = [flag["id"] for flag in flags]
    assert len(ids) == len(set(ids)), f"duplicate flag ids in flags.yaml: {sorted(i for i in ids if ids.count(i) > 1)}"
    for flag in flags:
        missing = FLAG_FIELDS - flag.keys()
        assert not missing, f"flags.yaml: flag {flag.get('id')!r} lacks {sorted(missing)}"
        assert flag["looks_like"] and flag["not_when"], f"flags.yaml: flag {flag['id']!r} needs looks_like and not_when entries"


def test_flag_catalogue_keeps_every_rubric_1_0_flag(flags):
    rubric = _load(ROOT / "widgets" / "rubric" / "engagement-plan-1.0.yaml")  # the frozen rubric 1.0
    old = {flag["id"] for flag in rubric["red_flags"]}
    continued = {flag["rubric_1_0"] for flag in flags if flag["rubric_1_0"]}
    assert continued <= old, f"flags.yaml names rubric 1.0 flags that do not exist: {sorted(continued - old)}"
    assert old <= continued, f"rubric 1.0 flags with no successor in flags.yaml: {sorted(old - continued)}"


def test_flag_book_sections_exist(flags):
    for flag in flags:
        path, _, label = flag["book"].partition("#")
        page = ROOT / path
        assert page.is_file(), f"flags.yaml: flag {flag['id']!r} points to missing page {path}"
        assert label and f"({label})=" in page.read_text(encoding="utf-8"), (
            f"flags.yaml: flag {flag['id']!r}: no label ({label})= in {path}"
        )


def test_every_plan_file_has_an_expected_entry_and_back(expected):
    for name, data in expected.items():
        files = {p.stem for p in (SETS[name] / "plans").glob("*.md")}
        entries = [plan["id"] for plan in data["plans"]]
        assert len(entries) == len(set(entries)), f"{name}: duplicate ids in expected.yaml"
        assert files - set(entries) == set(), f"{name}: plans without expected answers: {sorted(files - set(entries))}"
        assert set(entries) - files == set(), f"{name}: expected answers without a plan file: {sorted(set(entries) - files)}"


def test_expected_files_validate_against_schema(expected, schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name, data in expected.items():
        assert data["set"] == SET_KIND[name], f"{SETS[name] / 'expected.yaml'}: set should be {SET_KIND[name]!r}"
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{name}/expected.yaml {list(e.absolute_path)}: {e.message}" for e in errors)


def test_expected_entries_are_coherent(expected, flags):
    known = {flag["id"] for flag in flags}
    for name, plan in _plans(expected):
        where = f"{name}/expected.yaml plan {plan['id']!r}"
        assert plan["band"]["expected"] in plan["band"]["acceptable"], f"{where}: expected band not in acceptable"
        assert plan["iap2"]["expected"] in plan["iap2"]["acceptable"], f"{where}: expected IAP2 level not in acceptable"
        positions = sorted(BAND_ORDER.index(b) for b in plan["band"]["acceptable"])
        assert positions == list(range(positions[0], positions[-1] + 1)), f"{where}: acceptable bands must be contiguous"
        groups = {group["id"] for group in plan["groups"]}
        assert len(groups) == len(plan["groups"]), f"{where}: duplicate group ids"
        raised = [claim["flag"] for claim in plan["must_raise"]]
        not_raised = [claim["flag"] for claim in plan["must_not_raise"]]
        for flag in raised + not_raised:
            assert flag in known, f"{where}: flag {flag!r} is not in flags.yaml"
        assert len(raised) == len(set(raised)), f"{where}: a flag is listed twice in must_raise"
        assert len(not_raised) == len(set(not_raised)), f"{where}: a flag is listed twice in must_not_raise"
        assert not set(raised) & set(not_raised), f"{where}: flags both raised and not raised: {set(raised) & set(not_raised)}"
        for claim in plan["must_raise"] + plan["must_not_raise"]:
            if "group" in claim:
                assert claim["group"] in groups, f"{where}: flag {claim['flag']!r} names unknown group {claim['group']!r}"


def test_quotes_are_verbatim_from_the_plans(expected):
    for name, plan in _plans(expected):
        text = _normalise(_plan_text(name, plan["id"]))
        for claim in plan["must_raise"] + plan["must_not_raise"]:
            assert _normalise(claim["quote"]) in text, (
                f"{name}/expected.yaml plan {plan['id']!r}, flag {claim['flag']!r}: quote not found in the plan: {claim['quote']!r}"
            )


def test_plans_are_prose_of_plan_length(expected):
    for name, plan in _plans(expected):
        text = _plan_text(name, plan["id"])
        words = len(text.split())
        assert 300 <= words <= 700, f"{name}/plans/{plan['id']}.md has {words} words; plans are 300-700 words of prose"
        assert not text.lstrip().startswith(("-", "{", "id:")), f"{name}/plans/{plan['id']}.md should read as a plan, not data"


def test_heldout_is_a_stratified_third_apart_from_design(expected):
    design = {plan["id"] for plan in expected["design"]["plans"]}
    heldout = {plan["id"] for plan in expected["heldout"]["plans"]}
    assert not design & heldout, f"plans in both sets: {sorted(design & heldout)}"
    assert len(heldout) >= 8, f"held-out set has {len(heldout)} plans; at least 8 are needed"
    assert 3 * len(heldout) >= len(design) + len(heldout), "held-out set is less than a third of the corpus"
    archetypes = {plan["archetype"] for plan in expected["heldout"]["plans"]}
    assert REQUIRED_ARCHETYPES <= archetypes, f"held-out set lacks archetypes: {sorted(REQUIRED_ARCHETYPES - archetypes)}"
    readme = _normalise((CAL / "heldout" / "README.md").read_text(encoding="utf-8")).lower()
    assert "nobody designing the rubric or the scorer may read" in readme, "heldout/README.md must bar designers from reading it"
    assert "reported separately" in readme, "heldout/README.md must say held-out results are reported separately"


@pytest.mark.parametrize("later", LATER_HELDOUT)
def test_later_heldout_set_is_apart_and_covers_the_archetypes(expected, later):
    """A later held-out set replaces the one before it once that has been scored: its ids are
    new to every other set, its countries are new to the sets before it, and its README bars
    designers and states how many of the twelve archetypes it covers (and, for a set of more
    than twelve, how many plans it holds). heldout-2 has one plan per archetype, heldout-3 at most
    two of each, heldout-4 three, heldout-5 four, and the current set every archetype, at most six of each."""
    plans = expected[later]["plans"]
    ids = {plan["id"] for plan in plans}
    for other in SETS:
        if other == later:
            continue
        earlier = {plan["id"] for plan in expected[other]["plans"]}
        assert not ids & earlier, f"{later} reuses ids of the {other} set: {sorted(ids & earlier)}"
    for other in ("design", "heldout") + LATER_HELDOUT[: LATER_HELDOUT.index(later)]:
        used = {plan["country"] for plan in expected[other]["plans"]}
        again = sorted({plan["country"] for plan in plans} & used)
        assert not again, f"{later}: countries already used by the {other} set: {again}"
    archetypes = [plan["archetype"] for plan in plans]
    most = MOST_PER_ARCHETYPE[later]
    repeated = sorted({a for a in archetypes if archetypes.count(a) > most})
    assert not repeated, f"{later}: more than {most} plan(s) of archetype {repeated}"
    assert set(archetypes) <= REQUIRED_ARCHETYPES, (
        f"{later}: archetypes outside the twelve held-out ones: {sorted(set(archetypes) - REQUIRED_ARCHETYPES)}"
    )
    readme = _normalise((SETS[later] / "README.md").read_text(encoding="utf-8")).lower()
    assert "nobody designing the rubric or the scorer may read" in readme, f"{later}/README.md must bar designers from reading it"
    assert "reported separately" in readme, f"{later}/README.md must say held-out results are reported separately"
    stated = re.search(r"(\d+) of the twelve archetypes", readme)
    assert stated, f"{later}/README.md must say 'N of the twelve archetypes' it covers"
    assert int(stated.group(1)) == len(set(archetypes)), (
        f"{later}/README.md says {stated.group(1)} of the twelve archetypes, its expected answers have {len(set(archetypes))}"
    )
    if len(plans) > len(REQUIRED_ARCHETYPES):
        held = re.search(r"holds (\d+) plans", readme)
        assert held and int(held.group(1)) == len(plans), (
            f"{later}/README.md must say 'holds {len(plans)} plans' (it says {held.group(0) if held else 'nothing'})"
        )
    if later == CURRENT_HELDOUT or len(plans) == len(REQUIRED_ARCHETYPES):
        assert set(archetypes) == REQUIRED_ARCHETYPES, f"{later} lacks archetypes: {sorted(REQUIRED_ARCHETYPES - set(archetypes))}"


def being_written(name: str) -> tuple[int, int] | None:
    """The planned size of a held-out set whose README says it is still being written
    ("Being written: N of M plans"), or None for a finished set."""
    readme = _normalise((SETS[name] / "README.md").read_text(encoding="utf-8"))
    found = re.search(r"Being written: (\d+) of (\d+) plans", readme)
    return (int(found.group(1)), int(found.group(2))) if found else None


def test_current_heldout_set_is_a_third_of_the_corpus(expected):
    """Once a held-out set has been scored it is design data, so the set still unseen by the
    designers (the last one) is the held-out share the issue asks for: at least a third of all
    plans. A set still being written says so in its README, with the plans it holds and the size it
    is written to; that size must make it a third, and until it is reached the judgment benchmark
    must not score it (it names no held-out set but a finished one)."""
    current = len(expected[CURRENT_HELDOUT]["plans"])
    total = sum(len(expected[name]["plans"]) for name in SETS)
    writing = being_written(CURRENT_HELDOUT)
    if writing:
        held, planned = writing
        assert held == current, f"{CURRENT_HELDOUT}/README.md says {held} plans are written; expected.yaml has {current}"
        assert current < planned, f"{CURRENT_HELDOUT} holds its {planned} plans: remove 'Being written' from its README"
        assert 3 * planned >= total - current + planned, (
            f"{CURRENT_HELDOUT} is written to {planned} plans, less than a third of the corpus it completes"
        )
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import bench_judgment
        assert bench_judgment.unfinished(CURRENT_HELDOUT) == writing
        return
    assert 3 * current >= total, (
        f"{CURRENT_HELDOUT} holds {current} of {total} plans, less than a third; write more held-out plans"
    )


@pytest.mark.parametrize("name", sorted(SPLIT_SETS))
def test_split_set_parts_agree_or_are_merged(name):
    """A set written in halves has either its merged expected.yaml and no part files left, or
    part files that carry the same header (corpus, set, date) and no plan twice."""
    folder = SETS[name]
    parts = _part_files(folder)
    if (folder / "expected.yaml").exists():
        assert not parts, (
            f"{folder.relative_to(ROOT)}: expected.yaml is merged, so remove the part files {[p.name for p in parts]}"
        )
        return
    assert parts, f"{folder.relative_to(ROOT)}: no expected.yaml and no expected-*.yaml part file"
    loaded = {path.name: _load(path) for path in parts}
    headers = {file: (data["corpus"], data["set"], data["written"]) for file, data in loaded.items()}
    assert len(set(headers.values())) == 1, f"{folder.relative_to(ROOT)}: part files disagree on corpus, set or written: {headers}"
    ids = [plan["id"] for data in loaded.values() for plan in data["plans"]]
    assert len(ids) == len(set(ids)), f"{folder.relative_to(ROOT)}: a plan is in more than one part file: {sorted({i for i in ids if ids.count(i) > 1})}"


def test_coverage(expected):
    plans = [plan for _, plan in _plans(expected)]
    assert len(plans) >= 24, f"{len(plans)} plans; at least 24 are needed"
    countries = {plan["country"] for plan in plans}
    assert len(countries) >= 8, f"only {len(countries)} countries: {sorted(countries)}"
    archetypes = {plan["archetype"] for plan in plans}
    assert REQUIRED_ARCHETYPES <= archetypes, f"missing archetypes: {sorted(REQUIRED_ARCHETYPES - archetypes)}"
    design_archetypes = {plan["archetype"] for plan in expected["design"]["plans"]}
    assert REQUIRED_ARCHETYPES <= design_archetypes, f"design set lacks archetypes: {sorted(REQUIRED_ARCHETYPES - design_archetypes)}"
    kinds = {plan["model_kind"] for plan in plans}
    assert MODEL_KINDS <= kinds, f"missing model kinds: {sorted(MODEL_KINDS - kinds)}"
    sectors = {plan["sector"] for plan in plans}
    assert len(sectors) >= 15, f"only {len(sectors)} sectors"


def test_every_flag_is_exercised_in_the_design_set(expected, flags):
    """Each catalogued flag is raised by at least one design plan, so designers see every flag
    in use and the benchmark can measure its recall; the held-out set need not cover them all."""
    raised = {claim["flag"] for plan in expected["design"]["plans"] for claim in plan["must_raise"]}
    unused = {flag["id"] for flag in flags} - raised
    assert not unused, f"flags no design plan must raise: {sorted(unused)}"


SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _grams(text: str, n: int = 12) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_corpus_is_in_its_own_words(expected):
    """No run of 12 words in the flag catalogue or a plan repeats the book or the research notes."""
    sources = [p for p in (ROOT / "book").rglob("*.md") if "_build" not in p.parts]
    if SHARED_REFERENCE.exists():
        sources += [p for p in SHARED_REFERENCE.rglob("*") if p.is_file() and p.suffix in {".md", ".txt"}]
    source_grams: set[tuple[str, ...]] = set()
    for path in sources:
        source_grams |= _grams(path.read_text(encoding="utf-8", errors="replace"))
    ours = [CAL / "flags.yaml"] + [SETS[name] / "plans" / f"{plan['id']}.md" for name, plan in _plans(expected)]
    for path in ours:
        copied = _grams(path.read_text(encoding="utf-8")) & source_grams
        assert not copied, f"{path.relative_to(ROOT)} repeats a source: {' '.join(sorted(copied)[0])!r}"
