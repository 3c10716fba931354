"""The window when things go wrong while recording (issue 8, items 1 and 8): the camera is unplugged mid-session,
the disk fills up. Nothing recorded is lost, and the window says what happened at once, without a dialog.

The real engine, processor, pipeline, session recorder and SQLite store, on the real frames of
``ballet_plie.mp4`` (one flagged demi-plié) played by a stand-in camera. The pose model is replaced by the clip's
own landmarks, recorded once by the real model (the ``analysed`` fixture), so frames are processed at camera
pace and any frame the camera drops is still measured exactly as the model saw it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings, Qt

import turnout.session.processor as recording
from app_fakes import forbid_dialogs, record_synthetic_session
from conftest import media_file
from turnout.app.context import AppContext
from turnout.app.controller import LiveController, LiveStatus
from turnout.app.live_tab import CAMERA_LOST, SESSION_KEPT
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.capture.sources import Frame, FrameSource, SourceInfo, VideoFileSource
from turnout.errors import SourceError
from turnout.pose.estimator import PoseFrame
from turnout.pose.track import PoseTrack
from turnout.practice.tracker import RepEnded
from turnout.session.engine import SourceSpec
from turnout.session.processor import RealEngine
from turnout.storage.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.gui]
CLIP = "commons/ballet_plie.mp4"
FRAMES = 174  # in the clip; its demi-plié ends near frame 140, and its clip is written by frame ~170


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


class ClipCamera(FrameSource):
    """A webcam stand-in: the clip's frames every ``period_s`` (time stamps 40 ms apart, as filmed). It is
    unplugged when the clip ends (``lost``), or with ``loop`` goes round until stopped."""

    def __init__(self, clip: Path, *, loop: bool = False, period_s: float = 0.008) -> None:
        self.clip, self.loop, self.period_s = clip, loop, period_s
        self.info = SourceInfo("camera 0", "camera", 25.0, 960, 540)
        self.lost = False
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def __iter__(self) -> Iterator[Frame]:
        index = itertools.count()
        while not self._stop.is_set():
            with VideoFileSource(self.clip) as video:
                for f in video:
                    if self._stop.wait(self.period_s):
                        return
                    i = next(index)
                    yield Frame(i, i * 40, f.bgr)
            if not self.loop:
                self.lost = True
                return


class Replay:
    """Stands in for the pose model: the clip's landmarks as the real model found them, by frame number."""

    def __init__(self, track: PoseTrack, seen: list[int]) -> None:
        self.track, self.seen = track, seen

    def process(self, bgr: Any, timestamp_ms: int, index: int = 0, prepared: Any = None) -> PoseFrame:
        self.seen.append(index)
        p = self.track.frame(index % len(self.track))
        return PoseFrame(index, timestamp_ms, p.image, p.world, p.people)

    def close(self) -> None:
        pass


class ScriptedCamera(RealEngine):
    """The real engine; its camera follows ``script``: "once" (play the clip, then unplugged), "fail" (cannot be
    opened) or "loop" (play until stopped). The last step repeats."""

    def __init__(self, ctx: AppContext, script: list[str]) -> None:
        super().__init__(ctx)
        self.script = script
        self.opened = 0

    def open_source(self, spec: SourceSpec) -> FrameSource:
        step = self.script[min(self.opened, len(self.script) - 1)]
        self.opened += 1
        if step == "fail":
            raise SourceError("camera 0 could not be opened; check it is connected and not used by another app")
        return ClipCamera(media_file(CLIP), loop=step == "loop")


def make_window(qtbot: Any, tmp_path: Path, script: list[str]) -> MainWindow:
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    window = MainWindow(LiveController(ScriptedCamera(ctx, script)), ctx, cues=CuePlayer(which=lambda name: None))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch, analysed: Any) -> list[int]:
    """Every frame number the processor measured, in order (the real model replaced by its recorded landmarks)."""
    track = analysed(CLIP).track
    assert len(track) == FRAMES
    frames: list[int] = []
    monkeypatch.setattr("turnout.pose.estimator.PoseEstimator", lambda model_path, **kw: Replay(track, frames))
    return frames


def rep_ends(window: MainWindow) -> list[RepEnded]:
    ended: list[RepEnded] = []
    window.controller.events_ready.connect(lambda events: ended.extend(e for e in events if isinstance(e, RepEnded)))
    return ended


def test_camera_lost_mid_session_is_said_at_once_and_the_same_session_goes_on(
    qtbot: Any, tmp_path: Path, seen: list[int]
) -> None:
    db = tmp_path / "sessions.sqlite3"
    # the teacher's correct plié raises no flag: keep a clip of every rep, to see the first one's kept and playing
    (tmp_path / "settings.toml").write_text('[clips]\nmin_severity = "any"\n', encoding="utf-8")
    window = make_window(qtbot, tmp_path, ["once", "fail", "loop"])
    ended = rep_ends(window)
    statuses: list[LiveStatus] = []
    window.controller.status_changed.connect(statuses.append)
    live = window.live
    qtbot.keyClick(window, Qt.Key.Key_Space)  # start the camera and record

    # Unplugged after the first plié: the window says so over the picture and in the status bar.
    qtbot.waitUntil(
        lambda: CAMERA_LOST in live.video.guidance.text() and live.video.guidance.isVisible(), timeout=15000
    )
    assert SESSION_KEPT in live.video.guidance.text()
    assert "camera lost" in window.status_label.text()
    assert window.controller.running and window.controller.recording
    assert any(s.camera_lost and s.recording for s in statuses)
    assert len(ended) == 1 and seen[-1] < FRAMES
    with Store.open(db, create=False) as store:  # meanwhile, what was recorded is in the database
        (during,) = store.list_sessions()
        rep_before = store.reps(during.id)
    assert during.status == "recording" and len(rep_before) == 1 and during.n_frames > 100
    assert rep_before[0].rep.t_end_s < FRAMES * 0.04

    # Plugged back in (after one failed retry): the picture and the session go on.
    qtbot.waitUntil(lambda: (r := window.controller.latest()) is not None and r.index >= FRAMES, timeout=10000)
    qtbot.waitUntil(lambda: CAMERA_LOST not in live.video.guidance.text(), timeout=3000)
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=15000)
    with qtbot.waitSignal(window.controller.session_finished, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Space)  # stop recording
    window.close()

    with Store.open(db, create=False) as store:
        (after,) = store.list_sessions()
        table = store.frames(after.id)
        reps = store.reps(after.id)
        clips = store.clips(after.id)
        assert store.integrity_check() == "ok"
    assert after.id == during.id and after.status == "complete"
    assert [r.rep.index for r in reps] == [1, 2]
    assert (reps[0].id, reps[0].rep) == (rep_before[0].id, rep_before[0].rep)  # kept as it was
    assert reps[1].rep.t_start_s > FRAMES * 0.04  # the second plié, after the gap, in the same session
    stored = table.idx.tolist()
    assert stored == seen[: len(stored)]  # every frame measured while recording is stored, none twice
    assert stored[0] == 0 and min(stored) < FRAMES <= max(stored)
    assert all(b > a for a, b in itertools.pairwise(table.t_s.tolist()))
    # The first plié (a correct one: no flag) has its clip, of frames from before the camera was lost, kept and playing.
    (first_clip,) = [c for c in clips if c.rep_id == reps[0].id]
    assert not reps[0].rep.flags and first_clip.t_end_ms <= FRAMES * 40
    with VideoFileSource(db.parent / first_clip.path) as video:
        assert video.info.frame_count == first_clip.n_frames


def _digest(db: Path, session_id: int) -> tuple[Any, ...]:
    """Everything stored for a session, row by row (read with plain sqlite3)."""
    with sqlite3.connect(db) as c:
        return tuple(
            tuple(c.execute(f"SELECT * FROM {table} WHERE session_id = ? ORDER BY rowid", (session_id,)).fetchall())
            for table in ("reps", "flags", "holds", "frames", "poses", "clips")
        )


class _FullDiskStore(Store):
    """A store on a disk that is full two pages from now (SQLite's own limit: real 'database or disk is full')."""

    @classmethod
    def open(cls, path: Any = None, *, create: bool = True, check: bool | None = None) -> Store:
        store = Store.open(path, create=create, check=check)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        return store


def test_disk_full_while_recording_is_shown_and_the_session_goes_on(
    qtbot: Any, tmp_path: Path, seen: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "sessions.sqlite3"
    with VideoFileSource(media_file(CLIP)) as video:
        frames = [f.bgr for f in itertools.islice(video, 60)]
    earlier = record_synthetic_session(db, frames)  # a session with a flagged rep and its clip
    with Store.open(db) as store:
        (clip,) = store.clips(earlier)
    clip_bytes = hashlib.sha256((db.parent / clip.path).read_bytes()).hexdigest()
    before = _digest(db, earlier)
    monkeypatch.setattr(recording, "Store", _FullDiskStore)

    window = make_window(qtbot, tmp_path, ["loop"])
    label = window.live.storage_label
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: label.isVisible() and "disk is full" in label.text(), timeout=15000)
    assert label.text().startswith("Not saved: cannot save")
    assert "\n" not in label.text()
    at_error = len(seen)
    qtbot.waitUntil(lambda: len(seen) > at_error + 50, timeout=10000)  # the session goes on
    assert window.controller.recording and window.live.video.result is not None
    with qtbot.waitSignal(window.controller.session_finished, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert label.isVisible()  # still said after the recording stopped
    window.close()

    with Store.open(db, create=False) as store:
        assert store.integrity_check() == "ok"
        assert {s.id for s in store.list_sessions()} == {earlier, earlier + 1}
    assert _digest(db, earlier) == before  # nothing stored earlier was touched
    assert hashlib.sha256((db.parent / clip.path).read_bytes()).hexdigest() == clip_bytes
