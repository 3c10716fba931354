"""Python's cyclic garbage collector run on the window's thread only.

Python collects reference cycles on whichever thread happens to allocate when a generation's threshold is reached.
In the window that is often a worker thread (the file analysis, the live runner's, the second-person look), and a
cycle it collects may hold Qt objects of the window (a closed dialog, a menu, their signal connections): their C++
destructors then run there, beside the GUI thread destroying others. PySide6 6.11 deadlocks on that: the worker,
inside ``QObject::~QObject`` (which holds Qt's connection lock), waits for the GIL to look up a Python override,
while the GUI thread holds the GIL and waits for that lock in another ``~QObject``. Found under load in
``tests/test_app_files.py`` (the window frozen for good: the test waited 8 minutes; py-spy showed those two
stacks, the worker's from ``gc_collect_main`` during an ``import``); a window that froze so would lose nothing
stored but would never answer again.

:class:`MainThreadCollector` turns automatic collection off and collects on a timer of the GUI thread instead,
generation by generation with Python's own thresholds (the recipe of PyQt applications). Objects freed by their
last reference going away are freed as before, wherever that happens; only cycles wait for the timer.
"""

from __future__ import annotations

import gc
import time
from typing import Final

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

#: How often the GUI thread collects (milliseconds). Python's own first threshold (700 allocations) is reached many
#: times a second while frames are processed; twice a second keeps the garbage small at little cost
#: (``scripts/bench.py --quick``'s live run: 161 collections, 58 ms in all, 34 of them the one full collection).
INTERVAL_MS: Final = 500


class MainThreadCollector(QObject):
    """Collect cycles on the GUI thread every :data:`INTERVAL_MS`; automatic collection is off while installed.

    >>> collector = MainThreadCollector.install()  # doctest: +SKIP
    """

    _installed: MainThreadCollector | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.was_enabled = gc.isenabled()
        #: collections run, per generation, and the milliseconds they took in all and at most (tests, benchmarks)
        self.collections = [0, 0, 0]
        self.total_ms = 0.0
        self.longest_ms = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)

    @classmethod
    def install(cls) -> MainThreadCollector:
        """Turn automatic collection off and collect on the application's (the GUI) thread from now on; once per
        process (a second call returns the first collector). Call it on the GUI thread."""
        if cls._installed is not None:
            return cls._installed
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("MainThreadCollector needs the QApplication to exist")
        if QThread.currentThread() is not app.thread():
            raise RuntimeError("MainThreadCollector must be installed on the GUI thread")
        collector = cls(app)
        gc.disable()
        collector.timer.start()
        cls._installed = collector
        return collector

    @classmethod
    def installed(cls) -> MainThreadCollector | None:
        return cls._installed

    def uninstall(self) -> None:
        """Collect everything here, then give collection back to Python (tests: between a window's tests and the
        rest)."""
        self.timer.stop()
        gc.collect()
        if self.was_enabled:
            gc.enable()
        if type(self)._installed is self:
            type(self)._installed = None
        self.setParent(None)

    def check(self) -> None:
        """Collect the youngest generation when anything new is tracked, and an older one when its threshold is
        passed (as Python would: generation 1 every ``threshold[1]`` collections of 0, 2 every ``threshold[2]`` of 1).

        The youngest every time, not only past its threshold: Python looks at each allocation, this twice a second,
        and what a worker allocated and freed in between (a frame's objects) no longer counts, while a cycle it left
        does."""
        _, t1, t2 = self.thresholds
        c0, c1, c2 = gc.get_count()
        generation = (2 if c2 > t2 else 1) if c1 > t1 else 0
        if generation == 0 and c0 <= 0:
            return
        start = time.perf_counter()
        gc.collect(generation)
        ms = (time.perf_counter() - start) * 1e3
        self.collections[generation] += 1
        self.total_ms += ms
        self.longest_ms = max(self.longest_ms, ms)
