"""The window's floor-calibration step, on rendered floors with a known sheet played by a fake camera.

The processor is the real one (:class:`turnout.session.processor.RealProcessor`: pipeline, floor state, saved
calibration) with the pose model replaced by a synthetic dancer, so every measurement says which mode made it.
Corners are clicked with the mouse on the (mirrored) picture; bad clicks must give one line, never a dialog.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor

from app_fakes import forbid_dialogs
from turnout.app import theme
from turnout.app.context import AppContext
from turnout.app.controller import LiveController
from turnout.app.floor_panel import FOUND_SIGMA_PX, pm
from turnout.app.live_view import FLOOR_BADGE, UNCALIBRATED_BADGE, VideoWidget
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.capture.sources import Frame, FrameSource, SourceInfo
from turnout.floor.reference import typical_turnout_error_deg
from turnout.floor.state import CAMERA_MOVED
from turnout.measure.measures import Mode
from turnout.pose.estimator import PoseFrame
from turnout.session.display import FLOOR_MEASURED, floor_end_to_end, uncertainty
from turnout.session.engine import SourceSpec
from turnout.session.floor_memory import FILE_NAME, load
from turnout.session.processor import CLEARED, RealProcessor
from turnout.settings import Settings
from turnout.testing import synth
from turnout.testing.render_floor import Scene, random_scene, render, with_camera

pytestmark = pytest.mark.gui
SIZE = (960, 540)


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


@cache
def _scene() -> Scene:
    """A rendered floor with an A4 sheet fully in view that the detector finds."""
    from turnout.floor.sheet import find_sheet

    for seed in range(20):
        scene = random_scene(np.random.default_rng([21, seed]), SIZE, reference="A4")
        r = render(scene)
        c = r.corners_px
        if c is not None and np.all((c > 10) & (c < np.array(SIZE) - 10)) and find_sheet(r.image, "A4") is not None:
            return scene
    raise AssertionError("no rendered A4 scene that the detector finds")


@cache
def _frames(moved: bool = False) -> tuple[np.ndarray, ...]:
    """Three frames of the scene (fresh sensor noise each); ``moved``: the camera tipped by 1.5 degrees."""
    scene = _scene()
    change = {"pitch_deg": scene.camera.pitch_deg + 1.5} if moved else {}
    return tuple(render(with_camera(scene, noise_seed=k, **change)).image for k in range(3))


def _corners() -> np.ndarray:
    corners = render(_scene()).corners_px
    assert corners is not None
    return corners


class _Camera(FrameSource):
    """Plays the rendered frames in real time (25 fps) until closed, like a webcam."""

    def __init__(self, frames: tuple[np.ndarray, ...], name: str, kind: str = "camera") -> None:
        self.frames = frames
        self.info = SourceInfo(name, kind, 25.0, SIZE[0], SIZE[1])
        self.closed = False

    def __iter__(self) -> Iterator[Frame]:
        for i in itertools.count():
            if self.closed:
                return
            time.sleep(0.04)
            yield Frame(i, i * 40, self.frames[i % len(self.frames)])

    def close(self) -> None:
        self.closed = True


class _Dancer:
    """Stands in for the pose model: the same synthetic dancer on every frame."""

    def __init__(self) -> None:
        f = synth.make_dancer(synth.DancerParams(image_size=SIZE))
        self.image = np.c_[f.image, f.visibility, np.ones(33)].astype(np.float32)
        self.world = f.world.astype(np.float32)

    def process(self, bgr: np.ndarray, timestamp_ms: int, index: int = 0) -> PoseFrame:
        return PoseFrame(index, timestamp_ms, self.image, self.world, 1)

    def close(self) -> None:
        pass


class _Engine:
    """Camera and video files play the rendered floor (``moved``: the camera was knocked since)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.moved = False
        self.processors: list[RealProcessor] = []

    def open_source(self, spec: SourceSpec) -> FrameSource:
        if spec.path is not None:
            return _Camera(_frames(), spec.path.name, "video")
        return _Camera(_frames(self.moved), spec.label)

    def create_processor(self, spec: SourceSpec) -> RealProcessor:
        from turnout.pose.model import resolve_model_path

        p = RealProcessor(spec, resolve_model_path(), Settings(), self.db, estimator=_Dancer())
        self.processors.append(p)
        return p


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    _frames()  # the floor is rendered (and the sheet found) once, here: not inside a start's 8 s on busy cores
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    w = MainWindow(LiveController(_Engine(tmp_path / "sessions.sqlite3")), ctx, cues=CuePlayer(which=lambda n: None))
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    yield w
    w.close()


def _engine(w: MainWindow) -> _Engine:
    engine = w.controller.engine
    assert isinstance(engine, _Engine)
    return engine


def _start(qtbot: Any, w: MainWindow, spec: SourceSpec | None = None) -> None:
    w.live.start_source(spec or SourceSpec(camera=0))
    qtbot.waitUntil(lambda: w.live.video.result is not None, timeout=8000)


def _click(qtbot: Any, video: VideoWidget, points: np.ndarray) -> None:
    for x, y in points:
        p = video.to_widget(float(x), float(y))
        qtbot.mouseClick(video, Qt.MouseButton.LeftButton, pos=QPoint(round(p.x()), round(p.y())))


def _a4_step(qtbot: Any, w: MainWindow, button: str) -> None:
    """Camera running, the floor step open with A4 chosen, then its "find" or "click" button pressed."""
    _start(qtbot, w)
    w.live.act_floor.trigger()
    w.live.floor_panel.select("A4")
    qtbot.mouseClick(getattr(w.live.floor_panel, f"{button}_button"), Qt.MouseButton.LeftButton)


def _calibrate_by_clicking(qtbot: Any, w: MainWindow) -> None:
    live = w.live
    live.act_floor.trigger()
    assert live.floor_panel.isVisible()
    live.floor_panel.select("A4")
    qtbot.mouseClick(live.floor_panel.click_button, Qt.MouseButton.LeftButton)
    assert live.video.clicking is not None
    assert "Click the 4 corners of an A4 sheet" in live.floor_line.text()
    # A careful hand on the mirrored picture: about a screen pixel off each corner, going round the other way.
    _click(qtbot, live.video, _corners()[::-1] + np.array([[1.5, -1.0], [-1.0, 1.0], [1.0, 1.5], [-1.5, -1.0]]))
    qtbot.waitUntil(lambda: live.floor_cal is not None, timeout=5000)


def _floor_measured(w: MainWindow) -> bool:
    r = w.controller.latest()
    return r is not None and r.measurement is not None and r.measurement.mode is Mode.FLOOR


def test_clicking_the_corners_calibrates_the_floor(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    live, video = window.live, window.live.video
    assert video.mirrored  # clicks go through the studio-mirror display
    _start(qtbot, window)
    assert video.badge == UNCALIBRATED_BADGE and not _floor_measured(window)
    _calibrate_by_clicking(qtbot, window)
    cal = live.floor_cal
    assert cal is not None and cal.reference == "A4"
    # the clicks were refined onto the sheet's edges: the calibration's corners are the true ones
    assert np.abs(np.sort(cal.corners_px, axis=0) - np.sort(_corners(), axis=0)).max() < 0.5
    assert video.clicking is None and video.badge == FLOOR_BADGE and not live.floor_panel.isVisible()
    np.testing.assert_allclose(video.floor_corners, cal.corners_px)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: _floor_measured(window), timeout=5000)
    # the accuracy it gives, from the calibration itself
    qtbot.waitUntil(lambda: live.floor_accuracy is not None, timeout=5000)
    median, p95 = cal.expected_turnout_error_deg()
    # end to end first (the pose model included, measured on the studio), the sheet's own share second
    text = live.floor_line.text()
    brief = floor_end_to_end("A4", brief=True)
    assert text == f"Floor calibrated with A4: {brief}; the sheet alone {pm(median)} (95%: {pm(p95)})"
    shown = uncertainty("foot", "picture-floor", "standing")  # each foot from the picture through the sheet's camera
    assert shown is not None
    assert f"a foot within {shown.median_deg:.0f}° (95%: {shown.p95_deg:.0f}°; end to end)" in text
    assert live.floor_level == "ok"
    # the badge is drawn in the picture's bottom-left corner, green
    qtbot.wait(100)
    target = video.image_rect()
    badge_px = video.grab().toImage().pixelColor(round(target.left() + 16), round(target.bottom() - 30))
    assert badge_px == QColor(theme.OK)
    # saved for next time
    saved = load(tmp_path / FILE_NAME)
    assert saved is not None and saved.source == "camera 0"
    np.testing.assert_allclose(saved.calibration.homography, cal.homography)
    # a session recorded now says it was measured on the calibrated floor
    live.toggle_recording()
    qtbot.wait(300)
    live.toggle_recording()
    qtbot.waitUntil(lambda: not window.controller.recording, timeout=3000)
    window.controller.stop()
    from turnout.storage.store import Store

    with Store.open(tmp_path / "sessions.sqlite3") as store:
        sessions = store.list_sessions()
        assert sessions, "the session was stored"
        stored = store.get_session(sessions[0].id).calibration
    assert stored is not None and stored["reference"] == "A4"


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (np.array([[100.0, 80.0], [700.0, 120.0], [820.0, 500.0], [60.0, 300.0]]), "do not fit an A4 sheet"),
        ("bowtie", "do not go round a rectangle"),
    ],
)
def test_bad_clicks_are_one_line_and_can_be_undone(qtbot: Any, window: MainWindow, points: Any, message: str) -> None:
    live, video = window.live, window.live.video
    _a4_step(qtbot, window, "click")
    held = video.result
    pts = _corners()[[0, 2, 1, 3]] if isinstance(points, str) else points
    _click(qtbot, video, pts)
    text = live.floor_line.text()
    assert message in text and "\n" not in text and live.floor_level == "bad", text
    assert text[0].isupper() and "Traceback" not in text
    assert video.clicking is not None and len(video.clicks) == 4  # still clicking, her clicks still shown
    assert video.result is held  # the picture held still while she clicked
    assert live.floor_cal is None and video.badge == UNCALIBRATED_BADGE
    video.setFocus()
    qtbot.keyClick(video, Qt.Key.Key_Backspace)
    assert len(video.clicks) == 3
    qtbot.keyClick(video, Qt.Key.Key_R)
    assert video.clicks == []
    qtbot.keyClick(video, Qt.Key.Key_Escape)
    assert video.clicking is None and live.floor_line.text() == "Corner clicking cancelled"
    qtbot.waitUntil(lambda: video.result is not held, timeout=3000)  # live again
    assert live.floor_cal is None and not _floor_measured(window)


def test_the_sheet_is_found_automatically(qtbot: Any, window: MainWindow) -> None:
    live = window.live
    _a4_step(qtbot, window, "find")
    assert live.floor_line.text().startswith("Looking for an A4 sheet")
    qtbot.waitUntil(lambda: live.floor_cal is not None, timeout=10000)
    assert live.floor_cal is not None and live.floor_cal.reference == "A4"
    assert live.video.badge == FLOOR_BADGE and not live.floor_panel.isVisible()
    qtbot.waitUntil(lambda: live.floor_accuracy is not None, timeout=5000)
    assert live.floor_line.text().startswith(
        f"Floor calibrated with A4: {floor_end_to_end('A4', brief=True)}; the sheet alone ±"
    )
    qtbot.waitUntil(lambda: _floor_measured(window), timeout=5000)
    # and cleared again: uncalibrated, the saved one forgotten
    live.act_clear_floor.trigger()
    qtbot.waitUntil(lambda: live.floor_cal is None, timeout=5000)
    assert live.floor_line.text() == CLEARED and live.video.badge == UNCALIBRATED_BADGE
    qtbot.waitUntil(lambda: not _floor_measured(window), timeout=5000)
    assert not (Path(window.ctx.db_path).parent / FILE_NAME).exists()


def test_closing_the_step_stops_looking_for_the_sheet(qtbot: Any, window: MainWindow) -> None:
    live = window.live
    _a4_step(qtbot, window, "find")
    qtbot.mouseClick(live.floor_panel.close_button, Qt.MouseButton.LeftButton)
    assert not live.floor_panel.isVisible() and live.floor_line.text() == "Stopped looking for the sheet"
    qtbot.wait(1500)  # three searches would have found it by now
    assert live.floor_cal is None and not _floor_measured(window)


def test_the_calibration_is_reused_until_the_camera_moves(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    live = window.live
    path = tmp_path / FILE_NAME
    _start(qtbot, window)
    _calibrate_by_clicking(qtbot, window)
    assert path.exists()
    # Next session, the camera where it was: reused once the first frames show it.
    window.controller.stop()
    _start(qtbot, window)
    qtbot.waitUntil(lambda: live.floor_cal is not None, timeout=8000)
    assert live.floor_line.text().startswith("Using your floor calibration from today at ")
    qtbot.waitUntil(lambda: live.floor_accuracy is not None, timeout=5000)
    assert f"(A4): {floor_end_to_end('A4', brief=True)}; the sheet alone ±" in live.floor_line.text()
    assert live.video.badge == FLOOR_BADGE
    qtbot.waitUntil(lambda: _floor_measured(window), timeout=5000)
    # A video file never takes up the camera's calibration.
    window.controller.stop()
    _start(qtbot, window, SourceSpec(path=tmp_path / "practice.mp4"))
    qtbot.waitUntil(lambda: (r := window.controller.latest()) is not None and r.index >= 30, timeout=8000)
    assert live.floor_cal is None and not _floor_measured(window) and live.video.badge == UNCALIBRATED_BADGE
    assert path.exists()
    # The camera was knocked: the saved calibration is dropped, with its file, and she is told.
    window.controller.stop()
    _engine(window).moved = True
    _start(qtbot, window)
    qtbot.waitUntil(lambda: live.floor_line.text() == CAMERA_MOVED, timeout=8000)
    assert live.floor_level == "warn" and live.floor_cal is None and live.video.badge == UNCALIBRATED_BADGE
    qtbot.waitUntil(lambda: not path.exists(), timeout=3000)
    assert not _floor_measured(window)
    # she may dismiss it and go on uncalibrated
    assert live.act_clear_floor.isEnabled()
    live.act_clear_floor.trigger()
    assert not live.floor_line.isVisible() and live.video.badge == UNCALIBRATED_BADGE


def test_a_damaged_saved_file_is_one_line_and_ignored(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text('{"format": "turnout-floor-calibration", "version": 1, "saved_at": ')
    live = window.live
    _start(qtbot, window)
    qtbot.waitUntil(lambda: "damaged" in live.floor_line.text(), timeout=5000)
    text = live.floor_line.text()
    assert text.startswith("The saved floor calibration") and text.endswith("ignored") and "\n" not in text
    assert live.floor_level == "warn" and live.floor_cal is None
    qtbot.wait(300)
    assert window.controller.running and window.controller.latest() is not None  # no crash: still measuring


def test_each_reference_says_what_accuracy_it_gives(qtbot: Any, window: MainWindow) -> None:
    live = window.live
    live.act_floor.trigger()
    panel = live.floor_panel
    assert panel.typical.ready.wait(20)
    qtbot.wait(400)  # the panel polls for the figures
    figures = {}
    for key in ("A4", "A4-pair", "yoga-mat"):
        panel.select(key)
        median, p95 = typical_turnout_error_deg(key, FOUND_SIGMA_PX)
        figures[key] = median
        assert f"The sheet's own share: typically {pm(median)} (95%: {pm(p95)})" in panel.info.text()
        assert f"With the pose model: {floor_end_to_end(key)}." in panel.info.text()
        assert ("not yet measured end to end" in panel.info.text()) == (key not in FLOOR_MEASURED)
        assert "Larger references are more accurate" in panel.info.text()
        assert pm(median) in panel.reference.currentText()
        assert panel.find_button.isEnabled() == (key != "yoga-mat")  # a coloured mat: click its corners
    assert figures["yoga-mat"] < figures["A4-pair"] < figures["A4"]  # larger is more accurate
    panel.select("custom")
    assert panel.width_cm.isVisible() and not panel.find_button.isEnabled()
    # without a running camera: one line, no dialog
    qtbot.mouseClick(panel.click_button, Qt.MouseButton.LeftButton)
    assert live.floor_line.text().startswith("Start the camera first") and live.video.clicking is None


def test_the_calibration_step_fits_at_1280x720(qtbot: Any, window: MainWindow) -> None:
    live = window.live
    _start(qtbot, window)
    live.act_floor.trigger()
    live.say_floor("Those corners do not fit an A4 sheet (21 x 29.7 cm) lying flat on the floor: click exactly on "
                   "its 4 corners, going round it one after another", "bad")  # fmt: skip
    for size in ((1280, 720), (1920, 1080)):
        window.resize(*size)
        qtbot.wait(100)
        assert (window.width(), window.height()) == size  # nothing forces the window to grow
        for widget in (live.floor_panel, live.floor_line, live.video, *live.figures.figures.values()):
            top_left = widget.mapTo(window, widget.rect().topLeft())
            bottom_right = widget.mapTo(window, widget.rect().bottomRight())
            assert top_left.x() >= 0 and bottom_right.x() <= size[0] and bottom_right.y() <= size[1], (widget, size)
        assert (
            live.floor_line.mapTo(window, live.floor_line.rect().bottomLeft()).y()
            <= live.video.mapTo(window, live.video.rect().topLeft()).y()
        )  # the message line never covers the picture
        assert live.video.height() >= 0.45 * size[1]
