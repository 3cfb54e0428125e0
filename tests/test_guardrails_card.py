"""The guardrails card (``{pai-guardrails-card}``, book/_ext/pai_workshops.py): the guardrails first,
under their own heading, then every other red flag once, grouped by kind with a heading each.

The printed card is checked sheet by sheet in tests/test_user_journeys.py (it needs the build).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import pai_workshops  # noqa: E402

from widgets import load_rubric  # noqa: E402


def flag_titles(text: str) -> list[str]:
    return re.findall(r"^\*\*\d+\. (.+?)\.\*\* ", text, flags=re.M)


def test_the_card_lists_the_guardrails_first_then_each_other_kind_under_its_heading():
    rubric = load_rubric()
    flags = rubric.red_flags
    parts = pai_workshops.guardrails_card_parts()
    kinds = [kind for kind, _ in parts]
    assert kinds[0] == "guardrail" and len(kinds) == len(set(kinds))
    assert set(kinds) == {f["kind"] for f in flags.values()}
    listed = []
    for kind, text in parts:
        heading, intro = pai_workshops.CARD_PARTS[kind]
        assert text.startswith(f"```{{rubric}} {heading}\n```") and intro in text
        titles = flag_titles(text)
        # Each part holds exactly the flags of its kind, in the rubric's order, numbered from 1.
        assert titles == [f["title"].rstrip(".") for f in flags.values() if f["kind"] == kind]
        assert re.findall(r"^\*\*(\d+)\. ", text, flags=re.M) == [str(i) for i in range(1, len(titles) + 1)]
        listed += titles
    assert sorted(listed) == sorted(f["title"].rstrip(".") for f in flags.values())


def test_every_flag_names_each_question_that_raises_it_by_its_text():
    rubric = load_rubric()
    text = pai_workshops.guardrails_markdown()
    entries = re.split(r"^(?=\*\*\d+\. )", text, flags=re.M)[1:]
    by_title = {f["title"].rstrip("."): fid for fid, f in rubric.red_flags.items()}
    for entry in entries:
        fid = by_title[flag_titles(entry)[0]]
        raised_by = entry.split("*Raised by:* ", 1)[1].split("\n", 1)[0]
        for c in rubric.criteria:
            levels = [level for level, ids in c.raises.items() if fid in ids]
            if levels:
                # Every question that raises the flag, at any level, with the highest such level.
                top = max(levels)
                assert f"(answered at level {top}{' or below' if top else ''})" in raised_by.split(pai_workshops._md(c.question), 1)[1][:40], (fid, c.id)
        assert not [c.id for c in rubric.criteria if "-" in c.id and c.id in raised_by]


def test_a_kind_of_flag_with_no_part_on_the_card_is_an_error(monkeypatch):
    monkeypatch.setattr(pai_workshops, "CARD_PARTS", {k: v for k, v in pai_workshops.CARD_PARTS.items() if k != "labour"})
    with pytest.raises(ValueError, match="labour"):
        pai_workshops.guardrails_card_parts()
