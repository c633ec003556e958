"""The signed-in user's own account: change password (also the change a reset forces), an
administrator's password reset, and the dialog that unlocks a window locked after idle time."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from survtrack.domain.errors import BadInput
from survtrack.services.auth import (
    MIN_PASSWORD_LENGTH,
    AccountLocked,
    SignedIn,
    SignInFailed,
    change_password,
    reset_password,
    sign_in,
)
from survtrack.store.engine import Database
from survtrack.ui.forms import FormDialog

RULES = (
    f"At least {MIN_PASSWORD_LENGTH} characters, not your user name, and not a common password. "
    "A short sentence you will remember works well."
)


def password_field(name: str, placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    if placeholder:
        field.setPlaceholderText(placeholder)
    return field


class ChangePasswordDialog(FormDialog):
    """The user's current password, then a new one twice. ``user`` afterwards is the session
    without the demand to change (after a reset, the app opens only when this is accepted)."""

    def __init__(
        self, db: Database, user: SignedIn, forced: bool = False, parent: QWidget | None = None
    ) -> None:
        intro = (
            "An administrator has reset your password. Choose a new one to continue.\n" + RULES
            if forced
            else RULES
        )
        super().__init__("Change password", parent, intro)
        self.db = db
        self.user = user
        self.current = password_field("current", "the password you signed in with")
        self.new = password_field("new", f"at least {MIN_PASSWORD_LENGTH} characters")
        self.repeat = password_field("repeat")
        self.add("&Current password", self.current, "current password", required=True)
        self.add("&New password", self.new, "new password", required=True)
        self.add("Re&peat new password", self.repeat, "repeat new password", required=True)

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            raise BadInput("repeat new password", "does not match the new password")
        self.user = change_password(self.db, self.user, self.current.text(), self.new.text())


class ResetPasswordDialog(FormDialog):
    """An administrator gives a user a temporary password; they must change it at sign-in."""

    def __init__(
        self,
        db: Database,
        admin: SignedIn,
        user_id: int,
        who: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Reset password",
            parent,
            f"Give {who} a temporary password and tell it to them in person. They will have to "
            "choose a new one when they next sign in. This also ends a lockout after failed "
            f"sign-ins.\n{RULES}",
        )
        self.db = db
        self.admin = admin
        self.user_id = user_id
        self.password = password_field("temporary")
        self.repeat = password_field("repeat")
        self.add("&Temporary password", self.password, "password", required=True)
        self.add("Re&peat", self.repeat, "repeat", required=True)

    def save(self) -> None:
        if self.password.text() != self.repeat.text():
            raise BadInput("repeat", "does not match the temporary password")
        reset_password(self.db, self.user_id, self.password.text(), self.admin)


class UnlockDialog(FormDialog):
    """Shown over a locked window: the same user's password opens it again; "Sign out" lets
    someone else sign in (``signed_out`` is then True)."""

    def __init__(self, db: Database, user: SignedIn, minutes: int) -> None:
        super().__init__(
            "SurvTrack is locked",
            None,
            f"SurvTrack was locked after {minutes} minutes without use. Patient data stays "
            "hidden until you enter your password.",
        )
        self.setObjectName("unlockDialog")
        self.db = db
        self.user = user
        self.signed_out = False
        self.add("Signed in", QLabel(f"{user.full_name} ({user.username})"), "who")
        self.password = password_field("password")
        self.add("&Password", self.password, "password")
        self.buttons.button(self.buttons.StandardButton.Ok).setText("&Unlock")
        self.buttons.button(self.buttons.StandardButton.Cancel).hide()
        self.sign_out_button = QPushButton("&Sign out")
        self.sign_out_button.setObjectName("signOut")
        self.buttons.addButton(self.sign_out_button, self.buttons.ButtonRole.DestructiveRole)
        self.sign_out_button.clicked.connect(self._sign_out)

    def _sign_out(self) -> None:
        self.signed_out = True
        self.reject()

    def reject(self) -> None:
        # Escape or the close button do not unlock: only the password or signing out end it
        if self.signed_out:
            super().reject()

    def submit(self) -> None:
        try:
            again = sign_in(self.db, self.user.username, self.password.text())
        except AccountLocked as exc:
            self.password.clear()
            self.show_error(
                f"{str(exc)[:1].upper()}{str(exc)[1:]}. Sign out to let someone else sign in."
            )
            return
        except SignInFailed:
            self.password.clear()
            self.password.setFocus()
            self.show_error("Wrong password.")
            return
        if again.user_id != self.user.user_id:  # pragma: no cover - same name, same account
            self.show_error("Wrong password.")
            return
        self.accept()
