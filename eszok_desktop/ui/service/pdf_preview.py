"""Previewing and printing a PDF made by reportlab. No PySide6 wheel has QtPdf, so pages
are rendered with pypdfium2 into images: shown in a scroll area, painted onto a QPrinter."""

from __future__ import annotations

import pypdfium2
from PySide6.QtCore import QCoreApplication, QRect, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

PREVIEW_DPI = 96
PRINT_DPI = 300


def tr(text: str) -> str:
    return QCoreApplication.translate("PdfPreview", text)


def render_pages(pdf: bytes, dpi: int) -> list[QImage]:
    """Every page of ``pdf`` as an image at ``dpi``."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for index in range(len(doc)):
            page = doc[index]
            bitmap = page.render(scale=dpi / 72)
            pil = bitmap.to_pil().convert("RGB")
            data = pil.tobytes("raw", "RGB")
            image = QImage(data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888)
            images.append(image.copy())  # own the pixels: ``data`` goes away
            bitmap.close()
            page.close()
        return images
    finally:
        doc.close()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint each page of ``pdf`` onto ``printer``, scaled to its page; returns the number
    of pages printed."""
    pages = render_pages(pdf, PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be opened")
    try:
        for number, image in enumerate(pages):
            if number:
                printer.newPage()
            target = painter.viewport()
            size = image.size()
            size.scale(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(target.x(), target.y(), size.width(), size.height()), image)
    finally:
        painter.end()
    return len(pages)


def choose_printer(parent: QWidget | None) -> QPrinter | None:
    """The print dialog (a seam tests replace); None when cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def choose_save_path(parent: QWidget | None, title: str, name: str, filters: str) -> str:
    """The save-file dialog (a seam tests replace); "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, name, filters)
    return path


class PdfPreviewDialog(QDialog):
    sig_printed = Signal(int)  # pages

    def __init__(self, pdf: bytes, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.file_name = file_name
        self.setWindowTitle(tr("Podgląd wydruku — {name}").format(name=file_name))
        self.resize(720, 900)
        pages = QWidget()
        column = QVBoxLayout(pages)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.page_labels: list[QLabel] = []
        for image in render_pages(pdf, PREVIEW_DPI):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("border: 1px solid #999; background: white;")
            column.addWidget(label)
            self.page_labels.append(label)
        scroll = QScrollArea()
        scroll.setWidget(pages)
        scroll.setWidgetResizable(True)
        scroll.setStyleSheet("QScrollArea { background: #777; }")
        self.print_button = QPushButton(tr("Drukuj…"))
        self.save_button = QPushButton(tr("Zapisz PDF…"))
        close = QPushButton(tr("Zamknij"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(buttons)
        self.print_button.clicked.connect(self.on_print_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        close.clicked.connect(self.accept)

    @Slot()
    def on_print_clicked(self) -> None:
        printer = choose_printer(self)
        if printer is None:
            return
        from eszok_desktop.ui import messages

        try:
            pages = print_pdf(self.pdf, printer)
        except OSError as exc:
            messages.show_error(self, exc)
            return
        self.sig_printed.emit(pages)

    @Slot()
    def on_save_clicked(self) -> None:
        path = choose_save_path(self, tr("Zapisz PDF"), self.file_name, tr("PDF (*.pdf)"))
        if path:
            with open(path, "wb") as out:
                out.write(self.pdf)
