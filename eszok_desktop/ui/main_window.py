"""The signed-in window: module sidebar and menu, the signed-in user, sign-out.

``MainWindow(context)`` takes the ``AppContext`` of the signed-in user. It shows the
modules of ``MODULES`` whose ``visible_for(user)`` holds, in ``order``; Ctrl+1 … Ctrl+9
switch to the first, second … visible module. A module's page is built the first time it
is shown. "Wyloguj" revokes the session on the server (``auth.sign_out`` through the
runner), clears the token on the Database and emits ``sig_signed_out``; the slot shows
the login window again and may close this window itself, otherwise it closes after the
signal.

Adding a module: give it a ``ui/<module>/__init__.py`` with ``MODULE = ModuleSpec(...)``
and add its import path to ``MODULE_PATHS`` below.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from eszok_desktop.services import auth
from eszok_desktop.ui.context import AppContext, ModuleSpec
from eszok_desktop.ui.live_refresh import LiveRefresh
from eszok_desktop.ui.module_placeholder import ModulePlaceholder, placeholder_module

log = logging.getLogger(__name__)

ROLE_TITLES = {
    "administrator": "Administrator",
    "kierownik": "Kierownik",
    "handlowiec": "Handlowiec",
    "serwisant": "Serwisant",
    "programista": "Programista",
}

# import path of each module's package → the placeholder used while it is missing
MODULE_PATHS: list[tuple[str, ModuleSpec]] = [
    (
        "eszok_desktop.ui.panel",
        placeholder_module("panel", "Panel Główny", 10, lambda user: True),
    ),
    (
        "eszok_desktop.ui.calendar",
        placeholder_module("calendar", "Terminarz", 20, lambda user: True),
    ),
    (
        "eszok_desktop.ui.service",
        placeholder_module(
            "service",
            "Serwis",
            30,
            lambda user: user.can("cards.own") or user.can("hours.own") or user.can("hours.all"),
        ),
    ),
    (
        "eszok_desktop.ui.admin",
        placeholder_module("admin", "Administracja", 40, lambda user: user.can("admin.users")),
    ),
]


def load_module(path: str, fallback: ModuleSpec) -> ModuleSpec:
    """The ``MODULE`` of package ``path``, or ``fallback`` when it is missing or broken."""
    try:
        spec = getattr(importlib.import_module(path), "MODULE", None)
    except Exception:
        log.exception("module %s failed to import", path)
        return fallback
    if not isinstance(spec, ModuleSpec):
        return fallback
    return spec


def load_modules() -> list[ModuleSpec]:
    return sorted((load_module(path, fallback) for path, fallback in MODULE_PATHS), key=_order)


def _order(spec: ModuleSpec) -> int:
    return spec.order


MODULES: list[ModuleSpec] = load_modules()


def role_title(role: str) -> str:
    return QCoreApplication.translate("roles", ROLE_TITLES.get(role, role.capitalize()))


class MainWindow(QMainWindow):
    """Sidebar of modules on the left, the current module's page on the right."""

    sig_signed_out = Signal()

    def __init__(
        self,
        context: AppContext,
        modules: list[ModuleSpec] | None = None,
        parent: QWidget | None = None,
        *,
        live: bool = True,
    ) -> None:
        super().__init__(parent)
        self.context = context
        user = context.user
        self.modules = [
            m for m in (modules if modules is not None else MODULES) if _visible(m, user)
        ]
        self.pages: dict[str, QWidget] = {}
        self.signing_out = False
        self.setWindowTitle(self.tr("eSZOK"))
        self.resize(1200, 780)
        self._build()
        self._build_menu()
        self.context.runner.sig_busy_changed.connect(self.on_runner_busy_changed)
        self.context.runner.sig_session_expired.connect(self.on_session_expired)
        self.reauth_dialog: QDialog | None = None
        # others' changes arrive as sig_changes_happened; a lost server shows the banner
        self.live_refresh = LiveRefresh(context.runner, self)
        self.live_refresh.sig_connection_changed.connect(self.on_connection_changed)
        self.live_refresh.sig_schema_changed.connect(self.on_schema_changed)
        if live:
            self.live_refresh.start()
        if self.modules:
            self.show_module(self.modules[0].key)

    # --- construction -----------------------------------------------------------

    def _build(self) -> None:
        user = self.context.user
        brand = QLabel(self.tr("eSZOK"))
        brand_font = QFont(brand.font())
        brand_font.setBold(True)
        brand_font.setPointSizeF(brand_font.pointSizeF() * 1.35)
        brand.setFont(brand_font)
        brand.setStyleSheet("color: white;")
        self.user_label = QLabel(
            self.tr("{name} · {role}").format(name=user.full_name, role=role_title(user.role))
        )
        self.user_label.setObjectName("signedInUser")
        self.user_label.setToolTip(user.email)
        self.user_label.setStyleSheet("color: white;")
        self.sign_out_button = QPushButton(self.tr("Wyloguj"))
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sign_out_button.clicked.connect(self.on_sign_out_clicked)
        self.sign_out_button.setStyleSheet(
            "QPushButton { color: white; background: transparent; border: 1px solid #9fb6d6;"
            " border-radius: 3px; padding: 3px 12px; }"
            "QPushButton:hover { background: #3a5f93; }"
            "QPushButton:disabled { color: #9fb6d6; }"
        )
        top = QFrame()
        top.setObjectName("topBar")
        top.setStyleSheet("#topBar { background: #24436e; }")
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(16, 8, 12, 8)
        top_layout.setSpacing(12)
        top_layout.addWidget(brand)
        top_layout.addStretch(1)
        top_layout.addWidget(self.user_label)
        top_layout.addWidget(self.sign_out_button)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("moduleSidebar")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setIconSize(QSize(0, 0))
        self.sidebar.setStyleSheet(
            "#moduleSidebar { background: #eef1f5; border-right: 1px solid #d5dae1;"
            " padding-top: 8px; outline: 0; }"
            "#moduleSidebar::item { padding: 9px 14px; color: #1f2a37;"
            " border-left: 4px solid transparent; }"
            "#moduleSidebar::item:selected { background: #d6e2f3; color: #12325c;"
            " border-left: 4px solid #2f6fb7; font-weight: bold; }"
            "#moduleSidebar::item:hover:!selected { background: #e3e8ef; }"
        )
        for index, spec in enumerate(self.modules):
            item = QListWidgetItem(QCoreApplication.translate("modules", spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            if index < 9:
                item.setToolTip(f"Ctrl+{index + 1}")
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self.on_sidebar_row_changed)

        self.stack = QStackedWidget()
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.sidebar)
        body.addWidget(self.stack, 1)

        # non-modal: open dialogs keep what the user typed while the client reconnects
        self.connection_banner = QLabel(self.tr("Brak połączenia z serwerem — ponawiam…"))
        self.connection_banner.setObjectName("connectionBanner")
        self.connection_banner.setStyleSheet(
            "#connectionBanner { background: #fff3cd; color: #664d03; padding: 6px 16px;"
            " border-bottom: 1px solid #e0c36c; font-weight: bold; }"
        )
        self.connection_banner.hide()
        self.schema_banner = QLabel(
            self.tr(
                "Baza danych została zaktualizowana do innej wersji. Zapisz swoją pracę "
                "i uruchom eSZOK ponownie (po aktualizacji programu, jeśli trzeba)."
            )
        )
        self.schema_banner.setObjectName("schemaBanner")
        self.schema_banner.setWordWrap(True)
        self.schema_banner.setStyleSheet(
            "#schemaBanner { background: #f8d7da; color: #58151c; padding: 6px 16px;"
            " border-bottom: 1px solid #e3a5ab; font-weight: bold; }"
        )
        self.schema_banner.hide()

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(top)
        outer.addWidget(self.connection_banner)
        outer.addWidget(self.schema_banner)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.statusBar().addPermanentWidget(self.busy_bar)
        self.statusBar().showMessage(
            self.tr("Zalogowano jako {name} ({role})").format(
                name=user.full_name, role=role_title(user.role)
            )
        )

    def _build_menu(self) -> None:
        program = self.menuBar().addMenu(self.tr("&Program"))
        self.sign_out_action = QAction(self.tr("&Wyloguj"), self)
        self.sign_out_action.triggered.connect(self.on_sign_out_clicked)
        program.addAction(self.sign_out_action)
        self.change_password_action = QAction(self.tr("Zmień &hasło…"), self)
        self.change_password_action.triggered.connect(self.on_change_password_triggered)
        program.addAction(self.change_password_action)
        close_action = QAction(self.tr("&Zamknij"), self)
        close_action.setShortcut(QKeySequence.StandardKey.Quit)
        close_action.triggered.connect(self.close)
        program.addAction(close_action)

        menu = self.menuBar().addMenu(self.tr("&Moduły"))
        group = QActionGroup(self)
        group.setExclusive(True)
        self.module_actions: list[QAction] = []
        for index, spec in enumerate(self.modules):
            action = QAction(QCoreApplication.translate("modules", spec.title), self)
            action.setCheckable(True)
            action.setData(spec.key)
            if index < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_module(key))
            group.addAction(action)
            menu.addAction(action)
            self.module_actions.append(action)
        # the actions must belong to the window for their shortcuts to work in any page
        self.addActions(self.module_actions)

    # --- modules ----------------------------------------------------------------

    def module_keys(self) -> list[str]:
        """Keys of the modules this user sees, in menu order."""
        return [spec.key for spec in self.modules]

    def current_module_key(self) -> str | None:
        row = self.sidebar.currentRow()
        return self.modules[row].key if 0 <= row < len(self.modules) else None

    def page(self, key: str) -> QWidget | None:
        """The page of module ``key`` if it has been shown already."""
        return self.pages.get(key)

    def show_module(self, key: str) -> None:
        index = self.module_keys().index(key)
        if self.sidebar.currentRow() != index:
            self.sidebar.setCurrentRow(index)  # comes back through on_sidebar_row_changed
            return
        spec = self.modules[index]
        page = self.pages.get(key)
        if page is None:
            page = self._create_page(spec)
            self.pages[key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.module_actions[index].setChecked(True)

    def _create_page(self, spec: ModuleSpec) -> QWidget:
        try:
            return spec.factory(self.context)
        except Exception:
            # one broken module must not take the window down
            log.exception("module %s failed to open", spec.key)
            return ModulePlaceholder(
                QCoreApplication.translate("modules", spec.title),
                self.tr("Szczegóły błędu są w dzienniku programu. Pozostałe moduły działają."),
                status=self.tr("Nie udało się otworzyć tego modułu."),
            )

    @Slot(int)
    def on_sidebar_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.modules):
            self.show_module(self.modules[row].key)

    # --- sign-out ---------------------------------------------------------------

    @Slot()
    def on_sign_out_clicked(self) -> None:
        if self.signing_out:
            return
        self.signing_out = True
        self.sign_out_button.setEnabled(False)
        self.sign_out_action.setEnabled(False)
        self.context.runner.query(
            auth.sign_out,
            on_success=lambda _result: self._finish_sign_out(),
            # the server is unreachable: forget the token anyway; it expires on its own
            on_failure=lambda _exc: self._finish_sign_out(),
            owner=self,
        )

    def _finish_sign_out(self) -> None:
        self.context.db.set_token(None)
        self.sig_signed_out.emit()
        if self.isVisible():  # the slot may have closed the window already
            self.close()

    @Slot()
    def on_change_password_triggered(self) -> None:
        from eszok_desktop.ui.admin.change_password_dialog import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.context.runner, self.context.user, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def on_session_expired(self) -> None:
        if self.reauth_dialog is not None or self.signing_out:
            return
        from eszok_desktop.ui.login.reauth_dialog import ReauthDialog

        dialog = ReauthDialog(self.context.runner, self.context.user.email, parent=self)
        dialog.sig_sign_out_requested.connect(self.on_sign_out_clicked)
        dialog.finished.connect(self.on_reauth_finished)
        self.reauth_dialog = dialog
        dialog.open()

    @Slot(int)
    def on_reauth_finished(self, _result: int) -> None:
        if self.reauth_dialog is not None:
            self.reauth_dialog.deleteLater()
        self.reauth_dialog = None

    @Slot(bool)
    def on_runner_busy_changed(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)

    @Slot(bool)
    def on_connection_changed(self, connected: bool) -> None:
        self.connection_banner.setVisible(not connected)
        if connected:
            self.statusBar().showMessage(self.tr("Połączenie z serwerem przywrócone."), 5000)

    @Slot(str)
    def on_schema_changed(self, _revision: str) -> None:
        self.schema_banner.show()

    def closeEvent(self, event) -> None:
        self.live_refresh.stop()
        super().closeEvent(event)


def _visible(spec: ModuleSpec, user: auth.CurrentUser) -> bool:
    try:
        return bool(spec.visible_for(user))
    except Exception:
        log.exception("visibility rule of module %s failed", spec.key)
        return False
