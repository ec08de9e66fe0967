"""Render the panel offscreen with typical notes and look at the pixels.

Set ESZOK_SCREENSHOTS=<dir> to keep the PNG (docs/img/notes.png is made this way).
"""

from __future__ import annotations

import os
from datetime import date, time, timedelta
from pathlib import Path

from PySide6.QtGui import QColor

from eszok_desktop.services import notes
from tests.notes.test_notes_panel import T0, FakeClock, open_panel, save_note

OVERDUE = QColor("#c62828")


def count_close(image, color: QColor, tolerance: int = 40) -> int:
    hits = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - color.red())
                + abs(c.green() - color.green())
                + abs(c.blue() - color.blue())
                < tolerance
            ):
                hits += 1
    return hits


def test_render_the_panel(qtbot, ctx, add_event, tmp_path):
    event_id = add_event("Spotkanie w Radomiu", T0 + timedelta(days=2, hours=2), [ctx.user.id])
    save_note(
        ctx,
        notes.NoteDraft(
            "Oddzwonić do klienta", "Pan Nowak, tel. 600 100 200", date(2026, 12, 3), time(9)
        ),
    )
    save_note(
        ctx,
        notes.NoteDraft(
            "Przygotować ofertę dla Kowalski sp. z o.o.",
            "Serwis drukarek: 12 szt., umowa roczna. Uwzględnić rabat z poprzedniej umowy.",
            date(2026, 12, 5),
            time(15),
            event_id,
        ),
    )
    save_note(ctx, notes.NoteDraft("Złożyć wniosek urlopowy", deadline_date=date(2026, 12, 4)))
    save_note(ctx, notes.NoteDraft("Zamówić toner do drukarki", "HP 59A, dwie sztuki"))
    done = save_note(ctx, notes.NoteDraft("Raport miesięczny"))
    with ctx.db.session() as s:
        notes.mark_done(s, done.id, done.version)

    panel = open_panel(qtbot, ctx, FakeClock(T0))
    panel.resize(360, 660)
    qtbot.wait(50)
    texts = [card.time_label.text() for card in panel.active_list.cards]
    assert texts == [
        "po terminie 3 godz.",
        "pozostał 1 dzień 12 godz.",
        "pozostały 2 dni 3 godz.",
        "bez terminu",
    ]
    image = panel.grab().toImage()
    assert (image.width(), image.height()) == (360, 660)
    assert count_close(image, OVERDUE) > 20  # the overdue header and its accent are red
    out = Path(os.environ.get("ESZOK_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    assert image.save(str(out / "notes.png"))
