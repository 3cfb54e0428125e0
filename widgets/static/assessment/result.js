// The result panel (band, flags, theme chart, next steps), part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).

import { h, headingTag, plural, s } from "../lib/dom.js";
import { isPartial, nextStepText } from "../lib/report.js";
import { byId, clone, UI } from "./file.js";

/** The result panel of one assessment, drawn into ctx.result; returns syncScore and its parts. */
export function createResult(ctx) {
  const { model, uid, result, alerts, say, linkTo, getAssessment } = ctx;
  let shownErrors = "";
  let moreStepsOpen = false;
  let unconfirmedOpen = false; // the list of flags not checked yet stays open across redraws

  const resultParts = {};

  function buildResultSkeleton() {
    resultParts.heading = h(headingTag(ctx.headingLevel), { class: "pai-result-title", id: `${uid}-result-h`, text: ctx.view.subset ? "Your self-check" : "Your result" });
    resultParts.summary = h("div", { class: "pai-summary" });
    // A short spoken update after each answer; the full panel is there to read at will.
    resultParts.live = h("p", { class: "pai-visually-hidden pai-live", role: "status", "aria-live": "polite" });
    resultParts.change = h("div", { class: "pai-change" });
    resultParts.groups = h("div", { class: "pai-groups-result" });
    resultParts.flags = h("div", { class: "pai-flags" });
    resultParts.partly = h("div", { class: "pai-partly" });
    resultParts.chart = h("div", { class: "pai-chart" });
    resultParts.actions = h("div", { class: "pai-actions" });
    // replaceChildren turns null into the text "null", so leave the chart out explicitly.
    const parts = [resultParts.heading, resultParts.live, resultParts.summary];
    if (!ctx.view.subset) parts.push(resultParts.change, resultParts.groups);
    parts.push(resultParts.flags, resultParts.partly);
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
      summary: [score.band, score.iap2, score.overall, score.completeness, score.context],
      change: [score.band, score.what_would_change, getAssessment().groups, score.partly_met],
      groups: [score.groups, score.red_flags, score.partly_met],
      flags: [score.red_flags, score.unconfirmed_flags, getAssessment().groups],
      partly: [score.partly_met, getAssessment().groups],
      chart: score.themes,
      actions: score.actions,
    };
    for (const [part, value] of Object.entries(parts)) {
      const partKey = JSON.stringify(value);
      if (!force && renderedParts[part] === partKey) continue;
      renderedParts[part] = partKey;
      if (part === "summary") renderSummary(score, rubric);
      else if (ctx.view.subset && (part === "change" || part === "groups")) continue;
      else if (part === "change") renderChange(score, rubric);
      else if (part === "groups") renderGroups(score, rubric);
      else if (part === "flags") renderFlags(score, rubric);
      else if (part === "partly") renderPartly(score, rubric);
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
      const why = limitText(score, rubric);
      if (why) parts.push(h("p", { class: "pai-limited-by", text: why }));
      if (score.band.low && score.band.high && score.band.low !== score.band.high) {
        parts.push(h("p", { class: "pai-bounds", text: `With the unanswered questions, the band could lie anywhere from ${bands[score.band.low].title} to ${bands[score.band.high].title}.` }));
      }
      parts.push(ladderList(score, rubric));
      const pct = score.overall.percent === null ? "no answers yet" : `${score.overall.percent}%`;
      parts.push(h("p", { class: "pai-points", text: `Points on answered questions: ${score.overall.earned} of ${score.overall.answered_max} (${pct}).` }));
      parts.push(h("p", { class: "pai-confidence", text: `Confidence: ${UI.confidence[score.completeness.confidence]}` }));
    }
    resultParts.summary.replaceChildren(...parts);
  }

  /** Why the band is where it is (score.band.limited_by), in words. */
  function limitText(score, rubric) {
    const bands = byId(rubric.bands);
    const flags = byId(rubric.red_flags);
    const steps = byId(rubric.iap2_levels);
    const said = [];
    const byFlags = (score.band.limited_by || []).filter((x) => x.kind === "red-flag").map((x) => flags[x.id]?.title || x.id);
    for (const limit of score.band.limited_by || []) {
      if (limit.kind === "context" && limit.id === "no-voice") {
        said.push("Only data workers, data contributors or partners are in the plan's groups, so nobody takes part with a say of their own: no step of the ladder after Inform counts, and it stays in this band.");
      } else if (limit.kind === "context") said.push("The plan informs people and asks nothing of them, so it stays in this band, with no red flag.");
      else if (limit.kind === "ladder") {
        said.push(limit.id === "empower" && score.iap2.level === "empower"
          ? "Every step of the ladder of power is met."
          : `The ladder of power stops here: the step “${steps[limit.id]?.title || limit.id}” is not met.`);
      } else if (limit.kind === "profile") said.push(`The other answers earn under ${score.profile?.low_percent ?? 40}% of their points, which lowers the band by one, to ${bands[limit.id]?.title || limit.id}.`);
    }
    if (byFlags.length === 1) said.push(`A red flag holds the band here: ${byFlags[0]}.`);
    else if (byFlags.length) said.push(`Red flags hold the band here: ${byFlags.join("; ")}.`);
    return said.join(" ");
  }

  /** The ladder of power: each step, met or not, and the IAP2 level it gives. */
  function ladderList(score, rubric) {
    const levels = byId(rubric.iap2_levels);
    const ladder = rubric.band_rules?.ladder || [];
    const met = new Set(score.iap2.steps_met || []);
    const reached = levels[score.iap2.level];
    return h(
      "div",
      { class: "pai-ladder" },
      h("p", {}, "IAP2 level reached: ", h("strong", { class: "pai-iap2", "data-level": score.iap2.level, text: reached ? reached.title : score.iap2.level }),
        reached && reached.meaning ? ` (${reached.meaning})` : ""),
      h(
        "ol",
        { class: "pai-ladder-steps", "aria-label": "The ladder of power, step by step" },
        ladder.map((step) =>
          h("li", { class: met.has(step.step) ? "pai-met" : "pai-unmet", "data-step": step.step },
            h("span", { class: "pai-step-mark", "aria-hidden": "true", text: met.has(step.step) ? "✓ " : "○ " }),
            h("span", { text: levels[step.step]?.title || step.step }),
            h("span", { class: "pai-step-state", text: met.has(step.step) ? ": met" : ": not met" })),
        ),
      ),
    );
  }

  /** A question's text, as a link to it in the form (questions outside the view are plain text). */
  function questionLink(cid, rubric) {
    const c = byId(rubric.criteria)[cid];
    const text = c ? c.question : cid;
    return ctx.controls.has(cid) ? h("a", { href: `#${uid}-${cid}`, class: "pai-goto", text }) : h("span", { text });
  }

  function groupLabel(gid) {
    if (gid === null || gid === undefined) return null;
    const g = (getAssessment().groups || []).find((x) => x.id === gid);
    return g ? g.label : gid;
  }

  function levelName(level, rubric, partial = false) {
    if (level === null || level === undefined) return UI.unanswered.toLowerCase();
    if (level === "n/a") return UI.notApplicable.toLowerCase();
    const lv = rubric.scale.find((x) => x.level === level);
    const part = partial && level === 1 ? ", part of 2" : "";
    return lv ? `${level}${part} (${lv.name})` : `${level}${part}`;
  }

  /**
   * Whether the answer to a question, for a group or for all (gid null), says part of level 2 is
   * in place: a group's own answer, else the answer for all groups, which it then takes.
   */
  function answerPartial(cid, gid) {
    const answer = getAssessment().answers?.[cid];
    const cells = answer?.by_group || {};
    return isPartial(gid && Object.prototype.hasOwnProperty.call(cells, gid) ? cells[gid] : answer);
  }

  /** "What would change my result" and "What holds it down". */
  function renderChange(score, rubric) {
    const bands = byId(rubric.bands);
    const flags = byId(rubric.red_flags);
    const levels = byId(rubric.iap2_levels);
    const change = score.what_would_change;
    if (!change || !score.band.id) {
      resultParts.change.replaceChildren();
      return;
    }
    const parts = [h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", id: `${uid}-change-h`, text: "What would change my result" })];
    if (change.target === null) {
      parts.push(h("p", { text: "This is the top band: no answer would move it higher." }));
    } else if (change.reachable && change.moves.length) {
      const lead = change.moves.length === 1 ? "This answer would" : `These ${change.moves.length} answers together would`;
      parts.push(h("p", { text: `${lead} move the band up to ${bands[change.target].title}:` }));
      parts.push(h("ul", { class: "pai-moves" }, change.moves.map((m) => {
        const who = groupLabel(m.group);
        return h("li", { "data-criterion": m.criterion, "data-group": m.group || "" },
          questionLink(m.criterion, rubric),
          who ? h("span", { class: "pai-move-group", text: ` (for ${who})` }) : "",
          `: from ${levelName(m.from, rubric, answerPartial(m.criterion, m.group))} to ${levelName(m.to, rubric)}.`);
      })));
    } else {
      parts.push(h("p", { text: `No set of answers on this plan's questions reaches ${bands[change.target].title}: it needs a different kind of plan (see what holds it down).` }));
    }
    parts.push(h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "What holds it down" }));
    const holding = change.holding_down || [];
    if (!holding.length) parts.push(h("p", { text: "Nothing holds this result down." }));
    else {
      const metAt = rubric.band_rules?.met_at ?? 2;
      const rules = new Map((rubric.band_rules?.ladder || []).map((s) => [s.step, s.rule]));
      if (holding.some((x) => x.kind === "ladder")) {
        parts.push(h("p", { class: "pai-holding-ladder", text: "The band counts the steps of the ladder that the plan meets: meeting any one more of the steps named below raises it by one band." }));
      }
      parts.push(h("ul", { class: "pai-holding" }, holding.map((x) => {
        const who = groupLabel(x.group);
        if (x.kind === "red-flag") {
          return h("li", { "data-flag": x.id }, `The red flag “${flags[x.id]?.title || x.id}”, raised by `, questionLink(x.criterion, rubric),
            who ? ` for ${who}` : "", ` at ${levelName(x.level, rubric)}.`);
        }
        if (x.kind === "profile") return h("li", { "data-kind": "profile", text: `The other answers earn under ${score.profile?.low_percent ?? 40}% of their points.` });
        const either = rules.get(x.id) === "any" ? " (or another of its questions)" : "";
        return h("li", { "data-step": x.id }, `The ladder step “${levels[x.id]?.title || x.id}” needs `, questionLink(x.criterion, rubric),
          ` at level ${metAt} or more${either}; it is ${levelName(x.level, rubric)}.`);
      })));
    }
    resultParts.change.replaceChildren(...parts);
  }

  /** One row per declared group: its role, whether it holds power, and the flags raised for it. */
  function renderGroups(score, rubric) {
    const groups = score.groups || [];
    if (!groups.length) {
      resultParts.groups.replaceChildren();
      return;
    }
    const roles = byId(rubric.group_roles);
    const flags = byId(rubric.red_flags);
    const criteria = byId(rubric.criteria);
    const perGroup = [...new Set(groups.flatMap((g) => Object.keys(g.levels || {})))];
    const list = h("ul", { class: "pai-groups-list" }, groups.map((g) => h("li", { "data-group": g.id },
      h("strong", { text: g.label }),
      h("span", { class: "pai-role", text: ` (${roles[g.role]?.title || g.role}${roles[g.role]?.holds_power ? ", holds power" : ""})` }),
      ": ",
      g.red_flags.length ? `${plural(g.red_flags.length, "red flag")} raised for this group: ${g.red_flags.map((id) => flags[id]?.title || id).join("; ")}.` : "no red flag raised for this group.")));
    const levelsTable = h("table", { class: "pai-groups-levels" },
      h("caption", { text: "Answers per group" }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Question" }), groups.map((g) => h("th", { scope: "col", text: g.label })))),
      h("tbody", {}, perGroup.map((cid) => h("tr", {},
        h("th", { scope: "row", text: criteria[cid]?.question || cid }),
        groups.map((g) => h("td", { text: cid in (g.levels || {}) ? levelName(g.levels[cid], rubric, answerPartial(cid, g.id)) : "not asked" }))))));
    resultParts.groups.replaceChildren(
      h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Groups" }),
      list,
      h("details", {}, h("summary", { text: "Answers per group" }),
        h("div", { class: "pai-table-scroll", tabindex: "0", role: "region", "aria-label": "Answers per group" }, levelsTable)),
    );
  }

  function renderFlags(score, rubric) {
    const flags = byId(rubric.red_flags);
    const bands = byId(rubric.bands);
    const inView = (ids) => !ctx.view.subset || ids.some((id) => ctx.view.subset.includes(id));
    const raised = score.red_flags.filter((f) => inView(f.raised_by));
    const unconfirmed = score.unconfirmed_flags.filter((f) => inView(f.unanswered));
    resultParts.flags.className = `pai-flags${raised.length ? "" : " pai-none"}`;
    const items = raised.map((f) =>
      h(
        "li",
        { "data-flag": f.id },
        h("strong", { text: flags[f.id].title }),
        ctx.view.subset ? "" : f.limit && f.limit !== f.cap
          ? ` (raised only for groups that hold no power, so it lowers the band to ${bands[f.limit].title} instead of capping it at ${bands[f.cap].title})`
          : ` (caps the band at ${bands[f.cap].title})`,
        ". ",
        flags[f.id].meaning,
        (f.groups || []).length ? h("span", { class: "pai-flag-groups", text: ` Raised for: ${f.groups.map(groupLabel).join(", ")}.` }) : "",
        " Raised by: ",
        f.raised_by.flatMap((cid, i) => [i ? " / " : "", questionLink(cid, rubric)]),
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
      // Early on most guardrail questions are open: a count to read, the list to open.
      const details = h("details", { class: "pai-unconfirmed", open: unconfirmedOpen, ontoggle: () => { unconfirmedOpen = details.open; } },
        h("summary", { text: `${plural(unconfirmed.length, "red flag")} ${unconfirmed.length === 1 ? "is" : "are"} not checked yet, because a guardrail question that would raise ${unconfirmed.length === 1 ? "it" : "them"} is unanswered` }),
        h("ul", {}, unconfirmed.map((f) => h("li", { "data-unconfirmed": f.id, text: flags[f.id].title }))));
      parts.push(details);
    }
    resultParts.flags.replaceChildren(...parts);
  }

  /**
   * The partly-in-place section (its words: ui-labels.json, `partial`): each answer at level 1
   * where the team said part of level 2 is there, the red flags it leaves out on the team's word
   * (for a reviewer to check), and the rest of level 2.
   */
  function renderPartly(score, rubric) {
    const flags = byId(rubric.red_flags);
    const entries = (score.partly_met || []).filter((x) => !ctx.view.subset || ctx.view.subset.includes(x.criterion));
    if (!entries.length) {
      resultParts.partly.replaceChildren();
      return;
    }
    const items = entries.map((x) => {
      const who = groupLabel(x.group);
      const spared = x.flags.map((id) => flags[id]?.title || id);
      return h("li", { "data-criterion": x.criterion, "data-group": x.group || "" },
        questionLink(x.criterion, rubric),
        who ? h("span", { class: "pai-move-group", text: ` (for ${who})` }) : "",
        ": level 1, part of 2.",
        spared.length
          ? h("span", { class: "pai-spared" }, ` Not raised because you said part of level 2 is in place, so a reviewer should check ${spared.length === 1 ? "it" : "them"}: `,
            spared.flatMap((title, i) => [i ? "; " : "", h("strong", { "data-spared": x.flags[i], text: title })]), ".")
          : " No red flag depends on this answer.",
        h("br"),
        h("span", { class: "pai-partly-next", text: `Next step: reach all of level 2: ${x.next_step}` }));
    });
    resultParts.partly.replaceChildren(
      h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", id: `${uid}-partly-h`, text: `${UI.partial.section} (${entries.length})` }),
      h("p", { text: UI.partial.page_intro }),
      h("ul", {}, items),
    );
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
        a.group ? h("span", { class: "pai-action-group", text: ` (for ${groupLabel(a.group)})` }) : "",
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
