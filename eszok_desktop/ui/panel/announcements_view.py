"""The "Ogłoszenia" list of Panel Główny: one card per announcement, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from eszok_desktop.services.panel import PanelAnnouncement

POLISH = QLocale(QLocale.Language.Polish, QLocale.Country.Poland)


class AnnouncementCard(QFrame):
    """Title (bold), date, text. Text is plain: an announcement cannot inject markup."""

    def __init__(self, item: PanelAnnouncement, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("announcementCard")
        self.item = item
        self.setStyleSheet(
            "#announcementCard { background: palette(base); border: 1px solid #d9dce1;"
            " border-left: 4px solid #2f6fb7; border-radius: 4px; }"
        )
        self.title_label = QLabel(item.title)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.08)
        self.title_label.setFont(font)
        self.date_label = QLabel(
            POLISH.toString(item.visible_from.astimezone(), "d MMMM yyyy, HH:mm")
        )
        self.date_label.setStyleSheet("color: #6b6f76;")
        small = QFont(self.date_label.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.date_label.setFont(small)
        self.body_label = QLabel(item.body)
        self.body_label.setTextFormat(Qt.TextFormat.PlainText)
        self.body_label.setWordWrap(True)
        self.body_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body_label.setVisible(bool(item.body.strip()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 9, 12, 10)
        layout.setSpacing(3)
        layout.addWidget(self.title_label)
        layout.addWidget(self.date_label)
        layout.addSpacing(3)
        layout.addWidget(self.body_label)


class AnnouncementsView(QScrollArea):
    """A scrolling column of AnnouncementCards with an empty state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._inner = QWidget()
        self._inner.setObjectName("announcementsInner")
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(0, 0, 6, 0)
        self._layout.setSpacing(8)
        self.empty_label = QLabel(self.tr("Brak bieżących ogłoszeń."))
        self.empty_label.setStyleSheet("color: #6b6f76;")
        self._layout.addWidget(self.empty_label)
        self._layout.addStretch(1)
        self.setWidget(self._inner)
        self.cards: list[AnnouncementCard] = []

    def set_announcements(self, items: Sequence[PanelAnnouncement]) -> None:
        for card in self.cards:
            self._layout.removeWidget(card)
            card.deleteLater()
        self.cards = [AnnouncementCard(item, self._inner) for item in items]
        for index, card in enumerate(self.cards):
            self._layout.insertWidget(index, card)
        self.empty_label.setVisible(not self.cards)

    def titles(self) -> list[str]:
        return [card.item.title for card in self.cards]
