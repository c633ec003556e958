"""Administration: the list of user accounts, adding users, disabling and enabling them,
resetting a forgotten password (the user must change it at the next sign-in)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from survtrack.services.auth import Role, SignedIn, UserRow, list_users, set_active
from survtrack.services.errors import user_message
from survtrack.store.engine import Database
from survtrack.ui.forms import report_failure
from survtrack.ui.sign_in_dialog import NewUserDialog
from survtrack.ui.tables import fill_rows, read_only_table


class UsersDialog(QDialog):
    def __init__(self, db: Database, admin: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.admin = admin
        self.setWindowTitle("Users")
        self.resize(560, 360)
        self.table = read_only_table(["User name", "Full name", "Role", "Active"], "usersTable")
        self.table.setAccessibleName("User accounts")
        self.add_button = QPushButton("&Add user…")
        self.toggle_button = QPushButton("&Disable")
        self.reset_button = QPushButton("&Reset password…")
        self.reset_button.setObjectName("resetPassword")
        self.reset_button.clicked.connect(self.reset_selected)
        self.add_button.clicked.connect(self.add_user)
        self.toggle_button.clicked.connect(self.toggle_selected)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.users: list[UserRow] = []
        self.reload()

    def reload(self) -> None:
        self.users = list_users(self.db)
        fill_rows(
            self.table,
            [
                (u.username, u.full_name, Role(u.role).label, "yes" if u.active else "disabled")
                for u in self.users
            ],
        )
        self._update_buttons()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The table is never narrower than its columns: every column (role, active) shows
        without scrolling sideways, also at a larger font or 150 % scaling."""
        header = self.table.horizontalHeader()
        columns = sum(
            max(header.sectionSizeHint(c), self.table.sizeHintForColumn(c), header.sectionSize(c))
            if c < header.count() - 1
            # the last column stretches, but never below the default width
            else max(
                header.sectionSizeHint(c),
                self.table.sizeHintForColumn(c),
                header.defaultSectionSize(),
            )
            for c in range(header.count())
        )
        scroll = self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(columns + scroll + 2 * self.table.frameWidth())

    def _selected(self) -> UserRow | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self.users[rows.pop()] if len(rows) == 1 else None

    def _update_buttons(self) -> None:
        user = self._selected()
        self.toggle_button.setEnabled(user is not None and user.id != self.admin.user_id)
        self.toggle_button.setText("&Enable" if user and not user.active else "&Disable")
        self.reset_button.setEnabled(user is not None)

    def reset_selected(self) -> None:
        from survtrack.ui.account_dialogs import ResetPasswordDialog

        user = self._selected()
        if user is None:
            return
        who = f"{user.full_name} ({user.username})"
        if ResetPasswordDialog(self.db, self.admin, user.id, who, self).exec():
            self.reload()

    def add_user(self) -> None:
        if NewUserDialog(self.db, self.admin, self).exec():
            self.reload()

    def toggle_selected(self) -> None:
        user = self._selected()
        if user is None:
            return
        if user.active:
            answer = QMessageBox.question(
                self,
                "Disable user",
                f"Disable {user.full_name} ({user.username})? They will no longer be able to "
                "sign in. Their past changes stay in the audit trail.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            set_active(self.db, user.id, not user.active, self.admin)
        except Exception as exc:  # said in words; the list shows what is there now
            report_failure(exc, "users")
            QMessageBox.warning(self, "Users", user_message(exc))
        self.reload()
