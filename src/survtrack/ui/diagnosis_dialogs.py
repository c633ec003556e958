"""Tumour, treatment and recurrence entry. The tumour dialog shows stage and risk as you type."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QStackedWidget, QWidget

from survtrack.domain.case_file import (
    MARGINS,
    RADIATION_MODALITIES,
    RADIATION_TIMINGS,
    RECURRENCE_KINDS,
    SURGERY_PROCEDURES,
)
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.sites import (
    AMPUTATION_LEVELS,
    Depth,
    Laterality,
    Limb,
    Metastasis,
    Nodes,
    Site,
)
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import CalendarChange
from survtrack.services.diagnosis import (
    StagePreview,
    TreatmentInput,
    TumourInput,
    preview,
    save_recurrence,
    save_treatment,
    save_tumour,
)
from survtrack.services.patient_records import TreatmentRecord, TumourRecord
from survtrack.store.engine import Database
from survtrack.ui.forms import DateField, FormDialog, NumberField, choice_box, code_options
from survtrack.ui.histology_field import HistologyField

RISK_WORDS = {
    "high": "High risk: the high-risk follow-up calendar",
    "low": "Low risk: the low-risk follow-up calendar",
    "any": "Desmoid: the desmoid follow-up calendar",
}


def stage_words(result: StagePreview) -> str:
    """The stage preview in words: "Stage IIIA (AJCC 8th edition) · T2 · grade 3 · High risk: the
    high-risk follow-up calendar", then each warning on its own line as a sentence."""
    parts = [
        f"Stage {result.stage} (AJCC 8th edition)"
        if result.stage
        else "Not staged (size and grade are needed)"
    ]
    if result.t:
        parts.append(f"size category {result.t}")
    if result.grade:
        parts.append(
            "grade not assessable (GX)" if result.grade == "X" else f"grade {result.grade}"
        )
    parts.append(RISK_WORDS.get(result.risk, result.risk))
    lines = [" · ".join(parts)]
    lines += [f"⚠ {w[:1].upper()}{w[1:]}." for w in result.warnings]
    return "\n".join(lines)


class TumourDialog(FormDialog):
    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        tumour: TumourRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Diagnosis", parent)
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        self.tumour = tumour
        self.change: CalendarChange | None = None
        t = tumour
        self.site = self.add(
            "S&ite",
            choice_box([(s.label, s.value) for s in Site], t.site if t else "extremity"),
            "Site",
            required=True,  # the rest may be missing: the calendar then takes the cautious side
        )
        self.limb = self.add(
            "&Limb",
            choice_box(code_options([x.value for x in Limb], field="limb"), t.limb if t else None),
            "Limb",
        )
        self.laterality = self.add(
            "La&terality",
            choice_box(
                code_options([x.value for x in Laterality], field="laterality"),
                t.laterality if t else None,
            ),
            "Laterality",
        )
        self.histology = self.add(
            "&Histology", HistologyField(t.histology or "" if t else ""), "Histology"
        )
        self.grade = self.add(
            "&Grade",
            choice_box(
                [("not recorded", None)] + [(g.label, g.value) for g in Grade],
                t.grade if t else None,
            ),
            "Grade",
        )
        self.fnclcc = self.add(
            "&FNCLCC score", NumberField("FNCLCC score", None, "2-8"), "FNCLCC score"
        )
        self.size = self.add(
            "Si&ze (cm)", NumberField("Size", t.size_cm if t else None, "cm"), "Size"
        )
        self.depth = self.add(
            "&Depth",
            choice_box(
                code_options([x.value for x in Depth], field="depth"), t.depth if t else None
            ),
            "Depth",
        )
        self.nodes = self.add(
            "&N",
            choice_box(
                code_options([x.value for x in Nodes], field="nodes"), t.nodes if t else None
            ),
            "N",
        )
        self.metastasis = self.add(
            "&M",
            choice_box(
                code_options([x.value for x in Metastasis], field="metastasis"),
                t.metastasis if t else None,
            ),
            "M",
        )
        self.t4 = self.add(
            "Invades adjoining structures (head and neck T4)", QCheckBox(), "T4 invasion"
        )
        self.diagnosed = self.add(
            "Diagnosis d&ate",
            DateField("Diagnosis date", t.diagnosis_date if t else None),
            "Diagnosis date",
        )
        self.stage_label = QLabel()
        self.stage_label.setObjectName("stagePreview")
        self.stage_label.setWordWrap(True)
        self.stage_label.setStyleSheet("font-weight: bold;")
        self.stage_label.setAccessibleName("Stage preview")
        self.stage_label.setMinimumHeight(self.fontMetrics().height() * 3)
        self.form.addRow(self.stage_label)  # the whole width: the words wrap without being cut
        for combo in (
            self.site,
            self.limb,
            self.laterality,
            self.grade,
            self.depth,
            self.nodes,
            self.metastasis,
        ):
            combo.currentIndexChanged.connect(self.update_preview)
        for line in (self.histology, self.fnclcc, self.size):
            line.textChanged.connect(self.update_preview)
        self.t4.toggled.connect(self.update_preview)
        self.update_preview()

    def data(self) -> TumourInput:
        score = self.fnclcc.value()
        if score is not None and score != int(score):
            raise BadInput("FNCLCC score", "must be a whole number from 2 to 8")
        return TumourInput(
            site=self.site.currentData(),
            limb=self.limb.currentData(),
            laterality=self.laterality.currentData(),
            histology=self.histology.text(),
            grade=self.grade.currentData(),
            fnclcc_score=None if score is None else int(score),
            size_cm=self.size.value(),
            depth=self.depth.currentData(),
            nodes=self.nodes.currentData(),
            metastasis=self.metastasis.currentData(),
            diagnosis_date=self.diagnosed.value(),
            t4_invasion=self.t4.isChecked(),
        )

    def update_preview(self) -> None:
        try:
            result = preview(self.data())
        except (BadInput, ValueError) as exc:
            field = getattr(exc, "field", "value")
            self.stage_label.setText(
                f"Not staged yet: {field[:1].upper()}{field[1:]} {getattr(exc, 'reason', exc)}."
            )
            return
        self.stage_label.setText(stage_words(result))

    def save(self) -> None:
        self.change = save_tumour(
            self.db,
            self.user,
            self.patient_id,
            self.data(),
            self.today,
            tumour_id=self.tumour.id if self.tumour else None,
            expected_version=self.tumour.version if self.tumour else None,
        )


class TreatmentDialog(FormDialog):
    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        treatment: TreatmentRecord | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__("Treatment", parent)
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        self.treatment = treatment
        self.change: CalendarChange | None = None
        t = treatment
        self.type = self.add(
            "&Type",
            choice_box(
                [
                    ("Surgery", "surgery"),
                    ("Radiation", "radiation"),
                    ("Systemic therapy", "systemic"),
                ],
                t.type if t else "surgery",
            ),
            "Type",
        )
        self.start = self.add(
            "&Date / start", DateField("Date", t.start if t else None), "Date", required=True
        )
        self.pages = QStackedWidget()
        self.form.addRow(self.pages)
        surgery, self.surgery_form = self._page()
        self.procedure = self._row(
            self.surgery_form,
            "&Procedure",
            choice_box(
                code_options(SURGERY_PROCEDURES, blank=None, field="procedure"),
                t.procedure if t else None,
            ),
            "Procedure",
        )
        self.level = self._row(
            self.surgery_form,
            "Amputation &level",
            choice_box(
                code_options(AMPUTATION_LEVELS, field="amputation_level"),
                t.amputation_level if t else None,
            ),
            "Amputation level",
        )
        self.margin = self._row(
            self.surgery_form,
            "Ma&rgin",
            choice_box(code_options(MARGINS, field="margin"), t.margin if t else None),
            "Margin",
        )
        radiation, rform = self._page()
        self.rt_end = self._row(rform, "&End", DateField("End", t.end if t else None), "End")
        self.timing = self._row(
            rform,
            "T&iming",
            choice_box(code_options(RADIATION_TIMINGS, field="timing"), t.timing if t else None),
            "Timing",
        )
        self.modality = self._row(
            rform,
            "M&odality",
            choice_box(
                code_options(RADIATION_MODALITIES, field="modality"), t.modality if t else None
            ),
            "Modality",
        )
        self.dose = self._row(
            rform, "Dose (&Gy)", NumberField("Dose", t.dose_gy if t else None, "Gy"), "Dose"
        )
        systemic, sform = self._page()
        self.sys_end = self._row(sform, "&End", DateField("End", t.end if t else None), "End ")
        self.agents = self._row(
            sform, "&Agents", QLineEdit(", ".join(t.agents) if t else ""), "Agents"
        )
        self.agents.setPlaceholderText("doxorubicin, ifosfamide")
        self.doxo = self._row(
            sform,
            "Doxorubicin cumulative dose (mg/m²)",
            NumberField("Doxorubicin dose", t.doxorubicin_mg_m2 if t else None, "mg/m²"),
            "Doxorubicin dose",
        )
        for page in (surgery, radiation, systemic):
            self.pages.addWidget(page)
        self.type.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.pages.setCurrentIndex(self.type.currentIndex())

    def _page(self):  # type: ignore[no-untyped-def]
        from PySide6.QtWidgets import QFormLayout

        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        return page, form

    def _row(self, form, label: str, widget: QWidget, name: str) -> QWidget:  # type: ignore[no-untyped-def]
        form.addRow(label, widget)
        widget.setObjectName(name.strip())
        if not widget.accessibleName():
            widget.setAccessibleName(name.strip())
        self.fields[name] = widget
        return widget

    def data(self) -> TreatmentInput:
        kind = self.type.currentData()
        start = self.start.value()
        if kind == "surgery":
            return TreatmentInput(
                "surgery",
                start,
                procedure=self.procedure.currentData(),
                margin=self.margin.currentData(),
                amputation_level=self.level.currentData(),
            )
        if kind == "radiation":
            return TreatmentInput(
                "radiation",
                start,
                self.rt_end.value(),
                timing=self.timing.currentData(),
                modality=self.modality.currentData(),
                dose_gy=self.dose.value(),
            )
        agents = tuple(a.strip() for a in self.agents.text().split(",") if a.strip())
        return TreatmentInput(
            "systemic",
            start,
            self.sys_end.value(),
            agents=agents,
            doxorubicin_mg_m2=self.doxo.value(),
        )

    def save(self) -> None:
        self.change = save_treatment(
            self.db,
            self.user,
            self.patient_id,
            self.data(),
            self.today,
            treatment_id=self.treatment.id if self.treatment else None,
            expected_version=self.treatment.version if self.treatment else None,
        )


class RecurrenceDialog(FormDialog):
    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        parent: QWidget | None = None,
        when: date | None = None,
    ) -> None:
        super().__init__(
            "Recurrence",
            parent,
            "A recurrence starts a new episode with a high-risk calendar; planned "
            "events of the previous episode after this date are superseded.",
        )
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        self.change: CalendarChange | None = None
        self.when = self.add("&Date", DateField("Recurrence date", when), "Recurrence date", True)
        self.kind = self.add(
            "&Kind",
            choice_box(code_options(RECURRENCE_KINDS, blank=None, field="recurrence")),
            "Kind",
        )

    def save(self) -> None:
        self.change = save_recurrence(
            self.db,
            self.user,
            self.patient_id,
            self.when.value(),
            self.kind.currentData(),
            self.today,
        )
