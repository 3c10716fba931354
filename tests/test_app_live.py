"""The live window with a fake engine: a fake camera plays a real clip, a fake processor adds a synthetic dancer.

Layout at two sizes, figures, banner, guidance, mirror, shortcuts, dropping frames, responsiveness, camera
errors without dialogs, and closing within a second.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication, QMenu

from app_fakes import FakeEngine, black_frame, forbid_dialogs, make_result, plie_seq
from conftest import media_file
from turnout.app.context import AppContext
from turnout.app.controller import LiveController, LiveStatus
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.capture.sources import Frame, FrameSource, SourceInfo
from turnout.session.engine import SourceSpec

pytestmark = pytest.mark.gui
CLIP = "commons/ballet_plie.mp4"


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


def make_ctx(tmp_path: Path) -> AppContext:
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    return AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[MainWindow]:
    delay = getattr(request, "param", 0.0)
    engine = FakeEngine(media_file(CLIP), delay_s=delay)
    controller = LiveController(engine)
    cues = CuePlayer(which=lambda name: None)
    w = MainWindow(controller, make_ctx(tmp_path), cues=cues)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()  # keyboard shortcuts go to the active window
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    yield w
    w.close()


def wait_for_frames(qtbot: Any, w: MainWindow, n: int, timeout: int = 8000) -> None:
    qtbot.waitUntil(lambda: (r := w.controller.latest()) is not None and r.index >= n, timeout=timeout)


def test_live_view_shows_guidance_then_figures_banner_and_counts(qtbot: Any, window: MainWindow,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    beeps: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    live = window.live
    live.start_source()
    wait_for_frames(qtbot, window, 2)
    qtbot.waitUntil(lambda: live.video.guidance.isVisible(), timeout=3000)
    assert live.video.guidance.text() in ("Step into view of the camera", "Step back until your feet are in view")
    assert not live.video.banner.isVisible()
    # Then a reliable dancer: figures, and at the bottom of her plié the forced-turnout banner.
    qtbot.waitUntil(lambda: live.video.banner.isVisible(), timeout=8000)
    assert live.video.banner_message.startswith("Turnout is coming from your feet (left)")
    assert not live.video.guidance.isVisible()
    figs = live.figures.figures
    # uncalibrated: a foot is a range from the picture or "calibrate", never a bare number; the hips' turnout reads up
    # to 50 degrees off (turnout.session.display.HIP_P95_DEG): no number
    foot = figs["foot_left"].value.text()
    assert foot == "calibrate" or re.fullmatch(r"-?\d+–-?\d+°", foot), foot
    assert figs["hip"].value.text() == "–"
    assert figs["forced_left"].value.text() == "–"  # never a number: less certain than the fault
    assert beeps, "a cue sounds when the flag fires"
    qtbot.waitUntil(lambda: int(figs["reps"].value.text()) >= 1, timeout=8000)
    assert window.status_label.text().count("fps") == 1


def test_figures_are_large_and_layout_fits_at_both_sizes(qtbot: Any, window: MainWindow) -> None:
    r = make_result(black_frame(), 20, plie_seq())
    window.live.show_result(r)
    for size in ((1280, 720), (1920, 1080)):
        window.resize(*size)
        qtbot.wait(50)
        live = window.live
        video = live.video
        assert video.width() >= 0.6 * size[0] and video.height() >= 0.6 * size[1], size
        for fig in live.figures.figures.values():
            assert fig.isVisible()
            top_left = fig.mapTo(window, fig.rect().topLeft())
            bottom_right = fig.mapTo(window, fig.rect().bottomRight())
            assert top_left.x() >= 0 and bottom_right.x() <= window.width(), size
            assert bottom_right.y() <= window.height(), size
            # numbers large; a longer text (a range, "calibrate") shrinks to fit its column, never clipped
            text = fig.value.text()
            assert len(text) > 4 or fig.value.fontInfo().pointSize() >= 30 or fig.value.fontInfo().pixelSize() >= 40
            assert QFontMetrics(fig.value.font()).horizontalAdvance(text) <= max(fig.width() - 12, 40), (size, text)
        # The image is drawn as large as fits, aspect kept (960x540 -> 16:9).
        rect = video.image_rect()
        assert abs(rect.width() / rect.height() - 16 / 9) < 0.01
        assert rect.width() == pytest.approx(video.width(), abs=1) or rect.height() == pytest.approx(
            video.height(), abs=1
        )


def test_the_window_goes_back_to_1280x720_after_full_screen_and_fits_while_recording_a_video(
    qtbot: Any, window: MainWindow
) -> None:
    """The figures' font grows with the window; it held the window at 1280x924 after 1920x1080 (the figures'
    labels' height set the minimum), and a video being recorded made the bar 1359 px wide."""
    window.live.show_result(make_result(black_frame(), 20, plie_seq()))
    live = window.live
    live._show_file(True)
    live.act_record.setText("■ Stop recording")
    live.rec_label.setText("● REC 00:07")
    for size in ((1920, 1080), (1280, 720), (1920, 1080), (1280, 720)):
        window.resize(*size)
        qtbot.wait(80)
        assert (window.width(), window.height()) == size
        for fig in live.figures.figures.values():  # no value clipped by its own box
            assert fig.value.height() >= QFontMetrics(fig.value.font()).height() - 2, (size, fig.caption.text())
    assert window.minimumSizeHint().width() <= 1280 and window.minimumSizeHint().height() <= 720


def test_mirror_toggle_flips_the_picture(qtbot: Any, window: MainWindow) -> None:
    bgr = black_frame(160, 90)
    bgr[:, :80] = (0, 0, 255)  # red on the camera's left
    r = make_result(bgr, 0, plie_seq())
    live = window.live
    live.video.show_overlay = False
    live.show_result(r)

    def colour_at(fx: float) -> QColor:
        rect = live.video.image_rect()
        img = live.video.grab().toImage()
        return QColor(img.pixel(int(rect.x() + fx * rect.width()), int(rect.y() + rect.height() / 2)))

    assert live.act_mirror.isChecked()  # a studio mirror by default
    assert colour_at(0.9).red() > 200 and colour_at(0.1).red() < 50
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert not live.video.mirrored
    assert colour_at(0.1).red() > 200 and colour_at(0.9).red() < 50
    assert window.review.player.video.mirrored is False  # the review follows


def test_space_records_and_close_stops_within_a_second(qtbot: Any, window: MainWindow) -> None:
    engine: Any = window.controller.engine  # the fake engine of app_fakes
    qtbot.keyClick(window, Qt.Key.Key_Space)  # nothing running: starts the camera and records
    assert window.controller.running and window.controller.recording
    wait_for_frames(qtbot, window, 3)
    proc = engine.processors[0]
    qtbot.waitUntil(lambda: proc.recording == [True], timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_B)  # retake the baseline: applied on the processing thread
    qtbot.waitUntil(lambda: proc.baseline_requests == 1, timeout=3000)
    assert window.live.act_record.isChecked() and "Stop recording" in window.live.act_record.text()
    qtbot.waitUntil(lambda: "REC" in window.live.rec_label.text(), timeout=2000)
    assert threading_main() not in proc.threads  # inference never ran on the GUI thread
    runner = window.controller.runner
    assert runner is not None
    t0 = time.monotonic()
    window.close()
    assert time.monotonic() - t0 < 1.0
    assert runner.wait(0)  # both worker threads have ended
    assert proc.closed  # the session (and its last rep) ended with the processor


def threading_main() -> int:
    import threading

    return threading.main_thread().ident or 0


@pytest.mark.parametrize("window", [0.12], indirect=True)
def test_slow_inference_drops_frames_and_the_window_stays_responsive(qtbot: Any, window: MainWindow) -> None:
    window.live.start_source()
    gaps: list[float] = []
    last = [time.monotonic()]

    def beat() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(10)
    statuses: list[LiveStatus] = []
    window.controller.status_changed.connect(statuses.append)
    for i in range(20):  # resize and open a menu while inference lags behind
        window.resize(1000 + 20 * (i % 5), 640 + 10 * (i % 3))
        qtbot.wait(60)
    menu = window.menuBar().actions()[0].menu()
    assert isinstance(menu, QMenu)
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.wait(200)
    menu.close()
    timer.stop()
    assert max(gaps[1:]) < 0.25, f"the GUI thread stalled for {max(gaps):.3f} s"
    stats = window.controller.stats()
    assert stats is not None and stats.dropped > 0 and stats.processed > 0
    assert any(s.dropped > 0 for s in statuses)
    assert "dropped" in window.status_label.text()


def test_video_file_goes_through_every_frame_and_stops_at_its_end(qtbot: Any, window: MainWindow) -> None:
    engine: Any = window.controller.engine  # the fake engine of app_fakes
    window.open_video(media_file(CLIP))
    assert window.live.source.currentText() == "ballet_plie.mp4"
    qtbot.waitUntil(lambda: not window.controller.running, timeout=20000)
    last = window.live.video.result
    assert last is not None and last.index == 173  # the last of 174 frames is shown
    proc = engine.processors[0]
    assert proc.closed


def test_missing_camera_is_said_in_the_window_not_in_a_dialog(qtbot: Any, window: MainWindow) -> None:
    window.live.start_source(SourceSpec(camera=9))
    qtbot.waitUntil(lambda: "camera 9 could not be opened" in window.live.video.placeholder, timeout=3000)
    assert "open a video file" in window.live.video.placeholder
    qtbot.waitUntil(lambda: not window.controller.running, timeout=3000)


def test_review_shortcut_and_tabs(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.review
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.progress
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.live
    assert np.isfinite(window.width())


class _LosingCamera(FrameSource):
    """A camera that gives 5 frames and is unplugged; reopened, it counts from frame 0 again."""

    def __init__(self) -> None:
        self.info = SourceInfo("camera 0", "camera", 25.0, 64, 36)
        self.lost = False

    def __iter__(self) -> Iterator[Frame]:
        for i in range(5):
            time.sleep(0.01)
            yield Frame(i, i * 40, black_frame(64, 36))
        self.lost = True


def test_a_reopened_camera_continues_the_frame_numbers(qtbot: Any) -> None:
    engine = FakeEngine(Path("unused.mp4"))
    engine.open_source = lambda spec: _LosingCamera()  # type: ignore[method-assign]
    controller = LiveController(engine)
    controller.start(SourceSpec(camera=0))
    qtbot.waitUntil(lambda: bool(engine.processors) and len(engine.processors[0].frames) >= 8, timeout=5000)
    controller.stop()
    seen = engine.processors[0].frames
    indices = [i for i, _ in seen]
    times = [t for _, t in seen]
    # Frames may be dropped, but no frame of the session may reuse (and overwrite) an earlier number.
    assert all(b > a for a, b in itertools.pairwise(indices)) and indices[-1] >= 5
    assert all(b > a for a, b in itertools.pairwise(times))


def test_the_delayed_mirror_shows_the_camera_seconds_late_in_bounded_memory(qtbot: Any, window: MainWindow,
                                                                            tmp_path: Path) -> None:  # fmt: skip
    live = window.live
    delay = live.delay
    delay.setCurrentIndex(delay.findData(2))
    delay.activated.emit(delay.findData(2))  # as if she chose "2 s late"
    assert live.delay_s == 2 and window.ctx.prefs.mirror_delay_s == 2
    t0 = time.monotonic()
    live.start_source()  # the fake camera plays the real clip (960x540) in real time
    wait_for_frames(qtbot, window, 10)
    assert live.video.result is None and "2 s late" in live.video.placeholder  # nothing shown yet, and why
    assert live.video.guidance.text() == "Delayed mirror: your picture appears 2 s late…"
    qtbot.waitUntil(lambda: live.video.result is not None, timeout=5000)
    assert time.monotonic() - t0 >= 2.0
    qtbot.wait(500)
    shown, newest = live.video.result, window.controller.latest()
    assert shown is not None and newest is not None
    assert 1.7 <= newest.captured_at - shown.captured_at <= 2.5  # the picture is 2 s late
    assert live.video.delay_tag == "2 s late"  # and says so
    assert shown.bgr.shape[1] <= 640 and live.delay_buffer.nbytes <= 240 * 1024 * 1024
    assert live.figures.figures["reps"].value.text() != ""  # the figures stay live
    # off: the live picture again
    live.set_delay(0, by_her=True)
    assert live.video.delay_tag is None
    wait_for_frames(qtbot, window, (newest.index + 3))
    assert live.video.result is window.controller.latest() or live.video.result.index >= newest.index
    live.set_delay(3, by_her=True)
    window.close()
    assert "mirror_delay_s=3" in (tmp_path / "app.ini").read_text(encoding="utf-8")  # kept for the next time


def test_the_delay_buffer_keeps_to_its_bound() -> None:
    from turnout.app.delay import DelayBuffer

    now = [0.0]
    buffer = DelayBuffer(10.0, max_bytes=50 * 640 * 360 * 3, clock=lambda: now[0])
    frame = make_result(black_frame(1280, 720), 0, plie_seq())
    for i in range(600):  # 10 s at 60 fps of 1280x720: 1.6 GB if kept whole
        now[0] = i / 60
        buffer.push(frame)
        assert buffer.nbytes <= 50 * 640 * 360 * 3
    assert 40 <= len(buffer) <= 50  # evenly spaced over the delay instead
    now[0] = 10.5
    due = buffer.due()
    assert due is not None and due.bgr.shape == (360, 640, 3)
