"""The input contract: how the toolkit reads every file a user gives it.

Every loader (assessments, the supply-chain tools' saved files, their YAML data files) reads
through this module, so each rule holds everywhere and each message is written once:

* **Size first.** A file larger than ``MAX_FILE_BYTES`` is refused before it is parsed.
* **Bounded structure.** At most ``MAX_DEPTH`` levels of nesting and ``MAX_VALUES`` values;
  parsing stops as soon as a limit is passed, so a hostile file costs little time and memory.
* **Nothing silently changed.** A key written twice is refused (YAML and JSON parsers keep the
  last one and drop the first without a word). A number is refused when a computer cannot hold
  it as written: an integer of more than ``MAX_INT_DIGITS`` digits, a value beyond
  ``MAX_NUMBER``, ``NaN`` or infinity, or a fraction that a 64-bit float would round to a whole
  number (``2.9999999999999999`` would be read as 3). YAML dates stay text as written.
* **Text is valid Unicode.** A lone surrogate (``"\\ud800"`` in JSON) cannot be written to any
  file or terminal, so it is refused where it is found. Other control characters are kept as
  written (nothing the user typed is dropped) and every export and terminal message escapes them.
* **Bounded problems.** :class:`Collector` stops after ``MAX_PROBLEMS`` problems, and schema
  errors are taken lazily from jsonschema's ``iter_errors``, never all materialised.
* **Clear messages.** Each :class:`Problem` names the file, the field, what was expected and
  what was found; the kernel-free pages use the same limits and messages
  (``widgets/static/lib/files.js``; ``tests/test_fuzz_files.py`` compares the two).

The rules are documented for users in ``widgets/rubric/ASSESSMENT-FORMAT.md`` ("Limits").
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

#: Larger files are refused before parsing: a real assessment is a few tens of kilobytes.
MAX_FILE_BYTES = 2_000_000
#: Stop listing problems after this many (a wrong file could otherwise produce thousands).
MAX_PROBLEMS = 50
#: Nesting deeper than this is refused (the formats nest four levels at most).
MAX_DEPTH = 64
#: Values (scalars, lists and mappings) in one file; a full assessment has about 400.
MAX_VALUES = 20_000
#: Integers with more digits are refused (Python would build them, then fail to print them).
MAX_INT_DIGITS = 15
#: Numbers beyond this magnitude are refused: every result computed from them stays finite.
MAX_NUMBER = 1e15
#: MAX_NUMBER as messages write it.
NUMBER_LIMIT = "1e15"
#: The smallest amount, time or rate that must be above zero (the pay calculator).
MIN_POSITIVE = 1e-6
MIN_POSITIVE_TEXT = "0.000001"
#: Sentence for the limits, used in messages.
LIMITS_DOC = "see 'Limits' in widgets/rubric/ASSESSMENT-FORMAT.md"


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where, and what was expected instead."""

    file: str
    field: str
    expected: str
    found: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}: {self.field}: expected {self.expected}"
        if self.found is not None:
            text += f" (found {self.found})"
        return text


class InputError(ValueError):
    """A file could not be read under the input contract. ``problems`` lists what was found."""

    what = "the file"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        n = len(self.problems)
        more = " (listing stopped there)" if n >= MAX_PROBLEMS else ""
        head = f"{n} problem{'s' if n != 1 else ''} in {self.what}{more}:"
        return "\n".join([head] + [f"  - {p}" for p in self.problems])


class ToolFileError(ValueError):
    """A tool's data or saved file could not be used; the message says what is wrong and how to fix it."""


class Collector:
    """Problems of one file, at most ``limit`` of them: ``add`` returns False once full."""

    def __init__(self, source: str, limit: int = MAX_PROBLEMS):
        self.source = source
        self.limit = limit
        self.problems: list[Problem] = []

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.limit

    def add(self, field: str, expected: str, found: str | None = None) -> bool:
        if not self.full:
            self.problems.append(Problem(self.source, field, expected, found))
        return not self.full

    def raise_if_any(self, error: type[InputError] = InputError) -> None:
        if self.problems:
            raise error(self.problems)


def short(value: Any, limit: int = 60) -> str:
    """A safe, short description of a value found in a user's file, for error messages."""
    if isinstance(value, _Refused):
        return value.found
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 3] + "..."
        text = "".join(ch if ch.isprintable() and not "\ud800" <= ch <= "\udfff" else "?" for ch in text)
        return repr(text)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        digits = len(str(abs(value))) if abs(value) < 10 ** 60 else 61
        return repr(value) if digits <= 20 else f"a {digits if digits <= 60 else 'very long'}-digit integer"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def field_name(path) -> str:
    """``answers.early-start.level`` for a path of keys and list positions (positions count from 1)."""
    parts = [str(p + 1) if isinstance(p, int) else str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


# --------------------------------------------------------------------------- values refused while parsing


class _Refused:
    """Stands in for a value the parser could not keep as written, until the scan names its field."""

    __slots__ = ("expected", "found")

    def __init__(self, expected: str, found: str):
        self.expected = expected
        self.found = found

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<refused: {self.found}>"


_NUMBER_EXPECTED = f"a number between -{NUMBER_LIMIT} and {NUMBER_LIMIT}, written in at most {MAX_INT_DIGITS} digits"


def _int_value(text: str) -> Any:
    digits = len(text.lstrip("+-").replace("_", ""))
    if digits > MAX_INT_DIGITS:
        return _Refused(_NUMBER_EXPECTED, f"a {digits:,}-digit integer")
    return None


def _float_value(text: str, value: float) -> Any:
    """``value`` parsed from ``text``, or a refusal when it is not finite, too large, or rounded."""
    if value != value or value in (float("inf"), float("-inf")):
        return _Refused("a finite number", short(text[:20]) if len(text) <= 20 else "a number too large to store")
    if abs(value) > MAX_NUMBER:
        return _Refused(_NUMBER_EXPECTED, text if len(text) <= 30 else f"a number of {len(text):,} characters")
    if value.is_integer():
        try:
            exact = Decimal(text.replace("_", ""))
        except InvalidOperation:  # sexagesimal YAML floats and the like: nothing to compare
            return value
        if exact != int(value):
            return _Refused("a number that can be stored as written",
                            f"{text if len(text) <= 30 else text[:27] + '...'}, which a computer reads as "
                            f"{int(value)}; write {int(value)} if that is meant")
    return value


def _json_int(text: str):
    return _int_value(text) or int(text)


def _json_float(text: str):
    return _float_value(text, float(text))


_CONSTANTS = {c: _Refused("a finite number (JSON has no NaN or Infinity)", c) for c in ("NaN", "Infinity", "-Infinity")}


def _json_constant(text: str):
    return _CONSTANTS[text]


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):  # no key written twice: the common case, at C speed
        return out
    out = {}
    for key, value in pairs:
        if key not in out:
            out[key] = value
        elif not isinstance(out[key], _Refused) or out[key].expected != "each key only once":
            out[key] = _Refused("each key only once", f"{short(key)} written more than once")
    return out


# --------------------------------------------------------------------------- reading


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a user's file, after checking that it exists, is a file and is small enough."""
    source = str(path)

    def fail(expected: str, found: str):
        raise InputError([Problem(source, "(file)", expected, found)])

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        fail("an existing file", "no such file")
    except OSError as err:
        fail("a readable file", err.strerror or str(err))
    if not path.is_file():
        fail("a file", "a directory or special file")
    if size > max_bytes:
        fail(f"at most {max_bytes:,} bytes ({LIMITS_DOC})", f"{size:,} bytes")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as err:
        fail("a readable file", err.strerror or str(err))
    if len(raw) > max_bytes:  # the file grew after stat()
        fail(f"at most {max_bytes:,} bytes ({LIMITS_DOC})", "more")
    return raw


def decode(raw: bytes, source: str, what: str = "YAML or JSON") -> str:
    """UTF-8 text (a byte-order mark is allowed) from a file's bytes, or a clear refusal."""
    if not raw.strip():
        raise InputError([Problem(source, "(file)", f"an assessment ({what})" if what == "YAML or JSON" else what,
                                  "an empty file")])
    if b"\x00" in raw:
        raise InputError([Problem(source, "(file)", f"a text file ({what})", "binary data")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError([Problem(source, "(file)", "UTF-8 text",
                                  f"an undecodable byte at position {err.start}")]) from None


def check_text_size(text: str, source: str, max_bytes: int = MAX_FILE_BYTES) -> None:
    """The size limit for text handed over directly (an upload, a notebook string)."""
    if not isinstance(text, str):
        raise InputError([Problem(source, "(file)", "text (the content of a saved file)", short(text))])
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        size = len(text.encode("utf-8", "surrogatepass"))
        raise InputError([Problem(source, "(file)", f"at most {max_bytes:,} bytes ({LIMITS_DOC})", f"{size:,} bytes")])


# Which characters may start a number that needs a hook: digits become 9, "." stays, e/E become e,
# everything else a space (bytes.translate and `in` run in C, so the check is cheap on 2 MB).
_NUMBER_MASK = bytes(
    ord("9") if chr(i).isdigit() and i < 128 else i if chr(i) in ".e" else ord("e") if chr(i) == "E" else ord(" ")
    for i in range(256)
)


def _number_hooks(text: str) -> dict:
    """The number hooks cost a Python call per number: use them only where the text could need them
    (an integer of more than MAX_INT_DIGITS digits; a float with an exponent or 17 digits and dots)."""
    masked = text.encode("utf-8", "surrogatepass").translate(_NUMBER_MASK)
    hooks = {}
    if b"9" * (MAX_INT_DIGITS + 1) in masked:
        hooks["parse_int"] = _json_int
    if b"9e" in masked or b"9" * 17 in masked.replace(b".", b"9"):
        hooks["parse_float"] = _json_float
    return hooks


def parse_json(text: str, source: str) -> Any:
    """JSON with duplicate keys, unbounded numbers and NaN marked for :func:`scan` to report."""
    try:
        return json.loads(text, object_pairs_hook=_json_object, parse_constant=_json_constant,
                          **_number_hooks(text))
    except json.JSONDecodeError as err:
        raise InputError([Problem(source, f"line {err.lineno}, column {err.colno}", "valid JSON", err.msg)]) from None
    except RecursionError:
        raise InputError([Problem(source, "(file)", f"data nested at most {MAX_DEPTH} levels deep",
                                  "deeper nesting")]) from None


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.1 implicit types as PyYAML's safe loader reads them, except dates, which stay text."""


_Resolver.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_RESOLVER = _Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_scalar(event) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _YAML + "str" if tag == "!" else _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag not in _PLAIN_TAGS:
        if tag == _YAML + "merge":
            return _Refused("plain keys (YAML merge keys '<<' are not allowed)", "<<")
        return _Refused("plain values (YAML tags such as !!python/... are not allowed)", short(tag))
    value = event.value
    if tag == _YAML + "str":
        return value
    if tag == _YAML + "null":
        return None
    node = yaml.ScalarNode(tag, value)
    try:
        if tag == _YAML + "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == _YAML + "int":
            return _int_value(value) or _CONSTRUCTOR.construct_yaml_int(node)
        if tag == _YAML + "float":
            return _float_value(value, _CONSTRUCTOR.construct_yaml_float(node))
    except (ValueError, KeyError, TypeError):
        return _Refused(f"a value of type {tag[len(_YAML):]}", short(value))
    return value  # pragma: no cover - every plain tag is handled above


def _mark(event) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"


def parse_yaml(text: str, source: str, max_values: int = MAX_VALUES) -> Any:
    """One YAML document, read event by event with every limit checked as the parser goes.

    No aliases (no "billion laughs"), no tags beyond plain types, no key written twice (marked
    for :func:`scan`), at most ``MAX_DEPTH`` levels and ``max_values`` values: the parser stops
    at the first limit passed, so the cost of a hostile file is bounded.
    """
    def fail(where: str, expected: str, found: str | None = None):
        raise InputError([Problem(source, where, expected, found)])

    # A stack of open collections: [container, pending key (mappings), key seen flag].
    stack: list[list] = []
    root: Any = None
    documents = 0
    count = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    fail("(file)", "exactly one YAML document", "more than one document (a second '---')")
                continue
            if isinstance(event, yaml.AliasEvent):
                fail(_mark(event), "no YAML aliases (*name are not allowed in these files)", "an alias")
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                value = stack.pop()[0]
            else:
                count += 1
                if count > max_values:
                    fail("(file)", f"at most {max_values:,} values ({LIMITS_DOC})", "more")
                if isinstance(event, yaml.ScalarEvent):
                    value = _yaml_scalar(event)
                else:
                    if event.tag not in (None, "!") and event.tag not in _PLAIN_TAGS:
                        fail(_mark(event), "plain values (YAML tags such as !!python/... are not allowed)",
                             short(event.tag))
                    if len(stack) >= MAX_DEPTH:
                        fail(_mark(event), f"data nested at most {MAX_DEPTH} levels deep", "deeper nesting")
                    stack.append([{} if isinstance(event, yaml.MappingStartEvent) else [], None, False])
                    continue
            # Attach the finished value to its parent.
            if not stack:
                root = value
                continue
            parent = stack[-1]
            container = parent[0]
            if isinstance(container, list):
                container.append(value)
            elif not parent[2]:
                if isinstance(value, (dict, list)):
                    fail(_mark(event), "keys that are plain text", "a list or mapping used as a key")
                if isinstance(value, _Refused):
                    parent[1] = value
                elif isinstance(event, yaml.ScalarEvent) and not isinstance(value, str):
                    parent[1] = event.value  # a key such as `yes:` or `1:` is kept as written
                else:
                    parent[1] = value
                parent[2] = True
            else:
                key = parent[1]
                parent[2] = False
                if isinstance(key, _Refused):
                    container[f"(key {key.found})"] = key
                elif key in container:
                    container[key] = _Refused("each key only once", f"{short(key)} written more than once")
                else:
                    container[key] = value
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        fail(where, "valid YAML", err.problem or err.context)
    except yaml.YAMLError as err:
        fail("(file)", "valid YAML", str(err).splitlines()[0] if str(err) else type(err).__name__)
    return root


_SURROGATE = re.compile("[\ud800-\udfff]")


def scan(doc: Any, collector: Collector, max_values: int = MAX_VALUES) -> None:
    """Report every value the parser marked as refused, every lone surrogate, and the depth and
    size limits, each with its field, stopping when the collector is full. Iterative: a deep
    document cannot exhaust the stack."""
    stack: list[tuple[Any, tuple, int]] = [(doc, (), 0)]
    count = 0
    while stack and not collector.full:
        value, path, depth = stack.pop()
        count += 1
        if count > max_values:
            collector.add("(file)", f"at most {max_values:,} values ({LIMITS_DOC})", "more")
            return
        if isinstance(value, _Refused):
            collector.add(field_name(path), value.expected, value.found)
        elif isinstance(value, str):
            if _SURROGATE.search(value):
                collector.add(field_name(path), "valid Unicode text",
                              "a lone surrogate such as \\ud800 (not a character; retype this text)")
        elif isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                collector.add(field_name(path), f"data nested at most {MAX_DEPTH} levels deep", "deeper nesting")
                continue
            # Children are taken first (last in, first out): no more than the values left before
            # the limit can ever be looked at, so no more are queued (a list of a million stays cheap).
            budget = max_values - count + 1
            if isinstance(value, dict):
                for key in value:
                    if isinstance(key, str) and _SURROGATE.search(key):
                        collector.add(field_name(path + ("?",)), "keys in valid Unicode text",
                                      "a lone surrogate such as \\ud800")
                        break
                items = list(itertools.islice(value.items(), budget))
                stack.extend((v, path + (k,), depth + 1) for k, v in reversed(items))
            else:
                stack.extend((value[i], path + (i,), depth + 1) for i in reversed(range(min(len(value), budget))))


def parse(text: str, source: str, suffix: str = ".json", max_values: int = MAX_VALUES) -> Any:
    """Parse JSON (``suffix == ".json"``) or YAML under the contract; raise :class:`InputError`."""
    doc = parse_json(text, source) if suffix == ".json" else parse_yaml(text, source, max_values)
    collector = Collector(source)
    scan(doc, collector, max_values)
    collector.raise_if_any()
    return doc


def load_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES, max_values: int = MAX_VALUES) -> Any:
    """Read, decode and parse a user's YAML or JSON file (by its suffix) under the contract."""
    path = Path(path)
    raw = read_file(path, max_bytes)
    return parse(decode(raw, str(path)), str(path), path.suffix.lower(), max_values)


# --------------------------------------------------------------------------- field rules

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date(value: Any) -> bool:
    """True for a real calendar date written YYYY-MM-DD, nothing before or after it."""
    if type(value) is not str or not _DATE.fullmatch(value):
        return False
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def stored_as_written(text: str, value: float) -> bool:
    """False when the number written as ``text`` (parsed to ``value``) would be read as another
    number: not finite, beyond ``MAX_NUMBER``, or a fraction rounded to a whole number."""
    return not isinstance(_float_value(text, value), _Refused)


def has_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone surrogate (not a character: it cannot be saved or printed)."""
    return bool(_SURROGATE.search(text))


def text_argument(value: Any, what: str) -> str:
    """Text handed to a tool by a program: ``None`` is empty; anything but valid text is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text, got {type(value).__name__}.")
    if has_surrogate(value):
        raise ValueError(f"{what} is not valid Unicode text (it holds a lone surrogate such as \\ud800, "
                         "which is not a character). Retype it.")
    return value


def is_blank(value: Any) -> bool:
    """True for text with nothing but white space in it."""
    return isinstance(value, str) and not value.strip()


def schema_errors(validator, doc: Any, limit: int = MAX_PROBLEMS) -> list:
    """At most ``limit`` schema errors, taken lazily and then sorted by where they are."""
    return sorted(itertools.islice(validator.iter_errors(doc), limit), key=lambda e: [str(p) for p in e.absolute_path])


# --------------------------------------------------------------------------- tool files


@dataclass(frozen=True)
class ToolFormat:
    """How one tool's saved files are named in messages. The same wording is in ``lib/files.js``."""

    name: str          # the "format" value, e.g. "pai-paycalc"
    version: int       # newest format_version this toolkit reads
    kind: str          # "pay-calculator"
    saved_by: str      # "the pay calculator"
    app: str           # "the calculator"
    this: str          # "calculator" (in "newer than this calculator")


def tool_prefix(source: str | None) -> str:
    return f"{source}: " if source else ""


def read_tool_file(text: Any, fmt: ToolFormat, error: type[Exception] = ToolFileError,
                   source: str | None = None, max_values: int = MAX_VALUES) -> dict:
    """Parse a tool's saved JSON file and check its header (format and version), raising ``error``.

    The one home of the header check: the pay calculator, the vendor checklist and the
    transparency report builder (and their pages, through ``lib/files.js``) all use it.
    """
    pre = tool_prefix(source)
    where = source or "the file"
    try:
        check_text_size(text, where)
        data = parse_json(text, where)
    except InputError as err:
        p = err.problems[0]
        if p.expected == "valid JSON":
            raise error(f"{pre}This file is not valid JSON ({p.found}: {p.field}). "
                        f"Load a file saved by {fmt.saved_by}.") from None
        raise error(f"{pre}{_problem_text(p)}") from None
    collector = Collector(where, limit=1)
    scan(data, collector, max_values)
    if collector.problems:
        raise error(f"{pre}{_problem_text(collector.problems[0])}")
    if not isinstance(data, dict) or data.get("format") != fmt.name:
        raise error(f'{pre}This is not a {fmt.kind} file (expected "format": "{fmt.name}").')
    version = data.get("format_version")
    if type(version) is not int or version < 1:
        raise error(f"{pre}The file has no valid format_version. Save it again from {fmt.app}.")
    if version > fmt.version:
        raise error(f"{pre}This file uses format version {version}, newer than this {fmt.this} "
                    f"({fmt.version}). Update the toolkit to read it.")
    return data


def _problem_text(p: Problem) -> str:
    text = f"{p.field}: expected {p.expected}"
    return text + (f" (found {p.found})." if p.found is not None else ".")


def read_data_file(path: Path, error: type[Exception] = ToolFileError) -> str:
    """A tool's data file as text, size-checked before it is read; problems raised as ``error``."""
    try:
        return decode(read_file(path), str(path), "a YAML file")
    except InputError as err:
        raise error(str(err.problems[0]) + ".") from None


def load_validated_yaml(text: str, name: str, schema_path: Path, error: type[Exception] = ToolFileError) -> Any:
    """Parse a tool's YAML data file under the contract and check it against its JSON Schema.

    Raises ``error`` with the first problem (by position in the file) of at most
    ``MAX_PROBLEMS`` found lazily.
    """
    try:
        check_text_size(text, name)
        data = parse(text, name, ".yaml")
    except InputError as err:
        p = err.problems[0]
        if p.expected == "valid YAML":
            raise error(f"{name} is not valid YAML: {p.found} ({p.field})") from None
        raise error(f"{name}: {_problem_text(p)}") from None
    return check_schema(data, schema_path, name, error)


def check_schema(data: Any, schema_path: Path, name: str, error: type[Exception] = ToolFileError) -> Any:
    """``data`` (a tool's data, parsed or handed over by a program) checked against its JSON Schema;
    ``error`` names the first problem (by position) of at most ``MAX_PROBLEMS`` found lazily."""
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    try:
        errors = schema_errors(jsonschema.Draft202012Validator(schema), data)
    except RecursionError:
        raise error(f"{name} is nested too deeply (at most {MAX_DEPTH} levels).") from None
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.path) or "(top level)"
        raise error(f"{name} is not valid at {where}: {err.message[:300]}")
    return data
