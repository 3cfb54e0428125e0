"""Where two readers who filled the same plans independently disagree.

The judgment benchmark rests on fills made by reading a plan's prose; a question whose descriptors
two careful readers apply differently cannot be scored reliably, whatever the scorer does. This
script compares two readers' fills of the same plans
(``benchmarks/calibration/fills/<reader>/<plan>.yaml``) question by question and prints, for the
context, the groups and every question: how often the two gave the same level, how often they
differed by one level and by more, and how often one answered where the other left the question
open. A per-group answer is compared on the group level the scorer reads (the rubric's
`group_rule`: the worst-treated group, or for the power questions the best-placed group), since
group ids are the readers' own and cannot be matched by id.

    python benchmarks/reader_consistency.py ra rb [--plans a,b,c] [--json out.json]

It never scores a plan. Only plans both readers filled are compared.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from widgets._scoring import load_rubric  # noqa: E402

FILLS = Path(__file__).resolve().parent / "calibration" / "fills"


def _levels(answer) -> tuple:
    """(worst, best) integer level of one answer, or ("n/a", "n/a"), or (None, None) if open."""
    if not isinstance(answer, dict):
        return (None, None)
    found = []
    if answer.get("level") is not None:
        found.append(answer["level"])
    for cell in (answer.get("by_group") or {}).values():
        if isinstance(cell, dict) and cell.get("level") is not None:
            found.append(cell["level"])
    ints = [v for v in found if isinstance(v, int) and not isinstance(v, bool)]
    if ints:
        return (min(ints), max(ints))
    if found:
        return ("n/a", "n/a")
    return (None, None)


def _kind(a, b) -> str:
    if a == b:
        return "same"
    if a is None or b is None:
        return "one open"
    if "n/a" in (a, b):
        return "n/a vs level"
    return "off by 1" if abs(a - b) == 1 else "off by 2+"


def compare(reader_a: str, reader_b: str, plans: list[str] | None = None) -> dict:
    dir_a, dir_b = FILLS / reader_a, FILLS / reader_b
    names = sorted({p.stem for p in dir_a.glob("*.yaml")} & {p.stem for p in dir_b.glob("*.yaml")})
    if plans:
        missing = sorted(set(plans) - set(names))
        if missing:
            raise SystemExit(f"not filled by both {reader_a} and {reader_b}: {', '.join(missing)}")
        names = [n for n in names if n in plans]
    if not names:
        raise SystemExit(f"{reader_a} and {reader_b} filled no plan in common (looked in {FILLS})")
    rule = {c.id: c.group_rule for c in load_rubric().criteria}
    per_question: dict[str, Counter] = defaultdict(Counter)
    details: list[dict] = []
    context = Counter()
    group_counts = []
    for name in names:
        fa = yaml.safe_load((dir_a / f"{name}.yaml").read_text(encoding="utf-8"))
        fb = yaml.safe_load((dir_b / f"{name}.yaml").read_text(encoding="utf-8"))
        for key in sorted(set(fa.get("context") or {}) | set(fb.get("context") or {})):
            va, vb = (fa.get("context") or {}).get(key), (fb.get("context") or {}).get(key)
            context["same" if va == vb else "differ"] += 1
            if va != vb:
                details.append({"plan": name, "question": f"context.{key}", "a": va, "b": vb, "kind": "differ"})
        group_counts.append((name, len(fa.get("groups") or []), len(fb.get("groups") or [])))
        answers_a, answers_b = fa.get("answers") or {}, fb.get("answers") or {}
        for qid in sorted(set(answers_a) | set(answers_b)):
            side = 1 if rule.get(qid) == "best" else 0
            x, y = _levels(answers_a.get(qid))[side], _levels(answers_b.get(qid))[side]
            kind = _kind(x, y)
            per_question[qid][kind] += 1
            if kind != "same":
                details.append({"plan": name, "question": qid, "a": x, "b": y, "kind": kind})
    totals = Counter()
    for counts in per_question.values():
        totals.update(counts)
    return {"readers": [reader_a, reader_b], "plans": names, "totals": dict(totals),
            "context": dict(context), "groups": group_counts,
            "per_question": {q: dict(c) for q, c in sorted(per_question.items())}, "details": details}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reader_a")
    parser.add_argument("reader_b")
    parser.add_argument("--plans", help="comma-separated plan ids (default: every plan both filled)")
    parser.add_argument("--json", type=Path, help="also write the comparison as JSON to this file")
    args = parser.parse_args(argv)
    result = compare(args.reader_a, args.reader_b, args.plans.split(",") if args.plans else None)
    total = sum(result["totals"].values())
    print(f"Readers {args.reader_a} and {args.reader_b}, {len(result['plans'])} plans: {', '.join(result['plans'])}")
    for kind in ("same", "off by 1", "off by 2+", "one open", "n/a vs level"):
        n = result["totals"].get(kind, 0)
        print(f"  {kind:<13} {n:4d}  ({100 * n / total:.1f} %)")
    print(f"  context answers the same: {result['context'].get('same', 0)} of {sum(result['context'].values())}")
    print("  groups declared (plan, a, b): " + "; ".join(f"{p} {a}/{b}" for p, a, b in result["groups"]))
    print("\nQuestions with a disagreement of two levels or more, or in at least half the plans:")
    half = len(result["plans"]) / 2
    for q, counts in result["per_question"].items():
        differ = sum(v for k, v in counts.items() if k != "same")
        if counts.get("off by 2+") or differ >= half:
            print(f"  {q:<40} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
