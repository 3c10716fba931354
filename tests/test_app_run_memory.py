"""Issue 19, item 10 (the window grew 2-6 MB per opened video): a video played and closed in Live leaves no
processor and no run alive once the next one has started. ``_Run.process`` froze the collector's objects
(``gc.freeze``) on every run's first frame, and so froze the garbage of the runs before it (a run and its runner
refer to each other: only the collector frees them) for good. ``scripts/window_memory.py`` measures the window."""

from __future__ import annotations

import gc
import os
import weakref
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import pytest

from app_fakes import FakeProcessor
from conftest import media_file
from turnout.app.controller import LiveController
from turnout.capture.sources import FrameSource, VideoFileSource
from turnout.session.engine import SourceSpec

pytestmark = pytest.mark.gui


class _Engine:
    """Plays files; keeps no processor (the controller alone decides how long they live)."""

    def __init__(self) -> None:
        self.made: list[weakref.ref[FakeProcessor]] = []

    def open_source(self, spec: SourceSpec) -> FrameSource:
        assert spec.path is not None
        return VideoFileSource(spec.path)

    def create_processor(self, spec: SourceSpec) -> FakeProcessor:
        p = FakeProcessor(0.0, False)
        self.made.append(weakref.ref(p))
        return p


def _short_clip(path: Path, frames: int = 12) -> Path:
    cap = cv2.VideoCapture(str(media_file("commons/ballet_plie.mp4")))
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (320, 180))
    for _ in range(frames):
        ok, frame = cap.read()
        assert ok
        out.write(cv2.resize(frame, (320, 180)))
    out.release()
    cap.release()
    return path


def test_a_closed_video_leaves_no_processor_or_run_alive(qtbot: Any, tmp_path: Path) -> None:
    engine = _Engine()
    controller = LiveController(engine)
    runs: list[weakref.ref[Any]] = []
    for i in range(3):
        controller.start(SourceSpec(path=_short_clip(tmp_path / f"v{i}.mp4")))
        runs.append(weakref.ref(controller._run))
        qtbot.waitUntil(lambda: not controller.running, timeout=20000)  # the file ended: the controller stopped
        assert controller.wait_closed()
    gc.collect()
    assert len(engine.made) == 3
    assert [r() is None for r in engine.made] == [True] * 3, "every processor closed and gone"
    # the process's first run is frozen with everything alive then (once, on purpose); no later one may be
    assert [r() is None for r in runs[1:]] == [True] * 2, "every later run gone, not frozen by the next run's start"


class _RealEngine(_Engine):
    """Plays files through the real processor and pose model (``RealProcessor``), as the window does."""

    def __init__(self, model_path: Path, db: Path) -> None:
        super().__init__()
        self.model_path, self.db = model_path, db

    def create_processor(self, spec: SourceSpec) -> Any:
        from turnout.session.processor import RealProcessor
        from turnout.settings import Settings

        return RealProcessor(spec, self.model_path, Settings(), self.db)


def test_videos_played_one_after_another_share_one_pose_model(qtbot: Any, tmp_path: Path, model_path: Path) -> None:
    """Issue 19, item 10, the native part: each opened video built its own two MediaPipe landmarkers (the pose
    model and the look for a second person) and closed them at its end, leaving megabytes of fragmented memory
    behind each time. Now the runs borrow them from the process's pool: three videos, two landmarkers built in
    all, and no more than those two alive after the last one."""
    from mediapipe.tasks.python.vision.pose_landmarker import PoseLandmarker

    from turnout.pose.runtime import POOL

    POOL.clear()
    built = POOL.built
    controller = LiveController(_RealEngine(model_path, tmp_path / "never-created.sqlite3"))
    for i in range(3):
        controller.start(SourceSpec(path=_short_clip(tmp_path / f"v{i}.mp4", frames=8)))
        qtbot.waitUntil(lambda: not controller.running, timeout=60000)
        assert controller.wait_closed()
    gc.collect()
    assert POOL.built - built == 2, "one pose model and one look, lent to every run"
    alive = [o for o in gc.get_objects() if isinstance(o, PoseLandmarker) and o._handle]
    assert len(alive) == 2 and POOL.idle() == 2


def test_a_closed_run_and_its_runner_go_without_the_collector(qtbot: Any, tmp_path: Path) -> None:
    """A closed run and its LiveRunner referred to each other (the runner's callbacks are the run's bound methods),
    so each closed video's last frame (~1.5 MB) stayed until the collector ran: with the collector off, closing
    frees them."""
    engine = _Engine()
    controller = LiveController(engine)
    gc.collect()
    gc.disable()
    try:
        controller.start(SourceSpec(path=_short_clip(tmp_path / "v.mp4")))
        run = controller._run
        assert run is not None
        runner = weakref.ref(run.runner)
        run_ref = weakref.ref(run)
        qtbot.waitUntil(lambda: not controller.running, timeout=20000)  # the file ended: the controller stopped
        assert controller.wait_closed() and run.closed.is_set()
        inner = run.runner
        assert inner.latest() is None  # the last result (its picture) dropped
        del run, inner
        assert runner() is None, "the runner is freed without the collector"
        assert run_ref() is None, "the run is freed without the collector"
        assert [r() is None for r in engine.made] == [True]
    finally:
        gc.enable()
