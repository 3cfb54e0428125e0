"""The four example plans land in their expected bands with their expected red flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets import load_assessment, score_plan
from widgets._reports import render_report

EXAMPLES = Path(__file__).resolve().parents[1] / "widgets" / "examples"

EXPECTED = {
    # file: (band, IAP2 level reached, red flags); the IAP2 level never exceeds the band's own
    "community-led.yaml": ("community-led", "empower", []),
    "participation-washing.yaml": ("non-participation", "none", [
        "unpaid-participation", "decision-already-made", "no-withdrawal", "no-report-back", "participation-washing",
        "unpaid-community-partners", "pay-conditional-on-completion", "stories-used-for-marketing", "digital-only-recruitment",
        "unfunded-after-project-end", "affected-group-left-out"]),
    "inform-only.yaml": ("tokenism", "inform", []),
    "vendor-labelling.yaml": ("tokenism", "inform", [
        "below-living-wage", "unsupported-harmful-exposure", "pay-conditional-on-completion",
        "unpaid-qualification-rounds", "unpaid-rejected-work", "unpiloted-instructions", "no-worker-channel",
        "vendor-chosen-on-price", "nothing-for-workers-at-end"]),
}


def test_every_example_is_covered():
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_band_and_flags(name):
    band, iap2, flags = EXPECTED[name]
    assessment = load_assessment(EXAMPLES / name)
    score = score_plan(assessment)
    assert (score.band_id, score.iap2_level, score.flag_ids) == (band, iap2, flags)
    # Fully answered: the band cannot move, so confidence is high.
    assert score.band_low == score.band == score.band_high
    assert score.confidence == "high"
    for fmt in ("md", "json", "html"):
        assert render_report(score, assessment, fmt)


def test_participation_washing_is_busy_but_changes_nothing():
    score = score_plan(load_assessment(EXAMPLES / "participation-washing.yaml"))
    who = score.theme("who-takes-part").percent
    influence = score.theme("influence-report-back").percent
    assert who > 2 * influence, "lots of activity, little influence"
    assert ("red-flag", "decision-already-made") in score.band_limits


def test_vendor_plan_is_capped_by_labour_flags_not_by_its_consultation():
    score = score_plan(load_assessment(EXAMPLES / "vendor-labelling.yaml"))
    kinds = {k for k, _ in score.band_limits}
    assert kinds == {"red-flag"}, "without the flags it would reach consultation"
    assert score.to_dict()["band"]["ladder"] == "consultation"
    first_two = {a.criterion for a in score.actions[:2]}
    assert first_two == {"living-wage", "harmful-exposure"}
    # The labour flags come from the annotators; the users' panel is treated well.
    d = score.to_dict()
    assert {g["id"]: g["red_flags"] for g in d["groups"]}["users"] == []
    assert all(f["groups"] == ["annotators"] for f in d["red_flags"] if f["id"] != "vendor-chosen-on-price")
    change = d["what_would_change"]
    assert change["target"] == "consultation" and change["reachable"]
    assert {(m["criterion"], m["group"]) for m in change["moves"]} >= {("living-wage", "annotators"),
                                                                     ("harmful-exposure", "annotators")}


def test_honest_inform_only_plan_is_not_flagged():
    score = score_plan(load_assessment(EXAMPLES / "inform-only.yaml"))
    assert score.flag_ids == [] and score.unconfirmed_flags == ()
    assert score.band_limits == (("context", "inform-only"),)
    # Nobody is asked for anything: pay, consent and report-back do not apply.
    reasons = {c.criterion: c.reason for c in score.contributions}
    assert reasons["pay-participants"] == reasons["report-back"] == "no-participants"
