// The facilitator's dashboard: the room view (widgets/static/room.js, the same module as the site's
// room view page) fed live by the server's event stream, with the progress of each team, the
// exports and "close and delete the room".
//
// The server sends every participant's state (names, progress, and the assessment file once its plan
// details are filled in); this page keeps them, hands the complete files to the room view as
// `room_files`, and room-summary.js computes the summary in the browser, as on the site.

import room from "/w/static/room.js";
import { derive } from "/w/static/room-summary.js";
import { createStorageModel } from "/w/static/static-host.js";
import { h } from "/w/static/lib/dom.js";
import { getJson } from "./common.js";

const live = document.getElementById("live");
const progressBox = document.getElementById("progress");
const viewBox = document.getElementById("room-view");
const entries = new Map();
let model = null;
let rubric = null;

/** Code-point order, as Python's sorted() and room-summary.js use for the labels. */
function cmp(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function letters(i) {
  let out = "";
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

function questionsIn(scope) {
  return rubric.criteria.filter((c) => scope === "full" || c.short).length;
}

function drawProgress() {
  const anonymise = model.get("anonymise") !== false;
  const teams = new Map();
  for (const e of entries.values()) {
    if (!teams.has(e.team)) teams.set(e.team, []);
    teams.get(e.team).push(e);
  }
  // The room view labels the teams that have a complete file, in code-point order; the same labels here.
  const labelled = [...new Set([...entries.values()].filter((e) => e.complete).map((e) => e.team))].sort(cmp);
  const label = new Map(labelled.map((t, i) => [t, `Team ${letters(i)}`]));
  const rows = [];
  let waiting = 0;
  for (const name of [...teams.keys()].sort(cmp)) {
    const list = teams.get(name);
    if (anonymise && !label.has(name)) {
      waiting += 1;
      continue;
    }
    const done = list.filter((e) => e.complete).length;
    const answered = list.reduce((n, e) => n + e.answered, 0);
    const total = list.reduce((n, e) => n + questionsIn(e.scope), 0);
    const pct = total ? Math.round((100 * answered) / total) : 0;
    rows.push(h("tr", { "data-team": anonymise ? label.get(name) : name },
      h("th", { scope: "row" }, anonymise ? label.get(name) : name),
      h("td", {}, String(list.length)),
      h("td", {}, `${done} of ${list.length}`),
      h("td", {}, h("progress", { max: 100, value: pct, "aria-label": `Questions answered: ${pct} %` }), ` ${pct} %`),
      anonymise ? null : h("td", {}, list.map((e) => e.rater).sort(cmp).join(", "))));
  }
  const total = entries.size;
  progressBox.replaceChildren(...[
    h("p", { "data-participants": total }, `${total} participant${total === 1 ? "" : "s"} in ${teams.size} team${teams.size === 1 ? "" : "s"}.`),
    rows.length
      ? h("div", { class: "pai-room-scroll", tabindex: "0", role: "region", "aria-label": "Progress of each team" },
        h("table", { class: "pai-room-table room-progress" },
          h("caption", {}, "Raters who joined, who filled in the plan details, and the share of questions answered"),
          h("thead", {}, h("tr", {}, ["Team", "Raters", "Plan details filled in", "Questions answered", anonymise ? null : "Raters' names"]
            .filter(Boolean).map((x) => h("th", { scope: "col" }, x)))),
          h("tbody", {}, rows)))
      : h("p", {}, total ? "No team is in the room view yet." : "Nobody has joined yet: show the code and the QR code above."),
    waiting ? h("p", {}, `${waiting} more team${waiting === 1 ? " is" : "s are"} still filling in the plan details (product, model type, lifecycle stage), so ${waiting === 1 ? "it is" : "they are"} not in the room view yet.`) : null,
  ].filter(Boolean));
  for (const a of document.querySelectorAll("[data-export-summary]")) {
    a.href = `/api/f/export/${a.dataset.exportSummary}?anonymise=${anonymise ? 1 : 0}`;
  }
}

function update() {
  const files = [...entries.values()].filter((e) => e.file).map((e) => e.file).sort((a, b) => cmp(a.name, b.name));
  model.set("room_files", files);
  model.save_changes();
  drawProgress();
}

async function start() {
  const r = await getJson("/api/rubric");
  if (!r.ok) {
    live.textContent = "The rubric could not be loaded; reload the page.";
    return;
  }
  rubric = r.data;
  model = createStorageModel({ key: "pai-room:dashboard", initial: { rubric, anonymise: true, room_files: [] }, persist: ["anonymise"], derive });
  model.on("change:anonymise", drawProgress);
  await room.render({ model, el: viewBox });
  drawProgress();

  const events = new EventSource("/api/f/events");
  events.addEventListener("room", (event) => {
    entries.clear();
    for (const e of JSON.parse(event.data).participants) entries.set(e.id, e);
    update();
    live.textContent = `Live: updated ${new Date().toLocaleTimeString()}.`;
    document.body.dataset.live = "ready";
  });
  events.addEventListener("update", (event) => {
    for (const e of JSON.parse(event.data).participants) entries.set(e.id, e);
    update();
    live.textContent = `Live: updated ${new Date().toLocaleTimeString()}.`;
  });
  events.addEventListener("closed", () => {
    events.close();
    live.textContent = "The room is closed.";
  });
  events.addEventListener("error", () => {
    if (events.readyState !== EventSource.CLOSED) live.textContent = "Connection to the room's server lost; reconnecting…";
  });

  const form = document.getElementById("close");
  const status = document.getElementById("close-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const confirm = document.getElementById("confirm").value;
    status.textContent = "Closing…";
    const result = await getJson("/api/f/close", {
      method: "POST",
      headers: { "content-type": "application/json", "x-pai-room": "close" },
      body: JSON.stringify({ confirm }),
    }).catch((err) => ({ ok: false, data: { error: err.message } }));
    if (!result.ok) {
      status.textContent = result.data.error || "The room could not be closed.";
      document.getElementById("confirm").focus();
      return;
    }
    events.close();
    const main = document.getElementById("main");
    main.replaceChildren(h("h1", { tabindex: "-1", id: "closed-h" }, "Room closed"),
      h("p", {}, `The room's data was deleted (${result.data.removed.join(", ") || "nothing left"}) and the server is stopping. You can close this tab.`));
    document.getElementById("closed-h").focus();
  });
}

start();
