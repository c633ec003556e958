"""Administration > Clinic settings…: the clinic-wide settings an administrator edits.

What is typed is checked by the service (``save_settings``): a wrong time zone, locale, holidays
country or region, closure day or number is named on the error line and the dialog stays open.
"""

from __future__ import annotations

from zoneinfo import available_timezones

import holidays
from babel import Locale
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from survtrack.reports.patient_words import shipped_languages
from survtrack.services.auth import SignedIn
from survtrack.services.clinic_settings import (
    BACKUPS_RANGE,
    IDLE_LOCK_RANGE,
    ClinicSettings,
    load_settings,
    parse_closure_days,
    save_settings,
)
from survtrack.services.protocol_sets import (
    SHIPPED_SET,
    clinic_file_problems,
    clinic_protocol_dir,
    clinic_sets,
)
from survtrack.store.engine import Database
from survtrack.ui.forms import FormDialog
from survtrack.ui.state_colours import error_text

LOCALES = ("en_GB", "en_US", "en_AU", "en_CA", "es_ES", "es_MX", "fr_FR", "de_DE", "it_IT")
NO_COUNTRY = "None (only weekends are closed)"


def _english(code: str, kind: str) -> str:
    names = Locale("en").languages if kind == "language" else Locale("en").territories
    return names.get(code, code)


def _editable_combo(items: list[str], current: str) -> QComboBox:
    box = QComboBox()
    box.setEditable(True)
    box.addItems(items)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(items, box)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    box.setCompleter(completer)
    box.setEditText(current)
    _full_width(box)
    return box


def _full_width(box: QComboBox) -> None:
    """An editable combo as wide as the text fields (its placeholder is never cut to "how …")."""
    box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


class ClinicSettingsDialog(FormDialog):
    """The settings as stored when it opened; OK saves them (administrators only)."""

    def __init__(self, db: Database, user: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(
            "Clinic settings",
            parent,
            "These settings are shared by every workstation that uses this database.",
        )
        self.db = db
        self.user = user
        self.loaded = load_settings(db)
        self.saved: ClinicSettings | None = None
        s = self.loaded
        self.name = self._line("&Clinic name", "clinic name", s.name, "Sarcoma Follow-up Clinic")
        self.address = self._line("&Address", "address", s.address, "one line under the name")
        self.phone = self._line("&Phone", "phone", s.phone, "required before summaries are printed")
        self.after_hours_phone = self._line(
            "Phone after &hours", "after-hours phone", s.after_hours_phone, "evenings and weekends"
        )
        self.email = self._line("&E-mail", "e-mail", s.email, "organiser of calendar files")
        self.emergency: dict[str, QLineEdit] = {}
        for language in shipped_languages():
            edit = QLineEdit(s.emergency_sentences.get(language, ""))
            edit.setPlaceholderText("the summary's own sentence")
            name = _english(language, "language")
            edit.setAccessibleName(f"Emergency sentence in {name}")
            self.add(f"Emergency sentence ({name})", edit, f"emergency {language}")
            self.emergency[language] = edit
        self.time_zone = _editable_combo(sorted(available_timezones()), s.time_zone)
        self.time_zone.lineEdit().setPlaceholderText("Region/City, e.g. Europe/Madrid")
        self.time_zone.setAccessibleName("Time zone")
        self.add("&Time zone", self.time_zone, "time zone")
        self.locale = _editable_combo(list(LOCALES), s.locale)
        self.locale.lineEdit().setPlaceholderText("how dates are written, e.g. en_GB")
        self.locale.setAccessibleName("Locale")
        self.add("&Locale", self.locale, "locale")
        self.country = QComboBox()
        self.country.setAccessibleName("Holidays country")
        self.country.addItem(NO_COUNTRY, "")
        countries = holidays.list_supported_countries()
        for code in sorted(countries, key=lambda c: _english(c, "territory")):
            self.country.addItem(f"{_english(code, 'territory')} ({code})", code)
        self.country.setCurrentIndex(max(0, self.country.findData(s.holidays_country)))
        self.add("Holidays &country", self.country, "holidays country")
        self.region = QComboBox()
        self.region.setEditable(True)
        _full_width(self.region)
        self.region.setAccessibleName("Holidays region")
        self.region.lineEdit().setPlaceholderText("none: the country's national holidays")
        self.add("Holidays &region", self.region, "holidays region")
        self._fill_regions(s.holidays_region)
        self.country.currentIndexChanged.connect(lambda _i: self._fill_regions(""))
        self.closures = QPlainTextEdit("\n".join(d.isoformat() for d in s.closure_days))
        self.closures.setPlaceholderText("one date a line, YYYY-MM-DD")
        self.closures.setAccessibleName("Closure days")
        self.closures.setTabChangesFocus(True)
        self.closures.setFixedHeight(self.fontMetrics().height() * 5)
        self.add("Cl&osure days", self.closures, "closure days")
        self.protocol_set = self._protocol_sets(s.default_protocol_set)
        self.idle_lock = self._spin("&Idle lock (minutes)", "idle lock minutes", IDLE_LOCK_RANGE)
        self.idle_lock.setValue(s.idle_lock_minutes)
        self.backups = self._spin("&Backups kept", "backups kept", BACKUPS_RANGE)
        self.backups.setValue(s.backups_kept)

    def _line(self, label: str, key: str, value: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(label.replace("&", ""))
        self.add(label, edit, key)
        return edit

    def _protocol_sets(self, current: str) -> QComboBox:
        """The sets on this workstation (the shipped one first); a broken clinic file is said
        under the combo in words, naming the file, rule and field."""
        box = QComboBox()
        box.setAccessibleName("Default protocol set")
        box.addItem(f"{SHIPPED_SET} (the protocols shipped with SurvTrack)", "")
        for name in clinic_sets():
            box.addItem(name, name)
        if current and box.findData(current) < 0:
            box.addItem(f"{current} (not available on this workstation)", current)
        box.setCurrentIndex(max(0, box.findData(current)))
        self.add("Default &protocol set", box, "default protocol set")
        problems = clinic_file_problems()
        note = QLabel(
            "\n".join(problems)
            or f"A clinic's own protocol files are read from\n{clinic_protocol_dir()}"
        )
        note.setObjectName("protocolSetNote")
        # a path does not wrap at its slashes: shown whole on its own line (the dialog widens);
        # problems are sentences and wrap
        note.setWordWrap(bool(problems))
        note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if problems:
            note.setStyleSheet(f"color: {error_text()};")
        self.form.addRow("", note)
        self.protocol_note = note
        return box

    def _spin(self, label: str, key: str, bounds: tuple[int, int]) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(*bounds)
        spin.setAccessibleName(label.replace("&", ""))
        self.add(label, spin, key)
        return spin

    def _fill_regions(self, current: str) -> None:
        code = self.country.currentData() or ""
        self.region.clear()
        self.region.addItem("")
        self.region.addItems(list(holidays.list_supported_countries().get(code, ())))
        self.region.setEnabled(bool(code))
        self.region.setEditText(current)

    def _sentences(self) -> dict[str, str]:
        """The sentences typed (empty: the summary's own), and those of languages without a
        field here kept as they are."""
        typed = {code: edit.text().strip() for code, edit in self.emergency.items()}
        kept = {k: v for k, v in self.loaded.emergency_sentences.items() if k not in typed}
        return {**kept, **{code: text for code, text in typed.items() if text}}

    def settings(self) -> ClinicSettings:
        """What the form says, on top of the version it was opened at."""
        return ClinicSettings(
            name=self.name.text(),
            address=self.address.text(),
            phone=self.phone.text(),
            after_hours_phone=self.after_hours_phone.text(),
            email=self.email.text(),
            emergency_sentences=self._sentences(),
            time_zone=self.time_zone.currentText(),
            locale=self.locale.currentText(),
            holidays_country=self.country.currentData() or "",
            holidays_region=self.region.currentText() if self.region.isEnabled() else "",
            closure_days=parse_closure_days(self.closures.toPlainText()),
            default_protocol_set=self.protocol_set.currentData() or "",
            idle_lock_minutes=self.idle_lock.value(),
            backups_kept=self.backups.value(),
            version=self.loaded.version,
        )

    def save(self) -> None:
        self.saved = save_settings(self.db, self.user, self.settings())
