"""End to end: the real window, the real pose model and pipeline on real footage (ballet_plie.mp4: a title card,
then a dancer in first position doing one demi-plié), recording into a database in tmp_path, then review."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings, Qt

from app_fakes import forbid_dialogs
from conftest import media_file
from turnout.app.context import AppContext
from turnout.app.controller import LiveController
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.capture.sources import CameraSource, FrameSource
from turnout.practice.tracker import RepEnded, RepPhase, RepStarted
from turnout.session.engine import SourceSpec
from turnout.session.pipeline import FrameResult
from turnout.session.processor import RealEngine
from turnout.storage.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.gui]
CLIP = "commons/ballet_plie.mp4"


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


def make_window(qtbot: Any, tmp_path: Path, engine_cls: type[RealEngine] = RealEngine) -> MainWindow:
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    # a clip of every rep: the teacher's correct demi-plié raises no flag (labels.toml), and its clip is reviewed
    (tmp_path / "settings.toml").write_text('[clips]\nmin_severity = "any"\n', encoding="utf-8")
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    window = MainWindow(LiveController(engine_cls(ctx)), ctx, cues=CuePlayer(which=lambda name: None))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # keyboard shortcuts go to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def record(window: MainWindow) -> tuple[list[FrameResult], list[Any]]:
    """Keep every displayed result and every practice event."""
    shown: list[FrameResult] = []
    events: list[Any] = []
    window.controller.frame_ready.connect(shown.append)
    window.controller.events_ready.connect(events.extend)
    return shown, events


def test_video_file_counts_the_demi_plie_judges_it_stores_it_and_its_clip_plays(qtbot: Any, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    shown, events = record(window)
    window.live.start_source(SourceSpec(path=media_file(CLIP)))
    window.live.toggle_recording()
    with qtbot.waitSignal(window.controller.session_finished, timeout=60000):
        qtbot.waitUntil(lambda: not window.controller.running, timeout=60000)
    assert shown[0].guidance == ("Step into view of the camera",)  # the title card
    assert any(r.reliable and r.measurement is not None for r in shown)
    figures = window.live.figures.figures
    # a foot: this teacher's flared trousers cover her heels, so her feet's points are not a foot's and no degrees
    # are shown (picture.foot_points_fit: "feet hidden", not a range nor "calibrate"); the plié's depth: its kind
    # and the hips' drop, not the knees' degrees (turnout.session.display)
    foot = figures["foot_left"].value.text()
    assert foot == "feet hidden", foot
    assert figures["total"].value.text() == "feet hidden"
    assert figures["depth"].value.text().startswith("demi · ")
    assert shown[-1].reps == 1 and figures["reps"].value.text() == "1"
    assert [type(e).__name__ for e in events if isinstance(e, RepStarted | RepEnded)] == ["RepStarted", "RepEnded"]
    assert any(isinstance(e, RepPhase) and e.phase == "bottom" for e in events)
    assert not any(r.active_flags for r in shown)  # a teacher's correct demi-plié: no flag
    # Review: the session is stored with its rep, and the rep's clip plays with the overlay.
    window.tabs.setCurrentWidget(window.review)
    review = window.review
    assert review.session_ids() == [1]
    data = review.data
    assert data is not None and data.session.n_frames == 174 and data.session.source == "ballet_plie.mp4"
    assert review.rep_order() == [1]
    rep = data.rep(1)
    assert rep is not None and not rep.flags and 100 / 25 < rep.t_bottom_start_s < 130 / 25
    assert rep.knees() == {"left": "over", "right": "over"}
    player = review.player
    assert player.path is not None and player.n_frames > 25
    player.play()
    qtbot.waitUntil(lambda: player.frame >= 10, timeout=5000)
    result = player.video.result
    assert result is not None and result.pose.detected  # drawn from the stored landmarks


class ClipCameraEngine(RealEngine):
    """The real engine, whose camera is a webcam stand-in playing the clip in real time."""

    def open_source(self, spec: SourceSpec) -> FrameSource:
        if spec.camera is None:
            return super().open_source(spec)
        return CameraSource(str(media_file(CLIP)), realtime=True)


def test_live_camera_counts_the_demi_plie_judges_it_and_closes_without_losing_it(qtbot: Any, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path, ClipCameraEngine)
    _, events = record(window)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # start the camera and record
    qtbot.waitUntil(lambda: any(isinstance(e, RepEnded) for e in events), timeout=30000)
    assert window.controller.running and window.controller.recording
    assert window.live.figures.figures["reps"].value.text() == "1"
    (ended,) = [e for e in events if isinstance(e, RepEnded)]
    assert ended.rep.flags == () and ended.rep.knees() == {"left": "over", "right": "over"}
    t0 = time.monotonic()
    window.close()  # while the camera runs and the session records
    assert time.monotonic() - t0 < 1.0
    with Store.open(tmp_path / "sessions.sqlite3", create=False) as store:
        (session,) = store.list_sessions()
        assert session.n_reps == 1 and session.status == "complete"
