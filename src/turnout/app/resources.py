"""The window's pictures, packaged with Turnout in ``turnout/assets/`` (drawn by ``scripts/make_assets.py``) and
read through :mod:`importlib.resources`, so they are found from a source checkout, an editable install and a
normal install alike."""

from __future__ import annotations

import contextlib
from importlib import resources
from typing import Final

from PySide6.QtGui import QIcon, QPixmap

CAMERA_PLACEMENT: Final = "camera-placement.png"
ICON: Final = "icon.png"


def asset_bytes(name: str) -> bytes:
    """The bytes of ``turnout/assets/<name>``; ``FileNotFoundError`` when it is not packaged."""
    return resources.files("turnout").joinpath("assets", name).read_bytes()


def pixmap(name: str) -> QPixmap:
    """A packaged picture (an empty pixmap when it is missing: the window still opens)."""
    pm = QPixmap()
    with contextlib.suppress(OSError):
        pm.loadFromData(asset_bytes(name))
    return pm


def app_icon() -> QIcon:
    return QIcon(pixmap(ICON))
