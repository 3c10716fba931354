"""Two clashes of this stack with PySide6, fixed in one place.

1. OpenCV's wheel (``opencv-contrib-python``, required by MediaPipe) bundles its own Qt and, when ``cv2`` is
   imported, points ``QT_QPA_PLATFORM_PLUGIN_PATH`` and ``QT_QPA_FONTDIR`` at it. PySide6's Qt then loads
   OpenCV's ``xcb`` plugin, built for another Qt, and the window cannot open on a desktop.
   :func:`undo_opencv_qt_env` removes those two variables when they point into ``cv2``; call it just before
   the QApplication is created.

2. A reference-counting bug of PySide6 6.12.0 on Python 3.11:
On Python 3.11, every call of a PySide6 6.12.0 method that returns nothing (``QPainter.drawLine``,
``QLabel.setText``, ``QWidget.update`` ...) takes one reference from ``None`` without having given it one
(on Python 3.12 and later ``None`` is immortal, so the bug is harmless there). After a few thousand such calls,
a second of painting, Python aborts with "Fatal Python error: none_dealloc: deallocating None".

:func:`guard` checks for the bug with a few calls and, only where it is present, gives ``None``, ``True`` and
``False`` so many references that they can never reach zero: what Python 3.12 does by making them immortal.
The real fix is a PySide6 without the bug (any other version, or Python 3.12+).
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Final

#: Variables OpenCV's Qt sets on import.
OPENCV_QT_VARIABLES: Final = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def undo_opencv_qt_env() -> list[str]:
    """Remove Qt variables that point into OpenCV's bundled Qt; returns the names removed."""
    removed = []
    for name in OPENCV_QT_VARIABLES:
        value = os.environ.get(name, "")
        if "cv2" in value.replace("\\", "/").split("/"):
            del os.environ[name]
            removed.append(name)
    return removed


#: References added: at one lost reference per call, more calls than a process can make.
_SPARE: Final = 1 << 40
_applied = False


def leaks_none(calls: int = 64) -> bool:
    """True if calling a void PySide6 method takes references from ``None``."""
    from PySide6.QtCore import QPointF

    point = QPointF()
    before = sys.getrefcount(None)
    for _ in range(calls):
        point.setX(1.0)
    return sys.getrefcount(None) < before - calls // 2


def guard() -> bool:
    """Apply the guard if this PySide6 has the bug (once per process); True if it is in force."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not leaks_none():
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _SPARE
    _applied = True
    return True
