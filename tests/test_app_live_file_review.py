"""Issue 18 (the remaining gap): a session recorded in Live from a video file (Open video, then Record) plays the whole
source video in Review, as a session made by analysing the file does: its overlay where it was recorded, seek, steps,
any rep (clean or flagged). It keeps the file's path but stays a *live* session (``sessions.origin``): it may hold
only part of the file, so analysing that file later is neither refused nor taken for the analysis done before, and
replacing the analysis never removes the recording.

The real window, model, pipeline and SQLite store on the real ballet_plie.mp4 (174 frames, 6.96 s).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from app_fakes import forbid_dialogs
from conftest import media_file
from turnout.app.context import AppContext
from turnout.app.controller import LiveController
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.session.analysis import source_path
from turnout.storage.store import ANALYSIS, LIVE, Store

pytestmark = [pytest.mark.gui, pytest.mark.e2e]
#: Record is pressed once this many frames were analysed: the session holds only the rest of the file
FIRST_RECORDED = 30


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    from turnout.session.processor import RealEngine

    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    w = MainWindow(LiveController(RealEngine(ctx)), ctx, cues=CuePlayer(which=lambda name: None))
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    yield w
    w.close()


def record_part_in_live(qtbot: Any, w: MainWindow, video: Path) -> int:
    """Play ``video`` in Live, press Record after FIRST_RECORDED frames, let it end; the session's id."""
    pb = w.live.playback
    w.open_video(video)
    qtbot.waitUntil(lambda: pb.head >= FIRST_RECORDED - 1, timeout=30000)
    w.live.act_record.trigger()
    with qtbot.waitSignal(w.controller.session_finished, timeout=60000):
        qtbot.waitUntil(lambda: not w.controller.running, timeout=60000)
    with Store.open(w.ctx.db_path, create=False) as store:
        (session,) = store.list_sessions()
    return session.id


def analyse(qtbot: Any, w: MainWindow, video: Path) -> None:
    analysis = w.analyse_video(video)
    assert analysis is not None, w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not analysis.running and not w.analysis_bar.isVisible(), timeout=120000)


def test_a_live_recording_of_a_file_replays_the_whole_video_in_review(qtbot: Any, window: MainWindow) -> None:
    video = media_file("commons/ballet_plie.mp4")
    sid = record_part_in_live(qtbot, window, video)
    with Store.open(window.ctx.db_path, create=False) as store:
        session = store.get_session(sid)
        first = int(store.frames(sid).idx[0])
    assert session.origin == LIVE and not session.analysis, "a recording, not the file analysed"
    assert session.source_path == source_path(video), "it keeps the file it came from"
    assert first >= FIRST_RECORDED and session.n_frames == 174 - first, "only what was recorded"
    assert session.n_reps >= 1

    window.tabs.setCurrentWidget(window.review)
    review, player = window.review, window.review.player
    assert review.data is not None and review.data.session.id == sid
    source_item = review.sessions.item(0, 3)
    assert source_item is not None and source_item.text() == "ballet_plie.mp4 (Live)"
    assert source_item.toolTip() == f"ballet_plie.mp4\nrecorded in Live while this video played: {source_path(video)}"
    for stored in review.data.reps:  # every rep plays, clean or flagged: no "No clip for this rep"
        review.select_rep(stored.rep.index)
        assert player.path == Path(source_path(video)) and player.n_frames == 174, "the whole video, not a clip"
        assert abs(player.time_of(player.frame) - stored.rep.t_start_s) < 0.03
        shown = player.video.result
        assert player.stored and shown is not None and shown.pose.image is not None, "with its overlay"
        assert shown.index == player.frame and shown.bgr.shape[:2] == (540, 960)
    assert not player.video.mirrored, "a video file is shown as filmed"
    play_item = review.reps.item(0, 5)
    assert play_item is not None and play_item.text() == "▶"

    # before Record was pressed: the file's picture, without an overlay from another moment
    player.slider.setValue(5)
    shown = player.video.result
    assert shown is not None and shown.index == 5 and shown.pose.image is None and not player.stored
    assert "not recorded" in player.time_label.text()
    assert player.time_of(5) == pytest.approx(5 / 25.0, abs=0.01)
    # the first recorded frame, exactly
    player.seek_time(player.time_of(first))
    assert player.frame == first and player.stored
    player.step(-1)
    assert player.frame == first - 1 and not player.stored and not player.playing
    player.step(1)
    assert player.frame == first and player.stored  # (the title card: stored, with nobody to draw)
    # a rep's frame is drawn with the stored landmarks of that very frame
    rep = review.data.reps[0].rep
    player.seek_time(rep.t_bottom_start_s)
    with Store.open(window.ctx.db_path, create=False) as store:
        poses = store.poses(sid)
    assert poses is not None
    k = int(np.searchsorted(poses.idx, player.frame))
    assert poses.idx[k] == player.frame and player.video.result is not None
    assert np.array_equal(player.video.result.pose.image, poses.image[k])


def test_the_same_file_analysed_after_a_live_recording_is_neither_refused_nor_doubled(
    qtbot: Any, window: MainWindow
) -> None:
    video = media_file("commons/ballet_plie.mp4")
    live = record_part_in_live(qtbot, window, video)
    asked: list[str] = []
    window.confirm = lambda parent, text: asked.append(text) or False  # type: ignore[func-returns-value]
    analyse(qtbot, window, video)
    assert asked == [], "a partial recording in Live is not the file analysed before"
    with Store.open(window.ctx.db_path, create=False) as store:
        rows = {r.id: r for r in store.list_sessions()}
    (first,) = (i for i in rows if i != live)
    assert rows[first].origin == ANALYSIS and rows[first].n_frames == 174
    assert rows[live].origin == LIVE and rows[live].n_frames < 174
    assert rows[first].source_path == rows[live].source_path == source_path(video)

    # opened again: the analysis is recognised (and only it); declined, nothing changes
    assert window.analyse_video(video) is None
    assert len(asked) == 1 and f"(session #{first}," in asked[0] and f"#{live}" not in asked[0]
    # accepted: the analysis is replaced, the recording stays as it was
    window.confirm = lambda parent, text: True
    analyse(qtbot, window, video)
    with Store.open(window.ctx.db_path, create=False) as store:
        after = {r.id: r for r in store.list_sessions()}
    assert live in after and first not in after and len(after) == 2
    assert after[live].n_frames == rows[live].n_frames and after[live].n_reps == rows[live].n_reps
    (second,) = (i for i in after if i != live)
    assert after[second].origin == ANALYSIS

    # Review plays the whole video for both
    window.tabs.setCurrentWidget(window.review)
    for sid in (live, second):
        assert window.review.select_session(sid)
        assert window.review.player.path == Path(source_path(video)) and window.review.player.n_frames == 174
