"""Sign-in at start, and the first run's administrator account."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from survtrack.domain.errors import BadInput
from survtrack.services.auth import (
    MIN_PASSWORD_LENGTH,
    Role,
    SignedIn,
    SignInFailed,
    create_user,
    sign_in,
)
from survtrack.store.engine import Database
from survtrack.ui.forms import FormDialog


class SignInDialog(FormDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__("Sign in to SurvTrack", parent)
        self.setMinimumWidth(380)
        self.db = db
        self.user: SignedIn | None = None
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add("&User name", self.username, "username")
        self.add("&Password", self.password, "password")

    def submit(self) -> None:
        try:
            self.user = sign_in(self.db, self.username.text(), self.password.text())
        except SignInFailed as exc:
            self.password.clear()
            self.password.setFocus()
            self.show_error(f"Sign-in failed: {exc}.")
            return
        self.accept()


class NewUserDialog(FormDialog):
    """Adds one account; on the first run it creates the administrator."""

    def __init__(self, db: Database, by: SignedIn | None, parent: QWidget | None = None) -> None:
        first = by is None
        super().__init__(
            "Create the administrator account" if first else "Add user",
            parent,
            "This is the first start of SurvTrack on this database. Create the administrator "
            "account; the administrator then adds the schedulers and physicians."
            if first
            else "",
        )
        self.db = db
        self.by = by
        self.user_id: int | None = None
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("fullName")
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in Role:
            self.role.addItem(role.label, role.value)
        if first:
            self.role.setCurrentIndex(self.role.findData(Role.ADMINISTRATOR.value))
            self.role.setEnabled(False)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"at least {MIN_PASSWORD_LENGTH} characters")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        # keys are the field names validation errors use, so the error focuses the field
        self.add("&User name", self.username, "username", required=True)
        self.add("&Full name", self.full_name, "full name", required=True)
        self.add("&Role", self.role, "role")
        self.add("&Password", self.password, "password", required=True)
        self.add("Re&peat password", self.repeat, "Repeat password", required=True)

    def save(self) -> None:
        if self.password.text() != self.repeat.text():
            raise BadInput("Repeat password", "does not match the password")
        self.user_id = create_user(
            self.db,
            self.username.text(),
            self.full_name.text(),
            self.role.currentData(),
            self.password.text(),
            self.by,
        )
