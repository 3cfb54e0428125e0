// Small pieces the live room's pages share: the participant's token in this browser, and JSON calls.

import { browserStorage } from "/w/static/static-host.js";

const TOKEN_KEY = "pai-room:participant";

export const storage = browserStorage();

export function readToken() {
  try {
    const saved = JSON.parse(storage?.getItem(TOKEN_KEY) || "null");
    return saved && typeof saved.token === "string" ? saved : null;
  } catch (err) {
    return null;
  }
}

export function saveToken(saved) {
  storage?.setItem(TOKEN_KEY, JSON.stringify(saved));
}

/** Forget this room on this device: the token and every saved copy of the answers. */
export function forgetDevice() {
  if (!storage) return;
  for (const k of Object.keys(storage)) if (k.startsWith("pai-room:")) storage.removeItem(k);
}

export async function getJson(url, options = {}) {
  const response = await fetch(url, options);
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}
