"""The Workshops part: agendas (data and pages), the facilitator-notes index, the group-size
table, and the handout PDFs printed after the build (every rubric level, every agenda block)."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import pai_workshops  # noqa: E402

from widgets._groups import group_sizes  # noqa: E402
from widgets._scoring import load_rubric  # noqa: E402

WORKSHOPS = ROOT / "book" / "workshops"
CONTENT_DIRS = [ROOT / "book", ROOT / "casestudies"]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    p = _Text()
    p.feed(path.read_text(encoding="utf-8"))
    return norm(" ".join(p.parts))


def norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').replace("\u00ad", "")
    return " ".join(text.split())


def test_every_agenda_adds_up_and_keeps_a_tenth_as_buffer():
    agendas = {a["id"]: a for a in pai_workshops.load_agendas()}
    assert set(agendas) == {"60", "90", "120", "half-day"}
    assert [agendas[k]["minutes"] for k in ("60", "90", "120")] == [60, 90, 120]
    assert 180 <= agendas["half-day"]["minutes"] <= 240
    for a in agendas.values():
        assert sum(b["minutes"] for b in a["blocks"]) + a["buffer"] == a["minutes"]
        assert a["buffer"] >= 0.1 * a["minutes"]
        for b in a["blocks"]:
            for key in ("purpose", "read_aloud", "materials", "collect"):
                assert b[key], (a["id"], b["id"], key)
        assert a["blocks"][-1]["materials"] == ["Evaluation form"]


def test_short_assessment_gets_the_twenty_minutes_its_page_promises():
    page = (ROOT / "book" / "selfassessment" / "02-short-assessment.md").read_text(encoding="utf-8")
    assert "about twenty minutes" in page
    for a in pai_workshops.load_agendas():
        score = [b for b in a["blocks"] if b["id"] in ("score", "score-alone")]
        assert score and score[0]["minutes"] >= 20, a["id"]


def test_agenda_broken_data_is_refused(tmp_path, monkeypatch):
    data = yaml.safe_load(pai_workshops.AGENDAS.read_text(encoding="utf-8"))
    data["agendas"][0]["buffer"] += 1
    bad = tmp_path / "agendas.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setattr(pai_workshops, "AGENDAS", bad)
    with pytest.raises(ValueError, match="add up"):
        pai_workshops.load_agendas()


def test_group_size_table_matches_the_algorithm():
    text = (WORKSHOPS / "02-roles-and-groups.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (\d+) \| ([^|]+) \|", text, re.M)
    assert len(rows) >= 6
    for people, groups, sizes in rows:
        expected = group_sizes(int(people), 5)
        assert len(expected) == int(groups)
        if "×" in sizes:
            size, count = (int(x) for x in sizes.split("×"))
            assert expected == [size] * count
        else:
            assert expected == [int(x) for x in sizes.split(",")]


def facilitator_note_items() -> list[tuple[str, str]]:
    """(page, first words) of every item of every facilitator-notes admonition in the sources."""
    items = []
    for folder in CONTENT_DIRS:
        for path in sorted(folder.rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            for block in re.findall(r":::\{admonition\} Facilitator notes?\n(?::class:[^\n]*\n)?(.*?)\n:::", text, re.S):
                for line in block.splitlines():
                    if line.startswith("- "):
                        words = re.sub(r"\{(?:ref|doc)\}`([^<`]+?)\s*<[^>]*>`", r"\1", line[2:])
                        words = re.sub(r"[*`]", "", words)
                        items.append((path.relative_to(ROOT).with_suffix("").as_posix(), norm(words)[:40]))
    return items


def test_note_topics():
    assert pai_workshops.note_topic("Format (40 min).") == "Session formats and timing"
    assert pai_workshops.note_topic("Watch for") == "What to watch for"
    assert pai_workshops.note_topic("Timeline exercise.") == "Exercises and activities"
    assert pai_workshops.note_topic("Time (30 min).") == "Session formats and timing"
    assert pai_workshops.note_topic("Before the session.") == "Preparing a session"
    assert pai_workshops.note_topic("Budget.") == "Budget"


# --------------------------------------------------------------------------- the built site

built = pytest.mark.build


@pytest.fixture(scope="module")
def site(built_site):
    if not (built_site / "book" / "workshops" / "01-session-plan.html").exists():
        pytest.skip("the Workshops part is not in this build")
    return built_site


@built
def test_session_plan_page_shows_every_block(site):
    text = page_text(site / "book" / "workshops" / "01-session-plan.html")
    for a in pai_workshops.load_agendas():
        for b in a["blocks"]:
            assert norm(b["title"]) in text
            assert norm(b["read_aloud"])[:80] in text, (a["id"], b["id"])
            assert norm(b["purpose"]) in text


@built
def test_facilitator_index_lists_every_note(site):
    items = facilitator_note_items()
    assert len(items) >= 40
    index = (site / "book" / "workshops" / "07-facilitator-notes.html").read_text(encoding="utf-8")
    text = page_text(site / "book" / "workshops" / "07-facilitator-notes.html")
    missing = [(page, words) for page, words in items if words[:30] not in text]
    assert missing == []
    n_index = len(re.findall(r'<ul class="pai-note-index[^"]*">', index))
    assert n_index >= 5  # topics
    assert index.count("<li>") >= len(items)
    for page, _ in items:
        assert f'{Path(page).name}.html#facilitator-notes' in index or f"{Path(page).name}.html#" in index


FOOTER = re.compile(r"Participatory AI in Practice: .*?page \d+ of \d+", re.S)


def pdf_text(path: Path) -> str:
    """The text of every page, ligatures unfolded (PDF fonts join "fi"), without the page footers."""
    import unicodedata

    from pypdf import PdfReader

    pages = [FOOTER.sub(" ", page.extract_text() or "") for page in PdfReader(path).pages]
    return norm(unicodedata.normalize("NFKC", " ".join(pages)))


@built
def test_handout_pdfs_exist_and_are_linked(site):
    folder = site / pai_workshops.HANDOUT_DIR
    for pdf in pai_workshops.HANDOUTS:
        assert (folder / pdf).is_file(), f"{pdf} missing: make book prints the handouts (book/_ext/pai_handouts.py)"
        assert (folder / pdf).read_bytes()[:5] == b"%PDF-"
    index = (site / "book" / "workshops" / "index.html").read_text(encoding="utf-8")
    for pdf in pai_workshops.HANDOUTS:
        assert f'href="../../handouts/{pdf}"' in index


def squash(text: str) -> str:
    # PDF text extraction breaks lines and may drop spaces at line ends: compare letters only.
    return re.sub(r"[^a-z0-9]", "", norm(text).lower())


@built
def test_rubric_pdf_shows_every_level_of_every_question(site):
    text = squash(pdf_text(site / "handouts" / "rubric.pdf"))
    rubric = load_rubric()
    missing = [(c.id, lv) for c in rubric.criteria for lv in range(4) if squash(c.levels[lv]) not in text]
    assert missing == []


@built
def test_agenda_pdf_shows_every_block_of_every_agenda(site):
    text = squash(pdf_text(site / "handouts" / "agendas.pdf"))
    for a in pai_workshops.load_agendas():
        for b in a["blocks"]:
            for field in (b["title"], b["purpose"], b["read_aloud"], *b["materials"], *b["collect"]):
                assert squash(field) in text, (a["id"], b["id"], field[:40])


@built
def test_worksheet_and_card_pdfs(site):
    rubric = load_rubric()
    short = squash(pdf_text(site / "handouts" / "short-assessment-worksheet.pdf"))
    assert all(squash(c.question) in short for c in rubric.criteria if c.short)
    card = squash(pdf_text(site / "handouts" / "guardrails-card.pdf"))
    assert all(squash(f["title"]) in card for f in rubric.red_flags.values())
    plans = squash(pdf_text(site / "handouts" / "example-plans.pdf"))
    from widgets._assessment import load_assessment

    for path in sorted((ROOT / "widgets" / "examples").glob("*.yaml")):
        a = load_assessment(path)
        assert squash(a.team) in plans
        for ans in a.answers.values():
            if ans.evidence:
                assert squash(ans.evidence) in plans, (path.name, ans.evidence[:40])


@built
def test_example_plans_are_offered_as_files_the_page_opens(site):
    import json

    from widgets._assessment import load_assessment
    from widgets._scoring import score_plan

    page = (site / "book" / "workshops" / "15-handout-example-plans.html").read_text(encoding="utf-8")
    for path in sorted((ROOT / "widgets" / "examples").glob("*.yaml")):
        served = site / "handouts" / "examples" / f"{path.stem}.json"
        assert f'href="../../handouts/examples/{path.stem}.json"' in page
        doc = json.loads(served.read_text(encoding="utf-8"))
        assert score_plan(load_assessment(doc)).to_dict() == score_plan(load_assessment(path)).to_dict()


CHAPTERS = sorted(p for p in WORKSHOPS.glob("0[0-6]-*.md"))
SHARED_REFERENCE = ROOT.parent.parent / "shared" / "reference"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_facilitator_chapters_have_objectives_takeaways_and_notes(path):
    text = path.read_text(encoding="utf-8")
    assert 0 <= text.find("Learning objectives") < 1500
    assert text.find("Key takeaways") > text.find("Facilitator notes") > text.find("Learning objectives")


def test_workshop_pages_do_not_repeat_the_research_notes():
    if not SHARED_REFERENCE.exists():
        pytest.skip("shared research notes are not on this machine")

    def grams(text, n=12):
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}

    source = set()
    for p in SHARED_REFERENCE.rglob("*.md"):
        source |= grams(p.read_text(encoding="utf-8", errors="replace"))
    for p in sorted(WORKSHOPS.glob("*.md")) + [pai_workshops.AGENDAS]:
        assert not grams(p.read_text(encoding="utf-8")) & source, p.name
