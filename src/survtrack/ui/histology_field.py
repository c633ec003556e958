"""The histology field: free text with search-as-you-type over the histology catalogue.

Typing shows the catalogue entries (WHO name and ICD-O-3 code) whose name, a synonym or the code
matches every typed word as a word prefix; picking one puts its name in the field. Anything else
typed is kept exactly as typed: the catalogue helps, it never replaces what the clinician wrote.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from survtrack.domain.histology import histology_catalogue

MAX_SUGGESTIONS = 15
NAME_ROLE = Qt.ItemDataRole.UserRole


class HistologyField(QLineEdit):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.catalogue = histology_catalogue()
        self.suggestions = QStandardItemModel(self)
        completer = QCompleter(self.suggestions, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCompletionRole(NAME_ROLE)  # picking an entry inserts its name
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        # QLineEdit inserts a picked completion only while it has focus; picking is explicit
        completer.activated.connect(self.setText)
        self.setPlaceholderText(self.tr("type to search the WHO names, or write the diagnosis"))
        self.setToolTip(self.tr("Catalogue: {source}").format(source=self.catalogue.source))
        self.textEdited.connect(self.search)

    def search(self, text: str) -> None:
        """Fill the suggestions for what is typed and show them (hidden when nothing matches)."""
        self.suggestions.clear()
        completer = self.completer()
        if not text.strip():
            completer.popup().hide()
            return
        for entry in self.catalogue.search(text, MAX_SUGGESTIONS):
            item = QStandardItem(entry.display)
            item.setData(entry.name, NAME_ROLE)
            if entry.synonyms:
                item.setToolTip(self.tr("also: {names}").format(names=", ".join(entry.synonyms)))
            self.suggestions.appendRow(item)
        if self.suggestions.rowCount():
            completer.setCompletionPrefix(text)
            completer.complete()
        else:
            completer.popup().hide()
