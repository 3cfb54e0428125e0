"""Hostile inputs for every loader and export, shared by the fuzz tests and ``benchmarks/bench_fuzz.py``.

Each *class* of damage is a function ``(rng, text) -> text`` applied to a valid file (a seed); a
*target* reads the result the way a user's file is read and then, when the file was accepted,
writes every export of it. ``run_case`` runs one target on one input and says how it ended:
``"accepted"``, ``"refused"`` (the toolkit's own error) or ``"crash"`` (anything else: a bug).
The fuzz tests draw ``rng`` from hypothesis; the benchmark uses a seeded ``random.Random``.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Callable

import yaml

from widgets import _paycalc as pc
from widgets import _transparency as tr
from widgets import _vendor as vd
from widgets._assessment import AssessmentError, load_assessment
from widgets._files import InputError, ToolFileError
from widgets._reports import compare_report, render_report
from widgets._scoring import score_plan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "widgets" / "examples").glob("*.yaml"))

# --------------------------------------------------------------------------- seeds (valid files)


def _pay_seed() -> str:
    return pc.save_pay_scenarios([
        pc.PayScenario(currency="KES", living_wage_per_hour=250, pay_model="per_task", rate=6, task_minutes=2.5,
                       tasks=400, training_minutes=60, side_work_minutes_per_task=0.4, label="Pilot"),
        pc.PayScenario(currency="INR", living_wage_per_hour=150, pay_model="per_hour", rate=160, task_minutes=5,
                       tasks=40, paid_extras=("training",), other_payments=25),
    ])


def _vendor_seed() -> str:
    c = vd.VendorChecklist(title="Q3 vendors")
    for i, q in enumerate(vd.questions()[:6]):
        c.record("Vendor A", q["id"], ["yes", "partly", "no"][i % 3], evidence=f"Evidence {i}", note="n")
        c.record("Vendor B", q["id"], "yes")
    return c.save_json()


def _transparency_seed() -> str:
    r = tr.TransparencyReport("Example Org", "2026")
    for key in tr.field_keys()[:6]:
        r.set(key, "3" if key == "vendors.vendor-count" else "Some text\n\nA second paragraph.")
    return r.save_json()


SEEDS: dict[str, list[str]] = {
    "cli": [p.read_text(encoding="utf-8") for p in EXAMPLES[:2]],
    "score_plan(dict)": [json.dumps(load_assessment(p).to_dict()) for p in EXAMPLES[:2]],
    "assessment.yaml": [p.read_text(encoding="utf-8") for p in EXAMPLES],
    "assessment.json": [json.dumps(load_assessment(p).to_dict(), ensure_ascii=False) for p in EXAMPLES[:2]],
    "pay.json": [_pay_seed()],
    "vendor.json": [_vendor_seed()],
    "transparency.json": [_transparency_seed()],
    "questions.yaml": [vd.QUESTIONS_FILE.read_text(encoding="utf-8")],
    "template.yaml": [tr.TEMPLATE_FILE.read_text(encoding="utf-8")],
}

# --------------------------------------------------------------------------- classes of damage

HOSTILE_STRINGS = [
    "\ud800", "\udfff", "a\x00b", "\x1b[2J\x1b[31m", "\u202eevil", "\u200b=cmd|' /C calc'!A0", "\ufeff=1+1",
    "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\r=1", "line\r\n=2", "<script>alert(1)</script>",
    "[x](javascript:alert(1))", "# heading\n---\n```\ncode", "https://example.com", "{ref}`x`", "   ", "",
    "x" * 30_000, "\u0085\u2028\u2029", "'; DROP TABLE", "${{7*7}}", "%s%n", "../../etc/passwd",
]
HOSTILE_NUMBERS = [
    "9" * 5000, "1e400", "-1e400", "NaN", "Infinity", "2.9999999999999999", "5e-324", "-0", "1e308",
    "10000000000000000", "0.1", "3", "-3", "4", "1e-400", "1_000", "0x10", "1:30", "true", "null",
]
WRONG_VALUES = [None, True, 0, -1, 3.5, "", "x", [], {}, [1, [2]], {"a": {"b": None}}]


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def flip_bytes(rng: random.Random, text: str) -> str:
    raw = bytearray(text.encode("utf-8", "surrogatepass"))
    for _ in range(rng.randint(1, 8)):
        if raw:
            raw[rng.randrange(len(raw))] = rng.randrange(256)
    return raw.decode("utf-8", "surrogateescape")


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


def _replace(doc, path, value):
    if not path:
        return value
    target = doc
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    return doc


def _as_data(text: str):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _dump(doc, like: str) -> str:
    if like.lstrip().startswith("{"):
        return json.dumps(doc)  # ASCII: a lone surrogate is written as the escape \ud800
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def wrong_type(rng: random.Random, text: str) -> str:
    doc = _as_data(text)
    if doc is None:
        return text
    paths = list(_paths(doc))
    path = paths[rng.randrange(len(paths))]
    return _dump(_replace(doc, path, rng.choice(WRONG_VALUES)), text)


def hostile_string(rng: random.Random, text: str) -> str:
    doc = _as_data(text)
    if doc is None:
        return text
    strings = [p for p in _paths(doc) if p and isinstance(_get(doc, p), str)]
    if not strings:
        return text
    for _ in range(rng.randint(1, 3)):
        path = strings[rng.randrange(len(strings))]
        _replace(doc, path, rng.choice(HOSTILE_STRINGS) + rng.choice(["", _get(doc, path)]))
    return _dump(doc, text)


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def hostile_number(rng: random.Random, text: str) -> str:
    """Write a hostile number literally where the file has a number (so the parser sees it)."""
    import re

    spots = [m.span() for m in re.finditer(r"(?<=[:\[,] )-?[0-9][0-9.]*|(?<=[:\[,])-?[0-9][0-9.]*", text)]
    if not spots:
        return text
    start, end = spots[rng.randrange(len(spots))]
    return text[:start] + rng.choice(HOSTILE_NUMBERS) + text[end:]


def duplicate_key(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")]
    if not keyed:
        return text
    i = keyed[rng.randrange(len(keyed))]
    return "\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])


def deep(rng: random.Random, text: str) -> str:
    n = rng.choice([65, 200, 1_000, 50_000, 300_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    nested = opener * n + "1" + closer * n
    if text.lstrip().startswith("{"):
        return text.replace("{", '{"deep": ' + nested + ", ", 1)
    return text + "\ndeep: " + ("[" * n + "]" * n)


def huge(rng: random.Random, text: str) -> str:
    kind = rng.choice(["keys", "items", "string", "padding"])
    n = rng.choice([1_000, 30_000, 150_000])
    is_json = text.lstrip().startswith("{")
    if kind == "keys":
        extra = ", ".join(f'"k{i}": {i}' for i in range(n)) if is_json else "\n".join(f"k{i}: {i}" for i in range(n))
    elif kind == "items":
        extra = '"many": [' + ", ".join(["1"] * n * 5) + "]" if is_json else "many: [" + ", ".join(["1"] * n * 5) + "]"
    elif kind == "string":
        extra = f'"long": "{"x" * n * 20}"' if is_json else f'long: "{"x" * n * 20}"'
    else:
        return text + " " * (2_100_000 - len(text))
    if is_json:
        return text.replace("{", "{" + extra + ", ", 1)
    return text + "\n" + extra + "\n"


CLASSES: dict[str, Callable[[random.Random, str], str]] = {
    "truncation": truncate, "byte flips": flip_bytes, "wrong types": wrong_type, "hostile strings": hostile_string,
    "hostile numbers": hostile_number, "duplicate keys": duplicate_key, "deep": deep, "huge": huge,
}

# --------------------------------------------------------------------------- targets: read, then export

REFUSALS = (AssessmentError, InputError, ToolFileError, pc.PayInputError)


def _exports_are_safe(*texts: str) -> None:
    for text in texts:
        text.encode("utf-8")  # strict: a lone surrogate or similar would raise here


def _assessment(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plan{suffix}"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        a = load_assessment(path)
    s = score_plan(a)
    _exports_are_safe(*(render_report(s, a, fmt) for fmt in ("md", "json", "html")),
                      *(compare_report([(a, s)], fmt) for fmt in ("md", "csv", "json")))


def _pay(text: str) -> None:
    scenarios = pc.load_pay_scenarios(text)
    _exports_are_safe(pc.save_pay_scenarios(scenarios))
    for s in scenarios:
        pc.calculate_pay(s)
        pc.task_time_sweep(s)
        pc.break_even_task_minutes(s)


def _vendor(text: str) -> None:
    c = vd.load_vendor_checklist(text)
    _exports_are_safe(c.to_markdown(), c.to_csv(), c.save_json())
    for name in c.vendors:
        c.summary(name)


def _transparency(text: str) -> None:
    r = tr.load_transparency_report(text)
    _exports_are_safe(r.to_markdown(), r.to_html(), r.save_json())


def _yaml_data(loader) -> Callable[[str], None]:
    def run(text: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "data.yaml"
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            loader(path)
    return run


def _cli(text: str) -> None:
    """The command line on the file: exit 0 or 1, never 3 (an internal error) or a traceback."""
    import contextlib
    import io

    from widgets.__main__ import main

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("plan.json" if text.lstrip().startswith("{") else "plan.yaml")
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        for argv in (["validate", str(path)], ["score", str(path), "--format", "html", "-o", str(Path(folder) / "r.html")],
                     ["compare", str(path), str(path), "--format", "csv"]):
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                code = main(argv)
            if code not in (0, 1):
                raise RuntimeError(f"exit {code}: {err.getvalue()[:300]}")
            if "Traceback" in err.getvalue():
                raise RuntimeError("traceback printed")


def _score_plan_dict(text: str) -> None:
    """The Python API on a mapping (no file): score_plan validates it itself."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):  # not a mapping a program could hold: nothing to test
        return
    if isinstance(doc, dict):
        score_plan(doc).to_dict()


TARGETS: dict[str, Callable[[str], None]] = {
    "cli": _cli,
    "score_plan(dict)": _score_plan_dict,
    "assessment.yaml": lambda t: _assessment(t, ".yaml"),
    "assessment.json": lambda t: _assessment(t, ".json"),
    "pay.json": _pay,
    "vendor.json": _vendor,
    "transparency.json": _transparency,
    "questions.yaml": _yaml_data(vd.load_vendor_questions),
    "template.yaml": _yaml_data(tr.load_transparency_template),
}


def make_case(rng: random.Random, target: str, damage: str) -> str:
    seeds = SEEDS[target]
    return CLASSES[damage](rng, seeds[rng.randrange(len(seeds))])


def run_case(target: str, text: str) -> str:
    """``"accepted"``, ``"refused"`` or ``"crash: <error>"`` for one input."""
    try:
        TARGETS[target](text)
    except REFUSALS as err:
        message = str(err)
        if not message or "Traceback" in message:
            return f"crash: empty or raw message {message[:80]!r}"
        return "refused"
    except Exception as err:  # noqa: BLE001 - any other exception is what the fuzzers look for
        return f"crash: {type(err).__name__}: {str(err)[:200]}"
    return "accepted"
