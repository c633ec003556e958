"""The detail pane: the selected patient's demographics, diagnosis, treatments and recurrences."""

from __future__ import annotations

from datetime import date
from html import escape

from babel import Locale
from PySide6.QtWidgets import QTextBrowser, QWidget

from survtrack.domain.grading import Grade
from survtrack.domain.labels import label
from survtrack.domain.sites import Site
from survtrack.services.patient_records import PatientRecord, TreatmentRecord, TumourRecord
from survtrack.ui.state_colours import dark_palette, error_text

_STYLE_TEMPLATE = """
<style>
 h2 {{ margin: 0 0 4px 0; }}
 h3 {{ margin: 14px 0 4px 0; color: {heading}; }}
 td {{ padding: 1px 12px 1px 0; vertical-align: top; }}
 td.k {{ color: {key}; }}
 .muted {{ color: {muted}; }}
 .status {{ color: {error}; font-weight: bold; }}
</style>
"""


def _style() -> str:
    """Colours that read on the palette in use (light or dark)."""
    dark = dark_palette()
    return _STYLE_TEMPLATE.format(
        heading="#9cc3ee" if dark else "#1f4e79",
        key="#b0b0b0" if dark else "#555",
        muted="#a0a0a0" if dark else "#777",
        error=error_text(),
    )


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _rows(pairs: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td class='k'>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in pairs
    )
    return f"<table>{cells}</table>"


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _tumour_html(t: TumourRecord) -> str:
    where = Site(t.site).label
    if t.limb:
        where += f", {label('limb', t.limb).lower()}"
    if t.laterality:
        where += f", {label('laterality', t.laterality).lower()}"
    grade = Grade(t.grade).label if t.grade else "not recorded"
    size = f"{t.size_cm:g} cm" if t.size_cm is not None else "not recorded"
    tnm = " ".join(x for x in (t.t_category, t.nodes, t.metastasis) if x) or "—"
    if t.stage:
        stage = t.stage
    elif t.risk == "any":
        stage = "not staged (AJCC does not stage desmoid tumours)"
    elif not Site(t.site).has_stage_groups:
        stage = f"no AJCC stage groups for {Site(t.site).label.lower()} sarcoma"
    else:
        stage = "cannot be computed: size or grade missing"
    return _rows(
        [
            ("Histology", t.histology or "not recorded"),
            ("Site", where),
            ("Diagnosed", _d(t.diagnosis_date)),
            ("Grade", grade),
            ("Size", size + (f", {label('depth', t.depth).lower()}" if t.depth else "")),
            ("TNM", tnm),
            ("AJCC 8 stage", stage),
            ("Risk tier", label("risk", t.risk) or "—"),
        ]
    )


def treatment_line(t: TreatmentRecord) -> str:
    if t.type == "surgery":
        what = label("procedure", t.procedure) or "Surgery"
        if t.amputation_level:
            what += f" ({label('amputation_level', t.amputation_level)})"
        if t.margin:
            what += f", margin {label('margin', t.margin)}"
        return f"{_d(t.start)}  Surgery: {what}"
    if t.type == "radiation":
        detail = ", ".join(
            x
            for x in (
                label("timing", t.timing),
                label("modality", t.modality),
                f"{t.dose_gy:g} Gy" if t.dose_gy else None,
            )
            if x
        )
        return f"{_d(t.start)} to {_d(t.end)}  Radiation: {detail}"
    dose = f", doxorubicin {t.doxorubicin_mg_m2:g} mg/m²" if t.doxorubicin_mg_m2 is not None else ""
    return f"{_d(t.start)} to {_d(t.end)}  Systemic: {', '.join(t.agents)}{dose}"


def language_name(language: str | None) -> str:
    """A language as a word ("fr" is shown as "French"); text that is not a code as typed."""
    text = (language or "").strip()
    if not text:
        return "—"
    name = Locale("en").languages.get(text.replace("-", "_").split("_")[0].lower())
    return name if name and len(text) <= 5 else text


def patient_html(p: PatientRecord, today: date) -> str:
    status = ""
    if p.status != "active":
        status = f"<p class='status'>{escape(p.status.capitalize())} {_d(p.status_date)}</p>"
    parts = [
        _style(),
        f"<h2>{escape(p.display_name)}</h2>",
        status,
        _rows(
            [
                ("MRN", p.mrn),
                ("Birth date", f"{_d(p.birth_date)} (age {_age(p.birth_date, today)})"),
                ("Sex", label("sex", p.sex)),
                ("Phone", p.phone or "—"),
                ("Language", language_name(p.language)),
                ("Treating physician", p.physician or "—"),
            ]
        ),
        "<h3>Diagnosis</h3>",
    ]
    if p.tumours:
        parts.extend(_tumour_html(t) for t in p.tumours)
    else:
        parts.append("<p class='muted'>No tumour recorded.</p>")
    parts.append("<h3>Treatments</h3>")
    if p.treatments:
        parts.append("<br>".join(escape(treatment_line(t)) for t in p.treatments))
    else:
        parts.append("<p class='muted'>No treatment recorded.</p>")
    parts.append("<h3>Recurrences</h3>")
    if p.recurrences:
        parts.append(
            "<br>".join(
                escape(f"{_d(r.date)}  {label('recurrence', r.kind)}") for r in p.recurrences
            )
        )
    else:
        parts.append("<p class='muted'>None recorded.</p>")
    return "".join(parts)


class PatientDetailPane(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientDetail")
        self.setAccessibleName("Patient summary")
        self.setOpenLinks(False)
        self.show_placeholder()

    def show_placeholder(self, message: str = "Select a patient to see the record.") -> None:
        self.setHtml(f"{_style()}<p class='muted'>{escape(message)}</p>")

    def show_patient(self, record: PatientRecord, today: date) -> None:
        self.setHtml(patient_html(record, today))
