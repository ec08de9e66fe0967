"""Administracja: users, grants and approvals, announcements, the change log, and the
dictionaries. Administrators see every page; managers (announcements.publish only) see
just "Ogłoszenia". The database enforces the same split."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from eszok_desktop.services.auth import CurrentUser
from eszok_desktop.ui.context import AppContext, ModuleSpec


class AdminModule(QWidget):
    """The module page: one tab per Administracja page the user may use."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from eszok_desktop.ui.admin.announcements_view import AnnouncementsView
        from eszok_desktop.ui.admin.audit_view import AuditView
        from eszok_desktop.ui.admin.dictionaries_view import DictionariesView
        from eszok_desktop.ui.admin.grants_view import GrantsView
        from eszok_desktop.ui.admin.users_window import UsersWindow

        self.setObjectName("adminModule")
        self.tabs = QTabWidget()
        self.tabs.setTabBarAutoHide(True)  # a manager's single page needs no tab
        self.pages: dict[str, QWidget] = {}
        if ctx.user.can("admin.users"):
            self._add("users", UsersWindow(ctx), self.tr("Użytkownicy"))
            self._add("grants", GrantsView(ctx), self.tr("Uprawnienia"))
        if ctx.user.can("announcements.publish"):
            self._add("announcements", AnnouncementsView(ctx), self.tr("Ogłoszenia"))
        if ctx.user.can("admin.users"):
            self._add("audit", AuditView(ctx), self.tr("Historia zmian"))
            self._add("dictionaries", DictionariesView(ctx), self.tr("Słowniki"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _add(self, key: str, page: QWidget, title: str) -> None:
        self.pages[key] = page
        self.tabs.addTab(page, title)


def visible_for(user: CurrentUser) -> bool:
    return user.can("admin.users") or user.can("announcements.publish")


MODULE = ModuleSpec(
    key="admin", title="Administracja", order=90, visible_for=visible_for, factory=AdminModule
)
