// The join page: room code, team and rater; the server answers with this participant's token.

import { getJson, readToken, saveToken } from "./common.js";

const form = document.getElementById("join");
const status = document.getElementById("join-status");

const known = readToken();
if (known) {
  status.textContent = `This device already joined as ${known.rater} (${known.team}). `;
  const a = document.createElement("a");
  a.href = "/assess";
  a.textContent = "Continue with your answers";
  status.append(a);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = Object.fromEntries(["code", "team", "rater"].map((k) => [k, form.elements[k].value]));
  for (const [k, v] of Object.entries(body)) {
    if (!v.trim()) {
      status.textContent = `Please fill in “${form.elements[k].labels[0].textContent}”.`;
      form.elements[k].focus();
      return;
    }
  }
  status.textContent = "Joining…";
  let result;
  try {
    result = await getJson("/api/join", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (err) {
    status.textContent = "The room's server cannot be reached. Check that you are on the workshop's network and try again.";
    return;
  }
  if (!result.ok) {
    status.textContent = result.data.error || `The server refused to join (HTTP ${result.status}).`;
    const field = /^(code|team|rater):/.exec(result.data.error || "");
    if (field) form.elements[field[1]].focus();
    return;
  }
  saveToken({ token: result.data.token, team: result.data.team, rater: result.data.rater });
  location.assign("/assess");
});
