// The toolbar (download, upload, report, print, start over), part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).

import { download, h } from "../lib/dom.js";
import { markdownReport } from "../lib/report.js";
import { readUpload } from "../lib/files.js";
import { missingPlanFields, newAssessment, normalise, parseAssessmentText, slugFile, today } from "./file.js";
import { checkParsedAssessment, readAssessmentUpload } from "./upload.js";

/** The toolbar of one assessment; `ctx` is the shared state made by createContext (context.js). */
export function createToolbar(ctx) {
  const { model, uid, say, alerts, getAssessment, commit } = ctx;

  const fileInput = h("input", {
    type: "file",
    id: `${uid}-upload`,
    accept: ".json,.yaml,.yml,application/json,application/yaml",
    class: "pai-file-input pai-visually-hidden",
    onchange: async (event) => {
      const file = event.target.files && event.target.files[0];
      event.target.value = "";
      if (file) await loadFile(file);
    },
  });

  async function loadFile(file) {
    const rubric = model.get("rubric");
    // The input contract and Python's checks, with Python's messages (upload.js). A YAML file is
    // parsed by js-yaml (file.js), after the same size check, and then given the same checks.
    let result;
    if (/\.ya?ml$/i.test(file.name)) {
      try {
        const text = await readUpload(file, Error);
        result = checkParsedAssessment(await parseAssessmentText(text, file.name), rubric, file.name);
      } catch (err) {
        say(`Could not load “${file.name}”: ${err.message} Your current answers are unchanged.`, true);
        return;
      }
    } else {
      result = await readAssessmentUpload(file, rubric);
    }
    const { data, problems, notes = [] } = result;
    if (problems) {
      say(uploadRefusal(file, problems), true);
      return;
    }
    // The scope follows the page: a short file opened on the full page continues as the full
    // assessment (and is scored, shown and saved so); a full file opened on the short page keeps
    // every answer but is scored on the short questions.
    const pageScope = ctx.view.scope;
    const loaded = normalise({ ...data, scope: pageScope }, rubric, pageScope);
    alerts.replaceChildren();
    ctx.forgetHiddenTicks?.();
    commit(loaded);
    const n = Object.values(loaded.answers).filter((a) => a.level !== null).length;
    let note = "";
    if (!ctx.view.subset && data.scope && data.scope !== pageScope) {
      note = pageScope === "full"
        ? " It was saved from the short self-assessment; here it continues as the full one, so the other questions are open to answer, and the file you download is a full assessment."
        : " It was saved from the full self-assessment; this page scores its short questions only, and keeps the other answers in the file.";
    }
    say(`Loaded “${file.name}”: ${n} ${n === 1 ? "answer" : "answers"}${loaded.team ? ` for ${loaded.team}` : ""}.${note}` +
      migrationMessage(notes, rubric), false, migrationList(ctx, notes, result.todo));
  }

  function fileBase() {
    const a = getAssessment();
    const who = a.rater ? `-${slugFile(a.rater)}` : "";
    return `${slugFile(a.team)}${who}${a.round ? `-round${a.round}` : ""}-${a.date || today()}`;
  }

  function downloadAssessment() {
    const a = normalise({ ...getAssessment(), scope: ctx.view.scope }, model.get("rubric"), ctx.view.scope);
    download(`${fileBase()}.assessment.json`, `${JSON.stringify(a, null, 2)}\n`, "application/json");
    const missing = missingPlanFields(a);
    say(
      "Downloaded the assessment file. Upload it here or load it in a notebook to continue." +
        (missing.length ? ` Before Python can load it, fill in: ${missing.join(", ")}.` : ""),
    );
  }

  function downloadReport() {
    const score = model.get("score");
    if (!score) return;
    const text = markdownReport({
      rubric: model.get("rubric"),
      assessment: getAssessment(),
      score,
      // The report leaves the page: its links to the book are full addresses.
      links: Object.fromEntries(
        Object.entries(model.get("links") || {}).map(([label, target]) => [label, { ...target, url: new URL(target.url, document.baseURI).href }]),
      ),
      criteriaIds: ctx.view.subset,
    });
    download(`${fileBase()}.report.md`, text, "text/markdown");
    say("Downloaded the report in Markdown.");
  }

  function startOver() {
    // eslint-disable-next-line no-alert
    const ok = typeof window.confirm !== "function" || window.confirm("Clear every answer on this page? Download the file first if you want to keep them.");
    if (!ok) return;
    ctx.forgetHiddenTicks?.();
    commit(newAssessment(model.get("rubric"), ctx.view.scope));
    say("Cleared every answer.");
  }

  const toolbar = h(
    "div",
    { class: "pai-toolbar", role: "group", "aria-label": "Assessment file" },
    h("button", { type: "button", class: "pai-download", onclick: downloadAssessment }, "Download assessment file"),
    fileInput,
    h("label", { for: `${uid}-upload`, class: "pai-file-label" }, "Upload assessment file"),
    h("button", { type: "button", class: "pai-report", onclick: downloadReport }, "Download report (Markdown)"),
    h("button", { type: "button", class: "pai-print", onclick: () => { ctx.buildPrintView(); window.print(); } }, "Print"),
    h("button", { type: "button", class: "pai-start-over", onclick: startOver }, "Start over"),
  );

  return toolbar;
}

/**
 * What a migration did, for the person who uploaded the file or reopened the page: the rubric
 * versions; Python's notes follow as a list (migrationList).
 */
export function migrationMessage(notes, rubric) {
  if (!notes.length) return "";
  const from = notes[0].split(" -> ")[0];
  return ` It was made with rubric ${from}; it now follows rubric ${rubric.version}, so some questions are new or changed:`;
}

/**
 * Python's migration notes, one list item each, word for word; in the notes that name questions
 * still to answer (`todo`, from migrate.js questionsToAnswer) each question's text is a link that
 * takes the focus to that question in the form (where this page asks it).
 */
export function migrationList(ctx, notes, todo = []) {
  if (!notes.length) return null;
  const named = new Map(todo.filter((t) => t.criteria).map((t) => [t.text, t]));
  const criteria = new Map(ctx.view.rubric.criteria.map((c) => [c.id, c]));
  const item = (note) => {
    const t = named.get(note);
    if (!t) return h("li", { text: note });
    const prefix = note.slice(0, note.indexOf("“", note.indexOf(t.section) + t.section.length + 1));
    const parts = [prefix];
    t.criteria.forEach((cid, i) => {
      const text = `“${criteria.get(cid).question}”`;
      parts.push(i ? "; " : "", ctx.controls.has(cid)
        ? h("a", { href: `#${ctx.uid}-${cid}`, class: "pai-goto", "data-criterion": cid,
          onclick: (event) => { if (ctx.focusQuestion(cid)) event.preventDefault(); } }, text)
        : text);
    });
    return h("li", {}, parts, ".");
  };
  return h("ul", { class: "pai-migration-notes" }, notes.map(item));
}

/** The message for a refused upload: what kind of problem, then Python's problem list. */
function uploadRefusal(file, problems) {
  const lines = problems.map(String);
  const notJson = problems[0] && problems[0].expected === "valid JSON";
  const lead = notJson
    ? `Could not load “${file.name}”: it is not valid JSON (this page reads JSON assessment files, and YAML files named .yaml or .yml).`
    : `Could not load “${file.name}”.`;
  return `${lead} Your current answers are unchanged. Problems found:\n• ${lines.slice(0, 12).join("\n• ")}` +
    (lines.length > 12 ? `\n• … and ${lines.length - 12} more.` : "");
}
