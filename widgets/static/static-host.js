// Kernel-free host: runs our anywidget front-end modules on the static site over a browser-storage model.
//
// An anywidget front-end module exports `render({ model, el })` (or a default object with `render`).
// In a notebook the kernel supplies `model`; here `createStorageModel` supplies one with the same
// get/set/on/off/save_changes/send surface, keeps chosen keys in localStorage (autosave on every
// save_changes), and, in place of the kernel, calls an optional `derive(state)` function after each
// save so that derived values (for the assessment: the score) are recomputed in the browser.
//
// `mountAll()` finds every `<div class="pai-widget" data-module=...>` emitted by the `pai-widget`
// Sphinx directive (widgets/_sphinx.py) and mounts it. Paths in data attributes are resolved
// relative to this file, which is served from `_static/widgets/`.
//
// Start-up: a page built by the directive has, in its <head>, one small module script marked
// `data-pai-mount` that imports this host, the page's front-end modules and its data (as JS modules,
// `data/<name>.js`) statically, hands them over with `provide()` and calls `mountAll()`. The browser
// fetches that module graph in parallel with the page and runs it as soon as the page is parsed,
// before the theme's deferred scripts, and the mount then runs to the end without waiting for any
// further fetch. Without that script (another page, a test harness), this host mounts by itself
// when loaded, importing modules and fetching data files on demand.

import { InputError, loadJson } from "./lib/files.js";

const STORAGE_FORMAT = "pai-static-model";
const STORAGE_FORMAT_VERSION = 1;

/** localStorage when the browser allows it, else null (private modes, file://, storage disabled). */
export function browserStorage() {
  try {
    const storage = window.localStorage;
    const probe = "pai:probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch (err) {
    return null;
  }
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * A model with the anywidget host surface, backed by browser storage.
 *
 * @param {object} options
 * @param {string} options.key         storage key (one per widget instance)
 * @param {object} options.initial     initial state (e.g. { rubric, assessment, version, criteria })
 * @param {string[]} options.persist   state keys to keep in storage (e.g. ["assessment"])
 * @param {function} [options.derive]  (state) => { key: value } recomputed after each save, like a kernel would
 * @param {Storage|null} [options.storage]
 */
export function createStorageModel({ key, initial = {}, persist = [], derive = null, storage = browserStorage() }) {
  const state = clone(initial) || {};
  const listeners = new Map(); // event name -> Set of callbacks
  const problems = []; // messages about storage, shown by the front-end via the `host_messages` key

  function emit(name, ...args) {
    const callbacks = listeners.get(name);
    if (!callbacks) return;
    for (const cb of [...callbacks]) cb(...args);
  }

  function readStored() {
    if (!storage) return null;
    let raw;
    try {
      raw = storage.getItem(key);
    } catch (err) {
      return null;
    }
    if (raw === null) return null;
    try {
      // The input contract (lib/files.js): stored text is read as strictly as an uploaded file.
      let parsed;
      try {
        parsed = loadJson(raw, "the stored answers");
      } catch (err) {
        if (err instanceof InputError) throw new Error(String(err.problems[0]));
        throw err;
      }
      if (!parsed || parsed.format !== STORAGE_FORMAT || typeof parsed.values !== "object" || parsed.values === null) {
        throw new Error("unexpected content");
      }
      return parsed.values;
    } catch (err) {
      // Keep the unreadable copy under another key instead of overwriting it, so nothing is lost.
      const backup = `${key}:unreadable:${new Date().toISOString()}`;
      try {
        storage.setItem(backup, raw);
      } catch (e) {
        /* storage full: the original stays in place until the next save */
      }
      problems.push(
        `The answers saved in this browser could not be read (${err.message}); a copy was kept under ` +
          `the storage key "${backup}". Upload a downloaded assessment file to continue from it.`,
      );
      return null;
    }
  }

  function writeStored() {
    if (!storage) return false;
    const values = {};
    for (const k of persist) values[k] = state[k];
    const payload = {
      format: STORAGE_FORMAT,
      format_version: STORAGE_FORMAT_VERSION,
      saved_at: new Date().toISOString(),
      values,
    };
    try {
      storage.setItem(key, JSON.stringify(payload));
      return true;
    } catch (err) {
      const message =
        "This browser refused to store your answers (storage full or disabled). " +
        "Download the assessment file now to keep them.";
      if (!problems.includes(message)) problems.push(message);
      return false;
    }
  }

  function applyDerived() {
    if (!derive) return;
    let derived;
    try {
      // A shallow, frozen view: derive must not change the state (the rubric is not copied each time).
      derived = derive(Object.freeze({ ...state })) || {};
    } catch (err) {
      derived = { host_error: `Could not compute the result: ${err.message}` };
    }
    // A result computed after a failure clears the failure's message.
    if (state.host_error && !("host_error" in derived)) setValue("host_error", undefined);
    for (const [k, v] of Object.entries(derived)) setValue(k, v);
  }

  function setValue(k, value) {
    const previous = state[k];
    state[k] = value;
    if (previous !== value) {
      emit(`change:${k}`, model, value);
      emit("change", model);
    }
  }

  const stored = readStored();
  if (stored) {
    for (const k of persist) if (k in stored) state[k] = stored[k];
  }
  if (!storage) {
    problems.push(
      "This browser does not let the page store data, so answers are not kept when you reload. " +
        "Download the assessment file to keep them.",
    );
  }
  state.host = "static";
  state.host_messages = [...problems];

  const model = {
    get(k) {
      return state[k];
    },
    set(k, value) {
      setValue(k, value);
    },
    on(name, cb) {
      for (const n of String(name).split(/\s+/)) {
        if (!listeners.has(n)) listeners.set(n, new Set());
        listeners.get(n).add(cb);
      }
    },
    off(name, cb) {
      if (name === undefined || name === null) {
        listeners.clear();
        return;
      }
      for (const n of String(name).split(/\s+/)) {
        if (!cb) listeners.delete(n);
        else listeners.get(n)?.delete(cb);
      }
    },
    save_changes() {
      // Plays the kernel's part: persist, then recompute derived values synchronously.
      const before = problems.length;
      writeStored();
      applyDerived();
      if (problems.length !== before) setValue("host_messages", [...problems]);
    },
    send() {
      /* no kernel to message */
    },
    /** Re-read persisted keys from storage (used when another tab saved). */
    reload() {
      const fresh = readStored();
      if (!fresh) return;
      for (const k of persist) if (k in fresh) setValue(k, fresh[k]);
      applyDerived();
    },
    widget_manager: null,
    storageKey: key,
  };

  if (storage && typeof window !== "undefined") {
    // Another tab with the same page saved: follow it, so the two tabs do not overwrite each other blindly.
    window.addEventListener("storage", (event) => {
      if (event.key === key && event.newValue !== null) model.reload();
    });
  }
  applyDerived();
  return model;
}

/** Modules and data the page has already loaded, by their data-attribute value (e.g. "assessment.js"). */
const provided = new Map();

/**
 * Hand over modules and data that the page imported itself, so `mount` uses them instead of
 * importing or fetching again: `provide({"assessment.js": moduleNamespace, "data/rubric.json": data})`.
 */
export function provide(entries) {
  for (const [name, value] of Object.entries(entries)) provided.set(name, value);
}

function load(name, base, kind) {
  if (provided.has(name)) return provided.get(name);
  const url = new URL(name, base);
  return kind === "data" ? fetchJson(url) : import(url.href);
}

const jsonCache = new Map();

/** Fetch a JSON file once per page, however many widgets use it. */
export function fetchJson(url) {
  const href = String(url);
  if (!jsonCache.has(href)) {
    jsonCache.set(
      href,
      fetch(href).then((response) => {
        if (!response.ok) throw new Error(`${href}: HTTP ${response.status}`);
        return response.json();
      }),
    );
  }
  return jsonCache.get(href);
}

function parseOptions(text) {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" ? value : {};
  } catch (err) {
    return {};
  }
}

function showMountError(el, message) {
  el.replaceChildren();
  const p = document.createElement("p");
  p.className = "pai-widget-error";
  p.setAttribute("role", "alert");
  p.textContent = message;
  el.append(p);
}

/**
 * Mount one container. Data attributes (written by the directive):
 *   data-module       ES module file, relative to this host (e.g. "assessment.js")
 *   data-derive       optional module exporting `derive(state)`, run after each save (e.g. "scoring.js")
 *   data-data         optional JSON file loaded into the model key named by data-data-key (default "data");
 *                     used as is when the page provided it (see `provide`)
 *   data-data-key     model key for the loaded JSON (e.g. "rubric")
 *   data-storage-key  localStorage key
 *   data-persist      space-separated model keys to keep in storage (default "state")
 *   data-options      JSON object merged into the initial state (e.g. {"version": "short"})
 */
export async function mount(el, base = import.meta.url) {
  if (el.dataset.paiMounted) return null;
  el.dataset.paiMounted = "loading";
  try {
    // Provided entries are plain values: awaiting them takes no trip through the task queue.
    const [mod, derivMod, data] = await Promise.all([
      load(el.dataset.module, base, "module"),
      el.dataset.derive ? load(el.dataset.derive, base, "module") : null,
      el.dataset.data ? load(el.dataset.data, base, "data") : undefined,
    ]);
    const initial = parseOptions(el.dataset.options);
    if (data !== undefined) initial[el.dataset.dataKey || "data"] = data;
    const links = el.querySelector("script.pai-widget-links");
    if (links) initial.links = parseOptions(links.textContent);
    const model = createStorageModel({
      key: el.dataset.storageKey || `pai:${location.pathname}:${el.id || "widget"}`,
      initial,
      persist: (el.dataset.persist || "state").split(/\s+/).filter(Boolean),
      derive: derivMod ? derivMod.derive : null,
    });
    const widget = mod.default && typeof mod.default === "object" ? mod.default : mod;
    const render = widget.render;
    if (typeof render !== "function") throw new Error(`${el.dataset.module} does not export render()`);
    // The fallback content (noscript text, links JSON) goes; the module draws into the container.
    el.replaceChildren();
    if (typeof widget.initialize === "function") await widget.initialize({ model });
    await render({ model, el });
    el.dataset.paiMounted = "ready";
    el.dispatchEvent(new CustomEvent("pai-widget-ready", { bubbles: true, detail: { model } }));
    return model;
  } catch (err) {
    el.dataset.paiMounted = "failed";
    showMountError(el, `This interactive tool could not start: ${err.message}. Reload the page; if it persists, use the notebook version.`);
    console.error(err);
    return null;
  }
}

export function mountAll(root = document) {
  return Promise.all([...root.querySelectorAll("div.pai-widget[data-module]")].map((el) => mount(el)));
}

if (typeof document !== "undefined") {
  // Loaded by itself (async, right after a container): mount what is there now, and the rest once
  // parsed (mount() skips containers already mounted). When the page has its own mount script,
  // that script mounts first, with everything provided; the DOMContentLoaded pass then only picks
  // up a container it could not mount.
  if (!document.querySelector("script[data-pai-mount]")) mountAll();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll());
}
