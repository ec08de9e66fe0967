"""Guards against a known PySide6 defect.

PySide6 6.12.0 on Python 3.11 drops one reference to None on every call of a Python
override of a virtual (paintEvent…), so a painted widget aborts the process
("none_dealloc") after some thousands of repaints. 6.11.3 is pinned for that reason;
this test fails if a version with the leak comes back.
"""

import sys

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget


class Painted(QWidget):
    def paintEvent(self, event):
        QPainter(self).end()


def test_repainting_a_python_widget_keeps_none_alive(qtbot):
    widget = Painted()
    qtbot.addWidget(widget)
    widget.resize(40, 40)
    widget.show()
    before = sys.getrefcount(None)
    for _ in range(500):
        widget.repaint()
    assert sys.getrefcount(None) - before > -50
