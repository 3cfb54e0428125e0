// The result panel (band, flags, theme chart, next steps), part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).

import { h, headingTag, s } from "../lib/dom.js";
import { nextStepText } from "../lib/report.js";
import { byId, clone, UI } from "./file.js";

/** "1 red flag", "2 red flags". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The result panel of one assessment, drawn into ctx.result; returns syncScore and its parts. */
export function createResult(ctx) {
  const { model, uid, result, alerts, say, linkTo } = ctx;
  let shownErrors = "";
  let moreStepsOpen = false;

  const resultParts = {};

  function buildResultSkeleton() {
    resultParts.heading = h(headingTag(ctx.headingLevel), { class: "pai-result-title", id: `${uid}-result-h`, text: ctx.view.subset ? "Your self-check" : "Your result" });
    resultParts.summary = h("div", { class: "pai-summary" });
    // A short spoken update after each answer; the full panel is there to read at will.
    resultParts.live = h("p", { class: "pai-visually-hidden pai-live", role: "status", "aria-live": "polite" });
    resultParts.flags = h("div", { class: "pai-flags" });
    resultParts.chart = h("div", { class: "pai-chart" });
    resultParts.actions = h("div", { class: "pai-actions" });
    // replaceChildren turns null into the text "null", so leave the chart out explicitly.
    const parts = [resultParts.heading, resultParts.live, resultParts.summary, resultParts.flags];
    if (!ctx.view.subset) parts.push(resultParts.chart);
    parts.push(
      resultParts.actions,
      h("p", { class: "pai-caveat", text: "A score is evidence for a conversation inside your team and with the people you work with, never a certificate." }),
    );
    result.replaceChildren(...parts);
  }


  let renderedScore = null;
  const renderedParts = {};

  function syncScore(force = false) {
    if (!ctx.view) return;
    if (!resultParts.heading || !result.contains(resultParts.heading)) {
      buildResultSkeleton();
      force = true;
    }
    const score = model.get("score");
    const rubric = ctx.view.rubric;
    const errors = [...(model.get("errors") || []), ...(model.get("host_messages") || [])];
    if (model.get("host_error")) errors.push(model.get("host_error"));
    const errorText = errors.join("\n");
    if (errorText !== shownErrors) {
      shownErrors = errorText;
      if (errorText) say(errorText, true);
      else alerts.replaceChildren();
    }
    ctx.syncProgress();
    if (!score || !score.band) {
      resultParts.summary.replaceChildren(h("p", { text: "The result appears here as you answer." }));
      renderBar("The result appears as you answer.");
      renderedScore = null;
      ctx.schedulePrintView();
      return;
    }
    // Typing a note rescores to the same result: skip the redraw then.
    const key = JSON.stringify(score);
    if (!force && key === renderedScore) return;
    renderedScore = key;
    const bandTitle = score.band.id ? byId(rubric.bands)[score.band.id].title : "none yet";
    const spoken = ctx.view.subset
      ? `${plural(score.red_flags.filter((f) => f.raised_by.some((id) => ctx.view.subset.includes(id))).length, "red flag")}.`
      : `Band: ${bandTitle}. ${plural(score.red_flags.length, "red flag")}. ${score.completeness.answered + score.completeness.not_applicable} of ${score.completeness.in_scope} answered.`;
    resultParts.live.textContent = spoken;
    renderBar(spoken);
    // Redraw only the parts whose numbers changed (one answer usually moves one theme).
    const parts = {
      summary: [score.band, score.iap2, score.overall, score.completeness],
      flags: [score.red_flags, score.unconfirmed_flags],
      chart: score.themes,
      actions: score.actions,
    };
    for (const [part, value] of Object.entries(parts)) {
      const partKey = JSON.stringify(value);
      if (!force && renderedParts[part] === partKey) continue;
      renderedParts[part] = partKey;
      if (part === "summary") renderSummary(score, rubric);
      else if (part === "flags") renderFlags(score, rubric);
      else if (part === "chart" && !ctx.view.subset) renderChart(score, rubric);
      else if (part === "actions") renderActions(score, rubric);
    }
    ctx.schedulePrintView();
  }

  function renderBar(text) {
    if (!ctx.summaryBar) return;
    ctx.summaryBar.replaceChildren(
      h("span", { class: "pai-summary-bar-text", text }),
      " ",
      h("a", { href: `#${uid}-result-h`, class: "pai-summary-bar-link", text: ctx.view.subset ? "See the self-check" : "See the full result" }),
    );
  }

  function renderSummary(score, rubric) {
    const bands = byId(rubric.bands);
    const levels = byId(rubric.iap2_levels);
    const parts = [];
    if (ctx.view.subset) {
      const mine = score.contributions.filter((c) => ctx.view.subset.includes(c.criterion));
      const n = mine.filter((c) => c.status !== "unanswered").length;
      parts.push(h("p", { class: "pai-band", text: `${n} of ${mine.length} answered` }));
      parts.push(h("p", { class: "pai-caveat", text: "This self-check covers a few questions only, so it gives no band. The full self-assessment gives one." }));
    } else {
      const band = score.band.id ? bands[score.band.id] : null;
      parts.push(h("p", { class: "pai-band" }, "Band: ", h("span", { class: "pai-band-title", "data-band": score.band.id || "", text: band ? band.title : "none yet" })));
      if (band) parts.push(h("p", { class: "pai-band-meaning", text: band.meaning }));
      if (score.band.low && score.band.high && score.band.low !== score.band.high) {
        parts.push(h("p", { text: `With the unanswered questions, the band could lie anywhere from ${bands[score.band.low].title} to ${bands[score.band.high].title}.` }));
      }
      const level = levels[score.iap2.level];
      parts.push(h("p", {}, "IAP2 level reached: ", h("strong", { class: "pai-iap2", text: level.title }), ` (${level.meaning})`));
      const pct = score.overall.percent === null ? "no answers yet" : `${score.overall.percent}%`;
      parts.push(h("p", { class: "pai-points", text: `Points on answered questions: ${score.overall.earned} of ${score.overall.answered_max} (${pct}).` }));
      parts.push(h("p", { class: "pai-confidence", text: `Confidence: ${UI.confidence[score.completeness.confidence]}` }));
    }
    resultParts.summary.replaceChildren(...parts);
  }

  function renderFlags(score, rubric) {
    const flags = byId(rubric.red_flags);
    const bands = byId(rubric.bands);
    const criteria = byId(rubric.criteria);
    const inView = (ids) => !ctx.view.subset || ids.some((id) => ctx.view.subset.includes(id));
    const raised = score.red_flags.filter((f) => inView(f.raised_by));
    const unconfirmed = score.unconfirmed_flags.filter((f) => inView(f.unanswered));
    resultParts.flags.className = `pai-flags${raised.length ? "" : " pai-none"}`;
    const items = raised.map((f) =>
      h(
        "li",
        { "data-flag": f.id },
        h("strong", { text: flags[f.id].title }),
        ctx.view.subset ? "" : ` (caps the band at ${bands[f.cap].title})`,
        ". ",
        flags[f.id].meaning,
        " Raised by: ",
        f.raised_by.map((cid) => criteria[cid].question).join(" / "),
        " ",
        linkTo(f.explained_in, "What to do: "),
      ),
    );
    // replaceChildren writes null as the text "null": optional parts are left out, not passed as null.
    const parts = [
      h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: raised.length ? `Red flags (${raised.length})` : "Red flags: none raised" }),
      raised.length ? h("ul", {}, items) : h("p", { text: "No answer given so far raises a red flag." }),
    ];
    if (unconfirmed.length) {
      parts.push(h("p", { class: "pai-unconfirmed", text: `Not yet checked, because a guardrail question is unanswered: ${unconfirmed.map((f) => flags[f.id].title).join("; ")}.` }));
    }
    resultParts.flags.replaceChildren(...parts);
  }

  function renderChart(score, rubric) {
    const themes = byId(rubric.themes);
    const rows = score.themes.filter((t) => t.answered + t.unanswered + t.not_applicable > 0);
    const rowH = 34;
    const labelW = 0;
    const width = 320;
    const height = rows.length * rowH + 24;
    const titleId = `${uid}-chart-title`;
    const descId = `${uid}-chart-desc`;
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, focusable: "false" });
    svg.append(s("title", { id: titleId }, "Where does the plan stand in each theme?"));
    svg.append(
      s(
        "desc",
        { id: descId },
        `Bar chart: percent of points earned on answered questions, per theme. ${rows.map((t) => `${themes[t.id].title}: ${t.percent === null ? "no answers" : `${t.percent}%`}`).join("; ")}.`,
      ),
    );
    rows.forEach((t, i) => {
      const y = i * rowH;
      svg.append(s("text", { x: labelW, y: y + 11 }, themes[t.id].title.length > 48 ? `${themes[t.id].title.slice(0, 46)}…` : themes[t.id].title));
      svg.append(s("rect", { class: "pai-track", x: labelW, y: y + 15, width: width - 50, height: 12, rx: 2 }));
      const pct = t.percent ?? 0;
      svg.append(s("rect", { class: "pai-bar", x: labelW, y: y + 15, width: ((width - 50) * pct) / 100, height: 12, rx: 2 }));
      svg.append(s("text", { x: width - 44, y: y + 26 }, t.percent === null ? "–" : `${t.percent}%`));
    });
    svg.append(s("text", { x: 0, y: height - 4 }, "Percent of points on answered questions (0–100%)"));
    const table = h(
      "table",
      {},
      h("caption", { text: "Points per theme" }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Theme" }), h("th", { scope: "col", text: "Points" }), h("th", { scope: "col", text: "Percent" }), h("th", { scope: "col", text: "Answered" }))),
      h(
        "tbody",
        {},
        rows.map((t) =>
          h(
            "tr",
            {},
            h("th", { scope: "row", text: themes[t.id].title }),
            h("td", { text: `${t.earned}/${t.answered_max}` }),
            h("td", { text: t.percent === null ? "–" : `${t.percent}%` }),
            h("td", { text: `${t.answered}/${t.answered + t.unanswered + t.not_applicable}` }),
          ),
        ),
      ),
    );
    resultParts.chart.replaceChildren(h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Profile by theme" }), svg, h("details", {}, h("summary", { text: "The same numbers as a table" }), table));
  }

  // An owner and a date for a next step, kept in the file's `actions` (the report and the room view list them).
  function setOwned(cid, patch) {
    const next = clone(ctx.getAssessment());
    const list = (Array.isArray(next.actions) ? next.actions : []).filter((x) => x.criterion !== cid);
    const old = (ctx.getAssessment().actions || []).find((x) => x.criterion === cid) || {};
    const entry = { criterion: cid, owner: old.owner || "", due: old.due || "", ...patch };
    if (entry.owner.trim() || entry.due) list.push(entry);
    if (list.length) next.actions = list;
    else delete next.actions;
    ctx.commit(next);
  }

  function ownedFields(cid) {
    const entry = (ctx.getAssessment().actions || []).find((x) => x.criterion === cid) || {};
    const owner = h("input", { type: "text", id: `${uid}-${cid}-owner`, maxlength: "200", value: entry.owner || "",
      oninput: () => setOwned(cid, { owner: owner.value }) });
    const due = h("input", { type: "date", id: `${uid}-${cid}-due`, value: entry.due || "",
      onchange: () => setOwned(cid, { due: due.value }) });
    return h("span", { class: "pai-owned" },
      h("label", { for: owner.id, text: "Owner" }), " ", owner, " ", h("label", { for: due.id, text: "by" }), " ", due);
  }

  function renderActions(score, rubric) {
    const criteria = byId(rubric.criteria);
    const actions = score.actions.filter((a) => !ctx.view.subset || ctx.view.subset.includes(a.criterion));
    const item = (a) =>
      h(
        "li",
        { "data-criterion": a.criterion, "data-kind": a.kind },
        h("span", { text: nextStepText(criteria[a.criterion], a) }),
        " ",
        h("span", { class: "pai-who", text: `(who: ${a.who}; ${UI.actionKinds[a.kind]}${a.target_level !== null ? `, to level ${a.target_level}` : ""})` }),
        h("br"),
        ownedFields(a.criterion),
        h("br"),
        h("a", { href: `#${uid}-${a.criterion}`, class: "pai-goto", text: `Go to the question: ${criteria[a.criterion].question}` }),
        " ",
        linkTo(a.explained_in),
      );
    const top = actions.slice(0, 5);
    const rest = actions.slice(5);
    const parts = [
      h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Next steps" }),
      actions.length ? h("ol", {}, top.map(item)) : h("p", { text: "No next step: every question is at its highest level or does not apply." }),
    ];
    if (rest.length) parts.push(moreSteps(rest, item));
    resultParts.actions.replaceChildren(...parts);
  }

  function moreSteps(rest, item) {
    // Drawn when opened: most people read the first five, and every answer redraws this panel.
    const list = h("ol", { start: 6 });
    const details = h("details", { class: "pai-more-steps" }, h("summary", { text: `${rest.length} more steps` }), list);
    const fill = () => {
      if (details.open && !list.childElementCount) list.append(...rest.map(item));
    };
    details.open = moreStepsOpen;
    fill();
    details.addEventListener("toggle", () => {
      moreStepsOpen = details.open;
      fill();
    });
    return details;
  }

  return { syncScore, resultParts };
}
