"""The headless command line (DESIGN.md section 3): stage, plan, demo, overdue, avs, fhir, import.

Exit codes: 0 success; 2 bad input, with one line on stderr naming the field and nothing on stdout;
1 anything else (also one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import secrets
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from survtrack import __version__
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.sites import Metastasis, Nodes, Site

if TYPE_CHECKING:
    from survtrack.store.audit import Actor

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments on one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        print(f"survtrack: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="SQLAlchemy database URL (default: SURVTRACK_DB, else the SQLite "
        "file in the per-user data folder)",
    )
    parser = _Parser(
        prog="survtrack",
        description="Follow-up surveillance calendars for soft tissue sarcoma. With no command, "
        "opens the SurvTrack window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"survtrack {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the window on the demo database, filled with synthetic "
        "patients, signed in as a demo physician",
    )
    # the frozen bundle's start-up check (packaging/, .ci/run); not for users, so not in --help
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    stage = commands.add_parser("stage", parents=[common], help="AJCC 8 stage of a tumour")
    stage.add_argument("--site", required=True, choices=[s.value for s in Site])
    stage.add_argument("--size-cm", type=float, metavar="X")
    stage.add_argument("--grade", choices=[g.value for g in Grade])
    stage.add_argument("--nodes", choices=[n.value for n in Nodes])
    stage.add_argument("--metastasis", choices=[m.value for m in Metastasis])
    stage.add_argument(
        "--t4-invasion",
        action="store_true",
        help="head and neck: the tumour invades adjoining structures",
    )
    stage.add_argument("--format", choices=("text", "json"), default="text")

    plan = commands.add_parser(
        "plan", parents=[common], help="the follow-up calendar of one case file (no database)"
    )
    plan.add_argument("case", metavar="CASE.json", help="case file, or - for standard input")
    plan.add_argument("--format", choices=("json", "csv", "ics"), default="json")
    plan.add_argument("--country", metavar="CC", help="public holidays of this country (ISO code)")
    plan.add_argument("--region", metavar="RR", help="and of this region or state")
    plan.add_argument(
        "--calendar-key",
        metavar="HEX",
        help="ics: the patient's calendar key (32+ hex digits), so that a later export of the "
        "same patient keeps the event UIDs; default: a new random key (new UIDs each time)",
    )

    demo = commands.add_parser(
        "demo", parents=[common], help="fill the database with synthetic patients"
    )
    demo.add_argument("--patients", type=int, default=500, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument(
        "--no-events", action="store_true", help="patients only, without their follow-up calendars"
    )
    overdue = commands.add_parser(
        "overdue", parents=[common], help="overdue follow-up events of active patients"
    )
    overdue.add_argument("--as-of", metavar="DATE", help="the day to judge by (default today)")
    overdue.add_argument("--physician", metavar="NAME")
    overdue.add_argument("--kind", metavar="KIND", help="one event kind, e.g. chest_ct")
    overdue.add_argument("--group", choices=("imaging", "visit", "cardiac", "rehab"))
    overdue.add_argument("--min-days", type=int, default=0, metavar="N")
    overdue.add_argument("--risk", choices=("low", "high", "any"))
    overdue.add_argument(
        "--section",
        choices=("to_book", "booked_late", "all"),
        default="all",
        help="rows still to book, rows already booked late, or both (default)",
    )
    overdue.add_argument(
        "--include-acknowledged",
        action="store_true",
        help="also rows a physician acknowledged and hid until a later day",
    )
    overdue.add_argument("--format", choices=("text", "csv", "json"), default="text")
    avs = commands.add_parser("avs", parents=[common], help="after-visit summary as PDF")
    avs.add_argument("--mrn", required=True)
    avs.add_argument("--visit", type=int, metavar="ID", help="default: the latest visit")
    avs.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    avs.add_argument("--large-print", action="store_true")
    fhir = commands.add_parser(
        "fhir", parents=[common], help="one patient's record as a FHIR R4 Bundle (JSON)"
    )
    fhir.add_argument("--mrn", required=True)
    fhir.add_argument("-o", "--output", required=True, metavar="FILE.json")
    patients = commands.add_parser(
        "import",
        parents=[common],
        help="add or update patients from a CSV extract or a FHIR Bundle of Patient resources",
    )
    patients.add_argument("file", metavar="FILE", help="a .csv extract or a .json FHIR Bundle")
    patients.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would be added and updated; write nothing",
    )
    return parser


def cli_actor(command: str) -> Actor:
    """Who the audit trail names for a command that writes.

    The command line has no sign-in yet: the command's name stands for the user, as the demo
    has always done. The one place to change when the command line signs users in.
    """
    from survtrack.store.audit import Actor

    return Actor(None, command)


def run_avs(args: argparse.Namespace) -> int:
    from survtrack.reports.avs_pdf import write_pdf
    from survtrack.services.clinic_settings import clinic_info
    from survtrack.services.database import open_database
    from survtrack.services.summaries import build_summary
    from survtrack.services.visits import find_visit, patient_id_by_mrn

    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise BadInput("output", "must be a .pdf file")
    if not output.parent.exists():
        raise BadInput("output", f"no such folder: {output.parent}")
    clinic = clinic_info()
    clinic.require_phone()  # before the database: no summary without the clinic's phone
    database = open_database(getattr(args, "db", None))
    try:
        patient_id = patient_id_by_mrn(database, args.mrn)
        visit = find_visit(database, patient_id, args.visit)
        summary = build_summary(database, patient_id, visit, date.today(), args.large_print, clinic)
    finally:
        database.dispose()
    write_pdf([summary.document], output)
    if summary.staff_note:
        print(f"survtrack: note: {summary.staff_note}", file=sys.stderr)
    return EXIT_OK


def run_overdue(args: argparse.Namespace) -> int:
    from survtrack.domain.case_file import parse_date
    from survtrack.reports.overdue_export import overdue_json, overdue_text, write_overdue_csv
    from survtrack.services.database import open_database
    from survtrack.services.overdue import (
        OverdueQuery,
        check_physician_filter,
        iter_export_values,
    )

    as_of = parse_date(args.as_of, "as-of") if args.as_of else date.today()
    query = OverdueQuery(
        as_of,
        physician=args.physician,
        kind=args.kind,
        group=args.group,
        min_days=args.min_days,
        risk=args.risk,
        section=args.section,
        acknowledged=args.include_acknowledged,
    ).validated()
    # A one-shot process building 10^5 short-lived rows and no reference cycles: the cyclic
    # collector would only re-scan them, about a fifth of the export's time.
    gc.disable()
    database = open_database(getattr(args, "db", None))
    try:
        check_physician_filter(database, query)
        rows = iter_export_values(database, query)
        if args.format == "csv":
            # rows are built and written as they are read; the text goes out only when whole,
            # so a failure half-way leaves nothing on standard output
            output = io.StringIO()
            write_overdue_csv(rows, output)
            text = output.getvalue()
        else:
            text = (overdue_json if args.format == "json" else overdue_text)(list(rows))
    finally:
        database.dispose(optimize=False)
    sys.stdout.write(text)
    return EXIT_OK


def run_stage(args: argparse.Namespace) -> int:
    from survtrack.domain.staging import stage_tumour

    if args.size_cm is not None and not args.size_cm > 0:
        raise BadInput("size-cm", "must be greater than 0")
    result = stage_tumour(
        Site(args.site),
        args.size_cm,
        Grade(args.grade) if args.grade else None,
        Nodes(args.nodes) if args.nodes else None,
        Metastasis(args.metastasis) if args.metastasis else None,
        args.t4_invasion,
    )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "site": result.site.value,
                    "t": result.t,
                    "stage": result.stage,
                    "warnings": list(result.warnings),
                }
            )
        )
    else:
        print(result.stage or "none")
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def run_plan(args: argparse.Namespace) -> int:
    from survtrack.domain.case_file import parse_case_json
    from survtrack.protocols.clinic_calendar import ClinicCalendar
    from survtrack.protocols.generator import plan_case
    from survtrack.protocols.loader import load_protocols
    from survtrack.reports.plan_export import plan_to_csv, plan_to_ics

    if args.case == "-":
        text = sys.stdin.read()
    else:
        path = Path(args.case)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BadInput("CASE.json", f"no such file: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput("CASE.json", f"cannot read {path}: {exc}") from None
    case = parse_case_json(text)
    calendar = ClinicCalendar(args.country, args.region)
    plan = plan_case(case, load_protocols(), calendar)
    if args.format == "csv":
        sys.stdout.write(plan_to_csv(plan))
    elif args.format == "ics":
        sys.stdout.write(plan_to_ics(plan, _calendar_key(args.calendar_key)))
    else:
        print(json.dumps(plan.as_dict(), indent=1))
    return EXIT_OK


def _calendar_key(text: str | None) -> str:
    if text is None:
        return secrets.token_hex(16)
    key = text.strip().lower()
    if len(key) < 32 or any(c not in "0123456789abcdef" for c in key) or len(key) % 2:
        raise BadInput("calendar-key", "must be at least 32 hexadecimal digits (an even number)")
    return key


def run_demo(args: argparse.Namespace) -> int:
    from survtrack.services.database import open_database
    from survtrack.services.demo import generate_demo

    database = open_database(getattr(args, "db", None))
    try:
        summary = generate_demo(
            database,
            args.patients,
            args.seed,
            date.today(),
            cli_actor("demo"),
            with_events=not args.no_events,
        )
    finally:
        database.dispose()
    print(summary.line())
    return EXIT_OK


def run_fhir(args: argparse.Namespace) -> int:
    from survtrack.services.database import open_database
    from survtrack.services.fhir_export import check_output, patient_id_by_mrn, write_fhir

    output = Path(args.output)
    check_output(output)
    database = open_database(getattr(args, "db", None))
    try:
        write_fhir(database, patient_id_by_mrn(database, args.mrn), output)
    finally:
        database.dispose(optimize=False)
    return EXIT_OK


#: error rows printed before "... and N more"
MAX_ERROR_LINES = 50


def run_import(args: argparse.Namespace) -> int:
    from survtrack.services.database import open_database
    from survtrack.services.patient_import import NEW, UPDATE, apply_import, preview_import

    database = open_database(getattr(args, "db", None))
    try:
        preview = preview_import(database, Path(args.file), date.today())
        errors = preview.errors
        if errors:
            # every bad row on its own line, named by row and column; nothing on stdout
            for row in errors[:MAX_ERROR_LINES]:
                print(f"survtrack: {row.message}", file=sys.stderr)
            if len(errors) > MAX_ERROR_LINES:
                more = len(errors) - MAX_ERROR_LINES
                print(f"survtrack: ... and {more} more rows with errors", file=sys.stderr)
            return EXIT_BAD_INPUT
        if args.dry_run:
            lines = [
                f"{r.unit} {r.row}: {r.status} {r.mrn}" + (f" ({r.detail})" if r.detail else "")
                for r in preview.rows
                if r.status in (NEW, UPDATE)
            ]
            lines.append(f"import --dry-run: {preview.summary()}; nothing written")
            sys.stdout.write("\n".join(lines) + "\n")
            return EXIT_OK
        result = apply_import(database, cli_actor("import"), preview)
    finally:
        database.dispose()
    print(result.line())
    return EXIT_OK


COMMANDS = {
    "stage": run_stage,
    "plan": run_plan,
    "demo": run_demo,
    "overdue": run_overdue,
    "avs": run_avs,
    "fhir": run_fhir,
    "import": run_import,
}


def run_command(args: argparse.Namespace) -> int:
    """Run one headless command with the exit-code contract."""
    from survtrack.services.errors import ConflictError
    from survtrack.store.migrate import DatabaseTooNew

    try:
        return COMMANDS[args.command](args)
    except BadInput as exc:
        print(f"survtrack: {exc.field}: {exc.reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ConflictError as exc:
        print(f"survtrack: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except DatabaseTooNew as exc:
        print(f"survtrack: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except Exception as exc:
        print(f"survtrack: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)
