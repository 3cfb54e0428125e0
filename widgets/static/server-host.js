// Server host: the third host of the self-assessment front-end, for the live workshop room
// (python -m widgets room; widgets/liveroom/).
//
// `createServerModel` gives the front-end the same get/set/on/off/save_changes/send surface as the
// notebook kernel and the static host. It is the static host's browser-storage model (so every
// change is kept in this browser first, and a lost connection loses nothing) plus a sync with the
// room's server:
//
// * The assessment is synced field by field: each plan field ("plan.product") and each criterion
//   answer ("answers.<id>") is one field with a version number on the server. This browser keeps,
//   beside the assessment, the last value and version it synced of each field; a field whose
//   current value differs from its synced value is pending and is sent with the version it was
//   based on (on every save, debounced, and again when the connection returns).
// * When another device of the same rater changed a field in between, the server keeps the newer
//   write (this one) and returns the value it replaced; `onConflict` shows it, so the rater can
//   put it back. Fields changed on another device and not pending here are taken from the server
//   on each sync (every few seconds), so two devices converge.
// * A change the server refuses (its validator is the assessment loader) stays in this browser,
//   is not retried until it changes again, and `onProblems` names the field.
// * Team and rater are fixed when joining; the model puts them back if the form changes them.

import { browserStorage, createStorageModel } from "./static-host.js";

const META_FORMAT = "pai-room-sync";
export const PLAN_FIELDS = ["product", "model_type", "lifecycle_stage", "date", "assessor", "notes", "round", "scope", "actions"];
const PUSH_DELAY_MS = 400;
const PULL_EVERY_MS = 5000;
const MAX_RETRY_MS = 30000;

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** The assessment's syncable fields, {name: value}; empty values are left out (they delete). */
export function fieldsOf(assessment) {
  const out = {};
  if (!assessment) return out;
  for (const k of PLAN_FIELDS) {
    const v = assessment[k];
    if (v !== undefined && v !== null && v !== "") out[`plan.${k}`] = v;
  }
  for (const [cid, answer] of Object.entries(assessment.answers || {})) out[`answers.${cid}`] = answer;
  return out;
}

/** Set one field in an assessment (null or undefined removes it). */
export function setField(assessment, name, value) {
  const [kind, key] = [name.slice(0, name.indexOf(".")), name.slice(name.indexOf(".") + 1)];
  const empty = value === null || value === undefined;
  if (kind === "plan") {
    if (empty) {
      if (key === "model_type" || key === "lifecycle_stage") assessment[key] = null;
      else if (key === "product" || key === "date") assessment[key] = "";
      else delete assessment[key];
    } else assessment[key] = value;
  } else if (kind === "answers") {
    assessment.answers = assessment.answers || {};
    if (empty) delete assessment.answers[key];
    else assessment.answers[key] = value;
  }
}

/**
 * @param {object} o
 * @param {string} o.token           the participant's secret token (Authorization: Bearer)
 * @param {object} o.rubric          the rubric (as the site's data/rubric.json)
 * @param {object} o.server          the server's state: {team, rater, assessment, fields: {name: [value, version]}}
 * @param {string} [o.version]       "short" or "full"
 * @param {function} [o.derive]      scoring.js's derive, run after each save as on the static site
 * @param {function} [o.onStatus]    (kind, text): "saved" | "saving" | "offline" | "refused" | "closed"
 * @param {function} [o.onConflict]  (list of {field, replaced, kept})
 * @param {function} [o.onProblems]  (list of messages)
 */
export function createServerModel({ token, rubric, server, version = "full", derive = null, storage = browserStorage(),
  onStatus = () => {}, onConflict = () => {}, onProblems = () => {}, fetchFn = (...a) => fetch(...a) }) {
  const pinned = { team: server.team, rater: server.rater };
  const key = `pai-room:${pinned.team}:${pinned.rater}`;
  const metaKey = `${key}:sync`;
  const local = createStorageModel({ key, initial: { rubric, version, assessment: clone(server.assessment) }, persist: ["assessment"], derive, storage });
  let meta = readMeta();
  let inflight = false;
  let again = false;
  let timer = null;
  let retryMs = 1000;
  let stopped = false;

  function readMeta() {
    try {
      const m = JSON.parse(storage?.getItem(metaKey) || "null");
      if (m && m.format === META_FORMAT && m.synced && m.versions) return { rejected: {}, ...m };
    } catch (err) {
      /* unreadable: start from the server's state below */
    }
    return null;
  }
  function writeMeta() {
    try {
      storage?.setItem(metaKey, JSON.stringify(meta));
    } catch (err) {
      /* storage full: the static model already tells the user to download the file */
    }
  }
  if (!meta) {
    // First time on this device: what the server has is what this browser has synced.
    meta = { format: META_FORMAT, synced: {}, versions: {}, rejected: {} };
    for (const [name, [value, ver]] of Object.entries(server.fields || {})) {
      meta.synced[name] = value;
      meta.versions[name] = ver;
    }
    writeMeta();
  }

  function pending() {
    const now = fieldsOf(local.get("assessment"));
    const names = new Set([...Object.keys(now), ...Object.keys(meta.synced).filter((n) => meta.synced[n] !== null)]);
    return [...names].filter((n) => !same(now[n], meta.synced[n]) && meta.rejected[n] !== JSON.stringify(now[n] ?? null));
  }

  /** Take the server's fields that this browser has not changed itself. */
  function merge(serverFields) {
    const skip = new Set(pending());
    const a = clone(local.get("assessment"));
    const now = fieldsOf(a);
    let changed = false;
    for (const [name, [value, ver]] of Object.entries(serverFields || {})) {
      if (skip.has(name) || ver <= (meta.versions[name] || 0)) continue;
      meta.versions[name] = ver;
      meta.synced[name] = value;
      if (!same(now[name], value)) {
        setField(a, name, value);
        changed = true;
      }
    }
    writeMeta();
    if (changed) {
      local.set("assessment", a);
      local.save_changes();
    }
  }

  async function send(names) {
    const now = fieldsOf(local.get("assessment"));
    const changes = {};
    for (const n of names) changes[n] = { value: now[n] ?? null, base: meta.versions[n] || 0 };
    const response = await fetchFn("/api/p/changes", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ changes }),
    });
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      for (const n of names) {
        meta.synced[n] = changes[n].value;
        meta.versions[n] = data.versions?.[n] ?? meta.versions[n];
        delete meta.rejected[n];
      }
      writeMeta();
      if (data.conflicts?.length) onConflict(data.conflicts);
      merge(data.fields);
      return "ok";
    }
    if (response.status === 422 && names.length > 1) {
      // Find the refused field: send each alone, so the others are still saved.
      for (const n of names) await send([n]);
      return "ok";
    }
    if (response.status === 422) {
      meta.rejected[names[0]] = JSON.stringify(changes[names[0]].value ?? null);
      writeMeta();
      onProblems(data.problems?.length ? data.problems : [data.error || "The server refused this change."]);
      return "refused";
    }
    if (response.status === 401 || response.status === 410) return "closed";
    throw new Error(data.error || `HTTP ${response.status}`);
  }

  async function push() {
    if (stopped) return;
    if (inflight) {
      again = true;
      return;
    }
    const names = pending();
    if (!names.length) {
      onStatus("saved", "All changes saved on the facilitator's computer.");
      return;
    }
    inflight = true;
    onStatus("saving", "Saving…");
    try {
      const result = await send(names);
      retryMs = 1000;
      if (result === "closed") {
        stopped = true;
        onStatus("closed", "The room is closed or this device is no longer in it. Your answers are still in this browser: download your file.");
      } else if (result === "refused") onStatus("refused", "A change was not saved on the server (see the message); it is kept in this browser.");
      else if (!pending().length) onStatus("saved", "All changes saved on the facilitator's computer.");
    } catch (err) {
      onStatus("offline", "Offline: your changes are kept in this browser and will be sent when the connection returns.");
      clearTimeout(timer);
      timer = setTimeout(push, retryMs);
      retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    } finally {
      inflight = false;
    }
    if (again) {
      again = false;
      schedule();
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(push, PUSH_DELAY_MS);
  }

  async function pull() {
    if (stopped || inflight || pending().length) return;
    try {
      const response = await fetchFn("/api/p/state", { headers: { authorization: `Bearer ${token}` } });
      if (response.status === 401 || response.status === 410) {
        stopped = true;
        onStatus("closed", "The room is closed or this device is no longer in it. Your answers are still in this browser: download your file.");
        return;
      }
      if (!response.ok) return;
      const data = await response.json();
      if (!inflight) merge(data.fields);
      onStatus("saved", "All changes saved on the facilitator's computer.");
    } catch (err) {
      onStatus("offline", "Offline: your changes are kept in this browser and will be sent when the connection returns.");
    }
  }

  const model = {
    ...local,
    save_changes() {
      const a = local.get("assessment");
      if (a && (a.team !== pinned.team || a.rater !== pinned.rater)) {
        // Team and rater come from joining; put them back (a form edit or an uploaded file may change them).
        local.set("assessment", { ...clone(a), team: pinned.team, rater: pinned.rater });
      }
      local.save_changes();
      schedule();
    },
    /** Send pending changes now (returns when done). */
    flush: push,
    pull,
    pending,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(puller);
    },
  };
  local.set("host", "server");
  const puller = setInterval(pull, PULL_EVERY_MS);
  if (typeof window !== "undefined") window.addEventListener("online", () => push());
  // Changes made here while the server was unreachable (or before a reload) go first; then the
  // server's changes from other devices come in.
  if (pending().length) push();
  else merge(server.fields);
  return model;
}
