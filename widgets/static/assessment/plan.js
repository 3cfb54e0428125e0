// The plan's context questions and its participant groups (rubric 2.0), part of the self-assessment
// front-end (widgets/static/assessment.js puts the parts together; form.js places them above the
// questions). Context answers are radio groups; the groups editor adds, renames and removes a group
// and sets its role. Nothing typed is lost: a removed group's answers move into the notes.

import { h, headingTag } from "../lib/dom.js";
import { MAX_GROUPS } from "./context.js";
import { planContext, planGroups } from "./file.js";

/** The context and groups fieldsets of one assessment; returns { element, sync }. */
export function createPlanSetup(ctx) {
  const { uid, say } = ctx;
  const contextRadios = new Map(); // "question:option" -> input
  const groupList = h("ul", { class: "pai-group-list" });
  const rows = new Map(); // group id -> { label input, role select, row }

  function roleSelect(id, value, rubric, onchange) {
    return h(
      "select",
      { id, onchange },
      (rubric.group_roles || []).map((r) => h("option", { value: r.id, text: r.title, selected: r.id === value })),
    );
  }

  function buildContext(rubric) {
    contextRadios.clear();
    return (rubric.context || []).map((q) => {
      const legendId = `${uid}-ctx-${q.id}-q`;
      return h(
        "fieldset",
        { class: "pai-context-question", id: `${uid}-ctx-${q.id}` },
        h("legend", { id: legendId, text: q.question }),
        h(
          "div",
          { class: "pai-levels" },
          q.options.map((o) => {
            const input = h("input", {
              type: "radio",
              name: `${uid}-ctx-${q.id}`,
              value: o.id,
              id: `${uid}-ctx-${q.id}-${o.id}`,
              onchange: () => ctx.updateContext(q.id, o.id),
            });
            contextRadios.set(`${q.id}:${o.id}`, input);
            return h(
              "label",
              { class: "pai-level", for: input.id },
              input,
              h("span", {}, h("span", { class: "pai-level-name", text: o.title }), " ", h("span", { text: o.meaning })),
            );
          }),
        ),
      );
    });
  }

  function buildGroups(rubric) {
    const newLabel = h("input", { type: "text", id: `${uid}-new-group`, maxlength: "200", autocomplete: "off" });
    const newRole = roleSelect(`${uid}-new-group-role`, "participants", rubric);
    const add = () => {
      const id = ctx.addGroup(newLabel.value, newRole.value);
      if (id === null) {
        say(planGroups(ctx.getAssessment()).length >= MAX_GROUPS
          ? `A plan can declare at most ${MAX_GROUPS} groups.`
          : "Give the group a name first (for example “Tenants' panel”).", true);
        newLabel.focus();
        return;
      }
      ctx.alerts.replaceChildren();
      say(`Added the group “${newLabel.value.trim()}”.`);
      newLabel.value = "";
      newRole.value = "participants";
      newLabel.focus();
    };
    newLabel.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        add();
      }
    });
    const roles = h(
      "details",
      { class: "pai-roles" },
      h("summary", { text: "What the roles mean" }),
      h("dl", {}, (rubric.group_roles || []).flatMap((r) => [h("dt", { text: r.title }), h("dd", { text: r.meaning })])),
    );
    return h(
      "fieldset",
      { class: "pai-groups", id: `${uid}-groups` },
      h("legend", { text: "Participant groups (optional)" }),
      h("p", {
        class: "pai-caveat",
        text: "Declare the groups your plan involves when they are treated differently (a paid governance panel beside wider participants, data workers). Questions about pay, consent, safety and power are then answered per group; the result shows each group.",
      }),
      groupList,
      h(
        "div",
        { class: "pai-group-new" },
        h("div", { class: "pai-field" }, h("label", { for: newLabel.id, text: "New group's name" }), newLabel),
        h("div", { class: "pai-field" }, h("label", { for: newRole.id, text: "Its role" }), newRole),
        h("button", { type: "button", class: "pai-add-group", onclick: add }, "Add group"),
      ),
      roles,
    );
  }

  function groupRow(g, rubric) {
    const label = h("input", { type: "text", id: `${uid}-group-${g.id}-label`, maxlength: "200", value: g.label });
    label.addEventListener("input", () => {
      // A blank name is not saved (the file needs one); the last name stays until a new one is typed.
      if (label.value.trim()) ctx.renameGroup(g.id, label.value);
    });
    const role = roleSelect(`${uid}-group-${g.id}-role`, g.role, rubric, () => {
      const moved = ctx.setGroupRole(g.id, role.value);
      if (moved.length) say(`The group's answers to ${moved.length} question(s) that no longer ask its role were kept in those questions' notes.`);
    });
    const remove = h(
      "button",
      {
        type: "button",
        class: "pai-remove-group",
        "aria-describedby": label.id,
        onclick: () => {
          const name = rows.get(g.id)?.label.value || g.label;
          const moved = ctx.setGroupRole(g.id, null);
          say(`Removed the group “${name}”.` + (moved.length ? ` Its answers to ${moved.length} question(s) were kept, word for word, in those questions' notes.` : ""));
          document.getElementById(`${uid}-new-group`)?.focus();
        },
      },
      "Remove group",
    );
    const row = h(
      "li",
      { class: "pai-group", "data-group": g.id },
      h("div", { class: "pai-field" }, h("label", { for: label.id, text: "Group's name" }), label),
      h("div", { class: "pai-field" }, h("label", { for: role.id, text: "Role" }), role),
      remove,
    );
    rows.set(g.id, { label, role, row });
    return row;
  }

  let element = null;
  function build(rubric) {
    rows.clear();
    groupList.replaceChildren();
    element = h(
      "section",
      { class: "pai-plan-setup", "aria-labelledby": `${uid}-setup-h` },
      h(headingTag(ctx.headingLevel), { class: "pai-theme-title", id: `${uid}-setup-h`, text: "The kind of plan" }),
      h("p", { class: "pai-caveat", text: "These questions carry no points: they decide which questions apply and how the answers are read." }),
      ...buildContext(rubric),
      buildGroups(rubric),
    );
    return element;
  }

  function setValue(control, text) {
    if (control.value !== text && document.activeElement !== control) control.value = text;
  }

  function sync(rubric, assessment) {
    const context = planContext(rubric, assessment);
    for (const [key, input] of contextRadios) {
      const [q, o] = key.split(":");
      const checked = context[q] === o;
      if (input.checked !== checked) input.checked = checked;
    }
    const groups = planGroups(assessment);
    const ids = groups.map((g) => g.id);
    for (const [id, row] of rows) {
      if (!ids.includes(id)) {
        row.row.remove();
        rows.delete(id);
      }
    }
    for (const g of groups) {
      if (!rows.has(g.id)) groupList.append(groupRow(g, rubric));
      const row = rows.get(g.id);
      setValue(row.label, g.label);
      setValue(row.role, g.role);
    }
    // The file's order; nodes move only when it differs (moving a node takes the focus from it).
    const shown = [...groupList.children].map((li) => li.dataset.group);
    if (shown.join("\n") !== ids.join("\n")) for (const id of ids) groupList.append(rows.get(id).row);
    groupList.hidden = !groups.length;
  }

  return { build, sync };
}
