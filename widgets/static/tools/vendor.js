// Vendor engagement checklist front-end: an anywidget-style ES module, `render({ model, el })`.
//
// Reads the question set from the model key `questions` (widgets/data/vendor-questions.yaml, exported
// as JSON by the site build; never typed here). Keeps the checklist in the model key
// `vendor_checklist` in the same shape as the file widgets/_vendor.py saves ("pai-vendor-checklist",
// version 1), so downloads open in Python and Python files upload here. Gap rules and the Markdown
// and CSV exports mirror the Python module exactly (tests/test_tools_browser.py compares them).
// User text is only ever set with textContent or as a form control's value.
// Text escaping comes from the shared kernel (lib/text.js); a notebook loads this module bundled
// with its imports into one file (make bundles).

import { download, ensureStyle, h, headingLevelBelow, headingTag, TOOL_STYLE } from "../lib/dom.js";
import { csvText, escapeMarkdown as md, jsonStringifySafe } from "../lib/text.js";

import { ToolFileError, readToolFile, readUpload } from "../lib/files.js";

export { ToolFileError };
export const FORMAT_NAME = "pai-vendor-checklist";
export const FORMAT_VERSION = 1;
const CHECKLIST_FILE = { name: FORMAT_NAME, version: FORMAT_VERSION, kind: "vendor-checklist", saved_by: "the vendor checklist", app: "the checklist", this: "toolkit" };

export function allQuestions(qs) {
  return qs.phases.flatMap((p) => p.questions.map((q) => ({ ...q, phase: p.id, phase_title: p.title })));
}

function statusMap(qs) {
  return Object.fromEntries(qs.statuses.map((s) => [s.id, s]));
}

/** Same rule as widgets._vendor.gap_kind. */
export function gapKind(answer, statuses) {
  if (!answer || !answer.status) return "not asked";
  const status = statuses[answer.status];
  if (!status || !status.met) return "not met";
  if (!String(answer.evidence || "").trim()) return "no evidence";
  return null;
}

export function emptyChecklist(qs) {
  return { format: FORMAT_NAME, format_version: FORMAT_VERSION, questions_version: qs.version, title: "", vendors: [] };
}

export function gaps(checklist, qs, vendorName) {
  const vendor = checklist.vendors.find((v) => v.name === vendorName);
  const statuses = statusMap(qs);
  return allQuestions(qs)
    .map((q) => ({ question_id: q.id, phase: q.phase, critical: q.critical, text: q.text, kind: gapKind(vendor.answers[q.id], statuses) }))
    .filter((g) => g.kind);
}

export function summary(checklist, qs, vendorName) {
  const vendor = checklist.vendors.find((v) => v.name === vendorName);
  const questions = allQuestions(qs);
  const g = gaps(checklist, qs, vendorName);
  return {
    vendor: vendorName,
    questions: questions.length,
    answered: questions.filter((q) => q.id in vendor.answers).length,
    met: questions.length - g.length,
    gaps: g.length,
    critical_gaps: g.filter((x) => x.critical).length,
  };
}

/** The Markdown record widgets._vendor.VendorChecklist.to_markdown writes, character for character. */
export function toMarkdown(checklist, qs, vendorName = null) {
  const statuses = statusMap(qs);
  const questionIds = new Set(allQuestions(qs).map((q) => q.id));
  const names = vendorName ? [vendorName] : checklist.vendors.map((v) => v.name);
  const out = [`# ${md(checklist.title || qs.title)}`, "", `_Questions: ${md(qs.provenance)}_`, ""];
  for (const name of names) {
    const vendor = checklist.vendors.find((v) => v.name === name);
    const s = summary(checklist, qs, name);
    out.push(`## ${md(name)}`, "", `${s.met} of ${s.questions} questions met; ${s.gaps} gaps, ${s.critical_gaps} of them critical.`, "");
    for (const phase of qs.phases) {
      out.push(`### ${md(phase.title)}`, "");
      for (const q of phase.questions) {
        const ans = vendor.answers[q.id];
        const kind = gapKind(ans, statuses);
        const status = ans && ans.status ? statuses[ans.status].label : "Not asked";
        const flag = kind ? ` **Gap: ${kind}${q.critical ? " (critical)" : ""}.**` : "";
        out.push(`- ${md(q.text)}  `, `  Answer: ${md(status)}.${flag}  `);
        if (ans && ans.evidence) out.push(`  Evidence: ${md(ans.evidence)}  `);
        if (ans && ans.note) out.push(`  Note: ${md(ans.note)}`);
      }
      out.push("");
    }
    for (const [qid, ans] of Object.entries(vendor.answers)) {
      if (!questionIds.has(qid)) {
        out.push(`- (question ${md(qid)} is no longer in the question set) Answer: ${md(ans.status || "")}; evidence: ${md(ans.evidence || "")}`);
      }
    }
  }
  return out.join("\n").replace(/\s+$/, "") + "\n";
}

/** The CSV widgets._vendor.VendorChecklist.to_csv writes. */
export function toCsv(checklist, qs) {
  const statuses = statusMap(qs);
  const rows = [["vendor", "phase", "question_id", "question", "critical", "status", "evidence", "note", "gap"]];
  for (const vendor of checklist.vendors) {
    for (const q of allQuestions(qs)) {
      const ans = vendor.answers[q.id] || {};
      rows.push([vendor.name, q.phase, q.id, q.text, q.critical ? "yes" : "no", ans.status || "",
        ans.evidence || "", ans.note || "", gapKind(Object.keys(ans).length ? ans : null, statuses) || ""]);
    }
  }
  return csvText(rows);
}

export function saveFile(checklist) {
  return jsonStringifySafe(checklist, 2);
}

/** Read a saved checklist (site or Python) with the same checks as widgets.load_vendor_checklist. */
export function loadFile(text, qs) {
  const data = readToolFile(text, CHECKLIST_FILE, ToolFileError, null, 100_000);
  if (data.title !== undefined && typeof data.title !== "string") throw new ToolFileError("title must be text.");
  if (!Array.isArray(data.vendors)) throw new ToolFileError("The file has no list of vendors.");
  const statuses = statusMap(qs);
  const out = emptyChecklist(qs);
  out.title = typeof data.title === "string" ? data.title : "";
  data.vendors.forEach((v, i) => {
    if (!v || typeof v !== "object" || typeof v.name !== "string" || !v.name.trim()) throw new ToolFileError(`Vendor ${i + 1} has no name.`);
    const answers = v.answers === undefined ? {} : v.answers;
    if (!answers || typeof answers !== "object" || Array.isArray(answers)) {
      throw new ToolFileError(`Vendor '${v.name}': answers must be an object keyed by question id.`);
    }
    const clean = {};
    for (const [qid, ans] of Object.entries(answers)) {
      if (!ans || typeof ans !== "object" || Array.isArray(ans)) throw new ToolFileError(`Vendor '${v.name}', question ${qid}: the answer must be an object.`);
      for (const key of ["status", "evidence", "note"]) {
        if (key in ans && typeof ans[key] !== "string") throw new ToolFileError(`Vendor '${v.name}', question ${qid}: ${key} must be text.`);
      }
      if (ans.status && !(ans.status in statuses)) throw new ToolFileError(`Vendor '${v.name}', question ${qid}: unknown status '${ans.status}'.`);
      clean[qid] = { status: ans.status || "", evidence: ans.evidence || "", note: ans.note || "" };
    }
    if (out.vendors.some((x) => x.name === v.name)) {
      throw new ToolFileError(`Vendor ${i + 1}: the name '${v.name}' is used by an earlier vendor too. Give each vendor its own name (or merge their answers by hand).`);
    }
    out.vendors.push({ name: v.name, answers: clean });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// User interface



// This tool's rules, after the shared TOOL_STYLE.
const STYLE = `
.pai-tool .pai-row { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; margin: 0.4rem 0; }
.pai-tool input[type=text], .pai-tool select, .pai-tool textarea { font: inherit; padding: 0.2rem 0.4rem; min-width: 12rem; max-width: 100%; }
.pai-tool textarea { width: 100%; }
.pai-tool .pai-hint { font-size: 0.9em; color: var(--pst-color-text-muted, #4a4a4f); margin: 0.2rem 0; }
.pai-tool .pai-gap { color: #a51d2d; }
.pai-tool table { border-collapse: collapse; margin: 0.5rem 0; display: block; overflow-x: auto; }
.pai-tool th, .pai-tool td { text-align: left; vertical-align: top; padding: 0.2rem 0.6rem; border-bottom: 1px solid #c0c4ca; }
.pai-tool .pai-question { border-top: 1px solid #c0c4ca; padding-top: 0.5rem; margin-top: 0.5rem; }
html[data-theme="dark"] .pai-tool .pai-error, html[data-theme="dark"] .pai-tool .pai-gap { color: #ffb4b4; }
`;


let uid = 0;

function render({ model, el }) {
  ensureStyle("pai-tool-style-vendor", TOOL_STYLE + STYLE);
  const id = `pai-vendor-${++uid}`;
  const level = headingLevelBelow(el, 4);
  const qs = model.get("questions");
  if (!qs || !Array.isArray(qs.phases)) {
    el.replaceChildren(h("p", { class: "pai-error", role: "alert", text: "The vendor questions could not be loaded. Reload the page, or use the notebook version." }));
    return;
  }
  const statuses = statusMap(qs);
  const links = model.get("links") && typeof model.get("links") === "object" ? model.get("links") : {};
  let state = model.get("vendor_checklist");
  if (!state || state.format !== FORMAT_NAME || !Array.isArray(state.vendors)) state = emptyChecklist(qs);
  let currentVendor = state.vendors.length ? state.vendors[0].name : null;

  const root = h("div", { class: "pai-tool pai-vendor" });
  const messages = h("div", { "aria-live": "polite" });
  const vendorBar = h("div", { class: "pai-row" });
  const body = h("div");
  const gapBox = h("div", { "aria-live": "polite" });
  const compareBox = h("div");

  function say(text, kind = "") {
    messages.replaceChildren(text ? h("p", { class: kind === "error" ? "pai-error" : "", role: kind === "error" ? "alert" : "status", text }) : "");
  }

  function save() {
    model.set("vendor_checklist", JSON.parse(JSON.stringify(state)));
    model.save_changes();
  }

  const newName = h("input", { type: "text", id: `${id}-new`, name: "new_vendor" });
  const addBtn = h("button", { type: "button", text: "Add vendor" });
  const select = h("select", { id: `${id}-vendor`, name: "vendor" });
  select.addEventListener("change", () => {
    currentVendor = select.value;
    drawVendor();
  });
  addBtn.addEventListener("click", () => {
    const name = newName.value.trim();
    if (!name) return say("Vendor name is empty. Give each vendor a name (for example its company name).", "error");
    if (!state.vendors.some((v) => v.name === name)) state.vendors.push({ name, answers: {} });
    currentVendor = name;
    newName.value = "";
    save();
    say(`Added ${name}.`);
    drawAll();
  });
  newName.addEventListener("keydown", (e) => {
    if (e.key === "Enter") addBtn.click();
  });

  const fileInput = h("input", { type: "file", id: `${id}-upload`, accept: ".json,application/json", class: "pai-visually-hidden" });
  const actions = h("div", { class: "pai-actions" },
    h("button", { type: "button", text: "Download checklist (JSON)", onclick: () => download("vendor-checklist.json", saveFile(state), "application/json") }),
    h("button", { type: "button", text: "Download record (Markdown)", onclick: () => download("vendor-checklist.md", toMarkdown(state, qs), "text/markdown") }),
    h("button", { type: "button", text: "Download table (CSV)", onclick: () => download("vendor-checklist.csv", toCsv(state, qs), "text/csv") }),
    fileInput,
    h("label", { for: fileInput.id, class: "pai-file" }, h("span", { text: "Upload a checklist file" })),
  );
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    try {
      state = loadFile(await readUpload(file, ToolFileError), qs);
      currentVendor = state.vendors.length ? state.vendors[0].name : null;
      save();
      drawAll();
      say(`Loaded ${file.name}.`);
    } catch (err) {
      say(`Could not load ${file.name}: ${err.message}`, "error"); // the checklist on screen is kept
    }
    fileInput.value = "";
  });

  root.append(
    h("p", { class: "pai-hint", text: qs.provenance }),
    h("div", { class: "pai-row" }, h("label", { for: newName.id, text: "New vendor name" }), newName, addBtn),
    vendorBar,
    messages,
    gapBox,
    body,
    h(headingTag(level), { text: "All vendors side by side" }),
    compareBox,
    actions,
  );
  el.replaceChildren(root);

  function answerFor(qid) {
    const vendor = state.vendors.find((v) => v.name === currentVendor);
    return vendor.answers[qid];
  }

  function setAnswer(qid, key, value) {
    const vendor = state.vendors.find((v) => v.name === currentVendor);
    const prev = vendor.answers[qid] || { status: "", evidence: "", note: "" };
    vendor.answers[qid] = { ...prev, [key]: value };
    save();
    drawGaps();
    drawCompare();
  }

  function drawGaps() {
    if (!currentVendor) return gapBox.replaceChildren();
    const s = summary(state, qs, currentVendor);
    const list = h("ul");
    for (const g of gaps(state, qs, currentVendor).filter((x) => x.kind !== "not asked" || x.critical)) {
      list.append(h("li", { class: "pai-gap", text: `${g.critical ? "Critical: " : ""}${g.text} (${g.kind})` }));
    }
    gapBox.replaceChildren(
      h("p", { class: "pai-summary", text: `${currentVendor}: ${s.met} of ${s.questions} questions met; ${s.gaps} gaps, ${s.critical_gaps} of them critical.` }),
      list.children.length ? h("details", {}, h("summary", { text: "Gaps to raise with this vendor" }), list) : "",
    );
  }

  function drawCompare() {
    if (!state.vendors.length) return compareBox.replaceChildren(h("p", { class: "pai-hint", text: "Add a vendor to start." }));
    const table = h("table", {}, h("caption", { class: "pai-visually-hidden", text: "Vendors compared question by question" }));
    const head = h("tr", {}, h("th", { scope: "col", text: "Question" }));
    for (const v of state.vendors) head.append(h("th", { scope: "col", text: v.name }));
    table.append(head);
    for (const q of allQuestions(qs)) {
      const row = h("tr", {}, h("th", { scope: "row", text: `${q.critical ? "(critical) " : ""}${q.text}` }));
      for (const v of state.vendors) {
        const ans = v.answers[q.id];
        const kind = gapKind(ans, statuses);
        const label = ans && ans.status ? statuses[ans.status].label : "not asked";
        row.append(h("td", { class: kind ? "pai-gap" : "", text: !kind || kind === "not asked" ? label : `${label} (${kind})` }));
      }
      table.append(row);
    }
    compareBox.replaceChildren(table);
  }

  function drawVendor() {
    if (!currentVendor) {
      body.replaceChildren();
      drawGaps();
      return;
    }
    const parts = [];
    for (const phase of qs.phases) {
      const fs = h("fieldset", {}, h("legend", { text: phase.title }), h("p", { class: "pai-hint", text: phase.summary }));
      for (const q of phase.questions) {
        const ans = answerFor(q.id) || { status: "", evidence: "", note: "" };
        const qid = `${id}-${q.id}`;
        const group = h("fieldset", { class: "pai-question" }, h("legend", { text: `${q.critical ? "(critical) " : ""}${q.text}` }));
        group.append(h("p", { class: "pai-hint", text: `Why: ${q.why} Evidence to ask for: ${q.evidence}` }));
        // Links to the book come from the build (model key `links`), never from user input.
        const link = links[q.guideline];
        if (link && typeof link.url === "string" && !/^\s*javascript:/i.test(link.url)) {
          group.append(h("p", { class: "pai-hint" }, h("span", { text: "Builds on: " }), h("a", { href: link.url, text: link.title || q.guideline })));
        }
        const radios = h("div", { class: "pai-row", role: "radiogroup", "aria-label": "Answer" });
        for (const s of qs.statuses) {
          const r = h("input", { type: "radio", name: `${qid}-status`, id: `${qid}-${s.id}`, value: s.id });
          r.checked = ans.status === s.id;
          r.addEventListener("change", () => setAnswer(q.id, "status", s.id));
          radios.append(h("span", {}, r, h("label", { for: r.id, text: ` ${s.label}` })));
        }
        group.append(radios);
        for (const [key, label] of [["evidence", "Evidence offered"], ["note", "Note"]]) {
          const ta = h("textarea", { id: `${qid}-${key}`, name: `${q.id}-${key}`, rows: 2 });
          ta.value = ans[key] || "";
          ta.addEventListener("input", () => setAnswer(q.id, key, ta.value));
          group.append(h("label", { for: ta.id, text: label }), ta);
        }
        fs.append(group);
      }
      parts.push(fs);
    }
    body.replaceChildren(...parts);
    drawGaps();
  }

  function drawAll() {
    select.replaceChildren(...state.vendors.map((v) => h("option", { value: v.name, text: v.name })));
    if (currentVendor) select.value = currentVendor;
    vendorBar.replaceChildren(...(state.vendors.length ? [h("label", { for: select.id, text: "Answers for vendor" }), select] : []));
    drawVendor();
    drawCompare();
  }

  const hostMessages = model.get("host_messages");
  if (Array.isArray(hostMessages) && hostMessages.length) say(hostMessages.join(" "), "error");
  drawAll();
}

export default { render };
