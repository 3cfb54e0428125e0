"""Generated workshop rooms for the room-view tests: several raters per team, some second rounds.

Each team has a plan whose "true" level per criterion is drawn at random; each rater reads the
plan a little differently (mostly agreeing, sometimes one level apart, now and then two or more),
skips a few questions, and a second round moves some answers up. The files are in the saved
format (JSON), written to a folder as a facilitator would collect them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from widgets._scoring import load_rubric

STAGES = ("problem-formulation", "data", "development", "evaluation", "deployment", "post-deployment")
MODEL_TYPES = ("narrow", "advanced-narrow", "general-purpose")
RATERS = ("Ada", "Bea", "Chen")


def room_documents(teams: int = 10, second_round: int = 3, seed: int = 7) -> list[tuple[str, dict]]:
    """(file name, document) for ``teams`` teams of three raters; the first ``second_round``
    teams also have a round 2. 10 teams and 3 second rounds give 39 files."""
    rng = random.Random(seed)
    rubric = load_rubric()
    docs = []
    for t in range(teams):
        scope = "short" if t % 4 == 3 else "full"
        criteria = [c for c in rubric.criteria if scope == "full" or c.short]
        truth = {c.id: rng.choice((0, 1, 1, 2, 2, 3)) for c in criteria}
        team = f"Team {t + 1:02d} <{rng.choice(['north', 'south', 'east', 'west'])}>"
        base = {"format": "pai-assessment", "format_version": 1, "rubric": {"id": rubric.id, "version": rubric.version},
                "scope": scope, "team": team, "product": f"Product {t + 1}", "model_type": rng.choice(MODEL_TYPES),
                "lifecycle_stage": rng.choice(STAGES), "date": "2026-11-02"}
        for rnd in (1, 2) if t < second_round else (1,):
            for rater in RATERS:
                answers = {}
                for c in criteria:
                    if rng.random() < 0.06:
                        continue  # skipped
                    if c.not_applicable_if and rng.random() < 0.3:
                        answers[c.id] = {"level": "n/a"}
                        continue
                    level = truth[c.id] + (rnd - 1) * rng.choice((0, 1, 1))
                    roll = rng.random()
                    if roll < 0.2:
                        level += rng.choice((-1, 1))
                    elif roll < 0.26:
                        level += rng.choice((-2, 2, 3))
                    answers[c.id] = {"level": max(0, min(3, level)), "evidence": f"Notes of {rater}"}
                doc = dict(base, rater=rater, answers=answers)
                if rng.random() < 0.4:  # some raters give next steps an owner and a date
                    picks = rng.sample(sorted(answers), 2)
                    doc["actions"] = [{"criterion": picks[0], "owner": f"{rater} <lead>", "due": "2026-12-0" + str(rnd)},
                                      {"criterion": picks[1], "owner": "", "due": "2026-12-15"}]
                if t < second_round:
                    doc["round"] = rnd
                docs.append((f"team{t + 1:02d}-{rater.lower()}-r{rnd}.json", doc))
    return docs


def write_room(folder: Path, **kwargs) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, doc in room_documents(**kwargs):
        path = folder / name
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        paths.append(path)
    return paths
