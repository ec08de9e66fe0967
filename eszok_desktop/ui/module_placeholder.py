"""An honest page for a module that is not built yet, and a ModuleSpec that shows it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from eszok_desktop.services.auth import CurrentUser
from eszok_desktop.ui.context import AppContext, ModuleSpec


class ModulePlaceholder(QWidget):
    """The module's title over "Moduł w przygotowaniu" (or another ``status``) and an
    optional explanation."""

    def __init__(
        self,
        title: str,
        detail: str = "",
        parent: QWidget | None = None,
        *,
        status: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modulePlaceholder")
        heading = QLabel(title)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        self.status_label = QLabel(status or self.tr("Moduł w przygotowaniu"))
        bigger = QFont(self.status_label.font())
        bigger.setPointSizeF(bigger.pointSizeF() * 1.15)
        self.status_label.setFont(bigger)
        self.detail_label = QLabel(
            detail
            or self.tr(
                "Ta część programu nie jest jeszcze gotowa. Pojawi się w jednej "
                "z kolejnych wersji eSZOK."
            )
        )
        self.detail_label.setWordWrap(True)
        self.detail_label.setStyleSheet("color: #6b6f76;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(10)
        for label in (heading, self.status_label, self.detail_label):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            layout.addWidget(label)
        layout.insertStretch(0, 1)
        layout.addStretch(2)


def placeholder_module(
    key: str, title: str, order: int, visible_for: Callable[[CurrentUser], bool]
) -> ModuleSpec:
    """A ModuleSpec whose page says the module is not built yet."""

    def create(_context: AppContext) -> QWidget:
        return ModulePlaceholder(QCoreApplication.translate("modules", title))

    return ModuleSpec(key=key, title=title, order=order, visible_for=visible_for, factory=create)
