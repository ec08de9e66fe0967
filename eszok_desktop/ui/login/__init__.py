"""The sign-in window: ``LoginWindow(db, runner, settings=None)``."""

from eszok_desktop.ui.login.login_window import LoginWindow

__all__ = ["LoginWindow"]
