"""Next steps start from the level an answer reached, in the report every host gives."""

from __future__ import annotations

from widgets._assessment import load_assessment
from widgets._reports import score_report
from widgets._scoring import load_rubric, score_plan

RUBRIC = load_rubric()
EXAMPLE = "widgets/examples/inform-only.yaml"


def _steps(example=EXAMPLE):
    plan = load_assessment(example).to_dict()
    score = score_plan(load_assessment(example)).to_dict()
    report = score_report(RUBRIC, plan, score)
    section = next(s for s in report["sections"] if s["heading"] == "Next steps")
    items = section["blocks"][0]["ordered"]
    # One item per action, in order: the question in bold, then the step's text.
    return [(action, "".join(text for kind, text in item if kind == "text"))
            for action, item in zip(score["actions"], items)]


def test_a_question_at_level_1_or_2_is_not_given_the_level_0_step():
    checked = 0
    for action, text in _steps():
        criterion = RUBRIC.by_id[action["criterion"]]
        if action["level"] in (1, 2) and action["target_level"] not in (None,):
            assert f"(from level {action['level']} to {action['target_level']})" in text
            assert criterion.action not in text, text
            checked += 1
    assert checked, "the example has no question at level 1 or 2 with a next step"


def test_from_level_0_the_criterions_own_step_is_given():
    zero = [(a, t) for a, t in _steps("widgets/examples/participation-washing.yaml")
            if a["level"] == 0 and a["target_level"] not in (None, 3)]
    assert zero
    for action, text in zero:
        assert RUBRIC.by_id[action["criterion"]].action in text


def test_report_names_questions_themes_and_plan_fields_by_their_labels():
    from widgets._reports import render_markdown

    plan = load_assessment("widgets/examples/participation-washing.yaml")
    score = score_plan(plan).to_dict()
    markdown = render_markdown(score_report(RUBRIC, plan.to_dict(), score))
    ids = [c.id for c in RUBRIC.criteria] + list(RUBRIC.themes)
    leaked = [i for i in ids if f"`{i}`" in markdown or f"| {i} |" in markdown]
    assert not leaked, f"internal ids in the report: {leaked[:5]}"
    assert "- **Model type:** Narrow-purpose model" in markdown
    assert "Lifecycle stage:** deployment" not in markdown


def test_report_links_back_to_the_book_when_the_site_gives_addresses():
    from widgets._reports import render_markdown

    plan = load_assessment("widgets/examples/participation-washing.yaml")
    score = score_plan(plan).to_dict()
    label = score["red_flags"][0]["explained_in"]
    links = {label: {"url": "https://example.org/book/guardrails/01-seven-guardrails.html#x", "title": "The guardrail"}}
    markdown = render_markdown(score_report(RUBRIC, plan.to_dict(), score, links))
    assert "[The guardrail](https://example.org/book/guardrails/01-seven-guardrails.html#x)" in markdown
    hostile = {label: {"url": "javascript:alert(1)", "title": "x"}}
    assert "javascript:" not in render_markdown(score_report(RUBRIC, plan.to_dict(), score, hostile))
