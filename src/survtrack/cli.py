"""The headless command line (DESIGN.md section 3): stage, plan, demo, overdue, avs, fhir, import,
backup, restore, db upgrade / grant-app-role, audit verify.

Exit codes: 0 success; 2 bad input, with one line on stderr naming the field and nothing on stdout;
1 anything else (also one line on stderr, never a traceback).

Commands that read or write patient data sign in first: the user name from ``--user`` or
``SURVTRACK_USER``, the password from ``SURVTRACK_PASSWORD`` (for scripts) or asked for on the
terminal; a failed sign-in exits 2. What they read or export is audited under that user's name.
``stage`` and ``plan`` need no database and no sign-in.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import io
import json
import os
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
    from survtrack.services.auth import SignedIn
    from survtrack.store.audit import Actor
    from survtrack.store.engine import Database

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
    common.add_argument(
        "--create",
        action="store_true",
        default=argparse.SUPPRESS,
        help="make a new SQLite database at the --db path when there is none "
        "(otherwise a missing file is refused)",
    )
    common.add_argument(
        "--user",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help="sign in as NAME (default: SURVTRACK_USER); the password is asked for, or read "
        "from SURVTRACK_PASSWORD",
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
        help="open the window on the demo database (never the clinic's), filled with "
        "synthetic patients, signed in as a demo physician; cannot be combined with --db",
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
        "demo",
        parents=[common],
        help="fill the demo database with synthetic patients (another database only when "
        "named with --db, signed in as an administrator)",
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
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="a consistent copy of the database (SQLite; pg_dump for PostgreSQL)",
    )
    backup.add_argument(
        "file", nargs="?", metavar="FILE", help="default: a new file in the data folder's backups"
    )
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="replace the SQLite database by a checked backup (the replaced file is kept)",
    )
    restore.add_argument("file", metavar="FILE")
    database = commands.add_parser("db", parents=[common], help="schema and database roles")
    actions = database.add_subparsers(dest="db_action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    actions.add_parser(
        "upgrade", parents=[common], help="bring the schema to this version (as the owner)"
    )
    grant = actions.add_parser(
        "grant-app-role",
        parents=[common],
        help="PostgreSQL: give ROLE the app's rights (the audit log: insert and read only)",
    )
    grant.add_argument("role", metavar="ROLE")
    audit = commands.add_parser("audit", parents=[common], help="the audit trail")
    audit_actions = audit.add_subparsers(
        dest="audit_action", metavar="ACTION", parser_class=_Parser
    )
    audit_actions.required = True
    audit_actions.add_parser(
        "verify", parents=[common], help="SQLite: check the audit rows' hash chain"
    )
    return parser


def open_for(args: argparse.Namespace) -> Database:
    """The database a command works on: refused if missing (unless --create), not SurvTrack's,
    on a network share, or (PostgreSQL) behind this version's schema."""
    from survtrack.services.database import open_clinic_database

    return open_clinic_database(getattr(args, "db", None), create=getattr(args, "create", False))


def demo_conflict(args: argparse.Namespace) -> str | None:
    """Why ``--demo`` cannot run as asked (one line), or None: it only ever opens the demo
    database, so a database named with ``--db`` is refused rather than used."""
    if not args.demo:
        return None
    if getattr(args, "db", None):
        return (
            "--demo: opens only the demo database, never another one; leave out --db "
            "(or leave out --demo to sign in to that database)"
        )
    if args.command:
        return f"--demo: opens the window; it cannot be combined with the {args.command} command"
    return None


def sign_in_cli(database: Database, args: argparse.Namespace) -> SignedIn:
    """Sign the command in: ``--user`` or ``SURVTRACK_USER``, and ``SURVTRACK_PASSWORD`` or a
    password typed at the terminal (never echoed). Any failure is bad input (exit 2)."""
    from survtrack.services.auth import SignInFailed, sign_in

    name = getattr(args, "user", None) or os.environ.get("SURVTRACK_USER", "")
    if not name.strip():
        raise BadInput("user", "sign-in needed: give --user NAME or set SURVTRACK_USER")
    password = os.environ.get("SURVTRACK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise BadInput(
                "password",
                "no terminal to ask for it: run from a terminal, or set SURVTRACK_PASSWORD "
                "(for scripts)",
            )
        password = getpass.getpass(f"SurvTrack password for {name}: ")
    try:
        user = sign_in(database, name, password)
    except SignInFailed as exc:
        raise BadInput("sign-in", str(exc)) from None
    if user.must_change_password:
        raise BadInput(
            "sign-in",
            "an administrator reset this password: choose a new one in the SurvTrack window first",
        )
    return user


def cli_actor(command: str) -> Actor:
    """Who the audit trail names for a command that writes without a signed-in user (only
    ``survtrack demo`` on the demo database)."""
    from survtrack.store.audit import Actor

    return Actor(None, command)


def run_avs(args: argparse.Namespace) -> int:
    from survtrack.reports.avs_pdf import write_pdf
    from survtrack.services.audit_reads import SUMMARY_SAVED, audit_read
    from survtrack.services.clinic_settings import clinic_info
    from survtrack.services.summaries import build_summary
    from survtrack.services.visits import find_visit, patient_id_by_mrn

    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise BadInput("output", "must be a .pdf file")
    if not output.parent.exists():
        raise BadInput("output", f"no such folder: {output.parent}")
    database = open_for(args)
    try:
        user = sign_in_cli(database, args)
        clinic = clinic_info(database)
        clinic.require_phone()  # no summary without the clinic's phone
        patient_id = patient_id_by_mrn(database, args.mrn)
        visit = find_visit(database, patient_id, args.visit)
        summary = build_summary(database, patient_id, visit, date.today(), args.large_print, clinic)
        audit_read(database, user.actor, SUMMARY_SAVED, patient_id, path=output.resolve())
    finally:
        database.dispose()
    write_pdf([summary.document], output)
    if summary.staff_note:
        print(f"survtrack: note: {summary.staff_note}", file=sys.stderr)
    return EXIT_OK


def run_overdue(args: argparse.Namespace) -> int:
    from survtrack.domain.case_file import parse_date
    from survtrack.reports.overdue_export import overdue_json, overdue_text, write_overdue_csv
    from survtrack.services.audit_reads import OVERDUE_EXPORTED, audit_read
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
    database = open_for(args)
    try:
        user = sign_in_cli(database, args)
        check_physician_filter(database, query)
        detail = {
            "as of": as_of.isoformat(),
            "format": args.format,
            "physician": args.physician,
            "kind": args.kind,
            "section": args.section,
        }
        # audited before anything goes out: an export the trail cannot record is not made
        audit_read(database, user.actor, OVERDUE_EXPORTED, detail=detail)
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
    """Synthetic patients go into the demo database; into another only when it is named with
    ``--db`` (``SURVTRACK_DB`` names the clinic's and is not enough) by a signed-in
    administrator."""
    from survtrack.services.database import open_clinic_database
    from survtrack.services.demo import MAX_PATIENTS, generate_demo
    from survtrack.services.locations import demo_db_url

    if not 1 <= args.patients <= MAX_PATIENTS:  # before any database is opened or made
        raise BadInput("patients", f"must be between 1 and {MAX_PATIENTS}")
    named = getattr(args, "db", None)
    if named:
        database = open_clinic_database(named, create=getattr(args, "create", False))
    else:
        database = open_clinic_database(demo_db_url(), create=True)
    try:
        actor = cli_actor("demo")
        if named:
            user = sign_in_cli(database, args)
            if not user.is_admin:
                raise BadInput(
                    "user", "only an administrator can add synthetic patients to a database"
                )
            actor = user.actor
        summary = generate_demo(
            database,
            args.patients,
            args.seed,
            date.today(),
            actor,
            with_events=not args.no_events,
        )
    finally:
        database.dispose()
    print(summary.line())
    return EXIT_OK


def run_fhir(args: argparse.Namespace) -> int:
    from survtrack.services.audit_reads import FHIR_EXPORTED, audit_read
    from survtrack.services.fhir_export import check_output, patient_id_by_mrn, write_fhir

    output = Path(args.output)
    check_output(output)
    database = open_for(args)
    try:
        user = sign_in_cli(database, args)
        patient_id = patient_id_by_mrn(database, args.mrn)
        audit_read(database, user.actor, FHIR_EXPORTED, patient_id, path=output.resolve())
        write_fhir(database, patient_id, output)
    finally:
        database.dispose(optimize=False)
    return EXIT_OK


#: error rows printed before "... and N more"
MAX_ERROR_LINES = 50


def run_import(args: argparse.Namespace) -> int:
    from survtrack.services.audit_reads import IMPORT_PREVIEWED, audit_read
    from survtrack.services.patient_import import NEW, UPDATE, apply_import, preview_import

    database = open_for(args)
    try:
        user = sign_in_cli(database, args)
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
            # the preview shows which MRNs exist: a read of patient data
            audit_read(database, user.actor, IMPORT_PREVIEWED)
            sys.stdout.write("\n".join(lines) + "\n")
            return EXIT_OK
        result = apply_import(database, user.actor, preview)
    finally:
        database.dispose()
    print(result.line())
    return EXIT_OK


def run_backup(args: argparse.Namespace) -> int:
    from survtrack.services.backup import backup
    from survtrack.services.database import refuse_network_path, sqlite_path
    from survtrack.services.locations import resolve_db_url

    url = resolve_db_url(getattr(args, "db", None))
    path = sqlite_path(url)
    if path is not None:
        refuse_network_path(path)
    made = backup(url, Path(args.file) if args.file else None)
    print(f"backup written: {made}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from survtrack.services.backup import restore
    from survtrack.services.locations import resolve_db_url

    revision, aside = restore(resolve_db_url(getattr(args, "db", None)), Path(args.file))
    kept = f"; the replaced database is kept as {aside}" if aside else ""
    print(f"restored {args.file} (schema {revision}){kept}")
    return EXIT_OK


def run_db(args: argparse.Namespace) -> int:
    from survtrack.services.database import open_database, sqlite_path
    from survtrack.services.db_admin import grant_app_role
    from survtrack.services.locations import resolve_db_url
    from survtrack.store.migrate import current_revision

    url = resolve_db_url(getattr(args, "db", None))
    if args.db_action == "grant-app-role":
        grant_app_role(url, args.role)
        print(f"role {args.role}: the app's rights granted (audit log: read and insert only)")
        return EXIT_OK
    if sqlite_path(url) is not None:  # the same checks as any command, then upgraded by opening
        open_for(args).dispose()
    database = open_database(url)
    try:
        print(f"database at schema {current_revision(database.engine)}")
    finally:
        database.dispose(optimize=False)
    return EXIT_OK


def run_audit(args: argparse.Namespace) -> int:
    from survtrack.store.audit import verify_database

    database = open_for(args)
    try:
        if not database.is_sqlite:
            print(
                "PostgreSQL: the audit log is protected by the app role's rights "
                "(no update, delete or truncate), not by a hash chain; nothing to verify"
            )
            return EXIT_OK
        count, broken = verify_database(database.engine)
    finally:
        database.dispose(optimize=False)
    if broken is not None:
        print(
            f"survtrack: audit log broken at row {broken}: it was changed, or a row before it "
            "was removed, outside SurvTrack",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"audit log OK ({count} rows)")
    return EXIT_OK


COMMANDS = {
    "stage": run_stage,
    "plan": run_plan,
    "demo": run_demo,
    "overdue": run_overdue,
    "avs": run_avs,
    "fhir": run_fhir,
    "import": run_import,
    "backup": run_backup,
    "restore": run_restore,
    "db": run_db,
    "audit": run_audit,
}


def _failure_words(exc: Exception) -> str:
    from survtrack.services.errors import error_kind, user_message

    if error_kind(exc) is None:
        return f"{type(exc).__name__}: {exc}"
    return user_message(exc)


def run_command(args: argparse.Namespace) -> int:
    """Run one headless command with the exit-code contract."""
    from survtrack.services.app_log import configure_logging
    from survtrack.services.backup import PgBackupProcedure
    from survtrack.services.database import CannotOpen
    from survtrack.services.errors import ConflictError
    from survtrack.store.engine import PlaintextRefused
    from survtrack.store.migrate import DatabaseNeedsUpgrade, DatabaseTooNew

    if args.command not in ("stage", "plan"):  # no database, nothing worth a log file
        configure_logging()
    try:
        return COMMANDS[args.command](args)
    except BadInput as exc:
        print(f"survtrack: {exc.field}: {exc.reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (CannotOpen, DatabaseNeedsUpgrade) as exc:
        print(f"survtrack: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except PgBackupProcedure as exc:  # several lines: the procedure to follow
        print(f"survtrack: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except ConflictError as exc:
        print(f"survtrack: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except DatabaseTooNew as exc:
        print(f"survtrack: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except PlaintextRefused as exc:
        print(f"survtrack: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        # a database or file failure in words (services.errors); anything else as it was
        print(f"survtrack: {_failure_words(exc)}", file=sys.stderr)
        return EXIT_FAILURE


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)
