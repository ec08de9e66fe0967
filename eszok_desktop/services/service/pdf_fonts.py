"""A TrueType font with Polish letters for reportlab (its built-in fonts lose ą ę ł ń ś ź ż).

Looked up in this order: ``ESZOK_PDF_FONT_DIR``, fontconfig (``fc-match``), the usual
Debian/Fedora/Arch, macOS and Windows folders. DejaVu Sans is preferred; Liberation Sans
and Arial have the Polish glyphs as well.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from eszok_desktop.services.errors import ServiceError

REGULAR = "EszokSans"
BOLD = "EszokSans-Bold"

# (regular, bold) file names, best first
FAMILIES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("arial.ttf", "arialbd.ttf"),
    ("Arial.ttf", "Arial Bold.ttf"),
)
FOLDERS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/liberation-sans",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
    os.path.expanduser("~/Library/Fonts"),
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts"),
)


class FontNotFound(ServiceError):
    """No TrueType font with Polish letters was found for PDF output."""


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path


def _fontconfig_dirs() -> list[str]:
    if shutil.which("fc-match") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", "DejaVu Sans"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(Path(out).parent)] if out.endswith(".ttf") else []


def find_font_files(extra_dirs: list[str] | None = None) -> FontFiles:
    """The first complete family found; FontNotFound names where it looked."""
    dirs = list(extra_dirs or [])
    if os.environ.get("ESZOK_PDF_FONT_DIR"):
        dirs.append(os.environ["ESZOK_PDF_FONT_DIR"])
    dirs += _fontconfig_dirs() + list(FOLDERS)
    for regular, bold in FAMILIES:
        for folder in dirs:
            reg = Path(folder, regular)
            if reg.is_file():
                bold_path = Path(folder, bold)
                return FontFiles(reg, bold_path if bold_path.is_file() else reg)
    raise FontNotFound(
        "no TrueType font with Polish letters (DejaVu Sans, Liberation Sans, Arial) in "
        + ", ".join(dirs)
        + (" (Debian: apt-get install fonts-dejavu-core)" if sys.platform == "linux" else "")
    )


_registered = False


def register_fonts() -> tuple[str, str]:
    """Register the font family with reportlab once; returns (regular, bold) names."""
    global _registered
    if not _registered:
        files = find_font_files()
        pdfmetrics.registerFont(TTFont(REGULAR, str(files.regular)))
        pdfmetrics.registerFont(TTFont(BOLD, str(files.bold)))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True
    return REGULAR, BOLD
