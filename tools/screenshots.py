"""Screenshots of every view and the main dialogs at 1366x768, in a light and a dark palette.

Runs offscreen on a fresh demo database (synthetic patients only) in a temporary folder and
writes PNGs to ``docs/screenshots/light/`` and ``docs/screenshots/dark/``::

    python tools/screenshots.py [--out docs/screenshots] [--scale 1.5] [--patients 300]

``--scale`` sets QT_SCALE_FACTOR (e.g. 1.5 to check that nothing is cut at 150 %). The dates are
fixed (today is Tuesday 24 November 2026), so two runs give the same pictures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

TODAY = date(2026, 11, 24)
SIZE = (1366, 768)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--only", choices=("light", "dark"), default=None)
    return parser.parse_args()


def main() -> int:
    args = parse()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.scale:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    folder = Path(tempfile.mkdtemp(prefix="survtrack-shots-"))
    os.environ["SURVTRACK_DATA_DIR"] = str(folder)

    from PySide6.QtCore import QLocale, QSettings
    from PySide6.QtWidgets import QApplication

    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    # the window layout is read from and saved to the temporary folder, never the user's own
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "qt"))
    from survtrack.reports.avs_pdf import register_fonts

    register_fonts()
    db, user, story = demo(folder / "demo.db", args.patients)
    palettes = {"light": light_palette(app), "dark": dark_palette()}
    for name, palette in palettes.items():
        if args.only and name != args.only:
            continue
        app.setPalette(palette)
        shoot_all(app, db, user, story, args.out / name)
    db.dispose()
    return 0


# -- the demo database and one patient with a full record ---------------------------------------


def _staff():  # type: ignore[no-untyped-def]
    from survtrack.services.auth import Role

    return (
        ("admin", "Clinic Administrator", Role.ADMINISTRATOR),
        ("m.garcia", "María García", Role.SCHEDULER),
        ("j.okafor", "Dr. James Okafor", Role.PHYSICIAN),
        ("l.chen", "Lin Chen", Role.THERAPIST),
    )


class Story:
    """The patient shown in the record views and the day shown in the clinic day view."""

    patient_id: int
    clinic_day: date
    event_id: int


def demo(path: Path, patients: int):  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from survtrack.domain.sites import LOWER_LIMB_AMPUTATION_LEVELS
    from survtrack.services.auth import Role, ensure_user
    from survtrack.services.database import open_database
    from survtrack.services.demo import generate_demo
    from survtrack.store.audit import Actor
    from survtrack.store.models import FollowUpEvent, TreatmentRow

    db = open_database(f"sqlite:///{path}")
    generate_demo(db, patients, 7, TODAY, Actor(None, "demo"))
    user = ensure_user(db, "demo.physician", "Dr. Demo Physician", Role.PHYSICIAN)
    for username, full_name, role in _staff():
        ensure_user(db, username, full_name, role)
    story = Story()
    with db.read() as session:
        amputees = session.scalars(
            select(TreatmentRow.patient_id).where(
                TreatmentRow.procedure == "amputation",
                TreatmentRow.amputation_level.in_(LOWER_LIMB_AMPUTATION_LEVELS),
            )
        ).all()
        story.patient_id = int(amputees[0]) if amputees else 1
        busiest = session.execute(
            select(func.date(FollowUpEvent.booked_at), func.count())
            .where(FollowUpEvent.state == "booked", FollowUpEvent.booked_at >= TODAY)
            .group_by(func.date(FollowUpEvent.booked_at))
            .order_by(func.count().desc())
        ).first()
        story.clinic_day = date.fromisoformat(str(busiest[0])) if busiest else TODAY
        story.event_id = (
            session.scalars(
                select(FollowUpEvent.id)
                .where(
                    FollowUpEvent.patient_id == story.patient_id,
                    FollowUpEvent.state.in_(("planned", "missed")),
                )
                .order_by(FollowUpEvent.due)
            ).first()
            or 0
        )
    fill_record(db, user, story.patient_id)
    return db, user, story


def fill_record(db, user, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    """Side effects, a rehabilitation plan with measures and pain scores, and visits."""
    from survtrack.services.patient_records import load_patient
    from survtrack.services.rehab import (
        create_plan,
        load_rehab,
        record_measure,
        record_pain,
        record_referral,
        record_session,
        set_k_level,
    )
    from survtrack.services.side_effects import add_side_effect, regrade
    from survtrack.services.visits import VisitInput, record_visit

    record = load_patient(db, patient_id)
    assert record is not None
    surgery = next((t for t in record.treatments if t.procedure == "amputation"), None)
    operated = surgery.start if surgery and surgery.start else TODAY - timedelta(days=300)
    start = max(operated + timedelta(days=14), TODAY - timedelta(days=200))
    effect = add_side_effect(db, user, patient_id, "Fatigue", "chemotherapy", start, 2, TODAY)
    regrade(db, user, effect, start + timedelta(days=60), 1, TODAY)
    regrade(db, user, effect, start + timedelta(days=120), 1, TODAY)
    lymph = add_side_effect(db, user, patient_id, "Lymphedema", "radiation", start, 1, TODAY)
    regrade(db, user, lymph, start + timedelta(days=90), 2, TODAY)
    level = surgery.amputation_level if surgery else "transtibial"
    if load_rehab(db, patient_id) is None:  # the demo may have started one already
        create_plan(db, user, patient_id, "amputation", level, "left", operated, start)
    for week in range(0, 24, 4):
        day = start + timedelta(days=week * 7)
        record_pain(db, user, patient_id, day, "phantom_pain", max(1, 7 - week // 4), TODAY)
        record_pain(db, user, patient_id, day, "residual_limb_pain", max(0, 5 - week // 5), TODAY)
        record_measure(db, user, patient_id, day, "tug", 16.0 - week * 0.3, TODAY)
        record_session(db, user, patient_id, day, "PT", "A. Therapist", 45, "gait", TODAY)
    set_k_level(db, user, patient_id, "K2", start + timedelta(days=100), TODAY)
    record_referral(db, user, patient_id, start + timedelta(days=30), "prosthetist", "", TODAY)
    for offset, reason in ((150, "3-month check"), (60, "Scan results")):
        record_visit(
            db,
            user,
            patient_id,
            VisitInput(
                TODAY - timedelta(days=offset),
                "",
                "Sarcoma clinic",
                reason,
                "No evidence of disease on examination.",
                "Chest CT clear.",
                "Walking with a prosthesis, K2.",
                "Next CT in 3 months.",
                "Call the clinic if a new lump appears.",
            ),
            TODAY,
        )


# -- palettes -----------------------------------------------------------------------------------


def light_palette(app):  # type: ignore[no-untyped-def]
    return app.style().standardPalette()


def dark_palette():  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: "#2b2b2b",
        role.WindowText: "#e6e6e6",
        role.Base: "#1e1e1e",
        role.AlternateBase: "#262626",
        role.ToolTipBase: "#3a3a3a",
        role.ToolTipText: "#f0f0f0",
        role.Text: "#e6e6e6",
        role.Button: "#353535",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff5252",
        role.Link: "#82b1ff",
        role.Highlight: "#2f6db5",
        role.HighlightedText: "#ffffff",
        role.PlaceholderText: "#9a9a9a",
        role.Light: "#505050",
        role.Midlight: "#404040",
        role.Mid: "#303030",
        role.Dark: "#1a1a1a",
        role.Shadow: "#000000",
    }
    for r, c in colours.items():
        p.setColor(r, QColor(c))
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a7a7a"))
    return p


# -- taking the pictures ------------------------------------------------------------------------


def settle(app, window=None, seconds: float = 0.6) -> None:  # type: ignore[no-untyped-def]
    """Let background queries finish and their results arrive."""
    end = time.monotonic() + seconds
    while time.monotonic() < end or (window is not None and window.runner.busy):
        app.processEvents()
        time.sleep(0.02)
        if time.monotonic() > end + 20:
            break


def save(widget, path: Path, dark: bool) -> None:  # type: ignore[no-untyped-def]
    path.parent.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    image = widget.grab().toImage()
    if not dark:
        # 256 colours are plenty for a light window (a fifth of the size of a true-colour PNG);
        # Qt's palette choice loses the close greys of a dark window, so those stay true colour
        flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
        image = image.convertToFormat(QImage.Format.Format_Indexed8, flags)
    image.save(str(path), "PNG", 0)  # quality 0: most compression
    print(f"{path} {path.stat().st_size // 1024} KB")


def shoot_all(app, db, user, story: Story, out: Path) -> None:  # type: ignore[no-untyped-def]
    from survtrack.ui.main_window import MainWindow

    window = MainWindow(db, user, today=TODAY)
    window.resize(*SIZE)
    window.db_label.setText("survtrack-demo.db")  # not the temporary folder's name
    window.show()
    settle(app, window, 1.0)
    patient = window.patient_view

    def shot(name: str, prepare: Callable[[], None], wait: float = 0.5) -> None:
        prepare()
        settle(app, window, wait)
        save(window, out / f"{name}.png", out.name == "dark")

    def record(tab: int) -> Callable[[], None]:
        def go() -> None:
            window.tabs.setCurrentIndex(0)
            patient.tabs.setCurrentIndex(tab)

        return go

    window.search.setText(patient_name(db, story.patient_id))
    settle(app, window, 1.0)
    window.open_patient(story.patient_id)
    shot("01-patients-record", record(0))
    shot("02-calendar", record(1))
    shot("03-timeline", record(2))
    shot("04-side-effects", record(3))
    shot("05-rehab", record(4))
    shot("06-visits", record(5))
    shot("07-to-book", lambda: window.tabs.setCurrentIndex(1), 1.0)

    def clinic_day() -> None:
        window.tabs.setCurrentIndex(2)
        window.clinic_day.day.set_value(story.clinic_day)
        window.clinic_day.refresh()

    shot("08-clinic-day", clinic_day, 1.0)

    def clinic_week() -> None:
        window.clinic_day.span.setCurrentIndex(1)

    shot("09-clinic-week", clinic_week, 1.0)

    def overdue(tab: int) -> Callable[[], None]:
        def go() -> None:
            window.tabs.setCurrentIndex(3)
            window.overdue.tabs.setCurrentIndex(tab)

        return go

    shot("10-overdue", overdue(0), 1.5)
    shot("11-due-soon", overdue(1), 1.5)
    shot("12-dashboard", overdue(2), 1.5)
    shot("13-needs-a-plan", lambda: window.tabs.setCurrentIndex(4), 1.0)
    window.tabs.setCurrentIndex(0)
    patient.show_patient(story.patient_id)
    dialogs(app, window, db, user, story, out)
    window.close()
    window.deleteLater()
    settle(app, None, 0.2)


def patient_name(db, patient_id: int) -> str:  # type: ignore[no-untyped-def]
    from survtrack.services.patient_records import load_patient

    record = load_patient(db, patient_id)
    return record.family_name if record else ""


def dialogs(app, window, db, user, story: Story, out: Path) -> None:  # type: ignore[no-untyped-def]
    from survtrack.services.calendar import load_calendar
    from survtrack.services.patient_records import load_patient
    from survtrack.ui.diagnosis_dialogs import TumourDialog
    from survtrack.ui.event_dialogs import BookDialog
    from survtrack.ui.patient_dialogs import PatientDialog

    def grab_dialog(dialog, name: str, before: Callable[[], None] | None = None) -> None:  # type: ignore[no-untyped-def]
        dialog.show()
        dialog.adjustSize()
        if before:
            before()
        settle(app, None, 0.3)
        save(dialog, out / f"{name}.png", out.name == "dark")

    events = load_calendar(db, story.patient_id)
    event = next((e for e in events if e.id == story.event_id), events[0])
    book = BookDialog(
        db, user, event, datetime.combine(TODAY, datetime.min.time()), "Sarcoma clinic", window
    )
    grab_dialog(book, "20-dialog-book")
    popup = book.day.open_calendar()
    settle(app, None, 0.3)
    save(popup, out / "21-dialog-date-popup.png", out.name == "dark")
    popup.hide()
    book.close()

    record = load_patient(db, story.patient_id)
    assert record is not None
    tumour = record.tumours[0] if record.tumours else None
    diagnosis = TumourDialog(db, user, TODAY, story.patient_id, tumour, window)
    grab_dialog(diagnosis, "22-dialog-diagnosis")
    diagnosis.close()
    new_patient = PatientDialog(db, user, TODAY, None, window)
    grab_dialog(new_patient, "23-dialog-new-patient")
    new_patient.close()
    account_dialogs(app, window, db, user, out, grab_dialog)


def account_dialogs(app, window, db, user, out: Path, grab_dialog) -> None:  # type: ignore[no-untyped-def]
    """Sign-in, the first administrator, change and reset password, users, the idle lock's
    unlock dialog and the clinic settings."""
    from survtrack.services.auth import Role, SignedIn, list_users
    from survtrack.ui.account_dialogs import ChangePasswordDialog, ResetPasswordDialog
    from survtrack.ui.clinic_settings_dialog import ClinicSettingsDialog
    from survtrack.ui.sign_in_dialog import NewUserDialog, SignInDialog
    from survtrack.ui.users_dialog import UsersDialog

    admin = next(u for u in list_users(db) if u.username == "admin")
    admin_in = SignedIn(admin.id, admin.username, admin.full_name, Role.ADMINISTRATOR)
    sign = SignInDialog(db)
    sign.username.setText("m.garcia")
    grab_dialog(sign, "24-dialog-sign-in")
    sign.close()
    first = NewUserDialog(db, None)
    grab_dialog(first, "25-dialog-first-administrator")
    first.close()
    change = ChangePasswordDialog(db, user, False, window)
    grab_dialog(change, "26-dialog-change-password")
    change.close()
    users = UsersDialog(db, admin_in, window)

    def select_scheduler() -> None:
        row = next(i for i, u in enumerate(users.users) if u.username == "m.garcia")
        users.table.selectRow(row)

    grab_dialog(users, "27-dialog-users", select_scheduler)
    garcia = users.users[users.table.currentRow()]
    reset = ResetPasswordDialog(
        db, admin_in, garcia.id, f"{garcia.full_name} ({garcia.username})", users
    )
    grab_dialog(reset, "28-dialog-reset-password")
    reset.close()
    users.close()
    unlock = window.idle_lock
    unlock.lock()
    assert unlock.dialog is not None
    grab_dialog(unlock.dialog, "29-dialog-unlock")
    unlock.dialog.signed_out = False
    unlock.stop()
    window.show()
    settings = ClinicSettingsDialog(db, admin_in, window)
    grab_dialog(settings, "30-dialog-clinic-settings")
    settings.close()


if __name__ == "__main__":
    raise SystemExit(main())
