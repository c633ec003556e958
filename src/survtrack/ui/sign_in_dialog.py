"""Sign-in at start, and the first run's administrator account."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

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


class _FormDialog(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(380)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #a61b1b;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class SignInDialog(_FormDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__("Sign in to SurvTrack", "", parent)
        self.db = db
        self.user: SignedIn | None = None
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow("&User name", self.username)
        self.form.addRow("&Password", self.password)

    def submit(self) -> None:
        try:
            self.user = sign_in(self.db, self.username.text(), self.password.text())
        except SignInFailed as exc:
            self.password.clear()
            self.password.setFocus()
            self.show_error(f"Sign-in failed: {exc}.")
            return
        self.accept()


class NewUserDialog(_FormDialog):
    """Adds one account; on the first run it creates the administrator."""

    def __init__(self, db: Database, by: SignedIn | None, parent: QWidget | None = None) -> None:
        first = by is None
        super().__init__(
            "Create the administrator account" if first else "Add user",
            "This is the first start of SurvTrack on this database. Create the administrator "
            "account; the administrator then adds the schedulers and physicians."
            if first
            else "",
            parent,
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
            self.role.addItem(role.value.capitalize(), role.value)
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
        self.form.addRow("&User name", self.username)
        self.form.addRow("&Full name", self.full_name)
        self.form.addRow("&Role", self.role)
        self.form.addRow("&Password", self.password)
        self.form.addRow("Re&peat password", self.repeat)

    def submit(self) -> None:
        if self.password.text() != self.repeat.text():
            self.show_error("Repeat password: does not match the password.")
            self.repeat.setFocus()
            return
        try:
            self.user_id = create_user(
                self.db,
                self.username.text(),
                self.full_name.text(),
                self.role.currentData(),
                self.password.text(),
                self.by,
            )
        except BadInput as exc:
            self.show_error(f"{exc.field.capitalize()}: {exc.reason}.")
            return
        except PermissionError as exc:
            self.show_error(str(exc).capitalize() + ".")
            return
        self.accept()
