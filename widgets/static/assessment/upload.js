// Reading an uploaded assessment file, part of the self-assessment front-end: the page's twin of
// Python's widgets.load_assessment (widgets/_assessment.py). The text goes through the input
// contract (lib/files.js: size before reading, strict JSON, bounded numbers and problems, valid
// Unicode), then the header, the schema (widgets/rubric/assessment.schema.json) and the field rules,
// with Python's messages in Python's order. tests/test_assessment_upload.py runs both on the same
// files. A file saved with an older rubric version is migrated as Python migrates it (migrate.js),
// and the notes say which new questions to answer.

import { InputError, MAX_PROBLEMS, Problem, fieldName, loadJson, readUpload, short } from "../lib/files.js";
import { MigrationConflict, canMigrate, migrate, MIGRATIONS } from "./migrate.js";

const FORMAT = "pai-assessment";
const FORMAT_VERSION = 1;
const MAX_ANSWERS = 200;
const LEVEL_EXPECTED = 'a level 0, 1, 2 or 3, "n/a", or nothing for unanswered';
const NA_EXPECTED = "a level 0-3: this question applies to every plan, so it cannot be n/a";
// An answer's `partial` (widgets/_assessment.py): a boolean, and true only with level 1.
const PARTIAL_TYPE_EXPECTED = "true or false (partial: true marks a level-1 answer that does part of level 2; write true, or remove it)";
const PARTIAL_LEVEL_EXPECTED = "level 1 with partial: true (partial is only for level 1: remove it, or set level 1)";
/** Whether an answer's `partial` fits its level (Python's partial_ok). */
export const partialOk = (partial, level) => partial !== true || level === 1;
const partialProblem = (src, where, level) => new Problem(src, `${where}.partial`, PARTIAL_LEVEL_EXPECTED,
  `partial: true with level ${level === undefined ? "null" : JSON.stringify(level)}`);
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const VERSION = /^[0-9]+\.[0-9]+$/;
// The schema's patterns as Python's jsonschema applies them: re.search, where "$" also matches
// before a final line break (the real-date rule then refuses "2026-03-31\n").
const matches = (rx, s) => rx.test(s) || (s.endsWith("\n") && rx.test(s.slice(0, -1)));
const TOP = ["format", "format_version", "rubric", "scope", "team", "product", "model_type", "lifecycle_stage", "date",
  "context", "groups", "assessor", "rater", "round", "notes", "actions", "migrations", "answers"];
const CONTEXT = { process: ["product-lifecycle", "single-decision", "standing-body"],
  convener: ["company", "public-body", "council-or-coop", "community-organisation"], participants: ["people-take-part", "inform-only"] };
const ROLES = ["governance", "participants", "advisers", "workers", "data-contributors", "partners", "informed-only"];
const ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$";
const DUE = /^([0-9]{4}-[0-9]{2}-[0-9]{2})?$/;

/** Python's repr() of a JSON value, as jsonschema writes it into the messages it makes itself. */
function pyValue(v) {
  if (typeof v === "string") {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replaceAll("\\", "\\\\").replaceAll(quote, "\\" + quote).replaceAll("\n", "\\n").replaceAll("\r", "\\r").replaceAll("\t", "\\t");
    return quote + body + quote;
  }
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (Array.isArray(v)) return `[${v.map(pyValue).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${pyValue(k)}: ${pyValue(x)}`).join(", ")}}`;
  return short(v);
}
// A top-level "format_version" written with a fraction or an exponent (the file has no key twice).
const FLOAT_VERSION = /"format_version"\s*:\s*-?\d+(?:\.\d+[eE][-+]?\d+|\.\d+|[eE][-+]?\d+)\s*[,}]/;
const REQUIRED = ["format", "format_version", "rubric", "team", "product", "model_type", "lifecycle_stage", "date", "answers"];

class Refusal extends Error {
  constructor(problem) {
    super(String(problem));
    this.problem = problem;
  }
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const length = (s) => Array.from(s).length;
const versionKey = (v) => v.split(".").map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
function compareKeys(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (a[i] === undefined) return -1;
    if (b[i] === undefined) return 1;
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** A real calendar date written YYYY-MM-DD (widgets._files.is_date). */
export function isDate(value) {
  if (typeof value !== "string" || !DATE.test(value)) return false;
  const [y, m, d] = value.split("-").map(Number);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

/** Python's _check_header: the checks that decide whether the rest can be read at all. */
function checkHeader(doc, rubric, src, text) {
  const refuse = (field, expected, found) => {
    throw new Refusal(new Problem(src, field, expected, found));
  };
  if (doc.format !== FORMAT) refuse("format", `"${FORMAT}" (is this a self-assessment file?)`, "format" in doc ? short(doc.format) : "nothing");
  const fv = doc.format_version;
  if (typeof fv !== "number" || !Number.isInteger(fv)) refuse("format_version", `the integer ${FORMAT_VERSION}`, short(fv ?? null));
  // JSON numbers have one type here; Python reads 1.0 or 1e0 as a float and refuses it.
  const written = FLOAT_VERSION.exec(text);
  if (written) refuse("format_version", `the integer ${FORMAT_VERSION}`, /^-?\d+$/.test(String(fv)) ? `${fv}.0` : String(fv));
  if (fv > FORMAT_VERSION) {
    refuse("format_version", `${FORMAT_VERSION} or lower: this file was written by a newer toolkit; update the toolkit to read it`, short(fv));
  }
  if (fv !== FORMAT_VERSION) refuse("format_version", `${FORMAT_VERSION}`, short(fv));
  const rub = doc.rubric;
  if (!isObject(rub)) refuse("rubric", `{id: ${rubric.id}, version: "${rubric.version}"}`, short(rub ?? null));
  if (rub.id !== rubric.id) refuse("rubric.id", `"${rubric.id}"`, short(rub.id ?? null));
  const version = rub.version;
  if (typeof version !== "string" || versionKey(version).some(Number.isNaN)) {
    refuse("rubric.version", `a version such as "${rubric.version}"`, short(version ?? null));
  }
  if (compareKeys(versionKey(version), versionKey(String(rubric.version))) > 0) {
    refuse("rubric.version", `${rubric.version} or older: this file uses a newer rubric; update the toolkit to score it`, short(version));
  }
  if (version !== String(rubric.version) && !canMigrate(version, String(rubric.version))) {
    const known = [...new Set([...Object.keys(MIGRATIONS), String(rubric.version)])].sort((a, b) => compareKeys(versionKey(a), versionKey(b)));
    refuse("rubric.version", `a version this toolkit can read or migrate (${known.join(", ")})`, short(version));
  }
  if (isObject(doc.answers) && Object.keys(doc.answers).length > MAX_ANSWERS) {
    refuse("answers", `at most ${MAX_ANSWERS} answers (the rubric has about 50)`, `${Object.keys(doc.answers).length.toLocaleString("en-US")} answers`);
  }
}

/** The problems assessment.schema.json finds, worded and ordered as Python's _schema_problems. */
function schemaProblems(doc, rubric, src) {
  const found = [];
  const add = (path, expected, value) => found.push({ path, problem: new Problem(src, fieldName(path), expected, value) });
  const typeName = { string: "string", object: "object", array: "array", integer: "integer" };
  const hasType = (v, t) => (t === "string" ? typeof v === "string" : t === "object" ? isObject(v) : t === "array" ? Array.isArray(v)
    : typeof v === "number" && Number.isInteger(v));
  const type = (path, v, t) => {
    if (hasType(v, t)) return true;
    add(path, `a ${typeName[t]}`, short(v));
    return false;
  };
  const text = (path, v, min, max) => {
    if (!type(path, v, "string")) return;
    if (min && length(v) < min) add(path, "a non-empty text", "an empty text");
    if (length(v) > max) add(path, `at most ${max} characters`, `${length(v)} characters`);
  };
  const oneOf = (path, v, allowed) => {
    if (!allowed.some((a) => a === v)) add(path, "one of " + allowed.map((a) => JSON.stringify(a)).join(", "), short(v));
  };
  const closed = (path, obj, known) => {
    const extra = Object.keys(obj).filter((k) => !known.includes(k)).sort();
    for (const name of extra) add([...path, name], "only known fields: " + [...known].sort().join(", "), "an unknown field");
  };
  const cell = (at, ans) => {
    if ("level" in ans) {
      const level = ans.level;
      const ok = level === null || level === "n/a" || (typeof level === "number" && Number.isInteger(level) && level >= 0 && level <= 3);
      if (!ok) add([...at, "level"], LEVEL_EXPECTED, short(level));
    }
    for (const field of ["evidence", "notes"]) if (field in ans) text([...at, field], ans[field], 0, 20000);
    if ("partial" in ans && typeof ans.partial !== "boolean") add([...at, "partial"], PARTIAL_TYPE_EXPECTED, short(ans.partial));
  };
  const required = (path, obj, names) => {
    for (const name of names) if (!(name in obj)) add([...path, name], "this field (see ASSESSMENT-FORMAT.md)", "nothing");
  };

  closed([], doc, TOP);
  required([], doc, REQUIRED);
  if ("format" in doc) oneOf(["format"], doc.format, [FORMAT]);
  if ("format_version" in doc) oneOf(["format_version"], doc.format_version, [FORMAT_VERSION]);
  if ("rubric" in doc && type(["rubric"], doc.rubric, "object")) {
    closed(["rubric"], doc.rubric, ["id", "version"]);
    required(["rubric"], doc.rubric, ["id", "version"]);
    if ("id" in doc.rubric) oneOf(["rubric", "id"], doc.rubric.id, [rubric.id]);
    if ("version" in doc.rubric && type(["rubric", "version"], doc.rubric.version, "string") && !matches(VERSION, doc.rubric.version)) {
      add(["rubric", "version"], 'a version such as "1.0" (in quotes)', short(doc.rubric.version));
    }
  }
  if ("scope" in doc) oneOf(["scope"], doc.scope, ["full", "short"]);
  for (const name of ["team", "product"]) if (name in doc) text([name], doc[name], 1, 200);
  if ("model_type" in doc) oneOf(["model_type"], doc.model_type, (rubric.model_types || []).map((m) => m.id));
  if ("lifecycle_stage" in doc) oneOf(["lifecycle_stage"], doc.lifecycle_stage, (rubric.lifecycle_stages || []).map((m) => m.id));
  if ("date" in doc && type(["date"], doc.date, "string") && !matches(DATE, doc.date)) add(["date"], "a date written YYYY-MM-DD", short(doc.date));
  if ("assessor" in doc) text(["assessor"], doc.assessor, 0, 200);
  if ("rater" in doc) text(["rater"], doc.rater, 1, 200);
  if ("notes" in doc) text(["notes"], doc.notes, 0, 20000);
  if ("migrations" in doc && type(["migrations"], doc.migrations, "array")) {
    if (doc.migrations.length > 100) add(["migrations"], `${pyValue(doc.migrations)} is too long`.slice(0, 200), null);
    doc.migrations.forEach((m, i) => text(["migrations", i], m, 0, 2000));
  }
  if ("round" in doc && type(["round"], doc.round, "integer")) {
    if (doc.round < 1) add(["round"], `${doc.round} is less than the minimum of 1`, null);
    if (doc.round > 99) add(["round"], `${doc.round} is greater than the maximum of 99`, null);
  }
  if ("context" in doc && type(["context"], doc.context, "object")) {
    closed(["context"], doc.context, Object.keys(CONTEXT));
    for (const [key, allowed] of Object.entries(CONTEXT)) if (key in doc.context) oneOf(["context", key], doc.context[key], allowed);
  }
  const pattern = (path, v) => {
    if (!matches(ID, v)) add(path, `${pyValue(v)} does not match '${ID_PATTERN}'`.slice(0, 200), null);
  };
  if ("groups" in doc && type(["groups"], doc.groups, "array")) {
    if (doc.groups.length > 20) add(["groups"], `${pyValue(doc.groups)} is too long`.slice(0, 200), null);
    doc.groups.forEach((g, i) => {
      const at = ["groups", i];
      if (!type(at, g, "object")) return;
      closed(at, g, ["id", "label", "role"]);
      required(at, g, ["id", "label", "role"]);
      if ("id" in g && type([...at, "id"], g.id, "string")) {
        pattern([...at, "id"], g.id);
        if (length(g.id) > 60) add([...at, "id"], "at most 60 characters", `${length(g.id)} characters`);
      }
      if ("label" in g) text([...at, "label"], g.label, 1, 200);
      if ("role" in g) oneOf([...at, "role"], g.role, ROLES);
    });
  }
  if ("actions" in doc && type(["actions"], doc.actions, "array")) {
    if (doc.actions.length > 100) add(["actions"], `${pyValue(doc.actions)} is too long`.slice(0, 200), null);
    doc.actions.forEach((act, i) => {
      const at = ["actions", i];
      if (!type(at, act, "object")) return;
      closed(at, act, ["criterion", "owner", "due"]);
      required(at, act, ["criterion"]);
      if ("criterion" in act && type([...at, "criterion"], act.criterion, "string")) {
        pattern([...at, "criterion"], act.criterion);
        if (length(act.criterion) > 60) add([...at, "criterion"], "at most 60 characters", `${length(act.criterion)} characters`);
      }
      if ("owner" in act) text([...at, "owner"], act.owner, 0, 200);
      if ("due" in act && type([...at, "due"], act.due, "string") && !matches(DUE, act.due)) {
        add([...at, "due"], `${pyValue(act.due)} does not match '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$'`.slice(0, 200), null);
      }
    });
  }
  if ("answers" in doc && type(["answers"], doc.answers, "object")) {
    for (const cid of Object.keys(doc.answers)) {
      if (!matches(ID, cid) || length(cid) > 60) add(["answers"], "criterion ids in lowercase-with-hyphens", short(cid));
    }
    for (const [cid, ans] of Object.entries(doc.answers)) {
      const at = ["answers", cid];
      if (!type(at, ans, "object")) continue;
      closed(at, ans, ["by_group", "evidence", "level", "notes", "partial"]);
      cell(at, ans);
      if ("by_group" in ans && type([...at, "by_group"], ans.by_group, "object")) {
        const cells = ans.by_group;
        if (Object.keys(cells).length > 20) add([...at, "by_group"], `${pyValue(cells)} has too many properties`.slice(0, 200), null);
        for (const gid of Object.keys(cells)) {
          if (!matches(ID, gid) || length(gid) > 60) add([...at, "by_group"], "criterion ids in lowercase-with-hyphens", short(gid));
        }
        for (const [gid, c] of Object.entries(cells)) {
          if (!type([...at, "by_group", gid], c, "object")) continue;
          closed([...at, "by_group", gid], c, ["evidence", "level", "notes", "partial"]);
          cell([...at, "by_group", gid], c);
        }
      }
    }
  }
  // Python sorts the first MAX_PROBLEMS errors by where they are (a stable sort).
  const key = (e) => e.path.map(String);
  const kept = found.slice(0, MAX_PROBLEMS);
  kept.sort((a, b) => compareKeys(key(a), key(b)));
  return kept.map((e) => e.problem);
}

/** The similarity of two texts as Python's difflib.SequenceMatcher(None, a, b).ratio() (no junk:
 * criterion ids are far shorter than the 200 characters where difflib starts ignoring popular ones). */
function ratio(a, b) {
  const longest = (alo, ahi, blo, bhi) => {
    // The longest common block, earliest in a, then earliest in b (difflib's find_longest_match).
    let best = [alo, blo, 0];
    let prev = new Map();
    for (let i = alo; i < ahi; i += 1) {
      const next = new Map();
      for (let j = blo; j < bhi; j += 1) {
        if (a[i] !== b[j]) continue;
        const k = (prev.get(j - 1) || 0) + 1;
        next.set(j, k);
        if (k > best[2]) best = [i - k + 1, j - k + 1, k];
      }
      prev = next;
    }
    return best;
  };
  let matched = 0;
  const queue = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop();
    const [i, j, k] = longest(alo, ahi, blo, bhi);
    if (!k) continue;
    matched += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return a.length + b.length ? (2 * matched) / (a.length + b.length) : 1;
}

/** difflib.get_close_matches(word, choices, n=1): the closest choice scoring at least 0.6, or null. */
function closeMatch(word, choices) {
  let best = null;
  let bestScore = -1;
  for (const choice of choices) {
    const score = ratio(choice, word);
    if (score >= 0.6 && (score > bestScore || (score === bestScore && choice > best))) {
      best = choice;
      bestScore = score;
    }
  }
  return best;
}

/** Python's _field_problems: a real date, no blank names. */
function fieldProblems(doc, src) {
  const problems = [];
  if (!isDate(doc.date)) problems.push(new Problem(src, "date", "a real calendar date written YYYY-MM-DD, such as 2026-03-31", short(doc.date)));
  for (const name of ["team", "product"]) {
    if (typeof doc[name] === "string" && !doc[name].trim()) problems.push(new Problem(src, name, "a name (this field cannot be blank)", short(doc[name])));
  }
  return problems;
}

const repr = (text) => `'${text}'`; // Python's repr of an id (lowercase-with-hyphens, no quotes inside)

/** Python's _semantic_problems, on the migrated document: known criteria, groups and per-group answers. */
function semanticProblems(doc, rubric, src) {
  const problems = [];
  const criteria = Object.fromEntries((rubric.criteria || []).map((c) => [c.id, c]));
  const roles = new Map();
  (doc.groups || []).forEach((g, i) => {
    if (roles.has(g.id)) problems.push(new Problem(src, `groups.${i + 1}.id`, "a group id used once", repr(g.id)));
    roles.set(g.id, g.role);
  });
  for (const [cid, ans] of Object.entries(doc.answers)) {
    const criterion = criteria[cid];
    if (!criterion) {
      const close = closeMatch(cid, Object.keys(criteria));
      const hint = close === null ? " (list them with `python -m widgets rubric`)" : ` - did you mean ${short(close)}?`;
      problems.push(new Problem(src, `answers.${cid}`, `a criterion id of rubric ${rubric.id} ${rubric.version}${hint}`, "an unknown criterion"));
      continue;
    }
    if (ans.level === "n/a" && !criterion.not_applicable_if) problems.push(new Problem(src, `answers.${cid}.level`, NA_EXPECTED, '"n/a"'));
    if (!partialOk(ans.partial, ans.level)) problems.push(partialProblem(src, `answers.${cid}`, ans.level));
    let cells = ans.by_group || {};
    if (Object.keys(cells).length && !criterion.per_group) {
      problems.push(new Problem(src, `answers.${cid}.by_group`,
        "one answer for the whole plan: this question is not asked per group (give its level directly)", "answers per group"));
      cells = {};
    }
    for (const [gid, c] of Object.entries(cells)) {
      const where = `answers.${cid}.by_group.${gid}`;
      if (!roles.has(gid)) {
        problems.push(new Problem(src, where, `a group id declared under groups (${[...roles.keys()].join(", ") || "none declared"})`, "an unknown group"));
      } else if (!(criterion.group_roles || []).includes(roles.get(gid))) {
        problems.push(new Problem(src, where, `a group whose role this question is asked of (${(criterion.group_roles || []).join(", ")})`,
          `a group with role ${repr(roles.get(gid))}`));
      } else {
        if (c.level === "n/a" && !criterion.not_applicable_if) problems.push(new Problem(src, `${where}.level`, NA_EXPECTED, '"n/a"'));
        if (!partialOk(c.partial, c.level)) problems.push(partialProblem(src, where, c.level));
      }
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }
  (doc.actions || []).forEach((act, i) => {
    if (!criteria[act.criterion]) problems.push(new Problem(src, `actions[${i}].criterion`, `a criterion id of rubric ${rubric.id} ${rubric.version}`, repr(act.criterion)));
  });
  return problems;
}

/**
 * Read an assessment file's text as Python's load_assessment does: `{ data, notes }` when it can
 * replace the page's answers (migrated to the page's rubric; `notes` says what the migration did),
 * else `{ problems }` (Problem objects, at most MAX_PROBLEMS, Python's messages).
 */
export function readAssessment(text, rubric, source = "the file") {
  if (typeof text === "string" && /^[ \t\n\r\v\f]*$/.test(text)) {
    return { problems: [new Problem(source, "(file)", "an assessment (YAML or JSON)", "an empty file")] };
  }
  let doc;
  try {
    doc = loadJson(text, source);
  } catch (err) {
    if (err instanceof InputError) return { problems: err.problems };
    throw err;
  }
  return checkParsedAssessment(doc, rubric, source, text);
}

/**
 * The checks after parsing, for a document read some other way (a YAML upload): `{ data }` or
 * `{ problems }`. `text` (the JSON text, if any) lets it see a format_version written as 1.0.
 */
export function checkParsedAssessment(doc, rubric, source = "the file", text = "") {
  if (!isObject(doc)) return { problems: [new Problem(source, "(top level)", "a mapping of fields (format, team, answers, ...)", short(doc))] };
  try {
    checkHeader(doc, rubric, source, text);
  } catch (err) {
    if (err instanceof Refusal) return { problems: [err.problem] };
    throw err;
  }
  const schema = schemaProblems(doc, rubric, source);
  const fields = schema.length ? schema : fieldProblems(doc, source);
  if (fields.length) return { problems: fields };
  let migrated;
  try {
    migrated = migrate(doc, rubric);
  } catch (err) {
    if (err instanceof MigrationConflict) return { problems: err.problems.map(([field, expected]) => new Problem(source, field, expected)) };
    throw err;
  }
  const problems = semanticProblems(migrated.doc, rubric, source);
  if (problems.length) return { problems };
  // As Python's Assessment.migrations: the notes saved in the file, then those of this load.
  const data = migrated.notes.length ? { ...migrated.doc, migrations: [...(doc.migrations || []), ...migrated.notes] } : migrated.doc;
  return { data, notes: migrated.notes, todo: migrated.todo };
}

/** An uploaded File: its size is checked before its text is read, then readAssessment. */
export async function readAssessmentUpload(file, rubric) {
  let text;
  try {
    text = await readUpload(file, Error);
  } catch (err) {
    return { problems: [`${file.name}: ${err.message.replace(/\.$/, "")}`] };
  }
  return readAssessment(text, rubric, file.name);
}
