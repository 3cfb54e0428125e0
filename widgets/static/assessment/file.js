// The assessment file, part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).
// Reads and writes the saved-file format (widgets/rubric/assessment.schema.json); no DOM.

import labels from "../lib/labels.js";
import { levelOf } from "../scoring.js";
import { checkParsedAssessment } from "./upload.js";

// Interface labels, shared with Python (widgets/data/ui-labels.json).
export const UI = {
  unanswered: labels.unanswered,
  notApplicable: labels.not_applicable,
  partial: labels.partial,
  actionKinds: labels.action_kinds,
  confidence: labels.confidence,
};


export function clone(value) {
  return value === undefined || value === null ? value : JSON.parse(JSON.stringify(value));
}

export function byId(list) {
  return Object.fromEntries((list || []).map((item) => [item.id, item]));
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

export function slugFile(text) {
  const slug = String(text || "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return slug || "engagement-plan";
}


// ------------------------------------------------------------------ reading a file

//: js-yaml's ES module, copied from npm into the site's vendor folder at build time (book/_ext/pai_site.py).
const YAML_MODULE = "../../vendor/js-yaml.mjs";

/**
 * The data in an uploaded assessment file, JSON or YAML (the format the example plans use).
 * YAML is read with js-yaml's core schema (no dates or other types JSON lacks) and a key given
 * twice is refused, as Python's loader does. Throws an Error whose message says what is wrong.
 */
export async function parseAssessmentText(text, name = "") {
  const yamlName = /\.ya?ml$/i.test(name);
  if (!yamlName) {
    try {
      return JSON.parse(text);
    } catch (err) {
      if (!/^\s*[A-Za-z_]+\s*:/m.test(text)) throw new Error(`it is not valid JSON (${err.message}).`);
    }
  }
  let yaml;
  try {
    yaml = await import(new URL(YAML_MODULE, import.meta.url).href);
  } catch (err) {
    throw new Error("it looks like YAML, which this view cannot read here. Load it in Python with widgets.load_assessment(path), or use the site's self-assessment page, which reads YAML.");
  }
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: name || "the file" });
  } catch (err) {
    const where = err.mark ? ` (line ${err.mark.line + 1}, column ${err.mark.column + 1})` : "";
    const what = /duplicated mapping key/.test(err.reason || "") ? "a key is given twice" : err.reason || err.message;
    throw new Error(`it is not valid YAML: ${what}${where}. Fix that line, or download the file again from this page.`);
  }
}


// ------------------------------------------------------------------ the assessment file

/** A blank assessment for this rubric, in the saved-file format (widgets/rubric/assessment.schema.json). */
export function newAssessment(rubric, scope = "full") {
  return {
    format: "pai-assessment",
    format_version: 1,
    rubric: { id: rubric.id, version: rubric.version },
    scope,
    team: "",
    product: "",
    model_type: null,
    lifecycle_stage: null,
    date: today(),
    answers: {},
  };
}

//: Fields the file format knows besides `answers` (the schema allows no others).
const OPTIONAL_FIELDS = ["context", "groups", "assessor", "notes", "rater", "round", "actions", "migrations"];
//: Plan fields a file must fill before Python's load_assessment accepts it.
const REQUIRED_PLAN = { team: "Team", product: "Product or project", model_type: "Model type", lifecycle_stage: "Lifecycle stage", date: "Date" };



/**
 * Problems with an assessment (already parsed), each naming the field, what was expected and what
 * was found: the page reader's checks, which are Python's load_assessment's (assessment/upload.js),
 * so a file of an older rubric that can be migrated passes. An empty list means the file can
 * replace the current answers.
 */
export function checkAssessment(data, rubric) {
  const read = checkParsedAssessment(data, rubric, "");
  return (read.problems || []).map((p) => p.detail());
}

/** The file as it is saved: only the fields the format knows, answers as {level, partial, evidence, notes}. */
export function normalise(data, rubric, scope) {
  const out = newAssessment(rubric, data.scope || scope);
  for (const key of Object.keys(REQUIRED_PLAN)) {
    if (data[key] !== undefined) out[key] = data[key];
  }
  for (const key of OPTIONAL_FIELDS) if (data[key] !== undefined) out[key] = data[key];
  const cell = (answer) => {
    const entry = { level: answer.level ?? null };
    if (answer.partial === true) entry.partial = true;
    if (answer.evidence) entry.evidence = answer.evidence;
    if (answer.notes) entry.notes = answer.notes;
    return entry;
  };
  for (const [cid, answer] of Object.entries(data.answers || {})) {
    const entry = cell(answer);
    const cells = Object.entries(answer.by_group || {});
    if (cells.length) entry.by_group = Object.fromEntries(cells.map(([gid, c]) => [gid, cell(c)]));
    out.answers[cid] = entry;
  }
  return out;
}

// ------------------------------------------------------------------ plan context and groups (rubric 2.0)

/**
 * The plan context with every question answered: the file's value, else the question's first
 * option, which is the default the scorer assumes (widgets/_scoring.py CONTEXT_DEFAULTS; a test
 * checks they agree).
 */
export function planContext(rubric, assessment) {
  const given = (assessment && assessment.context) || {};
  return Object.fromEntries((rubric.context || []).map((q) => [q.id, given[q.id] ?? q.options[0].id]));
}

/** The declared participant groups of an assessment (a list, possibly empty). */
export function planGroups(assessment) {
  return Array.isArray(assessment?.groups) ? assessment.groups : [];
}

/**
 * A new group id from its label: lowercase-with-hyphens, at most 60 characters, not one of
 * `taken`. The id is made once, when the group is added, and kept when the group is renamed, so
 * the per-group answers that name it stay attached.
 */
export function groupId(label, taken) {
  // Letters with accents keep their base letter ("Élus" -> "elus"); other characters separate words.
  const plain = String(label || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const base = plain.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "") || "group";
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Whether a question applies to this plan, and why not (the scorer's step 1, read from the
 * rubric and the file): `{ applies, reason, asked }`, with `reason` one of "no-participants",
 * "process", "no-group" (as in the score's contributions) and `asked` the declared groups this
 * per-group question is asked of (empty when it is answered once for the plan).
 */
export function questionStatus(criterion, rubric, assessment) {
  const context = planContext(rubric, assessment);
  if (criterion.needs_participants && context.participants === "inform-only") return { applies: false, reason: "no-participants", asked: [] };
  if (criterion.processes && !criterion.processes.includes(context.process)) return { applies: false, reason: "process", asked: [] };
  const groups = planGroups(assessment);
  if (criterion.per_group && groups.length) {
    const asked = groups.filter((g) => (criterion.group_roles || []).includes(g.role));
    if (!asked.length) return { applies: false, reason: "no-group", asked: [] };
    return { applies: true, reason: null, asked };
  }
  return { applies: true, reason: null, asked: [] };
}

/** Why a question does not apply, in words, for the form, the result and the print view. */
export function notApplicableReason(status, criterion, rubric, assessment) {
  const titles = (list) => list.map((x) => x.title.toLowerCase()).join(", ");
  if (status.reason === "no-participants") return `${UI.notApplicable}: nobody outside the team takes part (the plan informs only).`;
  if (status.reason === "process") {
    const context = planContext(rubric, assessment);
    const process = (rubric.context || []).find((q) => q.id === "process");
    const option = process ? process.options.find((o) => o.id === context.process) : null;
    return `${UI.notApplicable} to ${option ? option.title.toLowerCase() : "this kind of process"}.`;
  }
  if (status.reason === "no-group") {
    const roles = (rubric.group_roles || []).filter((r) => (criterion.group_roles || []).includes(r.id));
    return `${UI.notApplicable}: no declared group has a role this question is asked of (${titles(roles)}).`;
  }
  return "";
}

/** Plan fields still empty: the file is kept, but Python asks for them before loading it. */
export function missingPlanFields(assessment) {
  return Object.entries(REQUIRED_PLAN)
    .filter(([key]) => !assessment[key])
    .map(([, label]) => label);
}
