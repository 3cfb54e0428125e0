// The text kernel for the browser: the twin of widgets/_text.py (tests/test_parity.py runs both on
// the same hostile strings and requires the same output). Every export the page makes (Markdown,
// HTML, CSV, JSON) puts user text through these functions.

// Bidirectional controls (embeddings, overrides, isolates, LRM, RLM, ALM).
const BIDI = "\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c";
// C0 controls except tab and line breaks, DEL, C1 controls, bidirectional controls.
const CONTROLS = new RegExp(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${BIDI}]`, "g");
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const LINE_BREAK = /\r\n|[\r\n\u000b\u000c\u0085\u2028\u2029]/g;

/** Text without control or bidirectional characters (tab and line breaks kept, as "\n"). */
export function stripControls(text) {
  if (text === null || text === undefined) return "";
  return String(text).replace(LINE_BREAK, "\n").replace(CONTROLS, "").replace(LONE_SURROGATE, "\ufffd");
}

// ---------------------------------------------------------------------------- Markdown

// What is escaped, and why, is explained beside each rule in widgets/_text.py.
const MD_BACKSLASH = /\\(?=[!-/:-@[-`{-~]|$)/g;
const MD_ALWAYS = /([`*{}|~$])/g;
const MD_BRACKETS = /\[[^[\]]*\](?![([{:]|$)|[[\]]/g;
const ASCII_WORD = /[A-Za-z0-9]/;
const MD_HASHES = /(?<![^ \t])#+(?![^ \t])/g;
const MD_LINE_START = /^([ \t]*)([-+=](?=[-+=: \t]|$)|[:%]|[0-9]{1,9}(?=[.)](?:[ \t]|$)))/;

function mdBracket(pair, offset, s) {
  if (pair.length > 1 && !(/^\[[ \txX]\]$/.test(pair) && !/[^ \t]/.test(s.slice(0, offset)))) return pair;
  return pair.replace(/\[/g, "\\[").replace(/\]/g, "\\]");
}

function mdUnderscores(run, offset, s) {
  const end = offset + run.length;
  const insideWord = offset > 0 && end < s.length && ASCII_WORD.test(s[offset - 1]) && ASCII_WORD.test(s[end]);
  return insideWord ? run : run.replace(/_/g, "\\_");
}

function escapeMarkdownLine(line) {
  const s = line
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(MD_BACKSLASH, "\\\\")
    .replace(MD_BRACKETS, mdBracket)
    .replace(MD_ALWAYS, "\\$1")
    .replace(/_+/g, mdUnderscores)
    .replace(MD_HASHES, (run) => run.replace(/#/g, "\\#"))
    .replace(/(?<=\))=/g, "\\=")
    .replace(/!$/, "\\!")
    .replace(/:\/\//g, "\\://")
    .replace(/(www)\./gi, "$1\\.")
    // A word joiner before "@": GitHub links an address even when its "@" is backslash-escaped.
    .replace(/@/g, "&#8288;@");
  return s.replace(MD_LINE_START, (_, space, mark) => space + (/[0-9]/.test(mark[0]) ? `${mark}\\` : `\\${mark}`));
}

/**
 * Escape user or data text for Markdown so that it shows exactly as typed (see
 * widgets/_text.py escape_markdown). Line breaks become spaces unless `multiline` is set, which
 * keeps paragraphs (blank lines) and hard line breaks.
 */
export function escapeMarkdown(text, { multiline = false } = {}) {
  const s = stripControls(text);
  if (!multiline) return escapeMarkdownLine(s.replace(/\n/g, " ").replace(/^[ \t\ufeff]+|[ \t]+$/g, " "));
  return s
    .split("\n\n")
    .filter((p) => /[^ \t\n]/.test(p))
    .map((p) => p.replace(/^\n+|\n+$/g, "").split("\n").map((line) => escapeMarkdownLine(line.replace(/^[ \t\ufeff]+|[ \t\ufeff]+$/g, ""))).join("  \n"))
    .join("\n\n");
}

// ---------------------------------------------------------------------------- HTML

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text) {
  return stripControls(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;");
}

// ---------------------------------------------------------------------------- CSV

const INVISIBLE = "\\u200b\\u200c\\u200d\\u2060-\\u2064\\u00ad\\u180e\\ufeff";
const LEADING_BLANK = new RegExp(`^[\\s${INVISIBLE}]*`);
const FORMULA_START = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"];

/** One CSV cell a spreadsheet shows as text and never runs as a formula (widgets/_text.py csv_cell). */
export function csvCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return value;
  const s = stripControls(value);
  const visible = s.replace(LEADING_BLANK, "");
  if (FORMULA_START.some((c) => visible.startsWith(c)) || s.startsWith("\t") || s.startsWith("\n")) return `'${s}`;
  return s;
}

function csvField(value) {
  const s = typeof value === "boolean" ? (value ? "True" : "False") : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV text, written as Python's csv.writer(lineterminator="\n") writes them. */
export function csvText(rows) {
  return rows
    .map((row) => {
      const cells = row.map((cell) => csvField(csvCell(cell)));
      // Python quotes a lone empty cell, so that the row is not read as a blank line.
      return cells.length === 1 && cells[0] === "" ? '""' : cells.join(",");
    })
    .map((line) => `${line}\n`)
    .join("");
}

// ---------------------------------------------------------------------------- JSON

// Lone surrogates need nothing here: JSON.stringify already writes them as \\uXXXX escapes.
const JSON_UNSAFE = new RegExp(`[\\u007f-\\u009f${BIDI}\\u2028\\u2029]`, "g");

/** JSON.stringify with control, C1 and bidirectional characters and lone surrogates escaped. */
export function jsonStringifySafe(value, space = undefined) {
  return JSON.stringify(value, null, space).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
