"""A workshop room at a glance: many saved assessments, several raters per team, one or more rounds.

A facilitator collects the assessment files of a room (each member of each team fills in the
self-assessment independently; the optional ``rater`` and ``round`` fields of the file say who
and when) and :func:`room_summary` puts them side by side: a teams x themes table, the spread
between the raters of each team, the criteria where raters differ most (where the debrief
starts), red flags across the room, the criteria where the room is weakest, and the change from
a team's first to its last round. Team and rater names can be replaced by neutral labels.

The same summary is computed in the browser by ``widgets/static/room-summary.js`` (the static
room view) and must match this module number for number: every mean is rounded half up from
integers, as in the scorer. The book's Workshops part explains how to use it in a debrief
(``book/workshops/``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from ._assessment import Assessment, AssessmentError, Problem, load_assessment
from ._text import csv_text, escape_markdown as md_escape, json_dumps_safe, strip_controls as clean
from ._scoring import Rubric, Score, load_rubric, score_plan

SUMMARY_FORMAT = "pai-room-summary"
SUMMARY_FORMAT_VERSION = 1
#: File types a folder is searched for.
ASSESSMENT_SUFFIXES = (".json", ".yaml", ".yml")
#: A within-team spread of this many levels or more counts as a wide disagreement.
WIDE_SPREAD = 2


@dataclass(frozen=True)
class Rating:
    """One rater's assessment of one team's plan, in one round, with its score."""

    team: str
    rater: str
    round: int
    file: str
    assessment: Assessment
    score: Score


def _file_name(source: str) -> str:
    # Only the name, never the folder: the browser sees no more than that, and folders can name people.
    return PurePath(str(source).replace("\\", "/")).name


def rating_of(assessment: Assessment, rubric: Rubric | None = None) -> Rating:
    """Score one loaded assessment and name its team, rater and round.

    The rater is the file's ``rater`` field, else its ``assessor``, else the file name.
    """
    file = _file_name(assessment.source)
    rater = assessment.rater or assessment.assessor or file
    return Rating(assessment.team, rater, assessment.round or 1, file, assessment,
                  score_plan(assessment, rubric))


def _expand(sources) -> list:
    if isinstance(sources, (str, Path)):
        sources = [sources]
    items: list = []
    for src in sources:
        if isinstance(src, (str, Path)) and Path(src).is_dir():
            found = sorted(p for p in Path(src).iterdir() if p.is_file() and p.suffix.lower() in ASSESSMENT_SUFFIXES)
            if not found:
                raise AssessmentError([Problem(str(src), "(folder)", "at least one assessment file (.json, .yaml or .yml)",
                                               "none")])
            items.extend(found)
        else:
            items.append(src)
    return items


def load_room(sources: str | Path | Iterable[Any], rubric: Rubric | None = None) -> list[Rating]:
    """Load and score every assessment of a room: a folder, or a list of files, folders,
    loaded :class:`Assessment` objects or dicts in the file format.

    Every problem in every file is reported at once (:class:`AssessmentError`); so is the same
    team, rater and round appearing in two files, which would count one person twice.
    """
    ratings: list[Rating] = []
    problems: list[Problem] = []
    for item in _expand(sources):
        try:
            a = item if isinstance(item, Assessment) else load_assessment(item, rubric)
        except AssessmentError as err:
            problems.extend(err.problems)
            continue
        ratings.append(rating_of(a, rubric))
    seen: dict[tuple, str] = {}
    for r in ratings:
        key = (r.team, r.rater, r.round)
        if key in seen:
            problems.append(Problem(r.file, "rater", f"one file per team, rater and round, but {seen[key]!r} "
                                    f"has the same team, rater and round {r.round}; give each rater's file its own "
                                    "`rater` (or `round`)", repr(clean(r.rater))))
        else:
            seen[key] = r.file
    if problems:
        raise AssessmentError(problems)
    if not ratings:
        raise AssessmentError([Problem("(room)", "files", "at least one assessment file", "none")])
    return ratings


# --------------------------------------------------------------------------- integer rounding


def _mean_tenths(values: list[int]) -> float | None:
    """Mean of values given in tenths, rounded half up to a tenth (integer arithmetic)."""
    n = len(values)
    return None if n == 0 else ((2 * sum(values) + n) // (2 * n)) / 10


def _mean_hundredths(values: list[int]) -> float | None:
    """Mean of integers, rounded half up to two decimals (integer arithmetic)."""
    n = len(values)
    return None if n == 0 else ((200 * sum(values) + n) // (2 * n)) / 100


def _tenths(percent: float | None) -> int | None:
    return None if percent is None else round(percent * 10)


def _stats(percents: list[float | None]) -> dict:
    t = [_tenths(p) for p in percents if p is not None]
    if not t:
        return {"mean": None, "min": None, "max": None, "spread": None, "n": 0}
    return {"mean": _mean_tenths(t), "min": min(t) / 10, "max": max(t) / 10, "spread": (max(t) - min(t)) / 10,
            "n": len(t)}


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


# --------------------------------------------------------------------------- the summary


def room_summary(ratings: Iterable[Rating], *, anonymise: bool = False, rubric: Rubric | None = None) -> dict:
    """The room summary as plain JSON data (the format the page, the notebook and the CLI share).

    Figures per team come from the team's latest round; ``changes`` compares each team's first
    and last rounds. With ``anonymise=True`` teams become "Team A", "Team B" ... (in the order of
    their names) and raters "Rater 1", "Rater 2" ... within each team; products, file names and
    all free text are left out.
    """
    ratings = list(ratings)
    rubric = rubric or (ratings[0].score.rubric if ratings else load_rubric())
    criteria = rubric.criteria
    theme_ids = list(rubric.themes)
    team_names = sorted({r.team for r in ratings})
    team_label = {t: (f"Team {_letters(i)}" if anonymise else t) for i, t in enumerate(team_names)}
    rater_label: dict[tuple[str, str], str] = {}
    for t in team_names:
        for j, name in enumerate(sorted({r.rater for r in ratings if r.team == t})):
            rater_label[(t, name)] = f"Rater {j + 1}" if anonymise else name

    teams, disagreement_rows, changes = [], {c.id: [] for c in criteria}, []
    flag_teams: dict[str, list[str]] = {}
    flag_ratings: dict[str, int] = {}
    level_pool: dict[str, list[int]] = {c.id: [] for c in criteria}
    widest = []
    for t in team_names:
        mine = [r for r in ratings if r.team == t]
        rounds = sorted({r.round for r in mine})
        latest = [r for r in mine if r.round == rounds[-1]]
        latest.sort(key=lambda r: rater_label[(t, r.rater)])
        label = team_label[t]
        team: dict[str, Any] = {"team": label}
        if not anonymise:
            team["products"] = sorted({r.assessment.product for r in mine})
        team["rounds"] = rounds
        team["latest_round"] = rounds[-1]
        team["raters"] = len(latest)
        team["overall"] = _stats([r.score.overall.percent for r in latest])
        team["themes"] = {tid: _stats([r.score.theme(tid).percent for r in latest]) for tid in theme_ids}
        bands: dict[str, int] = {}
        for r in latest:
            key = r.score.band_id or "none"
            bands[key] = bands.get(key, 0) + 1
        team["bands"] = dict(sorted(bands.items()))
        raised: dict[str, int] = {}
        for r in latest:
            for f in r.score.flag_ids:
                raised[f] = raised.get(f, 0) + 1
        team["red_flags"] = [{"id": f, "raters": raised[f]} for f in rubric.red_flags if f in raised]
        for f in raised:
            flag_teams.setdefault(f, []).append(label)
            flag_ratings[f] = flag_ratings.get(f, 0) + raised[f]
        team["ratings"] = []
        for r in sorted(mine, key=lambda r: (r.round, rater_label[(t, r.rater)])):
            entry = {"rater": rater_label[(t, r.rater)], "round": r.round, "overall": r.score.overall.percent,
                     "band": r.score.band_id, "red_flags": list(r.score.flag_ids)}
            if not anonymise:
                entry["file"] = r.file
            team["ratings"].append(entry)
        # Per criterion, the levels of this team's raters in the latest round.
        by_rater = [(rater_label[(t, r.rater)], {c[0]: c for c in r.score.contributions}) for r in latest]
        for c in criteria:
            levels = []
            for name, contrib in by_rater:
                row = contrib.get(c.id)
                if row is None:
                    continue
                status, level = row.status, row.level
                levels.append({"rater": name, "level": level if status == "answered" else
                               ("n/a" if status == "not-applicable" else None)})
            ints = [x["level"] for x in levels if type(x["level"]) is int]
            level_pool[c.id].extend(ints)
            if len(ints) >= 2:
                spread = max(ints) - min(ints)
                disagreement_rows[c.id].append({"team": label, "spread": spread, "levels": levels})
                if spread >= 1:
                    widest.append({"team": label, "criterion": c.id, "theme": c.theme, "spread": spread,
                                   "levels": levels, "_index": c.index})
        if len(rounds) >= 2:
            first = [r for r in mine if r.round == rounds[0]]
            change = {"team": label, "from_round": rounds[0], "to_round": rounds[-1]}

            def delta(get):
                a = _stats([get(r) for r in first])["mean"]
                b = _stats([get(r) for r in latest])["mean"]
                return {"from": a, "to": b, "change": None if a is None or b is None else (_tenths(b) - _tenths(a)) / 10}

            change["overall"] = delta(lambda r: r.score.overall.percent)
            change["themes"] = {tid: delta(lambda r, tid=tid: r.score.theme(tid).percent) for tid in theme_ids}
            changes.append(change)
        teams.append(team)

    disagreement = []
    for c in criteria:
        rows = disagreement_rows[c.id]
        if not rows:
            continue
        spreads = [row["spread"] for row in rows]
        disagreement.append({
            "criterion": c.id, "theme": c.theme, "max_spread": max(spreads),
            "teams_wide": sum(1 for s in spreads if s >= WIDE_SPREAD), "mean_spread": _mean_hundredths(spreads),
            "teams": len(rows), "by_team": sorted(rows, key=lambda row: (-row["spread"], row["team"])), "_index": c.index,
        })
    disagreement.sort(key=lambda d: (-d["max_spread"], -d["teams_wide"], -d["mean_spread"], d["_index"]))
    widest.sort(key=lambda w: (-w["spread"], w["team"], w["_index"]))
    weakest = []
    for c in criteria:
        pool = level_pool[c.id]
        if pool:
            weakest.append({"criterion": c.id, "theme": c.theme, "mean_level": _mean_hundredths(pool),
                            "ratings": len(pool), "at_or_below_1": sum(1 for x in pool if x <= 1), "_index": c.index})
    weakest.sort(key=lambda w: (w["mean_level"], w["_index"]))
    for row in (*disagreement, *widest, *weakest):
        row.pop("_index")
    actions = []
    for r in ratings:
        for act in r.assessment.actions:
            if not (act.get("owner") or act.get("due")):
                continue
            entry = {"team": team_label[r.team], "rater": rater_label[(r.team, r.rater)], "round": r.round,
                     "criterion": act["criterion"], "due": act.get("due") or None}
            # An owner is a person's name: with labels, say only whether one was named.
            entry["owner"] = ("named" if act.get("owner") else None) if anonymise else (act.get("owner") or None)
            actions.append(entry)
    actions.sort(key=lambda x: (x["team"], x["round"], x["rater"], x["due"] or "9999", x["criterion"]))
    return {
        "format": SUMMARY_FORMAT,
        "format_version": SUMMARY_FORMAT_VERSION,
        "rubric": {"id": rubric.id, "version": rubric.version},
        "anonymised": bool(anonymise),
        "counts": {"files": len(ratings), "teams": len(teams), "ratings_latest": sum(t["raters"] for t in teams),
                   "teams_with_rounds": len(changes)},
        "themes": [{"id": tid, "title": rubric.themes[tid]["title"]} for tid in theme_ids],
        "teams": teams,
        "disagreement": disagreement,
        "widest": widest,
        "red_flags": [{"id": f, "title": rubric.red_flags[f]["title"], "teams": flag_teams[f], "ratings": flag_ratings[f]}
                      for f in rubric.red_flags if f in flag_teams],
        "weakest": weakest,
        "changes": changes,
        "actions": actions,
    }


# --------------------------------------------------------------------------- exports


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def _signed(value) -> str:
    return "n/a" if value is None else f"{value:+.1f}"


def _title(summary: Mapping, kind: str, key: str, rubric: Rubric) -> str:
    if kind == "theme":
        return rubric.themes[key]["title"]
    return rubric.by_id[key].question


def room_markdown(summary: Mapping, *, top: int = 10, rubric: Rubric | None = None) -> str:
    """The room summary as Markdown for the debrief (user text escaped)."""
    rubric = rubric or load_rubric(summary["rubric"]["version"])
    themes = summary["themes"]
    c = summary["counts"]
    out = ["# Room summary", "",
           f"{c['files']} assessment files, {c['teams']} teams, {c['ratings_latest']} ratings in the latest rounds"
           + (" (names replaced by labels)." if summary["anonymised"] else "."), "",
           "Scores are evidence for a conversation, never a ranking of teams.", "",
           "## Teams and themes (mean of the raters, latest round; spread in brackets)", ""]
    head = ["Team", "Raters", "Overall"] + [md_escape(t["title"]) for t in themes]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for t in summary["teams"]:
        cells = [md_escape(t["team"]), str(t["raters"]), _cell(t["overall"])]
        cells += [_cell(t["themes"][th["id"]]) for th in themes]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "## Where raters differ most (start the debrief here)", ""]
    if summary["disagreement"]:
        out += ["| Criterion | Theme | Widest spread | Teams with a spread of 2 or more | Mean spread |", "|---|---|---|---|---|"]
        for d in summary["disagreement"][:top]:
            out.append(f"| {md_escape(_title(summary, 'criterion', d['criterion'], rubric))} ({d['criterion']}) | "
                       f"{md_escape(_title(summary, 'theme', d['theme'], rubric))} | {d['max_spread']} | "
                       f"{d['teams_wide']} of {d['teams']} | {d['mean_spread']:.2f} |")
        out += ["", "Widest disagreements within one team:", ""]
        for w in summary["widest"][:top]:
            levels = ", ".join(f"{md_escape(x['rater'])}: {_level(x['level'])}" for x in w["levels"])
            out.append(f"- {md_escape(w['team'])}, {w['criterion']}: spread {w['spread']} ({levels})")
    else:
        out.append("No team has two or more raters who answered the same question.")
    out += ["", "## Red flags across the room", ""]
    if summary["red_flags"]:
        for f in summary["red_flags"]:
            out.append(f"- {md_escape(f['title'])} ({f['id']}): {len(f['teams'])} teams "
                       f"({', '.join(md_escape(x) for x in f['teams'])}), raised by {f['ratings']} ratings")
    else:
        out.append("No rater raised a red flag.")
    out += ["", "## Where the room is weakest (mean level, 0 to 3)", ""]
    for w in summary["weakest"][:top]:
        out.append(f"- {md_escape(_title(summary, 'criterion', w['criterion'], rubric))} ({w['criterion']}): "
                   f"{w['mean_level']:.2f} over {w['ratings']} ratings, {w['at_or_below_1']} at level 0 or 1")
    out += ["", "## Change between rounds", ""]
    if summary["changes"]:
        head = ["Team", "Rounds", "Overall"] + [md_escape(t["title"]) for t in themes]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for ch in summary["changes"]:
            cells = [md_escape(ch["team"]), f"{ch['from_round']} to {ch['to_round']}", _change(ch["overall"])]
            cells += [_change(ch["themes"][th["id"]]) for th in themes]
            out.append("| " + " | ".join(cells) + " |")
    else:
        out.append("No team has more than one round.")
    out += ["", "## Actions that leave the room (owner and date)", ""]
    if summary["actions"]:
        out += ["| Team | Rater | Round | Criterion | Owner | By |", "|---|---|---|---|---|---|"]
        for x in summary["actions"]:
            out.append(f"| {md_escape(x['team'])} | {md_escape(x['rater'])} | {x['round']} | {x['criterion']} | "
                       f"{md_escape(x['owner'] or 'not named')} | {x['due'] or 'no date'} |")
    else:
        out.append("No next step has an owner or a date yet.")
    return "\n".join(out) + "\n"


def _cell(stats: Mapping) -> str:
    if stats["mean"] is None:
        return "n/a"
    return f"{stats['mean']:.1f} % ({stats['spread']:.1f})" if stats["n"] > 1 else f"{stats['mean']:.1f} %"


def _change(d: Mapping) -> str:
    return "n/a" if d["change"] is None else f"{_pct(d['from'])} to {_pct(d['to'])} ({_signed(d['change'])})"


def _level(level) -> str:
    return "unanswered" if level is None else str(level)


CSV_FIELDS = ("section", "team", "round", "item", "mean", "min", "max", "spread", "n", "rater", "owner", "due")


def _n(value):
    # Whole numbers written without ".0", as JavaScript writes them, so the page's CSV is the same text.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def room_csv(summary: Mapping) -> str:
    """The room summary as one long CSV table (one row per figure; safe to open in a spreadsheet)."""
    rows: list[list] = [list(CSV_FIELDS)]

    def row(section, team, rnd, item, *numbers):
        cells = [section, team, rnd, item, *(_n(x) for x in numbers)]
        rows.append(cells + [None] * (len(CSV_FIELDS) - len(cells)))

    for t in summary["teams"]:
        for item, s in [("overall", t["overall"]), *t["themes"].items()]:
            row("team-theme", t["team"], t["latest_round"], item, s["mean"], s["min"], s["max"], s["spread"], s["n"])
    for d in summary["disagreement"]:
        for b in d["by_team"]:
            ints = [x["level"] for x in b["levels"] if type(x["level"]) is int]
            row("disagreement", b["team"], None, d["criterion"], None, min(ints), max(ints), b["spread"], len(ints))
    for f in summary["red_flags"]:
        for team in f["teams"]:
            row("red-flag", team, None, f["id"], None, None, None, None, None)
    for w in summary["weakest"]:
        row("weakest", None, None, w["criterion"], w["mean_level"], None, None, None, w["ratings"])
    for ch in summary["changes"]:
        for item, d in [("overall", ch["overall"]), *ch["themes"].items()]:
            row("change", ch["team"], f"{ch['from_round']} to {ch['to_round']}", item, d["change"], d["from"], d["to"],
                None, None)
    for x in summary["actions"]:
        rows.append(["action", x["team"], x["round"], x["criterion"], None, None, None, None, None, x["rater"], x["owner"],
                     x["due"]])
    return csv_text(rows)


def room_report(summary: Mapping, fmt: str = "md") -> str:
    """The room summary as Markdown (``md``), CSV (``csv``) or JSON (``json``)."""
    if fmt == "json":
        return json_dumps_safe(summary, indent=2) + "\n"
    if fmt == "csv":
        return room_csv(summary)
    if fmt == "md":
        return room_markdown(summary)
    raise ValueError(f"unknown room summary format {fmt!r}; choose md, csv or json")


def compare_room(sources, *, anonymise: bool = False, fmt: str = "md") -> str:
    """Load a room's files (a folder or a list) and return the summary in ``fmt``: the CLI's
    ``python -m widgets compare --room``."""
    return room_report(room_summary(load_room(sources), anonymise=anonymise), fmt)


# --------------------------------------------------------------------------- the notebook widget


def _ratings_from_files(files: list[Mapping]) -> list[Rating]:
    """Files as the front-end sends them ([{name, data}]) to ratings, naming each file in errors."""
    from dataclasses import replace

    items = []
    problems: list[Problem] = []
    for f in files:
        name = _file_name(f.get("name", "<file>"))
        try:
            items.append(replace(load_assessment(f.get("data")), source=name))
        except AssessmentError as err:
            problems.extend(replace(p, file=name) for p in err.problems)
    if problems:
        raise AssessmentError(problems)
    return load_room(items)


def room_widget(sources=None, *, anonymise: bool = True):
    """The room view in a notebook: the site's front-end (``widgets/static/room.js``) over the
    kernel, which computes the summary with :func:`room_summary`. Pass a folder or a list of
    files to start with; more can be dropped on the widget. ``.summary`` holds the result."""
    import traitlets

    from ._frontend import anywidget_base

    class RoomWidget(anywidget_base("room.js", css="room.css")):
        rubric = traitlets.Dict().tag(sync=True)
        room_files = traitlets.List().tag(sync=True)
        room_notes = traitlets.List().tag(sync=True)
        anonymise = traitlets.Bool(True).tag(sync=True)
        summary = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
        room_problems = traitlets.List().tag(sync=True)
        room_exports = traitlets.Dict().tag(sync=True)

        @traitlets.observe("room_files", "anonymise")
        def _recompute(self, _change=None):
            self.summary, self.room_problems, self.room_exports = None, [], {}
            if not self.room_files:
                return
            try:
                ratings = _ratings_from_files(self.room_files)
            except AssessmentError as err:
                self.room_problems = [clean(str(p)) for p in err.problems]
                return
            summary = room_summary(ratings, anonymise=self.anonymise)
            self.room_exports = {fmt: room_report(summary, fmt) for fmt in ("md", "csv", "json")}
            self.summary = summary

    rubric = load_rubric()
    files = []
    if sources is not None:
        for path in _expand(sources):
            a = load_assessment(path)
            files.append({"name": _file_name(a.source), "data": a.to_dict()})
    w = RoomWidget(rubric=json.loads(json.dumps(dict(rubric.data))), anonymise=anonymise)
    w.room_files = files
    return w
