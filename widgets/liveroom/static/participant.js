// The participant's page: the self-assessment front-end (widgets/static/assessment.js) over the
// server host (widgets/static/server-host.js), with the connection state, conflict notices, the
// personal link for a second device and the download of the participant's own file.

import assessment from "/w/static/assessment.js";
import { derive } from "/w/static/scoring.js";
import { createServerModel } from "/w/static/server-host.js";
import { download, h } from "/w/static/lib/dom.js";
import { forgetDevice, getJson, readToken, saveToken, storage } from "./common.js";

const sync = document.getElementById("sync");
const conflictsBox = document.getElementById("conflicts");
const host = document.getElementById("assessment");

// A personal link (#t=...) carries the token to a second device; the fragment never reaches the server.
const fromLink = new URLSearchParams(location.hash.slice(1)).get("t");
if (fromLink) {
  saveToken({ token: fromLink, team: "", rater: "" });
  history.replaceState(null, "", "/assess");
}
const saved = readToken();

function showStatus(kind, text) {
  sync.dataset.state = kind;
  sync.textContent = text;
}

async function start() {
  if (!saved) {
    location.replace("/join");
    return;
  }
  const auth = { authorization: `Bearer ${saved.token}` };
  let state;
  try {
    const [s, r] = await Promise.all([getJson("/api/p/state", { headers: auth }), getJson("/api/rubric")]);
    if (s.status === 401 || s.status === 410) {
      showStatus("closed", s.data.error || "This device is not in the room.");
      host.replaceChildren(h("p", {}, h("a", { href: "/join" }, "Join the room")));
      return;
    }
    if (!s.ok || !r.ok) throw new Error(s.data.error || r.data.error || "the server answered with an error");
    state = s.data;
    state.rubric = r.data;
  } catch (err) {
    showStatus("offline", `The room's server cannot be reached (${err.message}). Reload when the connection is back; nothing you saved is lost.`);
    return;
  }
  saveToken({ token: saved.token, team: state.team, rater: state.rater });
  document.getElementById("who").textContent = `· ${state.rater}, ${state.team}`;
  const link = document.getElementById("personal-link");
  link.value = `${location.origin}/assess#t=${saved.token}`;
  link.addEventListener("focus", () => link.select());

  const questions = Object.fromEntries(state.rubric.criteria.map((c) => [c.id, c.question]));
  const describe = (v) => (v === null || v === undefined ? "no answer" : typeof v === "object" ? `level ${v.level ?? "none"}${v.evidence ? `, evidence “${v.evidence}”` : ""}` : `“${v}”`);
  const model = createServerModel({
    token: saved.token,
    rubric: state.rubric,
    server: state,
    version: state.version,
    derive,
    storage,
    onStatus: showStatus,
    onConflict(list) {
      conflictsBox.replaceChildren(
        h("p", {}, "Another of your devices had changed these answers since this one last synced. This device's answers were kept; here is what they replaced, in case that one was right:"),
        h("ul", {}, list.map((c) => {
          const id = c.field.replace(/^answers\.|^plan\./, "");
          return h("li", { "data-field": c.field }, h("strong", {}, questions[id] || id), `: replaced ${describe(c.replaced)}, kept ${describe(c.kept)}.`);
        })),
        h("button", { type: "button", class: "room-button room-secondary", onclick: () => conflictsBox.replaceChildren() }, "Dismiss"),
      );
    },
    onProblems(problems) {
      conflictsBox.replaceChildren(h("p", {}, "The server did not save a change:"), h("ul", {}, problems.map((p) => h("li", {}, p))));
    },
  });
  host.replaceChildren();
  await assessment.render({ model, el: host });
  // Team and rater were given when joining: show them, but as fixed values.
  for (const key of ["team", "rater"]) {
    const input = host.querySelector(`input[id$="-${key}"]`);
    if (input) {
      input.readOnly = true;
      input.setAttribute("aria-describedby", "who");
    }
  }
  host.dataset.ready = "true";

  document.getElementById("download-own").addEventListener("click", async () => {
    await model.flush();
    const mine = model.get("assessment");
    download(`${state.team}-${state.rater}.assessment.json`.replace(/[^\w.-]+/g, "-"), `${JSON.stringify(mine, null, 2)}\n`);
  });
  window.addEventListener("pagehide", () => model.flush());
}

document.getElementById("forget").addEventListener("click", () => {
  if (!window.confirm("Forget this room on this device? Your answers stay on the facilitator's computer; download your file first to keep a copy.")) return;
  forgetDevice();
  location.assign("/join");
});

start();
