// The toolbar (download, upload, report, print, start over), part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).

import { download, h } from "../lib/dom.js";
import { markdownReport } from "../lib/report.js";
import { missingPlanFields, newAssessment, normalise, slugFile, today } from "./file.js";
import { readAssessmentUpload } from "./upload.js";

/** The toolbar of one assessment; `ctx` is the shared state made by createContext (context.js). */
export function createToolbar(ctx) {
  const { model, uid, say, alerts, getAssessment, commit } = ctx;

  const fileInput = h("input", {
    type: "file",
    id: `${uid}-upload`,
    accept: ".json,application/json",
    class: "pai-file-input pai-visually-hidden",
    onchange: async (event) => {
      const file = event.target.files && event.target.files[0];
      event.target.value = "";
      if (file) await loadFile(file);
    },
  });

  async function loadFile(file) {
    const rubric = model.get("rubric");
    // The input contract and Python's checks, with Python's messages (upload.js).
    const { data, problems } = await readAssessmentUpload(file, rubric);
    if (problems) {
      say(uploadRefusal(file, problems), true);
      return;
    }
    const loaded = normalise(data, rubric, ctx.view.scope);
    alerts.replaceChildren();
    commit(loaded);
    const n = Object.values(loaded.answers).filter((a) => a.level !== null).length;
    say(`Loaded “${file.name}”: ${n} answers${loaded.team ? ` for ${loaded.team}` : ""}.`);
  }

  function fileBase() {
    const a = getAssessment();
    const who = a.rater ? `-${slugFile(a.rater)}` : "";
    return `${slugFile(a.team)}${who}${a.round ? `-round${a.round}` : ""}-${a.date || today()}`;
  }

  function downloadAssessment() {
    const a = normalise(getAssessment(), model.get("rubric"), ctx.view.scope);
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
      links: model.get("links") || {},
      criteriaIds: ctx.view.subset,
    });
    download(`${fileBase()}.report.md`, text, "text/markdown");
    say("Downloaded the report in Markdown.");
  }

  function startOver() {
    // eslint-disable-next-line no-alert
    const ok = typeof window.confirm !== "function" || window.confirm("Clear every answer on this page? Download the file first if you want to keep them.");
    if (!ok) return;
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

/** The message for a refused upload: what kind of problem, then Python's problem list. */
function uploadRefusal(file, problems) {
  const lines = problems.map(String);
  const notJson = problems[0] && problems[0].expected === "valid JSON";
  const lead = notJson
    ? `Could not load “${file.name}”: it is not valid JSON (this page reads the JSON assessment files it downloads; convert a YAML file in Python with widgets.load_assessment(path) and save it as .json).`
    : `Could not load “${file.name}”.`;
  return `${lead} Your current answers are unchanged. Problems found:\n• ${lines.slice(0, 12).join("\n• ")}` +
    (lines.length > 12 ? `\n• … and ${lines.length - 12} more.` : "");
}
