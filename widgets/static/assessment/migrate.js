// Migrating an assessment saved with an older rubric version, part of the self-assessment
// front-end: the page's twin of the migrations in widgets/_assessment.py (MIGRATIONS), one function
// per version step, with the same result and the same notes, word for word
// (tests/test_assessment_migrate.py runs both on every old fixture). It serves uploads (upload.js)
// and the answers the 1.0 page saved in this browser (assessment.js). Nothing the user wrote is
// dropped: renamed questions keep their answers, retired ones are copied into the notes.

export const CONTEXT_DEFAULTS = { process: "product-lifecycle", convener: "company", participants: "people-take-part" };
//: Rubric 1.0 questions renamed in 2.0 with the same meaning (widgets._assessment.RENAMED_1_0).
export const RENAMED_1_0 = {
  "accountable-sponsor": "accountable-decision-holder",
  "policy-gate": "standing-rule",
  "living-wage-contracts": "living-wage",
  "safety-risks": "identification-risk",
};
//: Rubric 1.0 questions 2.0 no longer asks (widgets._assessment.RETIRED_1_0), in Python's order.
export const RETIRED_1_0 = ["target-level-chosen", "refresh-participants", "pay-prompt", "pilot-instructions", "protect-dissent",
  "fair-aggregation", "failure-log", "sourcing-guidelines", "worker-monitoring", "worker-voice"];

/** A migration that cannot be done without choosing between two answers: [field, expected] pairs. */
export class MigrationConflict extends Error {
  constructor(problems) {
    super(problems.map(([field, expected]) => `${field}: expected ${expected}`).join("; "));
    this.problems = problems;
  }
}

const clone = (value) => JSON.parse(JSON.stringify(value));
// Python's repr() of a criterion id (lowercase-with-hyphens, so always in single quotes).
const repr = (text) => `'${String(text).replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
// Python's json.dumps of a level (an integer, "n/a" or None).
const dumps = (value) => (value === undefined || value === null ? "null" : JSON.stringify(value));
// Python's str.rstrip(): the characters str.isspace() accepts.
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const answerOf = (answers, cid) => (isObject(answers[cid]) ? answers[cid] : {});

function rename(answers, old, next, notes, step, problems) {
  if (!(old in answers)) return;
  if (next in answers) {
    problems.push([`answers.${old}`, `only one of ${repr(old)} (its ${step} name) and ${repr(next)}`]);
    return;
  }
  // Python moves the answer to the end of the mapping (pop, then set).
  const moved = answers[old];
  delete answers[old];
  answers[next] = moved;
  notes.push(`${step}: criterion ${repr(old)} renamed to ${repr(next)}; answer kept.`);
}

/** Rubric 0.9 -> 1.0 (widgets._assessment.migrate_0_9_to_1_0). */
export function migrate09to10(input) {
  const step = "0.9 -> 1.0";
  const doc = clone(input);
  if (!isObject(doc.answers)) doc.answers = {};
  const answers = doc.answers;
  const notes = [];
  const problems = [];
  rename(answers, "participants-paid", "pay-participants", notes, step, problems);
  rename(answers, "feedback-loop", "report-back", notes, step, problems);
  if ("consent" in answers) {
    if ("informed-consent" in answers || "withdrawal" in answers) {
      problems.push(["answers.consent", "either 'consent' (rubric 0.9) or 'informed-consent'/'withdrawal' (1.0), not both"]);
    } else {
      const old = answers.consent;
      delete answers.consent;
      answers["informed-consent"] = old;
      answers.withdrawal = {
        level: null,
        notes: "Rubric 1.0 asks about withdrawal separately; the 0.9 answer to 'consent' " +
          `(level ${dumps(answerOf({ old }, "old").level)}) was moved to 'informed-consent'. Please answer this question.`,
      };
      notes.push(`${step}: criterion 'consent' split into 'informed-consent' (answer kept) and 'withdrawal' (left unanswered: please answer it).`);
    }
  }
  if (problems.length) throw new MigrationConflict(problems);
  doc.rubric = { id: "engagement-plan", version: "1.0" };
  return { doc, notes };
}

/**
 * Rubric 1.0 -> 2.0 (widgets._assessment.migrate_1_0_to_2_0). `rubric` is the 2.0 rubric: the
 * notes name every one of its questions the file does not answer yet.
 */
export function migrate10to20(input, rubric) {
  const step = "1.0 -> 2.0";
  const doc = clone(input);
  if (!isObject(doc.answers)) doc.answers = {};
  const answers = doc.answers;
  const notes = [];
  const problems = [];
  for (const [old, next] of Object.entries(RENAMED_1_0)) rename(answers, old, next, notes, step, problems);
  if (problems.length) throw new MigrationConflict(problems);
  const kept = [];
  for (const cid of RETIRED_1_0) {
    if (!(cid in answers)) continue;
    const old = answerOf(answers, cid);
    delete answers[cid];
    const parts = [`level ${dumps(old.level)}`];
    if (old.evidence) parts.push(`evidence: ${old.evidence}`);
    if (old.notes) parts.push(`notes: ${old.notes}`);
    if (old.partial === true) parts.push("partial: true");
    kept.push(`- ${cid} (rubric 1.0): ${parts.join("; ")}`);
  }
  if (kept.length) {
    const block = `Answers to rubric 1.0 questions that rubric 2.0 no longer asks:\n${kept.join("\n")}`;
    doc.notes = doc.notes ? `${String(doc.notes).replace(PY_SPACE, "")}\n\n${block}` : block;
    const all = kept.join("\n");
    notes.push(`${step}: ${kept.length} answer(s) to retired questions kept in the notes, word for word: ` +
      `${RETIRED_1_0.filter((cid) => all.includes(`- ${cid} `)).join(", ")}.`);
  }
  if (!("context" in doc)) {
    doc.context = { ...CONTEXT_DEFAULTS };
    notes.push(`${step}: plan context set to what rubric 1.0 assumed (process: product-lifecycle, ` +
      "convener: company, participants: people-take-part); check it and change it if it does not fit.");
  }
  const todo = questionsToAnswer(step, rubric, rubric.criteria.filter((c) => (answerOf(answers, c.id).level ?? null) === null));
  notes.push(...todo.map((note) => note.text));
  doc.rubric = { id: "engagement-plan", version: "2.0" };
  return { doc, notes, todo };
}

/**
 * The notes that ask a team to answer the questions `todo` (criteria of `rubric`), by their text
 * and section, as the form shows them (widgets._assessment.questions_to_answer, word for word):
 * `[{ text }, { text, section, criteria }]`, a note for the count, then one per section with the
 * ids of its questions, so the page can make each named question a link to it.
 */
export function questionsToAnswer(step, rubric, todo) {
  if (!todo.length) return [];
  const n = todo.length;
  const notes = [{ text: `${step}: please answer the ${n} ${n === 1 ? "question" : "questions"} new or not yet answered in ` +
    `rubric ${rubric.version}; ${n === 1 ? "it is" : "each is"} named below with its section.` }];
  for (const theme of rubric.themes) {
    const asked = todo.filter((c) => c.theme === theme.id);
    if (!asked.length) continue;
    notes.push({
      text: `${step}: to answer in “${theme.title}”: ${asked.map((c) => `“${c.question}”`).join("; ")}.`,
      section: theme.title,
      criteria: asked.map((c) => c.id),
    });
  }
  return notes;
}

//: from-version -> [to-version, step], applied in a chain until the page's rubric version.
export const MIGRATIONS = { "0.9": ["1.0", migrate09to10], "1.0": ["2.0", migrate10to20] };

/** Whether a file of rubric `version` can be brought to the page's version. */
export function canMigrate(version, target) {
  const seen = new Set();
  let v = version;
  while (v !== target) {
    if (seen.has(v) || !(v in MIGRATIONS)) return false;
    seen.add(v);
    v = MIGRATIONS[v][0];
  }
  return true;
}

/**
 * Upgrade a document to `rubric.version`: `{ doc, notes, todo }` (notes: one line per change, as
 * Python writes them; todo: the notes naming the questions still to answer, with their ids, from
 * questionsToAnswer). Throws MigrationConflict when a file holds both an old and a new name.
 */
export function migrate(input, rubric) {
  let doc = input;
  let version = doc.rubric.version;
  const notes = [];
  let todo = [];
  while (version !== rubric.version) {
    const [target, step] = MIGRATIONS[version];
    const out = step(doc, rubric);
    doc = out.doc;
    notes.push(...out.notes);
    if (out.todo) todo = out.todo;
    version = target;
  }
  return { doc, notes, todo };
}
