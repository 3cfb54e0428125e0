// Small DOM helpers shared by every front-end (the self-assessment and the supply-chain tools).
// User text only ever reaches the page as text nodes, textContent or form values, never as HTML.

/**
 * Create an element. `attrs`: "class", "text" (textContent), "on<event>" (listener), DOM properties
 * for non-text values (checked, max, rows ...), attributes otherwise; null, undefined and false
 * are skipped. Children: nodes or text; null, undefined, false and "" are skipped, arrays flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false || child === "") continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * The heading level for a front-end's top headings: one below the heading of the page section it
 * is mounted in (a page's outline then has no skipped level, wherever the front-end sits), or
 * `fallback` where no visible heading comes before it (a notebook output with no heading above).
 */
export function headingLevelBelow(mount, fallback = 2) {
  let level = null;
  for (const heading of mount.ownerDocument.querySelectorAll("h1, h2, h3, h4, h5, h6, [role='heading'][aria-level]")) {
    if (mount.contains(heading)) continue;
    if (!(heading.compareDocumentPosition(mount) & Node.DOCUMENT_POSITION_FOLLOWING)) break;
    if (heading.closest("[hidden], [aria-hidden='true'], nav, header, footer, aside") || !heading.getClientRects().length) continue;
    level = Number(heading.getAttribute("aria-level")) || Number(heading.tagName.slice(1));
  }
  return level === null ? fallback : Math.min(level + 1, 6);
}

/** A count with its noun, for every front-end: "1 red flag", "2 red flags". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The tag of a heading `level` levels deep, kept within h1-h6. */
export function headingTag(level) {
  return `h${Math.max(1, Math.min(6, level))}`;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with attributes and optional text. */
export function s(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Offer `text` as a file download named `filename`. */
export function download(filename, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Add a stylesheet to the document once (by element id). */
export function ensureStyle(id, css, doc = document) {
  if (doc.getElementById(id)) return;
  const style = doc.createElement("style");
  style.id = id;
  style.textContent = css;
  doc.head.append(style);
}

//: The rules every supply-chain tool shares (each adds its own after them).
export const TOOL_STYLE = `
.pai-tool { max-width: 100%; overflow-wrap: anywhere; line-height: 1.5; }
.pai-tool .pai-visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.pai-tool fieldset { border: 1px solid #6b6f76; border-radius: 6px; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.pai-tool legend { font-weight: 600; font-size: 1.1rem; line-height: 1.3; padding: 0 0.25rem; float: none; width: auto; }
.pai-tool .pai-question > legend { font-size: 1rem; }
.pai-tool button, .pai-tool .pai-file > span { font: inherit; padding: 0.3rem 0.8rem; margin: 0.2rem 0.4rem 0.2rem 0; cursor: pointer; }
.pai-tool .pai-file > span { display: inline-block; border: 1px solid #6b6f76; border-radius: 4px; }
.pai-tool :focus-visible, .pai-tool input[type=file]:focus-visible + .pai-file > span { outline: 3px solid #1a5fb4; outline-offset: 2px; }
.pai-tool .pai-error { color: #a51d2d; font-weight: 600; }
`;
