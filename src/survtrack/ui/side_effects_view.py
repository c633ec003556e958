"""The side-effects tab: CTCAE terms with their current grade and grade history chart, and the
dialogs to record, re-grade and resolve them. The grade picker offers only the grades CTCAE v5.0
defines for the term, and grade 5 (death) only once the patient's death is recorded; grades 4 and
5 are confirmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.errors import BadInput
from survtrack.domain.labels import label
from survtrack.domain.late_effects import ATTRIBUTIONS, grade_meaning, search_terms
from survtrack.services.auth import SignedIn
from survtrack.services.errors import user_message
from survtrack.services.permissions import Action, can
from survtrack.services.side_effects import (
    CONFIRM_FROM_GRADE,
    DEATH,
    SideEffectRecord,
    add_side_effect,
    grades_offered,
    is_deceased,
    list_side_effects,
    regrade,
    resolve,
)
from survtrack.store.engine import Database
from survtrack.ui.forms import (
    DateField,
    FormDialog,
    choice_box,
    code_options,
    open_dialog,
    report_failure,
)
from survtrack.ui.line_chart import LineChart, Series
from survtrack.ui.state_colours import muted_text
from survtrack.ui.tables import fill_rows, read_only_table

TERM_ROLE = Qt.ItemDataRole.UserRole
CAUSE_ROLE = Qt.ItemDataRole.UserRole + 1


NO_DEATH_NOTE = "Grade 5 (death) can be recorded once the patient's death is recorded."


def _fill_grades(box: QComboBox, grades: tuple[int, ...], current: int | None = None) -> None:
    """Offer exactly ``grades``, keeping ``current`` (or the chosen grade) when still offered."""
    keep = str(current) if current is not None else box.currentData()
    box.blockSignals(True)
    box.clear()
    for grade in grades:
        box.addItem(f"Grade {grade}", str(grade))
    box.setCurrentIndex(max(box.findData(keep), 0))
    box.blockSignals(False)
    box.currentIndexChanged.emit(box.currentIndex())


def _meaning_text(box: QComboBox, term: str | None, deceased: bool) -> str:
    grade = box.currentData()
    text = grade_meaning(int(grade)) if grade is not None else ""
    if term and not deceased and DEATH in grades_offered(term, True):
        text += f"\n{NO_DEATH_NOTE}"
    return text


def _confirm_severe(parent: QWidget, grade: int) -> bool:
    if grade < CONFIRM_FROM_GRADE:
        return False
    answer = QMessageBox.question(
        parent, f"Grade {grade}", f"Record grade {grade}? {grade_meaning(grade)}."
    )
    return answer == QMessageBox.StandardButton.Yes


class SideEffectDialog(FormDialog):
    """A new side effect: the term picked from the catalogue, searchable as you type."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        patient_id: int,
        parent: QWidget | None = None,
        deceased: bool = False,
    ) -> None:
        super().__init__("Side effect", parent)
        self.db, self.user, self.today, self.patient_id = db, user, today, patient_id
        self.deceased = deceased
        self.search = self.add("&Find term", QLineEdit(), "Find term")
        self.search.setPlaceholderText("type a term, an organ class or a cause (doxorubicin…)")
        self.terms = QListWidget()
        self.terms.setObjectName("terms")
        self.terms.setAccessibleName("Matching terms")
        self.form.addRow(self.terms)
        self.grade: QComboBox = self.add("&Grade", QComboBox(), "Grade")  # type: ignore[assignment]
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setStyleSheet(f"color: {muted_text().name()};")
        self.form.addRow(self.meaning)
        self.onset = self.add("&Onset", DateField("Onset", today), "Onset", True)
        self.attribution = self.add(
            "&Attribution",
            choice_box(code_options(ATTRIBUTIONS, blank=None, field="attribution")),
            "Attribution",
        )
        self.management = self.add("&Management", QLineEdit(), "Management")
        self.search.textChanged.connect(self._fill)
        self.grade.currentIndexChanged.connect(self._meaning)
        self.terms.currentItemChanged.connect(self._suggest_attribution)
        self.terms.currentItemChanged.connect(self._offer_grades)
        self._fill("")
        self._offer_grades()

    def _fill(self, text: str) -> None:
        self.terms.clear()
        group = None
        for term in search_terms(text):
            if term.organ_class != group:
                group = term.organ_class
                header = QListWidgetItem(group)
                header.setFlags(header.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.terms.addItem(header)
            item = QListWidgetItem(f"   {term.term}  ({term.usual_cause})")
            item.setData(TERM_ROLE, term.term)
            item.setData(CAUSE_ROLE, term.usual_cause)
            self.terms.addItem(item)
        for row in range(self.terms.count()):
            if self.terms.item(row).data(TERM_ROLE):
                self.terms.setCurrentRow(row)
                break

    def _suggest_attribution(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        cause = current.data(CAUSE_ROLE) if current else None
        mapping = {
            "doxorubicin": "chemotherapy",
            "ifosfamide": "chemotherapy",
            "amputation": "surgery",
        }
        wanted = mapping.get(cause, cause)
        index = self.attribution.findData(wanted)
        if index >= 0:
            self.attribution.setCurrentIndex(index)

    def _current_term(self) -> str | None:
        item = self.terms.currentItem()
        term = item.data(TERM_ROLE) if item else None
        return str(term) if term else None

    def _offer_grades(self, *_args: object) -> None:
        term = self._current_term()
        _fill_grades(self.grade, grades_offered(term, self.deceased) if term else ())

    def _meaning(self) -> None:
        self.meaning.setText(_meaning_text(self.grade, self._current_term(), self.deceased))

    def chosen_term(self) -> str:
        item = self.terms.currentItem()
        term = item.data(TERM_ROLE) if item else None
        if not term:
            raise BadInput("Term", "choose a term from the list")
        return str(term)

    def save(self) -> None:
        term = self.chosen_term()
        if self.grade.currentData() is None:
            raise BadInput("Grade", "choose a grade")
        grade = int(self.grade.currentData())
        confirmed = _confirm_severe(self, grade)
        if grade >= CONFIRM_FROM_GRADE and not confirmed:
            raise BadInput("Grade", f"grade {grade} was not confirmed")
        add_side_effect(
            self.db,
            self.user,
            self.patient_id,
            term,
            self.attribution.currentData(),
            self.onset.value(),
            grade,
            self.today,
            self.management.text(),
            confirmed=confirmed,
        )


class RegradeDialog(FormDialog):
    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date,
        effect: SideEffectRecord,
        parent: QWidget | None = None,
        deceased: bool = False,
    ) -> None:
        super().__init__(f"Re-grade: {effect.term}", parent)
        self.db, self.user, self.today, self.effect = db, user, today, effect
        self.when = self.add("&Date", DateField("Date", today), "Date")
        self.grade: QComboBox = self.add("&Grade", QComboBox(), "Grade")  # type: ignore[assignment]
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.form.addRow(self.meaning)
        self.grade.currentIndexChanged.connect(
            lambda _i: self.meaning.setText(_meaning_text(self.grade, effect.term, deceased))
        )
        _fill_grades(self.grade, grades_offered(effect.term, deceased), effect.current_grade)

    def save(self) -> None:
        grade = int(self.grade.currentData())
        confirmed = _confirm_severe(self, grade)
        if grade >= CONFIRM_FROM_GRADE and not confirmed:
            raise BadInput("Grade", f"grade {grade} was not confirmed")
        regrade(
            self.db,
            self.user,
            self.effect.id,
            self.when.value(),
            grade,
            self.today,
            confirmed=confirmed,
            expected_version=self.effect.version,
        )


class SideEffectsView(QWidget):
    changed = Signal(str)

    def __init__(
        self, db: Database, user: SignedIn, today: Callable[[], date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.user, self.today = db, user, today
        self.patient_id: int | None = None
        self.deceased = False
        self.effects: list[SideEffectRecord] = []
        self.dialog: FormDialog | None = None
        self.table = read_only_table(
            ["Term", "Organ class", "Attribution", "Onset", "Grade", "Status"], "sideEffectsTable"
        )
        self.table.setAccessibleName("Side effects")
        self.chart = LineChart("Grade history", unit="CTCAE grade 0–5")
        buttons = QHBoxLayout()
        allowed = can(user, Action.RECORD_SIDE_EFFECTS)
        for text, slot in (
            ("&Add side effect…", self.add_effect),
            ("&Re-grade…", self.regrade),
            ("Re&solve…", self.resolve),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            button.setVisible(allowed)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        layout.addWidget(self.chart)
        self.table.itemSelectionChanged.connect(self._show_history)

    def show_patient(self, patient_id: int) -> None:
        self.patient_id = patient_id
        self.deceased = is_deceased(self.db, patient_id)
        self.effects = list_side_effects(self.db, patient_id)
        fill_rows(
            self.table,
            [
                (
                    e.term,
                    e.organ_class,
                    label("attribution", e.attribution),
                    e.onset.isoformat(),
                    str(e.current_grade),
                    ("Fatal" if e.fatal else e.status.capitalize())
                    + (f" {e.resolved_on.isoformat()}" if e.resolved_on else ""),
                )
                for e in self.effects
            ],
        )
        if self.effects:
            self.table.selectRow(0)
        self._show_history()

    def selected(self) -> SideEffectRecord | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.effects[rows.pop()] if len(rows) == 1 else None

    def _show_history(self) -> None:
        effect = self.selected()
        series = (
            []
            if effect is None
            else [Series(effect.term, tuple((g.graded_on, float(g.grade)) for g in effect.grades))]
        )
        self.chart.set_series(series, (0, 5))

    def _open(self, dialog: FormDialog) -> None:
        self.dialog = dialog
        open_dialog(dialog, lambda: self._saved(dialog))

    def _saved(self, dialog: FormDialog) -> None:
        if self.patient_id is not None:
            self.show_patient(self.patient_id)
        self.changed.emit("Side effect saved")

    def add_effect(self) -> None:
        if self.patient_id is not None:
            self._open(
                SideEffectDialog(
                    self.db, self.user, self.today(), self.patient_id, self, self.deceased
                )
            )

    def regrade(self) -> None:
        effect = self.selected()
        if effect is not None and effect.status == "ongoing":
            self._open(RegradeDialog(self.db, self.user, self.today(), effect, self, self.deceased))

    def resolve(self) -> None:
        effect = self.selected()
        if effect is None or effect.status != "ongoing":
            return
        try:
            resolve(self.db, self.user, effect.id, self.today(), self.today(), effect.version)
        except Exception as exc:  # said in words; the list shows what is there now
            report_failure(exc, "resolve side effect")
            QMessageBox.warning(self, "Side effect", user_message(exc))
            if self.patient_id is not None:
                self.show_patient(self.patient_id)
            return
        if self.patient_id is not None:
            self.show_patient(self.patient_id)
        self.changed.emit(f"{effect.term} resolved")
