// The input contract of the kernel-free pages: the twin of widgets/_files.py.
//
// Every file a page reads (an uploaded tool file or assessment, the answers stored in the browser) goes through here, with the same limits and the
// same messages as the notebook and the command line: the size is checked before the file is read,
// the JSON is parsed by a small strict parser that keeps what JSON.parse drops without a word (a key
// written twice, a number too long to hold, a fraction rounded to a whole number, a lone surrogate),
// nesting and the number of values are bounded, and at most MAX_PROBLEMS problems are listed.
// tests/test_fuzz_files.py runs this module and the Python one on the same inputs and compares the
// messages. The rules are documented in widgets/rubric/ASSESSMENT-FORMAT.md ("Limits").

export const MAX_FILE_BYTES = 2_000_000;
export const MAX_PROBLEMS = 50;
export const MAX_DEPTH = 64;
export const MAX_VALUES = 20_000;
export const MAX_INT_DIGITS = 15;
export const MAX_NUMBER = 1e15;
export const NUMBER_LIMIT = "1e15";
// The smallest amount, time or rate that must be above zero (the pay calculator).
export const MIN_POSITIVE = 1e-6;
export const MIN_POSITIVE_TEXT = "0.000001";
export const LIMITS_DOC = "see 'Limits' in widgets/rubric/ASSESSMENT-FORMAT.md";
// Python's json parser gives up near this depth (its recursion limit); so does this one.
const HARD_DEPTH = 900;

// ------------------------------------------------------------------------------------ problems

export class Problem {
  constructor(file, field, expected, found = null) {
    this.file = file;
    this.field = field;
    this.expected = expected;
    this.found = found;
  }

  /** The problem without the file's name: "field: expected … (found …)". */
  detail() {
    return `${this.field}: expected ${this.expected}` + (this.found === null ? "" : ` (found ${this.found})`);
  }

  toString() {
    return `${this.file}: ${this.detail()}`;
  }
}

export class InputError extends Error {
  constructor(problems, what = "the file") {
    const n = problems.length;
    const more = n >= MAX_PROBLEMS ? " (listing stopped there)" : "";
    super([`${n} problem${n === 1 ? "" : "s"} in ${what}${more}:`, ...problems.map((p) => `  - ${p}`)].join("\n"));
    this.problems = problems;
  }
}

export class ToolFileError extends Error {}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;
const SPACE_SEPARATOR = /\p{Zs}/u;

/** Python's repr() of printable text (the quotes it picks, the backslashes it adds). */
function pyRepr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  return quote + text.replaceAll("\\", "\\\\").replaceAll(quote, "\\" + quote) + quote;
}

/** 2000000 -> "2,000,000", as Python's f"{n:,}" (without the cost of starting Intl). */
function intText(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A safe, short description of a value found in a user's file (widgets._files.short). */
export function short(value, limit = 60) {
  if (value instanceof Refused) return value.found;
  if (typeof value === "string") {
    let chars = Array.from(value);
    if (chars.length > limit) chars = [...chars.slice(0, limit - 3), ".", ".", "."];
    const shown = chars.map((ch) => (NOT_PRINTABLE.test(ch) || (SPACE_SEPARATOR.test(ch) && ch !== " ") ? "?" : ch));
    return pyRepr(shown.join(""));
  }
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") return Number.isInteger(value) && !String(value).includes("e") ? String(value) : pyFloat(value);
  if (value instanceof Map || (typeof value === "object" && !Array.isArray(value))) return "a mapping";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

function pyFloat(x) {
  // Python's repr of a float: shortest round trip, like JS, but "1e+16" is written "1e+16" in both
  // and an integral float keeps ".0".
  const s = String(x);
  return /^-?\d+$/.test(s) ? s + ".0" : s;
}

/** `answers.early-start.level` for a path of keys and list positions (positions count from 1). */
export function fieldName(path) {
  return path.length ? path.map((p) => (typeof p === "number" ? String(p + 1) : String(p))).join(".") : "(top level)";
}

class Refused {
  constructor(expected, found) {
    this.expected = expected;
    this.found = found;
  }
}

const NUMBER_EXPECTED = `a number between -${NUMBER_LIMIT} and ${NUMBER_LIMIT}, written in at most ${MAX_INT_DIGITS} digits`;

/** True when the decimal written as `text` (digits, optional fraction and exponent) is a whole number. */
function writtenIsWhole(text) {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.replaceAll("_", ""));
  if (!m) return true;
  const digits = (m[1] || "") + (m[2] || "");
  const exp = (m[3] ? Number(m[3]) : 0) - (m[2] || "").length;
  if (/^0*$/.test(digits)) return true;
  if (exp >= 0) return true;
  if (!Number.isFinite(exp)) return false;
  const cut = digits.length + exp; // digits before the decimal point once the exponent is applied
  return /^0*$/.test(cut > 0 ? digits.slice(cut) : digits);
}

function numberValue(text, isInt) {
  if (isInt) {
    const digits = text.replace(/^[+-]/, "").length;
    if (digits > MAX_INT_DIGITS) return new Refused(NUMBER_EXPECTED, `a ${intText(digits)}-digit integer`);
    return Number(text);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return new Refused("a finite number", text.length <= 20 ? short(text) : "a number too large to store");
  if (Math.abs(value) > MAX_NUMBER) {
    return new Refused(NUMBER_EXPECTED, text.length <= 30 ? text : `a number of ${intText(text.length)} characters`);
  }
  if (Number.isInteger(value) && !writtenIsWhole(text)) {
    const whole = String(Math.trunc(value) + 0);
    const shown = text.length <= 30 ? text : text.slice(0, 27) + "...";
    return new Refused("a number that can be stored as written", `${shown}, which a computer reads as ${whole}; write ${whole} if that is meant`);
  }
  return value;
}

/** False when the number written as `text` (read as `value`) would be read as another number:
 * not finite, beyond MAX_NUMBER, or a fraction rounded to a whole number (widgets._files.stored_as_written). */
export function storedAsWritten(text, value) {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_NUMBER) return false;
  return !(Number.isInteger(value) && !writtenIsWhole(text));
}

// ------------------------------------------------------------------------------------ JSON

class SyntaxProblem extends Error {
  constructor(message, text, pos) {
    super(message);
    const before = text.slice(0, pos);
    const line = (before.match(/\n/g) || []).length + 1;
    this.where = `line ${line}, column ${pos - before.lastIndexOf("\n")}`;
  }
}

const WS = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const PLAIN = /[^"\\\x00-\x1f]*/y;
// Literal names, and the three that Python's json reads as numbers (refused: NaN and infinities).
const WORDS = [["null", null], ["true", true], ["false", false], ["NaN"], ["Infinity"], ["-Infinity"]];

/**
 * Parse JSON as Python's json module does, with objects as Maps (insertion order, any key), keys
 * written twice, unbounded numbers and NaN/Infinity left as Refused markers for `scan`.
 * Iterative, so deep input cannot exhaust the stack.
 */
function parseJsonValue(text) {
  let pos = 0;
  const ws = () => {
    WS.lastIndex = pos;
    WS.exec(text);
    pos = WS.lastIndex;
  };
  const fail = (message, at = pos) => {
    throw new SyntaxProblem(message, text, at);
  };

  function string() {
    const start = pos;
    pos += 1;
    let out = "";
    for (;;) {
      PLAIN.lastIndex = pos;
      PLAIN.exec(text);
      out += text.slice(pos, PLAIN.lastIndex);
      pos = PLAIN.lastIndex;
      if (pos >= text.length) fail("Unterminated string starting at", start);
      const ch = text[pos];
      if (ch === '"') {
        pos += 1;
        return out;
      }
      if (ch !== "\\") fail("Invalid control character at");
      const esc = text[pos + 1];
      if (esc === undefined) fail("Unterminated string starting at", start);
      const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[esc];
      if (simple !== undefined) {
        out += simple;
        pos += 2;
        continue;
      }
      if (esc !== "u") fail("Invalid \\escape");
      const hex = text.slice(pos + 2, pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Invalid \\uXXXX escape", pos + 1);
      let code = parseInt(hex, 16);
      pos += 6;
      if (code >= 0xd800 && code <= 0xdbff && text.slice(pos, pos + 2) === "\\u") {
        const low = text.slice(pos + 2, pos + 6);
        if (/^[0-9a-fA-F]{4}$/.test(low) && parseInt(low, 16) >= 0xdc00 && parseInt(low, 16) <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(low, 16) - 0xdc00);
          pos += 6;
        }
      }
      out += String.fromCodePoint(code);
    }
  }

  function scalar() {
    const ch = text[pos];
    if (ch === '"') return string();
    const digit = ch >= "0" && ch <= "9";
    for (const [word, value] of digit ? [] : WORDS) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value === undefined ? new Refused("a finite number (JSON has no NaN or Infinity)", word) : value;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) fail("Expecting value");
    pos = NUMBER.lastIndex;
    return numberValue(m[0], m[1] === undefined && m[2] === undefined);
  }

  // Each open container: { value, key (objects: the key whose value comes next) }.
  const stack = [];
  let result;
  let done = false;
  const attach = (value) => {
    if (!stack.length) {
      result = value;
      done = true;
      return;
    }
    const top = stack[stack.length - 1];
    if (Array.isArray(top.value)) top.value.push(value);
    else if (top.value.has(top.key)) top.value.set(top.key, new Refused("each key only once", `${short(top.key)} written more than once`));
    else top.value.set(top.key, value);
  };
  const objectKey = (top) => {
    // At a key: skip white space, read "key" and the colon.
    ws();
    if (text[pos] !== '"') fail("Expecting property name enclosed in double quotes");
    top.key = string();
    ws();
    if (text[pos] !== ":") fail("Expecting ':' delimiter");
    pos += 1;
  };

  ws();
  let expectValue = true;
  while (!done) {
    if (expectValue) {
      ws();
      const ch = text[pos];
      if (ch === "{" || ch === "[") {
        if (stack.length >= HARD_DEPTH) {
          throw new InputError([new Problem("", "(file)", `data nested at most ${MAX_DEPTH} levels deep`, "deeper nesting")]);
        }
        pos += 1;
        ws();
        const open = { value: ch === "{" ? new Map() : [], key: null };
        if (text[pos] === (ch === "{" ? "}" : "]")) {
          pos += 1;
          attach(open.value);
          expectValue = false;
          continue;
        }
        stack.push(open);
        if (ch === "{") objectKey(open);
        continue;
      }
      attach(scalar());
      expectValue = false;
      continue;
    }
    // After a value inside a container: a comma or the closing bracket.
    ws();
    const top = stack[stack.length - 1];
    const isObject = !Array.isArray(top.value);
    const ch = text[pos];
    if (ch === (isObject ? "}" : "]")) {
      pos += 1;
      stack.pop();
      attach(top.value);
      continue;
    }
    if (ch !== ",") fail("Expecting ',' delimiter");
    pos += 1;
    if (isObject) {
      ws();
      if (text[pos] !== '"') fail("Expecting property name enclosed in double quotes");
      objectKey(top);
    }
    expectValue = true;
  }
  ws();
  if (pos !== text.length) fail("Extra data");
  return result;
}

/** Parse JSON under the contract; syntax errors become a Problem naming the line and column. */
export function parseJson(text, source) {
  try {
    return parseJsonValue(text);
  } catch (err) {
    if (err instanceof SyntaxProblem) throw new InputError([new Problem(source, err.where, "valid JSON", err.message)]);
    if (err instanceof InputError) throw new InputError(err.problems.map((p) => new Problem(source, p.field, p.expected, p.found)));
    throw err;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasSurrogate(text) {
  return LONE_SURROGATE.test(text);
}

function pathOf(link) {
  const path = [];
  for (let at = link; at; at = at.up) path.push(at.key);
  return path.reverse();
}

/** Problems of a parsed document (marked values, lone surrogates, depth and size), as Python's scan.
 * Paths are kept as links to the parent ({up, key}) and spelled out only for a problem. */
export function scan(doc, source, limit = MAX_PROBLEMS, maxValues = MAX_VALUES) {
  const problems = [];
  const add = (link, expected, found = null) => {
    if (problems.length < limit) problems.push(new Problem(source, link === "(file)" ? link : fieldName(pathOf(link)), expected, found));
  };
  const values = [doc];
  const links = [null];
  const depths = [0];
  let count = 0;
  while (values.length && problems.length < limit) {
    const value = values.pop();
    const link = links.pop();
    const depth = depths.pop();
    count += 1;
    if (count > maxValues) {
      add("(file)", `at most ${intText(maxValues)} values (${LIMITS_DOC})`, "more");
      break;
    }
    if (value instanceof Refused) add(link, value.expected, value.found);
    else if (typeof value === "string") {
      if (hasSurrogate(value)) add(link, "valid Unicode text", "a lone surrogate such as \\ud800 (not a character; retype this text)");
    } else if (value instanceof Map) {
      if (depth >= MAX_DEPTH) {
        add(link, `data nested at most ${MAX_DEPTH} levels deep`, "deeper nesting");
        continue;
      }
      // Children are taken first: no more than the values left before the limit are queued.
      const budget = maxValues - count + 1;
      for (const key of value.keys()) {
        if (hasSurrogate(key)) {
          add({ up: link, key: "?" }, "keys in valid Unicode text", "a lone surrogate such as \\ud800");
          break;
        }
      }
      const keys = [];
      for (const key of value.keys()) {
        if (keys.length >= budget) break;
        keys.push(key);
      }
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        values.push(value.get(keys[i]));
        links.push({ up: link, key: keys[i] });
        depths.push(depth + 1);
      }
    } else if (Array.isArray(value)) {
      if (depth >= MAX_DEPTH) {
        add(link, `data nested at most ${MAX_DEPTH} levels deep`, "deeper nesting");
        continue;
      }
      for (let i = Math.min(value.length, maxValues - count + 1) - 1; i >= 0; i -= 1) {
        values.push(value[i]);
        links.push({ up: link, key: i });
        depths.push(depth + 1);
      }
    }
  }
  return problems;
}

/** Maps to plain objects (own properties only: a key "__proto__" stays a key). */
function plain(value) {
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

function sizeOf(text) {
  return new TextEncoder().encode(text).length;
}

/** Parse JSON text (a whole file) under the contract; throws InputError listing the problems. */
export function loadJson(text, source = "the file", maxValues = MAX_VALUES) {
  if (typeof text !== "string") throw new InputError([new Problem(source, "(file)", "text (the content of a saved file)", short(text))]);
  if (text.length > MAX_FILE_BYTES || sizeOf(text) > MAX_FILE_BYTES) {
    throw new InputError([new Problem(source, "(file)", `at most ${intText(MAX_FILE_BYTES)} bytes (${LIMITS_DOC})`, `${intText(sizeOf(text))} bytes`)]);
  }
  const doc = parseJson(text, source);
  const problems = scan(doc, source, MAX_PROBLEMS, maxValues);
  if (problems.length) throw new InputError(problems);
  return plain(doc);
}

// ------------------------------------------------------------------------------------ tool files

function problemText(p) {
  return `${p.field}: expected ${p.expected}` + (p.found === null ? "." : ` (found ${p.found}).`);
}

/**
 * Parse a tool's saved JSON file and check its header, throwing `ErrorClass` with the same message
 * as widgets._files.read_tool_file. `fmt` = { name, version, kind, saved_by, app, this }.
 */
export function readToolFile(text, fmt, ErrorClass = ToolFileError, source = null, maxValues = MAX_VALUES) {
  const pre = source ? `${source}: ` : "";
  const where = source || "the file";
  let doc;
  try {
    if (typeof text !== "string") throw new InputError([new Problem(where, "(file)", "text (the content of a saved file)", short(text))]);
    if (text.length > MAX_FILE_BYTES || sizeOf(text) > MAX_FILE_BYTES) {
      throw new InputError([new Problem(where, "(file)", `at most ${intText(MAX_FILE_BYTES)} bytes (${LIMITS_DOC})`, `${intText(sizeOf(text))} bytes`)]);
    }
    doc = parseJson(text, where);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const p = err.problems[0];
    if (p.expected === "valid JSON") throw new ErrorClass(`${pre}This file is not valid JSON (${p.found}: ${p.field}). Load a file saved by ${fmt.saved_by}.`);
    throw new ErrorClass(`${pre}${problemText(p)}`);
  }
  const problems = scan(doc, where, 1, maxValues);
  if (problems.length) throw new ErrorClass(`${pre}${problemText(problems[0])}`);
  const data = plain(doc);
  if (!data || typeof data !== "object" || Array.isArray(data) || data.format !== fmt.name) {
    throw new ErrorClass(`${pre}This is not a ${fmt.kind} file (expected "format": "${fmt.name}").`);
  }
  const version = data.format_version;
  if (!Number.isInteger(version) || version < 1) throw new ErrorClass(`${pre}The file has no valid format_version. Save it again from ${fmt.app}.`);
  if (version > fmt.version) {
    throw new ErrorClass(`${pre}This file uses format version ${version}, newer than this ${fmt.this} (${fmt.version}). Update the toolkit to read it.`);
  }
  return data;
}

/** The text of an uploaded File, refused before it is read when it is larger than the limit
 * (the page names the file in its own message around this one). */
export async function readUpload(file, ErrorClass = ToolFileError) {
  if (file.size > MAX_FILE_BYTES) {
    throw new ErrorClass(`(file): expected at most ${intText(MAX_FILE_BYTES)} bytes (${LIMITS_DOC}) (found ${intText(file.size)} bytes).`);
  }
  return file.text();
}
