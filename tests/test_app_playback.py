"""A video file in Live plays as a teacher expects (issue 18, item 5): at its own speed, paused, stepped, sought,
slowed down and looped over a rep, while the analysis still sees every frame once, in order.

Real video files (written with OpenCV into tmp_path, or the real ballet_plie.mp4); the fake processor for the
controls, the real model, pipeline and SQLite store for the end-to-end test.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from app_fakes import FakeEngine, forbid_dialogs
from conftest import media_file
from turnout.app.context import AppContext
from turnout.app.controller import LiveController
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.capture.pacing import PlaybackGate
from turnout.capture.sources import Frame
from turnout.session.engine import SourceSpec
from turnout.storage.store import Store

pytestmark = pytest.mark.gui
FPS = 25.0


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


def write_clip(path: Path, frames: int, size: tuple[int, int] = (320, 180)) -> Path:
    """A real MP4 at 25 fps whose frame i shows the number i in its pixel values (frame i's mean is i)."""
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, size)
    for i in range(frames):
        out.write(np.full((size[1], size[0], 3), 40 + 2 * i, np.uint8))
    out.release()
    return path


def make_window(qtbot: Any, tmp_path: Path, engine: Any) -> MainWindow:
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    w = MainWindow(LiveController(engine), ctx, cues=CuePlayer(which=lambda name: None))
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    return w


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    w = make_window(qtbot, tmp_path, FakeEngine(media_file("commons/ballet_plie.mp4")))
    yield w
    w.close()


def processed(w: MainWindow) -> list[int]:
    engine: Any = w.controller.engine
    return [i for i, _ms in engine.processors[-1].frames]


def shown_index(w: MainWindow) -> int:
    r = w.live.video.result
    assert r is not None
    return r.index


def test_the_gate_paces_frames_at_their_times_and_never_speeds_up_after_a_stall() -> None:
    now = [0.0]
    gate = PlaybackGate(clock=lambda: now[0])
    frame = [Frame(i, i * 40, np.zeros((1, 1, 3), np.uint8)) for i in range(10)]
    assert gate.wait(frame[0])  # the first frame sets the clock
    now[0] = 0.040
    assert gate.wait(frame[1])
    now[0] = 1.0  # the analysis stalled for 0.9 s: frame 2 is late; the clock starts again from it
    assert gate.wait(frame[2])
    gate.close()
    assert not gate.wait(frame[3]), "frame 3 is due at 1.04 s, not at once (no catching up): it waits"


def test_a_video_plays_at_its_own_speed_every_frame_analysed_once(qtbot: Any, window: MainWindow,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    clip = write_clip(tmp_path / "class.mp4", 40)  # 1.6 s
    t0 = time.monotonic()
    window.open_video(clip)
    assert window.live.playback.isVisible()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=10000)
    elapsed = time.monotonic() - t0
    assert 1.5 <= elapsed < 4.0, f"1.6 s of video played in {elapsed:.2f} s"
    assert processed(window) == list(range(40))
    assert shown_index(window) == 39
    # slow motion: half speed takes twice as long
    window.live.playback.set_rate(0.5)
    t0 = time.monotonic()
    window.open_video(clip)
    qtbot.waitUntil(lambda: not window.controller.running, timeout=10000)
    assert time.monotonic() - t0 >= 3.0
    assert processed(window) == list(range(40))


def test_pause_step_seek_and_the_keys(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "class.mp4", 75)  # 3 s
    pb = window.live.playback
    window.open_video(clip)
    qtbot.waitUntil(lambda: pb.head >= 20, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # pause (not record: a video is on screen)
    assert pb.paused and not window.controller.recording and pb.play_button.text() == "▶ Play"
    qtbot.wait(100)  # a frame already on its way may arrive
    held = pb.head
    qtbot.wait(400)
    assert pb.head == held, "paused: nothing more is analysed"
    # frame step back: the earlier frame is decoded again and drawn with its kept landmarks
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert pb.replaying == held - 2 and shown_index(window) == held - 2
    result = window.live.video.result
    assert result is not None and result.pose.detected and result.bgr.shape == (180, 320, 3)
    assert abs(float(result.bgr.mean()) - (40 + 2 * (held - 2))) < 3  # the right frame of the file
    # step forward past what was analysed: exactly one more frame is analysed
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: pb.head == held + 1, timeout=3000)
    qtbot.wait(200)
    assert pb.head == held + 1 and shown_index(window) == held + 1
    # seek back with the slider: replayed, nothing analysed again
    pb.slider.setValue(5)
    assert shown_index(window) == 5 and pb.head == held + 1
    # slower with [ and back with ]
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)
    assert pb.rate == 0.5 and pb.speed.currentText() == "0.5x"
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    assert pb.rate == 1.0
    # seek forward past the analysed frames while paused: every frame up to there is analysed first
    pb.slider.setValue(60)
    qtbot.waitUntil(lambda: pb.head >= 60, timeout=5000)
    qtbot.wait(200)
    assert pb.head == 60 and shown_index(window) == 60
    # play to the end: every frame analysed once, in order
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.controller.running, timeout=5000)
    assert processed(window) == list(range(75))
    assert shown_index(window) == 74 and pb.slider.value() == 74
    # the ended file can still be replayed from the start
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: shown_index(window) >= 10, timeout=3000)
    assert pb.playing


def test_a_rep_plays_in_a_loop(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "class.mp4", 90)  # the fake dancer's first plié ends at frame 69
    pb = window.live.playback
    window.open_video(clip)
    qtbot.waitUntil(lambda: pb.loop_box.count() == 2, timeout=8000)
    assert pb.loop_box.itemText(1).startswith("Loop rep 1 (")
    seen: list[int] = []
    window.live.playback.replay.connect(lambda r: seen.append(r.index))
    pb.loop_box.activated.emit(1)  # as if chosen
    assert pb.loop is not None and pb.loop_box.currentIndex() == 1
    a, b = pb.loop  # the fake rep lasts 2 s
    qtbot.waitUntil(lambda: any(j < i for i, j in itertools.pairwise(seen)), timeout=5000)
    assert seen and all(round(a * FPS) - 1 <= i <= round(b * FPS) + 1 for i in seen), (a, b, seen[:5], seen[-5:])
    # looping holds the analysis; turning it off lets it run to the end
    pb.set_loop(None)
    pb.seek(pb.head)
    pb.play()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=8000)
    assert processed(window) == list(range(90))


def test_the_mirror_button_shows_the_truth_while_a_file_plays(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    live = window.live
    live.start_source()  # the camera, mirrored as she chose
    assert live.act_mirror.isChecked() and live.act_mirror.isEnabled() and live.video.mirrored
    window.open_video(write_clip(tmp_path / "class.mp4", 10))
    assert not live.act_mirror.isChecked() and not live.act_mirror.isEnabled() and not live.video.mirrored
    assert "as it was filmed" in live.act_mirror.toolTip() and live.act_mirror.text() == "Mirror off"
    assert live.mirror_pref and window.review._mirrored  # her choice for the camera is kept
    assert live.playback.isVisible() and live.source.currentText() == "class.mp4"
    live.start_source(SourceSpec(camera=0))
    assert live.act_mirror.isChecked() and live.act_mirror.isEnabled() and live.video.mirrored
    assert live.act_mirror.text() == "Mirror"
    assert not live.playback.isVisible() and live.source.currentText() == "Camera 0"  # the controls go with the file
    window.controller.stop()


@pytest.mark.e2e
def test_the_real_pipeline_counts_the_plie_once_through_pause_step_and_seek(qtbot: Any, tmp_path: Path) -> None:
    from turnout.session.processor import RealEngine

    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    w = make_window(qtbot, tmp_path, RealEngine(ctx))
    pb = w.live.playback
    t0 = time.monotonic()
    w.open_video(media_file("commons/ballet_plie.mp4"))  # 174 frames, 6.96 s
    w.live.act_record.trigger()
    qtbot.waitUntil(lambda: pb.head >= 90, timeout=30000)
    pb.pause()
    qtbot.wait(200)
    pb.step(-1)
    pb.step(-1)
    pb.seek(20)  # back to the title card: replayed from the kept landmarks
    result = w.live.video.result
    assert result is not None and result.index == 20
    pb.play()
    with qtbot.waitSignal(w.controller.session_finished, timeout=60000):
        qtbot.waitUntil(lambda: not w.controller.running, timeout=60000)
    assert time.monotonic() - t0 >= 6.9, "never faster than the video"
    assert [r.index for r in pb.history] == list(range(174))
    with Store.open(tmp_path / "sessions.sqlite3", create=False) as store:
        (session,) = store.list_sessions()
    assert session.n_frames == 174 and session.n_reps == 1  # counted once, as without pausing
    w.close()


def test_a_video_that_cannot_be_read_is_one_line_and_the_keys_do_nothing(qtbot: Any, window: MainWindow,
                                                                         tmp_path: Path) -> None:  # fmt: skip
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\0\0\0\x18ftypisom" + b"\0" * 64)
    window.open_video(broken)
    qtbot.waitUntil(lambda: not window.controller.running, timeout=5000)
    qtbot.waitUntil(lambda: "broken.mp4" in window.live.video.placeholder, timeout=3000)
    assert "\n\nChoose another camera or open a video file" in window.live.video.placeholder
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_BracketLeft):
        qtbot.keyClick(window, key)  # nothing to play, step or slow down: no error
    window.live.playback.seek(10)
    assert window.live.video.result is None and not window.controller.recording
