"""The rehabilitation tab: plan, K level with its definition, milestones, the visit log (sessions,
outcome measures, pain, referrals) and charts of pain and measures over time.

What the dialogs offer follows the plan's programme: an upper-limb amputee is offered upper-limb
measures and no K level; a limb-sparing plan its own milestones. A plan is started here for an
amputee without one (level and side proposed from the recorded amputation) or after limb-sparing
surgery; a milestone is dated on the day it happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.errors import BadInput
from survtrack.domain.labels import label
from survtrack.domain.late_effects import DISCIPLINES, PAIN_KINDS, REFERRAL_KINDS, rehab_reference
from survtrack.services.auth import SignedIn
from survtrack.services.permissions import Action, can
from survtrack.services.rehab import (
    MilestoneRow,
    RehabRecord,
    RehabVisit,
    achieve_milestone,
    create_plan,
    load_rehab,
    plan_defaults,
    record_visit,
)
from survtrack.store.engine import Database
from survtrack.ui.forms import (
    DateField,
    FormDialog,
    NumberField,
    choice_box,
    code_options,
    open_dialog,
)
from survtrack.ui.line_chart import LineChart, Series
from survtrack.ui.tables import fill_rows, read_only_table


class RehabVisitDialog(FormDialog):
    """One therapy visit as a therapist records it: the session, and optionally a measure, pain
    scores, a referral and the K level, all saved in one transaction or not at all."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        parent: QWidget | None = None,
        record: RehabRecord | None = None,
    ) -> None:
        super().__init__("Rehabilitation visit", parent)
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        ref = rehab_reference()
        programme = (record or load_rehab(db, patient_id)).programme  # type: ignore[union-attr]
        self.day = self.add("&Date", DateField("Session date", today), "Session date")
        self.discipline = self.add(
            "D&iscipline", choice_box([(d, d) for d in DISCIPLINES]), "Discipline"
        )
        self.therapist = self.add("&Therapist", QLineEdit(user.full_name), "Therapist")
        self.minutes = self.add("&Minutes", NumberField("Minutes", 45), "Minutes")
        self.notes = self.add("&Notes", QLineEdit(), "Notes")
        self.measure = self.add(
            "Outcome &measure",
            choice_box(
                [("—", None)]
                + [
                    (f"{m.name} ({m.minimum:g}–{m.maximum:g} {m.unit})", m.code)
                    for m in (ref.measures[code] for code in programme.measures)
                ]
            ),
            "Measure",
        )
        self.measure_value = self.add(
            "Measure &value", NumberField("Measure value"), "Measure value"
        )
        self.pains = {
            kind: self.add(
                f"{PAIN_KINDS[kind]} (0–10)", NumberField(PAIN_KINDS[kind]), PAIN_KINDS[kind]
            )
            for kind in programme.pains
        }
        self.k_level = choice_box(
            [("unchanged", None)] + [(f"{k}: {text[:60]}…", k) for k, text in ref.k_levels.items()]
        )
        if programme.k_levels:  # Medicare functional levels: lower-limb prosthesis users only
            self.add("&K level", self.k_level, "K level")
        self.referral = self.add(
            "&Referral", choice_box(code_options(REFERRAL_KINDS, field="referral")), "Referral"
        )

    def visit(self) -> RehabVisit:
        minutes = self.minutes.value()
        if minutes is not None and minutes != int(minutes):
            raise BadInput("Minutes", "must be a whole number")
        pains = []
        for kind, field in self.pains.items():
            value = field.value()
            if value is not None:
                if value != int(value):
                    raise BadInput(PAIN_KINDS[kind], "must be a whole number 0 to 10")
                pains.append((kind, int(value)))
        return RehabVisit(
            on=self.day.value(),
            discipline=self.discipline.currentData(),
            therapist=self.therapist.text(),
            minutes=None if minutes is None else int(minutes),
            notes=self.notes.text(),
            measure=self.measure.currentData(),
            measure_value=self.measure_value.value(),
            pains=tuple(pains),
            k_level=self.k_level.currentData(),
            referral=self.referral.currentData(),
        )

    def save(self) -> None:
        record_visit(self.db, self.user, self.patient_id, self.visit(), self.today)


class RehabView(QWidget):
    changed = Signal(str)

    def __init__(
        self, db: Database, user: SignedIn, today: Callable[[], date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.user, self.today = db, user, today
        self.patient_id: int | None = None
        self.record: RehabRecord | None = None
        self.dialog: FormDialog | None = None
        self.summary = QLabel()
        self.summary.setObjectName("rehabSummary")
        self.summary.setWordWrap(True)
        self.visit_button = QPushButton("Record &visit…")
        self.visit_button.clicked.connect(self.record_visit)
        self.achieve_button = QPushButton("Milestone &achieved…")
        self.achieve_button.clicked.connect(self.achieve_selected)
        self.create_button = QPushButton("Start a &plan…")
        self.create_button.setObjectName("startPlanButton")
        self.create_button.clicked.connect(self.start_plan)
        self.allowed = can(user, Action.RECORD_REHAB)
        self.milestones = read_only_table(["Milestone", "Target", "Achieved"], "milestonesTable")
        self.log = read_only_table(
            ["Date", "Entry", "What", "Value", "Therapist", "Notes"], "rehabLog"
        )
        self.milestones.setAccessibleName("Rehabilitation milestones")
        self.log.setAccessibleName("Rehabilitation log")
        self.pain_chart = LineChart("Pain", unit="score 0–10")
        self.measure_chart = LineChart("Outcome measures", unit="units in the legend")
        buttons = QHBoxLayout()
        for button in (self.visit_button, self.achieve_button, self.create_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.milestones, 0, 0)
        grid.addWidget(self.log, 0, 1)
        grid.addWidget(self.pain_chart, 1, 0)
        grid.addWidget(self.measure_chart, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addLayout(grid)

    def show_patient(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.record = record = load_rehab(self.db, patient_id)
        has_plan = record is not None
        self.visit_button.setEnabled(has_plan)
        self.achieve_button.setEnabled(has_plan)
        for button in (self.visit_button, self.achieve_button):
            button.setVisible(self.allowed)
        self.create_button.setVisible(not has_plan and self.allowed)
        if record is None:
            self.summary.setText(
                "No rehabilitation plan. A plan starts when an amputation is recorded, or here "
                "with “Start a plan…” for an amputee or after limb-sparing surgery."
            )
            fill_rows(self.milestones, [])
            fill_rows(self.log, [])
            self.pain_chart.set_series([])
            self.measure_chart.set_series([])
            return
        ref = rehab_reference()
        programme = record.programme
        k = record.k_level
        k_text = (
            f"{k} ({record.k_level_on.isoformat() if record.k_level_on else ''}): {ref.k_levels[k]}"
            if k
            else "not assessed"
        )
        parts = [f"<b>{record.label}</b>"]
        if record.operated_on:
            parts.append(f"operated {record.operated_on.isoformat()}")
        if record.started_on:
            parts.append(f"plan started {record.started_on.isoformat()}")
        if programme.k_levels:
            parts.append(f"functional level {k_text}")
        self.summary.setText(" · ".join(parts))
        fill_rows(
            self.milestones,
            [
                (m.name, _target_text(m), m.achieved_on.isoformat() if m.achieved_on else "")
                for m in record.milestones
            ],
        )
        names = {c: m.name for c, m in ref.measures.items()} | PAIN_KINDS
        fill_rows(
            self.log,
            [
                (
                    e.on.isoformat(),
                    label("rehab_entry", e.entry),
                    names.get(e.code) or label("referral" if e.entry == "referral" else "", e.code),
                    "" if e.value is None else f"{e.value:g}",
                    e.who or "",
                    e.notes or "",
                )
                for e in reversed(record.entries)
            ],
        )
        self.pain_chart.set_series(
            [
                Series(
                    PAIN_KINDS[kind], tuple((e.on, e.value or 0.0) for e in record.of("pain", kind))
                )
                for kind in programme.pains
            ],
            (0, 10),
        )
        self.measure_chart.set_series(
            [
                Series(
                    f"{ref.measures[code].name} ({ref.measures[code].unit})",
                    tuple((e.on, e.value or 0.0) for e in record.of("measure", code)),
                )
                for code in programme.measures
            ]
        )

    def record_visit(self) -> None:
        if self.patient_id is None or self.record is None:
            return
        self.dialog = RehabVisitDialog(
            self.db, self.user, self.today(), self.patient_id, self, self.record
        )
        open_dialog(self.dialog, self._saved)

    def _saved(self) -> None:
        if self.patient_id is not None:
            self.show_patient(self.patient_id)
        self.changed.emit("Rehabilitation visit saved")

    def achieve_selected(self) -> None:
        rows = {i.row() for i in self.milestones.selectedIndexes()}
        if self.record is None or self.patient_id is None or len(rows) != 1:
            return
        milestone = self.record.milestones[rows.pop()]
        self.dialog = MilestoneDialog(
            self.db, self.user, self.today(), self.patient_id, milestone, self
        )
        open_dialog(self.dialog, self._saved)

    def start_plan(self) -> None:
        if self.patient_id is None:
            return
        self.dialog = StartPlanDialog(self.db, self.user, self.today(), self.patient_id, self)
        open_dialog(self.dialog, self._saved)


def _target_text(m: MilestoneRow) -> str:
    if m.target is None:
        return ""
    if m.passed_at_start and m.achieved_on is None:
        return f"{m.target.isoformat()} (target passed before plan started)"
    return m.target.isoformat()


class MilestoneDialog(FormDialog):
    """Date a milestone on the day it happened (today unless changed)."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        milestone: MilestoneRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Milestone: {milestone.name}", parent)
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        self.milestone = milestone
        self.when = self.add(
            "&Achieved on", DateField("Achieved on", milestone.achieved_on or today), "Achieved on"
        )

    def save(self) -> None:
        achieve_milestone(
            self.db,
            self.user,
            self.patient_id,
            self.milestone.code,
            self.when.value(),
            self.today,
            self.milestone.version,
        )


class StartPlanDialog(FormDialog):
    """A plan after an amputation (level and side) or after limb-sparing surgery, proposed from
    the surgery recorded for the patient."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Start a rehabilitation plan", parent)
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        ref = rehab_reference()
        proposed = plan_defaults(db, patient_id)
        self.reason = self.add(
            "&After",
            choice_box(
                [("Amputation", "amputation"), ("Limb-sparing surgery", "limb_sparing")],
                proposed.reason,
            ),
            "After",
        )
        levels: list[tuple[str, str | None]] = [("—", None)]
        for limb in ("lower", "upper"):
            levels += [
                (f"{limb.capitalize()} limb: {level.label}", level.code)
                for level in ref.levels.values()
                if level.limb == limb
            ]
        self.level = self.add(
            "Amputation &level", choice_box(levels, proposed.level), "Amputation level"
        )
        self.side = self.add(
            "&Side",
            choice_box([("—", None), ("Left", "left"), ("Right", "right")], proposed.side),
            "Side",
        )
        self.operated_on = self.add(
            "&Operation date", DateField("Operation date", proposed.operated_on), "Operation date"
        )
        self.reason.currentIndexChanged.connect(self._reason_changed)
        self._reason_changed()

    def _reason_changed(self, *_args: object) -> None:
        amputation = self.reason.currentData() == "amputation"
        self.level.setEnabled(amputation)
        if not amputation:
            self.level.setCurrentIndex(0)

    def save(self) -> None:
        create_plan(
            self.db,
            self.user,
            self.patient_id,
            self.reason.currentData(),
            self.level.currentData(),
            self.side.currentData(),
            self.operated_on.value(),
            self.today,
        )
