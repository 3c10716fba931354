"""The live runner: bounded hand-off that drops and counts, camera loss and reconnection, clean stop."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import numpy as np
import pytest

from turnout.capture.live import Captured, LiveRunner
from turnout.capture.sources import CameraSource, Frame, FrameSource, SourceInfo
from turnout.errors import SourceError


class ListSource(FrameSource):
    def __init__(self, n: int, kind: str = "video", lost: bool = False, period_s: float = 0.0) -> None:
        self.n, self.period_s = n, period_s
        self.info = SourceInfo("fake", kind, 30.0, 8, 8)
        self.lost = False
        self._lost_at_end = lost

    def __iter__(self):  # type: ignore[no-untyped-def]
        for i in range(self.n):
            if self.period_s:
                time.sleep(self.period_s)
            yield Frame(i, i * 33, np.zeros((8, 8, 3), np.uint8))
        self.lost = self._lost_at_end


def test_every_frame_processed_without_dropping() -> None:
    seen: list[int] = []

    def process(c: Captured) -> int:
        seen.append(c.frame.index)
        return c.frame.index

    runner: LiveRunner[Any] = LiveRunner(lambda: ListSource(50), process, drop=False)
    runner.start()
    assert runner.wait(10)
    assert seen == list(range(50))
    s = runner.stats()
    assert (s.captured, s.processed, s.dropped, s.finished) == (50, 50, 0, True)
    assert runner.latest() == 49


def test_slow_processing_drops_and_counts() -> None:
    def slow(c: Captured) -> int:
        time.sleep(0.02)
        return c.frame.index

    runner: LiveRunner[Any] = LiveRunner(lambda: ListSource(200, period_s=0.002), slow)
    runner.start()
    assert runner.wait(20)
    s = runner.stats()
    assert s.captured == 200
    assert s.dropped > 50
    assert s.processed + s.dropped == 200
    assert runner.latest() == 199  # the newest frame is always processed last


def test_camera_loss_is_reported_and_the_session_resumes() -> None:
    opened = {"n": 0}
    results: list[int] = []
    stamps: list[int] = []
    gate = threading.Event()

    def open_source() -> FrameSource:
        opened["n"] += 1
        if opened["n"] == 1:
            return ListSource(5, kind="camera", lost=True)  # unplugged after 5 frames
        if opened["n"] in (2, 3):
            gate.set()
            raise SourceError("camera 0 could not be opened")  # still unplugged
        return ListSource(5, kind="camera", period_s=0.01)  # back; then ends normally

    processor_id: dict[str, set[int]] = {"ids": set()}

    def process(c: Captured) -> int:
        processor_id["ids"].add(threading.get_ident())
        results.append(c.frame.index)
        stamps.append(c.frame.timestamp_ms)
        return c.frame.index

    runner: LiveRunner[Any] = LiveRunner(open_source, process, retry_s=0.05, drop=False)
    runner.start()
    assert gate.wait(5)
    assert runner.stats().camera_lost
    assert "camera lost" in runner.stats().status
    assert runner.wait(10)
    s = runner.stats()
    assert s.reconnects == 1 and not s.camera_lost
    assert results == list(range(10))  # everything before the loss kept; numbering goes on after it
    assert all(b > a for a, b in itertools.pairwise(stamps))  # time never runs backwards
    assert len(processor_id["ids"]) == 1  # one processing thread throughout: the same session goes on


def test_stop_ends_threads_within_a_second() -> None:
    runner: LiveRunner[Any] = LiveRunner(
        lambda: ListSource(10_000, kind="camera", period_s=0.005), lambda c: c.frame.index
    )
    runner.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    assert runner.stop(timeout=1.0)
    assert time.monotonic() - t0 < 1.0


def test_failing_first_open_is_reported() -> None:
    def bad() -> FrameSource:
        raise SourceError("camera 7 could not be opened")

    runner: LiveRunner[Any] = LiveRunner(bad, lambda c: 0)
    runner.start()
    assert runner.wait(5)
    assert isinstance(runner.error, SourceError)
    assert "camera 7" in runner.stats().status


def test_processing_error_stops_cleanly() -> None:
    def boom(c: Captured) -> int:
        raise ValueError("bad frame")

    runner: LiveRunner[Any] = LiveRunner(lambda: ListSource(10, kind="camera", period_s=0.01), boom)
    runner.start()
    assert runner.wait(5)
    assert isinstance(runner.error, ValueError)


@pytest.mark.parametrize("n", [3])
def test_real_camera_source_class_through_runner(n: int) -> None:
    class Cap:
        def __init__(self) -> None:
            self.k = 0

        def isOpened(self) -> bool:
            return True

        def read(self):  # type: ignore[no-untyped-def]
            self.k += 1
            return (self.k <= n, np.zeros((4, 4, 3), np.uint8) if self.k <= n else None)

        def get(self, p: int) -> float:
            return 30.0

        def set(self, p: int, v: float) -> bool:
            return True

        def release(self) -> None:
            pass

    runner: LiveRunner[Any] = LiveRunner(
        lambda: CameraSource(0, opener=lambda d: Cap()), lambda c: c.frame.index, reconnect=False
    )
    runner.start()
    assert runner.wait(5)
    assert runner.stats().processed >= 1 and runner.stats().finished
