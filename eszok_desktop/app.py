"""Starting the desktop app: choose the database, get it ready, sign in, open the main window.

``StartupFlow`` walks the steps with non-blocking windows so that the GUI thread never
waits on the database:

- central server configured → check it (reachable, login accepted, database present,
  pgcrypto, schema version) off the GUI thread; on failure a Polish message and the
  connection dialog;
- embedded (default) → find the PostgreSQL binaries, then create (first run), start and
  migrate the private cluster on a worker thread behind a progress dialog;
- an empty installation asks for its first administrator;
- the login window; a successful sign-in opens the main window; signing out returns to
  the login window. The embedded server is stopped on exit only if this process
  started it.
"""

from __future__ import annotations

import gc
import signal
import sys
from dataclasses import replace

from PySide6.QtCore import (
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    Qt,
    QTimer,
    QTranslator,
    Signal,
)
from PySide6.QtWidgets import QApplication, QWidget

from eszok_desktop.db import settings as conn_settings
from eszok_desktop.db import startup
from eszok_desktop.db.engine import Database
from eszok_desktop.db.errors import ServerBinariesNotFound
from eszok_desktop.db.server import EmbeddedServer, find_bindir
from eszok_desktop.db.settings import ConnectionSettings
from eszok_desktop.services import auth
from eszok_desktop.ui import messages
from eszok_desktop.ui.startup.background import BackgroundCall, run_in_background
from eszok_desktop.ui.startup.connection_dialog import ConnectionDialog
from eszok_desktop.ui.startup.first_admin_dialog import FirstAdminDialog
from eszok_desktop.ui.startup.progress_dialog import PreparingDialog
from eszok_desktop.ui.task_runner import TaskRunner

APP_NAME = "eSZOK"
ORGANIZATION = "eSZOK"


def tr(text: str) -> str:
    return QApplication.translate("StartupFlow", text)


class StartupFlow(QObject):
    """The start-up state machine; each step opens the next window when it is done."""

    sig_preparing_shown = Signal(object)  # PreparingDialog
    sig_first_admin_shown = Signal(object)  # FirstAdminDialog
    sig_connection_dialog_shown = Signal(object)  # ConnectionDialog
    sig_login_shown = Signal(object)  # LoginWindow
    sig_main_shown = Signal(object)  # MainWindow
    sig_password_dialog_shown = Signal(object)  # ChangePasswordDialog (forced change)
    sig_quit_requested = Signal()

    def __init__(
        self,
        settings: ConnectionSettings | None = None,
        server: EmbeddedServer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings or conn_settings.load_settings()
        self.server = server
        self.db: Database | None = None
        self.runner: TaskRunner | None = None
        self.preparing: PreparingDialog | None = None
        self.login_window: QWidget | None = None
        self.main_window: QWidget | None = None
        self._call: BackgroundCall | None = None
        self._password: str | None = None
        self._closing_on_purpose: set[int] = set()
        self._new_admin_email: str | None = None

    # -- choosing the database ------------------------------------------------------
    def start(self) -> None:
        if self.settings.is_central:
            self._open_central()
        else:
            self._open_embedded()

    def _open_central(self) -> None:
        password = self._password or conn_settings.load_client_password(self.settings)
        if password is None:
            messages.inform(
                None,
                tr("Podaj hasło połączenia z serwerem centralnym (nie jest zapamiętane)."),
            )
            self._show_connection_dialog()
            return
        db = Database(conn_settings.central_url(self.settings, password))
        self.db = db
        self._call = run_in_background(
            lambda _progress: startup.check_database(db),
            on_success=lambda _result: self._on_database_ready(db),
            on_failure=self._on_central_failed,
            parent=self,
        )

    def _on_central_failed(self, exc: BaseException) -> None:
        self._drop_database()
        messages.show_error(None, exc)
        self._show_connection_dialog()

    def _open_embedded(self) -> None:
        if self.server is None:
            bindir = find_bindir()
            if bindir is None:
                self._offer_central(ServerBinariesNotFound("no PostgreSQL server binaries"))
                return
            self.server = EmbeddedServer(conn_settings.data_dir(), bindir)
        server = self.server
        self.preparing = PreparingDialog()
        self.preparing.show_soon()
        self.sig_preparing_shown.emit(self.preparing)
        self._call = run_in_background(
            lambda progress: startup.prepare_embedded(server, progress),
            on_progress=self.preparing.on_step_started,
            on_success=lambda _result: self._on_embedded_ready(server),
            on_failure=self._on_embedded_failed,
            parent=self,
        )

    def _on_embedded_ready(self, server: EmbeddedServer) -> None:
        self._close_preparing()
        self._on_database_ready(Database(server.client_url()))

    def _on_embedded_failed(self, exc: BaseException) -> None:
        self._close_preparing()
        self._offer_central(exc)

    def _offer_central(self, exc: BaseException) -> None:
        question = messages.describe_error(exc) + "\n\n" + tr("Połączyć z serwerem centralnym?")
        if messages.ask(None, question):
            self._show_connection_dialog()
        else:
            self.sig_quit_requested.emit()

    def _close_preparing(self) -> None:
        if self.preparing is not None:
            self.preparing.finish()
            self.preparing.deleteLater()
            self.preparing = None

    def _show_connection_dialog(self, parent: QWidget | None = None) -> None:
        dialog = ConnectionDialog(self.settings, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._restart(dialog.settings, dialog.password))
        if parent is None:
            dialog.rejected.connect(self.sig_quit_requested.emit)
        dialog.open()
        self.sig_connection_dialog_shown.emit(dialog)

    def _restart(self, settings: ConnectionSettings, password: str | None) -> None:
        """Start over with new connection settings (from the connection dialog)."""
        self._close_window(self.login_window)
        self.login_window = None
        self._drop_database()
        self.settings = settings
        self._password = password
        server = self.server
        if server is not None and server.started_here and settings.is_central:
            # the local server is no longer needed; pg_ctl stop takes a moment: off-thread
            self.server = None
            self._call = run_in_background(
                lambda _progress: server.stop(),
                on_success=lambda _result: self.start(),
                on_failure=lambda _exc: self.start(),
                parent=self,
            )
            return
        self.start()

    def _drop_database(self) -> None:
        if self.runner is not None:
            self.runner.wait(5000)
            self.runner.deleteLater()
            self.runner = None
        if self.db is not None:
            self.db.dispose()
            self.db = None

    # -- the database is ready -------------------------------------------------------
    def _on_database_ready(self, db: Database) -> None:
        self.db = db
        self.runner = TaskRunner(db, self)
        self.runner.query(
            auth.needs_first_admin,
            on_success=self._on_first_admin_checked,
            on_failure=self._on_first_admin_check_failed,
            owner=self,
        )

    def _on_first_admin_check_failed(self, exc: BaseException) -> None:
        self._drop_database()
        messages.show_error(None, exc)
        self._show_connection_dialog()

    def _on_first_admin_checked(self, needed: bool) -> None:
        if not needed:
            self._show_login()
            return
        assert self.runner is not None
        dialog = FirstAdminDialog(self.runner)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_admin_created.connect(self._remember_new_admin)
        dialog.accepted.connect(self._show_login)
        dialog.rejected.connect(self.sig_quit_requested.emit)
        dialog.show()
        self.sig_first_admin_shown.emit(dialog)

    def _remember_new_admin(self, email: str) -> None:
        self._new_admin_email = email

    def _show_login(self) -> None:
        from eszok_desktop.ui.login.login_window import LoginWindow

        assert self.db is not None and self.runner is not None
        window = LoginWindow(self.db, self.runner, settings=None)
        window.sig_signed_in.connect(self._on_signed_in)
        window.sig_password_change_required.connect(
            lambda user: self._ask_new_password(window, user)
        )
        window.sig_connection_settings_requested.connect(
            lambda: self._show_connection_dialog(window)
        )
        window.rejected.connect(lambda: self._on_window_closed(window))
        self._watch_close(window)
        if self._new_admin_email and not window.email_edit.text():
            window.email_edit.setText(self._new_admin_email)
            window.password_edit.setFocus()
        self.login_window = window
        window.show()
        self.sig_login_shown.emit(window)

    def _ask_new_password(self, login: QWidget, user: auth.CurrentUser) -> None:
        """The administrator set a temporary password: the user picks their own before
        the main window opens; refusing signs them out again."""
        from eszok_desktop.ui.admin.change_password_dialog import ChangePasswordDialog

        assert self.db is not None and self.runner is not None
        dialog = ChangePasswordDialog(self.runner, user, forced=True, parent=login)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._on_signed_in(replace(user, must_change_password=False))
        )
        dialog.rejected.connect(self._sign_out_quietly)
        dialog.show()
        self.sig_password_dialog_shown.emit(dialog)

    def _sign_out_quietly(self) -> None:
        assert self.db is not None and self.runner is not None
        db = self.db
        self.runner.query(
            auth.sign_out,
            on_success=lambda _r: db.set_token(None),
            on_failure=lambda _exc: db.set_token(None),
        )
        if self.login_window is not None:
            self.login_window.reset()

    def _on_signed_in(self, user: auth.CurrentUser) -> None:
        from eszok_desktop.ui.context import AppContext
        from eszok_desktop.ui.main_window import MainWindow

        assert self.db is not None and self.runner is not None
        window = MainWindow(AppContext(self.db, self.runner, user))
        window.sig_signed_out.connect(self._on_signed_out)
        self._watch_close(window)
        self.main_window = window
        window.show()
        self._close_window(self.login_window)
        self.login_window = None
        self.sig_main_shown.emit(window)

    def _on_signed_out(self) -> None:
        main = self.main_window
        self.main_window = None
        self._show_login()
        self._close_window(main)

    # -- windows closing -------------------------------------------------------------
    def _watch_close(self, window: QWidget) -> None:
        window.installEventFilter(self)

    def _close_window(self, window: QWidget | None) -> None:
        if window is None:
            return
        self._closing_on_purpose.add(id(window))
        window.close()
        window.deleteLater()
        window.destroyed.connect(lambda: self._closing_on_purpose.discard(id(window)))

    def _on_window_closed(self, window: QObject) -> None:
        if id(window) in self._closing_on_purpose:
            return
        if window in (self.login_window, self.main_window):
            # the user closed the app's only window (or pressed Esc in the login window);
            # a dialog reports both its rejection and its close event: ask once
            self._closing_on_purpose.add(id(window))
            self.sig_quit_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self._on_window_closed(watched)
        return False

    def shutdown(self) -> None:
        """Release the database; stop the embedded server if this process started it."""
        if self._call is not None and not self._call.done:
            # never stop a server that is still being prepared under a worker
            from PySide6.QtCore import QThreadPool

            QThreadPool.globalInstance().waitForDone(60000)
        self._drop_database()
        if self.server is not None and self.server.started_here:
            self.server.stop()


def configure_application(app: QApplication) -> None:
    """Fusion style, names (QSettings paths), Polish locale and Qt's Polish texts."""
    app.setStyle("Fusion")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    QLocale.setDefault(QLocale(QLocale.Language.Polish, QLocale.Country.Poland))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_pl", folder):
        app.installTranslator(translator)


def main(argv: list[str] | None = None) -> int:
    """Open the desktop app (``eszok`` with no subcommand)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    configure_application(app)
    # the flow decides when the app ends: windows are swapped during start-up
    app.setQuitOnLastWindowClosed(False)
    flow = StartupFlow()
    flow.sig_quit_requested.connect(app.quit)
    app.aboutToQuit.connect(flow.shutdown)
    quit_on_signals(app)
    flow.start()
    # start-up objects (Qt, SQLAlchemy, the modules) leave the collector's generations:
    # measured, full collections while laying out a crowded month shrink by a quarter
    gc.collect()
    gc.freeze()
    return app.exec()


def quit_on_signals(app: QApplication) -> None:
    """Ctrl+C or SIGTERM end the app normally, so the embedded server is stopped too."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _n, _f: app.quit())
    # Python runs signal handlers only between bytecodes: wake it up now and then
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(300)
