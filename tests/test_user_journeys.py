"""The built site used as its three kinds of users use it: a practitioner, a facilitator, a reader.

Each test follows one person's path through the static site (no kernel) and checks what that
person would see, not how the page is built: the practitioner fills the full self-assessment by
keyboard only (plan context, two groups, a per-group answer, six questions, hostile evidence
text), reloads, downloads the file and the report; on a phone the result summary stays readable;
the facilitator prints the blank worksheet and the handouts, which must leave room to write and
keep each question on one sheet. Every check here once failed on the built site
(review/FINDINGS.md lists what was seen). Needs the site built (`make book`); skips otherwise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from widgets._assessment import load_assessment
from widgets._scoring import load_rubric, score_plan

from conftest import artifact_screenshot
from test_assessment_browser import open_page  # the page, mounted, with downloads allowed

FULL = "book/selfassessment/03-full-assessment.html"
STORAGE = "pai:self-assessment:full"
EVIDENCE = "<b>x</b> =SUM(1) https://example.org/a"
TEAM = "T <b>U</b>"


def open_full(new_page, server_url, built_site, **options):
    return open_page(new_page, server_url, built_site, FULL, **options)


def tab_to(page, selector, key="Tab", limit=600):
    """Press Tab (or Shift+Tab) until the focused element matches `selector`, as a person would."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {selector}")


def stored(page) -> dict:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{STORAGE}')).values.assessment")


def python_score(assessment: dict, tmp_path: Path) -> dict:
    """Python's score of what the page stored (plan fields left blank get a placeholder: Python needs them)."""
    filled = {**assessment, "team": assessment.get("team") or "A team", "product": assessment.get("product") or "A product",
              "model_type": assessment.get("model_type") or "narrow",
              "lifecycle_stage": assessment.get("lifecycle_stage") or "development"}
    path = tmp_path / "stored.json"
    path.write_text(json.dumps(filled), encoding="utf-8")
    return score_plan(load_assessment(path)).to_dict()


# --------------------------------------------------------------------------- the practitioner


@pytest.mark.browser
def test_practitioner_fills_the_full_assessment_by_keyboard_and_keeps_it(new_page, server_url, built_site, tmp_path):
    page = open_full(new_page, server_url, built_site)
    # From the page's first control (the toolbar), by keyboard only from here on.
    page.get_by_role("button", name="Download assessment file").focus()
    tab_to(page, "input[id$='-team']")
    page.keyboard.type(TEAM)
    page.keyboard.press("Tab")
    page.keyboard.type("=HYPERLINK(1)")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # model type: the first one
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # lifecycle stage: the first one
    # The plan's context: the convener is a public body (arrow keys move within a radio group).
    tab_to(page, "input[name$='-ctx-convener']")
    page.keyboard.press("ArrowDown")
    # Two groups: a governance panel, then data workers, each added with Enter.
    tab_to(page, "input[id$='-new-group']")
    page.keyboard.type("Tenants' panel")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowUp")  # "Wider participants" -> "Governance"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.keyboard.type("Annotators <i>vendor</i>")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "Data workers"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    # Questions in page order, by keyboard only: Space picks level 0, each ArrowDown one level up.
    def answer(cid, steps):
        tab_to(page, f"fieldset[data-criterion='{cid}'] > .pai-levels input[type=radio]")
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowDown")

    for cid, steps in [("purpose-stated", 3), ("open-and-fixed-stated", 2), ("early-start", 1)]:
        answer(cid, steps)
    # A per-group answer: pay differs for the governance panel.
    answer("pay-participants", 1)
    tab_to(page, "fieldset[data-criterion='pay-participants'] input[id$='-differs']")
    page.keyboard.press("Space")  # moves the focus to the first group's levels
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    for cid, steps in [("pay-unconditional", 2), ("informed-consent", 3)]:
        answer(cid, steps)
    # Evidence with markup, a formula and an address in it.
    tab_to(page, "fieldset[data-criterion='informed-consent'] summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type(EVIDENCE)
    page.wait_for_timeout(100)

    saved = stored(page)
    assert saved["team"] == TEAM and saved["context"]["convener"] == "public-body"
    assert [(g["label"], g["role"]) for g in saved["groups"]] == [("Tenants' panel", "governance"),
                                                                  ("Annotators <i>vendor</i>", "workers")]
    assert saved["answers"]["pay-participants"]["by_group"] == {"tenants-panel": {"level": 2}}
    assert saved["answers"]["informed-consent"] == {"level": 3, "evidence": EVIDENCE}
    score = python_score(saved, tmp_path)
    result = page.locator(".pai-result")
    assert result.locator(".pai-band-title").get_attribute("data-band") == score["band"]["id"]
    assert result.locator(".pai-ladder li.pai-met").count() == len(score["iap2"]["steps_met"])
    assert result.locator(".pai-groups-list li").count() == 2
    # "What would change" counts its answers in words a person would write.
    moves = score["what_would_change"]["moves"]
    assert score["what_would_change"]["reachable"] and moves  # this plan can move up a band
    lead = result.locator(".pai-change p").first.inner_text()
    assert lead.startswith("This answer would" if len(moves) == 1 else f"These {len(moves)} answers together")
    assert page.locator(".pai-assessment b, .pai-assessment i").count() == 0

    # Reload: every answer is still there.
    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert stored(page) == saved
    assert page.locator("input[id$='-team']").input_value() == TEAM
    assert page.locator(".pai-group-list input[type=text]").evaluate_all("els => els.map(e => e.value)") == \
        ["Tenants' panel", "Annotators <i>vendor</i>"]
    assert page.locator("fieldset[data-criterion='informed-consent'] textarea").first.input_value() == EVIDENCE

    # Every download the page offers, by keyboard.
    files = {}
    for name in ["Download assessment file", "Download report (Markdown)"]:
        page.get_by_role("button", name=name).focus()
        with page.expect_download() as info:
            page.keyboard.press("Enter")
        files[name] = Path(info.value.path()).read_text(encoding="utf-8")
    assert json.loads(files["Download assessment file"])["answers"] == saved["answers"]
    report = files["Download report (Markdown)"]
    assert "<b>" not in report and "&lt;b&gt;x&lt;/b&gt;" in report
    assert "https://example.org" not in report  # escaped, so no live link
    assert page.pai_page_errors == [] and page.pai_external_requests == []


@pytest.mark.browser
def test_a_1_0_upload_names_the_new_questions_by_text_and_each_takes_the_focus_to_it(new_page, server_url, built_site):
    page = open_full(new_page, server_url, built_site)
    old = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "assessments" / "examples-1.0" / "community-led.yaml"
    page.locator("input[type=file]").set_input_files(str(old))
    message = page.locator(".pai-messages[role=status] .pai-message")
    message.wait_for()
    rubric = load_rubric()
    missing = [c for c in rubric.criteria if load_assessment(old).levels.get(c.id) is None]
    assert missing
    text = message.inner_text()
    # Every question still to answer is named by its text, under its section; no id is shown.
    for c in missing:
        assert f"“{c.question}”" in text
    titles = {t["id"]: t["title"] for t in rubric.data["themes"]}
    for theme in {c.theme for c in missing}:
        assert f"to answer in “{titles[theme]}”" in text
    assert not [c.id for c in missing if c.id in re.sub(r"“[^”]*”", "", text)]
    links = page.locator(".pai-migration-notes a.pai-goto")
    assert links.evaluate_all("els => els.map(e => e.dataset.criterion)") == [c.id for c in missing]
    # By keyboard: from the upload control, Tab to a named question and press Enter: the focus is on
    # that question in the form, on screen, and Space answers it.
    target = missing[1]
    page.locator("input[type=file]").focus()
    tab_to(page, f".pai-migration-notes a[data-criterion='{target.id}']")
    assert page.evaluate("document.activeElement.textContent") == f"“{target.question}”"
    page.keyboard.press("Enter")
    focused = page.evaluate("""() => {
        const e = document.activeElement, box = e.getBoundingClientRect();
        return { criterion: e.closest('fieldset.pai-criterion')?.dataset.criterion, type: e.type,
                 onScreen: box.top >= 0 && box.bottom <= innerHeight };
    }""")
    assert focused == {"criterion": target.id, "type": "radio", "onScreen": True}
    page.keyboard.press("Space")
    page.wait_for_function("([key, cid]) => JSON.parse(localStorage.getItem(key)).values.assessment.answers[cid]?.level != null",
                           arg=[STORAGE, target.id])


@pytest.mark.browser
def test_unchecked_red_flags_are_counted_with_their_list_behind_a_summary(new_page, server_url, built_site, tmp_path):
    page = open_full(new_page, server_url, built_site)
    page.locator("fieldset[data-criterion='purpose-stated'] > .pai-levels input[type=radio]").nth(2).check()
    unconfirmed = python_score(stored(page), tmp_path)["unconfirmed_flags"]
    assert len(unconfirmed) > 5  # most guardrail questions are still open
    box = page.locator(".pai-result .pai-unconfirmed")
    assert box.evaluate("e => e.tagName") == "DETAILS"
    assert re.match(rf"{len(unconfirmed)} red flags are not checked yet", box.locator("summary").inner_text())
    titles = {fid: flag["title"] for fid, flag in load_rubric().red_flags.items()}
    assert box.locator("li").all_text_contents() == [titles[f["id"]] for f in unconfirmed]
    # Opened, it stays open while the person answers (answering a guardrail question redraws it).
    box.locator("summary").focus()
    page.keyboard.press("Enter")
    page.locator("fieldset[data-criterion='informed-consent'] > .pai-levels input[type=radio]").nth(2).check()
    page.wait_for_function("(n) => document.querySelectorAll('.pai-unconfirmed li').length !== n", arg=len(unconfirmed))
    assert len(python_score(stored(page), tmp_path)["unconfirmed_flags"]) == box.locator("li").count()
    assert box.evaluate("e => e.open")


@pytest.mark.browser
def test_phone_back_to_top_button_does_not_cover_the_result_summary(new_page, server_url, built_site):
    page = open_full(new_page, server_url, built_site, viewport={"width": 390, "height": 844})
    page.locator("fieldset[data-criterion='purpose-stated'] > .pai-levels input[type=radio]").nth(2).check()
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    page.mouse.wheel(0, -600)  # scrolling up shows the theme's "Back to top" button
    button = page.locator("#pst-back-to-top")
    button.wait_for(state="visible")
    a = button.bounding_box()
    b = page.locator(".pai-summary-bar").bounding_box()
    overlap = not (a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
                   or a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"])
    assert not overlap, f"Back to top {a} covers the summary bar {b}"


# --------------------------------------------------------------------------- the facilitator


@pytest.mark.browser
def test_blank_worksheet_has_rows_to_write_the_groups_in(new_page, server_url, built_site):
    page = open_full(new_page, server_url, built_site)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    rows = page.locator(".pai-print-view .pai-print-groups tbody tr")
    assert rows.count() >= 4
    heights = rows.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    line = page.locator(".pai-print-view p").first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20")
    assert min(heights) >= 1.5 * line, f"rows {heights} are too low to write a group's name in"
    # Each role is its own item, not one run-on sentence.
    roles = page.locator(".pai-print-view .pai-print-roles li")
    assert roles.count() == len(load_rubric().data["group_roles"])


def pdf_pages(path: Path) -> list[list[str]]:
    """Each page's text lines, ligatures unfolded, without the footer line."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        text = unicodedata.normalize("NFKC", page.extract_text() or "")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        pages.append([line for line in lines if not line.startswith("Participatory AI in Practice:")])
    return pages


@pytest.mark.build
@pytest.mark.parametrize("pdf", ["short-assessment-worksheet.pdf", "use-case-worksheets.pdf"])
def test_worksheet_handouts_keep_each_question_on_one_sheet(built_site, pdf):
    path = built_site / "handouts" / pdf
    if not path.exists():
        pytest.skip(f"{pdf} is not in this build (make book prints the handouts)")
    split = [(n, lines[0]) for n, lines in enumerate(pdf_pages(path), start=1)
             if lines and (lines[0].startswith("☐") or lines[0].startswith("Evidence:"))]
    assert split == [], f"questions continue from the previous sheet: {split}"


@pytest.mark.build
def test_each_use_case_worksheet_starts_on_its_own_sheet(built_site):
    path = built_site / "handouts" / "use-case-worksheets.pdf"
    source = Path(__file__).resolve().parents[1] / "book" / "workshops" / "12-handout-use-cases.md"
    if not path.exists():
        pytest.skip("use-case-worksheets.pdf is not in this build (make book prints the handouts)")
    titles = re.findall(r"^## (.+)$", source.read_text(encoding="utf-8"), flags=re.M)
    assert len(titles) == 6
    # A title may wrap onto a second line; the first worksheet follows the handout's instructions.
    def letters(text):
        return re.sub(r"[^a-z0-9]", "", text.lower())

    tops = [letters(" ".join(lines[:2])) for lines in pdf_pages(path) if lines]
    assert [t for t in titles[1:] if not any(top.startswith(letters(t)) for top in tops)] == []


@pytest.mark.build
def test_guardrails_card_prints_the_guardrails_first_and_alone_on_its_first_sheet(built_site):
    path = built_site / "handouts" / "guardrails-card.pdf"
    if not path.exists():
        pytest.skip("guardrails-card.pdf is not in this build (make book prints the handouts)")
    flags = load_rubric().red_flags

    def letters(text):
        return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKC", text).lower().replace("’", "'"))

    sheets = [letters(" ".join(lines)) for lines in pdf_pages(path)]
    guardrails = [letters(f["title"]) for f in flags.values() if f["kind"] == "guardrail"]
    others = [letters(f["title"]) for f in flags.values() if f["kind"] != "guardrail"]
    assert len(guardrails) >= 7 and others
    # The first sheet: every guardrail, under its heading, and no other flag.
    assert "theguardrails" in sheets[0]
    assert [t for t in guardrails if t not in sheets[0]] == []
    assert [t for t in others if t in sheets[0]] == []
    # The other flags follow, each kind under its own heading, from the second sheet on.
    rest = "".join(sheets[1:])
    assert [t for t in others if t not in rest] == []
    for heading in ("warningsigns", "patternsfoundinplans", "labourconditions"):
        assert heading in rest, heading
    assert sheets[1].startswith("warningsigns")


@pytest.mark.browser
def test_action_log_handout_leaves_room_to_write(new_page, server_url, built_site):
    doc = "book/workshops/16-handout-action-log.html"
    if not (built_site / doc).exists():
        pytest.skip(f"{doc} is not in this build")
    page = new_page()
    page.goto(server_url + doc)
    page.emulate_media(media="print")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 5
    heights = rows.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 40, f"rows {heights} px high: too low to write an action in by hand"


@pytest.mark.browser
def test_printed_result_names_the_answers_per_group_once(new_page, server_url, built_site):
    page = open_full(new_page, server_url, built_site)
    example = Path(__file__).resolve().parents[1] / "widgets" / "examples" / "vendor-labelling.yaml"
    page.locator("input[type=file]").set_input_files(str(example))
    page.locator(".pai-messages[role=status] .pai-message").wait_for()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    printed = page.locator(".pai-print-view").inner_text()
    assert printed.count("Answers per group") == 1


@pytest.mark.browser
def test_evaluation_form_leaves_room_to_answer_its_open_questions(new_page, server_url, built_site):
    doc = "book/workshops/17-handout-evaluation.html"
    source = Path(__file__).resolve().parents[1] / "book" / "workshops" / "17-handout-evaluation.md"
    if not (built_site / doc).exists():
        pytest.skip(f"{doc} is not in this build")
    questions = [line.strip() for line in source.read_text(encoding="utf-8").splitlines()
                 if line.strip().endswith("?") and not line.startswith("|")]
    assert len(questions) == 3
    page = new_page()
    page.goto(server_url + doc)
    page.emulate_media(media="print")
    # The space between each open question and the next text printed (hidden page furniture aside).
    room = page.evaluate("""(questions) => questions.map((q) => {
        const p = [...document.querySelectorAll('main p')].find((e) => e.textContent.trim() === q);
        const texts = [...document.querySelectorAll('main p, main li, main h1, main h2, main h3, main table')]
          .filter((e) => e.getClientRects().length && e.textContent.replace(/\\s+/g, '').length && !e.contains(p));
        const next = texts.find((e) => p.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
        const end = next ? next.getBoundingClientRect().top : p.closest('section').getBoundingClientRect().bottom;
        return end - p.getBoundingClientRect().bottom;
    })""", questions)
    assert min(room) >= 100, f"room to answer below each open question: {room} px"


@pytest.mark.browser
def test_the_plan_section_headings_are_not_smaller_than_the_questions_under_them(new_page, server_url, built_site):
    page = open_full(new_page, server_url, built_site)
    sizes = page.evaluate("""() => {
        const px = (e) => parseFloat(getComputedStyle(e).fontSize);
        const heading = px(document.querySelector('.pai-plan-setup > .pai-theme-title'));
        const legends = [...document.querySelectorAll('.pai-about > legend, .pai-plan-setup legend')].map(px);
        return { heading, legends };
    }""")
    assert sizes["legends"] and max(sizes["legends"]) <= sizes["heading"], sizes


# --------------------------------------------------------------------------- the reader


@pytest.mark.browser
def test_phone_reader_of_a_use_case_reads_without_the_result_bar_until_the_self_check(new_page, server_url, built_site):
    doc = "book/usecases/01-market-needs.html"
    if not (built_site / doc).exists():
        pytest.skip(f"{doc} is not in this build")
    page = open_page(new_page, server_url, built_site, doc, viewport={"width": 390, "height": 844})
    bar = page.locator(".pai-summary-bar")
    page.wait_for_timeout(200)
    assert not bar.is_visible(), "the result bar covers the chapter's opening, far above its self-check"
    page.locator(".pai-criterion").first.scroll_into_view_if_needed()
    bar.wait_for(state="visible")
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= 844 and box["y"] > 600, box


#: Words of the room view's column headings and captions that a line break cuts in two.
BROKEN_WORDS_JS = """() => {
    const broken = [];
    for (const th of document.querySelectorAll('.pai-room th[scope=col], .pai-room .pai-room-caption')) {
        const node = th.firstChild;
        if (!node || node.nodeType !== Node.TEXT_NODE) continue;
        // A word may break at its hyphen ("report-back"), never inside a part of it.
        for (const m of node.textContent.matchAll(/[^\\s\u2010-]+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(m[0]);
        }
    }
    return broken;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_room_view_headings_keep_their_words_whole_and_counts_read_as_words(new_page, server_url, built_site, width, artifacts):
    doc = "book/workshops/05-room-view.html"
    examples = sorted((built_site / "handouts" / "examples").glob("*.json"))
    if not (built_site / doc).exists() or len(examples) != 4:
        pytest.skip(f"{doc} or the four example files are not in this build")
    page = new_page(viewport={"width": width, "height": 900})
    page.goto(server_url + doc)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready] .pai-room", timeout=15000)
    page.locator(".pai-room input[type=file]:not([webkitdirectory])").set_input_files([str(p) for p in examples])
    page.wait_for_selector("tr.pai-room-weak")
    assert page.evaluate(BROKEN_WORDS_JS) == []
    text = page.locator(".pai-room").inner_text()
    assert "(s)" not in text
    assert page.locator(".pai-room-status").inner_text().startswith("4 files loaded: 4 teams, 4 ratings")
    # A flag raised by one team in one rating says so in the singular.
    flags = page.locator(".pai-room-flags li").all_inner_texts()
    assert flags and all(re.search(r": \d+ teams? \(.*\), raised in \d+ ratings?\.$", f) for f in flags), flags
    assert [f for f in flags if re.search(r"\b1 teams\b|\b1 ratings\b|\b([02-9]|\d\d+) team \(", f)] == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1")
    # A table wider than the column says, above it, that it scrolls; one that fits does not; its
    # caption wraps inside the column instead of running off with the table.
    page.wait_for_function("""() => [...document.querySelectorAll('.pai-room-scroll')].every((box) =>
        (box.scrollWidth > box.clientWidth + 1) === !box.previousElementSibling.hidden)""", timeout=5000)
    boxes = page.evaluate("""() => [...document.querySelectorAll('.pai-room-table-block')].map((b) => ({
        wide: b.querySelector('.pai-room-scroll').scrollWidth > b.querySelector('.pai-room-scroll').clientWidth + 1,
        cue: b.querySelector('.pai-room-cue').getClientRects().length > 0,
        caption: b.querySelector('.pai-room-caption').getBoundingClientRect().right <= b.getBoundingClientRect().right + 1 }))""")
    assert boxes and all(b["caption"] for b in boxes), boxes
    if width == 390:
        assert boxes[0] == {"wide": True, "cue": True, "caption": True}, "the teams-by-theme table is wider than a phone"
    artifact_screenshot(page, artifacts / f"room-examples-{width}.png", full_page=True)
