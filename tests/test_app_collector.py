"""Reference cycles are collected on the window's thread only (turnout.app.collector).

Before, Python collected cycles on whichever thread allocated when a threshold was reached: under load the file
analysis's thread collected a cycle holding Qt objects (during an ``import``) while the GUI thread destroyed others, and
PySide6 deadlocked (``tests/test_app_files.py`` froze for good: the analysis thread in ``QObject::~QObject`` waiting
for the GIL, the GUI thread holding it and waiting for Qt's connection lock)."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from PySide6.QtCore import QObject

from turnout.app.collector import INTERVAL_MS, MainThreadCollector


class _Node:
    """A reference cycle holding a Qt object, as a closed dialog and its connections are."""

    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()


def _cycle_freed_on(where: list[str]) -> None:
    node = _Node()
    weakref.finalize(node, lambda: where.append(threading.current_thread().name))


def _allocate_on_a_worker() -> None:
    """A worker thread making many container objects: past the collector's youngest threshold many times over."""

    def work() -> None:
        junk = [[i] for i in range(20 * gc.get_threshold()[0])]
        del junk

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()


def test_a_cycle_holding_a_qt_object_is_freed_on_the_gui_thread_not_on_a_worker(qtbot: Any) -> None:
    collector = MainThreadCollector.install()
    assert not gc.isenabled()
    freed: list[str] = []
    _cycle_freed_on(freed)
    _allocate_on_a_worker()
    assert freed == [], "collected on the worker thread"
    qtbot.waitUntil(lambda: bool(freed), timeout=20 * INTERVAL_MS)  # a timer or two; generous under load
    assert freed == ["MainThread"] and collector.collections[0] >= 1


def test_the_window_installs_it_and_taking_it_back_restores_pythons_collection(qtbot: Any, tmp_path: Any) -> None:
    from PySide6.QtCore import QSettings

    from app_fakes import FakeEngine
    from turnout.app.context import AppContext
    from turnout.app.controller import LiveController
    from turnout.app.sound import CuePlayer
    from turnout.app.window import MainWindow

    assert MainThreadCollector.installed() is None and gc.isenabled()
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    window = MainWindow(LiveController(FakeEngine(tmp_path / "none.mp4")), ctx, cues=CuePlayer(which=lambda name: None))
    qtbot.addWidget(window)
    collector = MainThreadCollector.installed()
    assert collector is not None and not gc.isenabled()
    assert MainThreadCollector.install() is collector  # once per process
    collector.uninstall()
    assert MainThreadCollector.installed() is None and gc.isenabled()
