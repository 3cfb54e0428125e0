"""Command line for the engagement-plan self-assessment: score, validate, compare, export the rubric.

    python -m widgets score PLAN [--format md|json|html] [--output FILE]
    python -m widgets validate PLAN [PLAN ...]
    python -m widgets compare PLAN [PLAN ...] [--format md|csv|json]
    python -m widgets rubric [--format md|csv|json]

Problems with a user's file are printed as plain messages (file, field, what was expected) and
the command exits with status 1; usage errors exit with status 2. No traceback is shown unless
PAI_DEBUG=1 is set. See the book chapter "The rubric" and widgets/rubric/ASSESSMENT-FORMAT.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default also exits 2, but prints usage; keep it short
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m widgets",
                description="Score an engagement plan against the published rubric. "
                            "A score is evidence for a conversation, never a certificate.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    s = sub.add_parser("score", help="score one assessment file and print a report")
    s.add_argument("plan", metavar="PLAN", help="assessment file (YAML or JSON)")
    s.add_argument("--format", choices=["md", "json", "html"], default="md")
    s.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of the screen")
    v = sub.add_parser("validate", help="check assessment files and list every problem")
    v.add_argument("plans", metavar="PLAN", nargs="+")
    c = sub.add_parser("compare", help="a table of several assessments (teams, or one team over time)")
    c.add_argument("plans", metavar="PLAN", nargs="+")
    c.add_argument("--format", choices=["md", "csv", "json"], default="md")
    c.add_argument("--output", "-o", metavar="FILE")
    r = sub.add_parser("rubric", help="export the rubric for reviewers")
    r.add_argument("--format", choices=["md", "csv", "json"], default="md")
    r.add_argument("--output", "-o", metavar="FILE")
    return p


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _run(args) -> int:
    from ._assessment import AssessmentError, load_assessment
    from ._reports import compare_report, render_report, rubric_export
    from ._text import strip_controls as clean
    from ._scoring import score_plan

    if args.command == "score":
        assessment = load_assessment(args.plan)
        score = score_plan(assessment)
        _emit(render_report(score, assessment, args.format), args.output)
        return 0
    if args.command == "validate":
        status = 0
        for plan in args.plans:
            try:
                a = load_assessment(plan)
            except AssessmentError as err:
                print(clean(err.describe()).replace("the assessment file", clean(plan), 1), file=sys.stderr)
                status = EXIT_INVALID
                continue
            answered = sum(1 for x in a.answers.values() if x.level is not None)
            print(clean(f"ok: {plan} (rubric {a.rubric_version}, {a.scope} version, {answered} answers)"))
            for note in a.migrations:
                print(clean(f"  migrated: {note}"))
        return status
    if args.command == "compare":
        pairs, problems = [], []
        for plan in args.plans:
            try:
                a = load_assessment(plan)
            except AssessmentError as err:
                problems.extend(err.problems)
                continue
            pairs.append((a, score_plan(a)))
        if problems:
            raise AssessmentError(problems)
        _emit(compare_report(pairs, args.format), args.output)
        return 0
    if args.command == "rubric":
        _emit(rubric_export(args.format), args.output)
        return 0
    _parser().print_help(sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    from ._assessment import AssessmentError
    from ._text import strip_controls as clean

    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
        sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        pass
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except AssessmentError as err:
        print(clean(err.describe()), file=sys.stderr)
        print("The format is described in widgets/rubric/ASSESSMENT-FORMAT.md; "
              "`python -m widgets validate PLAN` lists every problem.", file=sys.stderr)
        return EXIT_INVALID
    except OSError as err:
        print(f"error: cannot write {clean(err.filename or '')}: {clean(err.strerror or err)}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - the CLI never shows a traceback to users
        if os.environ.get("PAI_DEBUG") == "1":
            raise
        print(f"internal error: {clean(type(err).__name__)}: {clean(err)}\n"
              "This is a bug in the toolkit, not in your file; please report it (set PAI_DEBUG=1 for details).",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    sys.exit(code)
