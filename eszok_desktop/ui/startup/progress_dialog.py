"""The dialog shown while the local database is being prepared (first run: ~2 s)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

from eszok_desktop.db.startup import Step

# Shown only when preparing takes longer than this: a second start is ~0.2 s and would
# only flash the dialog.
SHOW_AFTER_MS = 400


class PreparingDialog(QDialog):
    """A list of the preparation steps, the current one in bold, and a busy bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("eSZOK"))
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Przygotowywanie lokalnej bazy danych…"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.step_labels: dict[Step, QLabel] = {}
        for step, text in self.step_texts().items():
            label = QLabel(text)
            label.setWordWrap(True)
            label.setEnabled(False)
            self.step_labels[step] = label
            layout.addWidget(label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        layout.addWidget(self.bar)
        self.current: Step | None = None
        self._show_timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        self._show_timer.timeout.connect(self.show)

    def step_texts(self) -> dict[Step, str]:
        return {
            Step.CREATE_CLUSTER: self.tr(
                "Tworzenie lokalnego serwera PostgreSQL (pierwsze uruchomienie)"
            ),
            Step.START_SERVER: self.tr("Uruchamianie serwera bazy danych"),
            Step.CREATE_DATABASE: self.tr("Zakładanie bazy danych eSZOK"),
            Step.MIGRATE: self.tr("Aktualizacja schematu bazy danych"),
        }

    def show_soon(self) -> None:
        """Show the dialog unless the work finishes first."""
        self._show_timer.start()

    def on_step_started(self, step: object) -> None:
        """Mark earlier steps done and ``step`` current."""
        if not isinstance(step, Step):
            return
        self.current = step
        order = list(Step)
        for other, label in self.step_labels.items():
            font = QFont(label.font())
            font.setBold(other == step)
            label.setFont(font)
            done = order.index(other) < order.index(step)
            label.setEnabled(other == step or done)
            base = self.step_texts()[other]
            label.setText(("✓ " if done else "") + base)
        if step == Step.DONE:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)

    def finish(self) -> None:
        self._show_timer.stop()
        self.accept()

    def reject(self) -> None:
        """Escape does not abandon a half-prepared server; the work always ends by itself."""
