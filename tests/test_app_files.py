"""Issue 18, items 3 and 4: a video opened in the window is analysed into a stored session on a worker thread
(progress shown, the window responsive), dated from the file, recognised when opened again (she is asked; a
replacement removes the old session only once the new one is stored); sessions belong to the chosen dancer and
Review and Progress show only hers; progress sentences say what the numbers say."""

from __future__ import annotations

import os
import sqlite3
import struct
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings

from app_fakes import FakeEngine, forbid_dialogs, record_synthetic_session, rep_summary
from conftest import media_file
from turnout.app.context import AppContext
from turnout.app.controller import LiveController
from turnout.app.file_analysis import file_date, source_file
from turnout.app.progress import NO_CHANGE, ProgressTab, SessionPoint, _trend
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.session.display import Reading
from turnout.storage.store import SessionInfo, Store

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


def _mp4_with_creation_time(path: Path, when: datetime) -> Path:
    """A file whose moov/mvhd box says when it was recorded (the rest is not a playable video)."""
    secs = int((when - datetime(1904, 1, 1, tzinfo=UTC)).total_seconds())
    mvhd = struct.pack(">I4sB3xII", 8 + 4 + 8, b"mvhd", 0, secs, secs)
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    ftyp = struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 0)
    path.write_bytes(ftyp + struct.pack(">I4s", 16, b"free") + b"\0" * 8 + moov)
    return path


def test_the_date_comes_from_the_container_else_the_modification_time(tmp_path: Path) -> None:
    when = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
    date, where = file_date(_mp4_with_creation_time(tmp_path / "a.mp4", when))
    assert date == when and "metadata" in where
    assert date.tzinfo is not None and date.utcoffset() == datetime.now().astimezone().utcoffset()  # local time
    other = tmp_path / "b.avi"
    other.write_bytes(b"RIFF....AVI ")
    stamp = datetime(2025, 11, 2, 18, 5, tzinfo=UTC).timestamp()
    os.utime(other, (stamp, stamp))
    date, where = file_date(other)
    assert date.timestamp() == stamp and "modification" in where


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """The window; ``analyze_file`` replaced by a slow fake that stores a session of 3 reps (no model)."""
    calls: list[dict[str, Any]] = []

    def fake_analyze(path: Any, model_path: Path, out_dir: Path | None = None, **kw: Any) -> Any:
        store: Store = kw["store"]
        sid = store.create_session(
            SessionInfo(source=Path(path).name, dancer=kw.get("dancer"), source_path=str(Path(path).resolve()))
        )  # as analyze_file does
        for i in range(50):
            kw["progress"](i + 1, 50, 0.01 * i)
            time.sleep(0.01)
        reps = [rep_summary(k, 3.0 * k, ()) for k in range(3)]
        for r in reps:
            store.add_rep(sid, r)
        store.finish_session(sid)
        calls.append(kw)
        return SimpleNamespace(session_id=sid, reps=reps)

    monkeypatch.setattr("turnout.session.analysis.analyze_file", fake_analyze)
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    monkeypatch.setattr(ctx, "model_path", lambda: tmp_path / "model.task")
    w = MainWindow(LiveController(FakeEngine(media_file("commons/ballet_plie.mp4"))), ctx,
                   cues=CuePlayer(which=lambda name: None))  # fmt: skip
    w.calls = calls  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def _analyse(qtbot: Any, window: MainWindow, path: Path) -> None:
    analysis = window.analyse_video(path)
    assert analysis is not None
    qtbot.waitUntil(lambda: window.analysis_bar.isVisible() and window.analysis_bar.value() > 0, timeout=5000)
    qtbot.waitUntil(lambda: not analysis.running and not window.analysis_bar.isVisible(), timeout=10000)


def test_opening_a_video_stores_a_dated_session_of_the_dancer_and_shows_it(qtbot: Any, window: MainWindow,
                                                                           tmp_path: Path) -> None:  # fmt: skip
    when = datetime(2026, 2, 3, 17, 30, tzinfo=UTC)
    video = _mp4_with_creation_time(tmp_path / "plies.mp4", when)
    window.set_dancer("Ana")
    _analyse(qtbot, window, video)
    assert window.calls[0]["dancer"] == "Ana"  # type: ignore[attr-defined]
    assert window.tabs.currentWidget() is window.review
    review = window.review
    assert review.data is not None and review.data.session.dancer == "Ana"
    session = review.data.session
    assert datetime.fromisoformat(session.started_at) == when, "dated from the file, not from the analysis"
    assert source_file(session) == video.resolve()
    assert session.source_path == str(video.resolve()) and not session.notes, "the path has its own column"
    assert "3 reps, stored as session #1" in window.statusBar().currentMessage()
    assert [window.dancer.itemText(i) for i in range(window.dancer.count())] == ["Everyone", "Ana"]


def test_the_same_file_again_is_recognised_never_doubled(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    video = _mp4_with_creation_time(tmp_path / "plies.mp4", datetime(2026, 2, 3, 17, 30, tzinfo=UTC))
    _analyse(qtbot, window, video)
    asked: list[str] = []
    window.confirm = lambda parent, text: asked.append(text) or False  # type: ignore[func-returns-value]
    assert window.analyse_video(video) is None, "declined: nothing analysed"
    assert "plies.mp4 was analysed before (session #1" in asked[0]
    assert window.review.session_ids() == [1]
    window.confirm = lambda parent, text: True
    _analyse(qtbot, window, video)
    assert window.review.session_ids() == [2], "replaced: the old session removed once the new one is stored"
    with Store.open(window.ctx.db_path) as store:
        assert [r.id for r in store.list_sessions()] == [2]


def test_a_failed_analysis_is_one_line_and_keeps_the_window(qtbot: Any, window: MainWindow, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from turnout.errors import SourceError

    def broken(*args: Any, **kw: Any) -> Any:
        raise SourceError("broken.mp4 cannot be read as a video (no frames)")

    monkeypatch.setattr("turnout.session.analysis.analyze_file", broken)
    video = tmp_path / "broken.mp4"
    video.write_bytes(b"not a video")
    analysis = window.analyse_video(video)
    assert analysis is not None
    qtbot.waitUntil(lambda: not analysis.running and not window.analysis_bar.isVisible(), timeout=5000)
    message = window.statusBar().currentMessage()
    assert message.startswith("broken.mp4:") and "\n" not in message and "Traceback" not in message


def test_review_and_progress_show_the_chosen_dancer_only(qtbot: Any, window: MainWindow) -> None:
    db = window.ctx.db_path
    for dancer, week in (("Ana", 0), ("Bea", 1), ("Ana", 2)):
        sid = record_synthetic_session(db, None, forced=((14.0, 14.0),),
                                       started_at=f"2026-01-{1 + 7 * week:02d}T18:00:00+00:00")  # fmt: skip
        with Store.open(db) as store:
            dancer_id = store.ensure_dancer(dancer)
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE sessions SET dancer_id = ? WHERE id = ?", (dancer_id, sid))
    window.reload_dancers()
    assert [window.dancer.itemText(i) for i in range(window.dancer.count())] == ["Everyone", "Ana", "Bea"]
    window.tabs.setCurrentWidget(window.review)
    assert sorted(window.review.session_ids()) == [1, 2, 3]
    window.dancer.setCurrentIndex(1)
    window.dancer.activated.emit(1)
    assert window.ctx.prefs.dancer == "Ana"
    assert sorted(window.review.session_ids()) == [1, 3]
    window.tabs.setCurrentWidget(window.progress)
    assert [p.session_id for p in window.progress.points] == [1, 3]
    assert window.progress.message.text().startswith("Ana: 2 sessions")
    window.set_dancer("")
    assert sorted(window.review.session_ids()) == [1, 2, 3]


def _point(day: int, left: float | None, right: float | None = None, half: float = 20.0, flagged: int = 1
           ) -> SessionPoint:  # fmt: skip
    feet = {} if left is None else {
        "left": Reading(left, left - half, left + half),
        "right": Reading(right if right is not None else left, (right or left) - half, (right or left) + half),
    }  # fmt: skip
    return SessionPoint(day, datetime(2026, 1, day, tzinfo=UTC) + timedelta(hours=18), 3, flagged, feet)


def test_progress_sentences_are_true_to_the_ranges(qtbot: Any, tmp_path: Path) -> None:
    """A change is said only where the 95 % ranges of the first and latest sessions do not overlap."""
    small = _trend([_point(1, 40.0), _point(8, 50.0), _point(15, 55.0)])  # 15 degrees under ±20: not a change
    assert "no change that the camera can tell" in small and "closed" not in small and "15" not in small
    big = _trend([_point(1, 20.0, 40.0), _point(8, 70.0, 45.0)])
    assert "left turned out more (from 0–40° to 50–90°)" in big and f"right {NO_CHANGE}" in big
    assert "left turned out less" in _trend([_point(1, 70.0), _point(8, 20.0)])
    assert "Flagged reps: 1 of 3 in the first session, 0 of 3 in the latest" in _trend(
        [_point(1, 40.0), _point(8, 40.0, flagged=0)]
    )
    assert "need two sessions" in _trend([_point(1, 40.0)])
    older = _trend([_point(1, None), _point(8, 40.0)])
    assert "1 older session was stored before the picture's readings" in older and "need two sessions" in older
    tab = ProgressTab(lambda: tmp_path / "none.sqlite3", dancer=lambda: "Ana")
    qtbot.addWidget(tab)
    tab.refresh()
    assert "No sessions of Ana" in tab.message.text()
    tab.show_points([_point(1, None), _point(8, 40.0)])
    old = tab.table.item(1, 4)
    assert old is not None and old.text() == "stored before the picture's readings"  # not a 3D figure
    assert len(tab.curves["left"].xData) == 1


def test_review_plays_the_whole_video_of_a_file_session_and_jumps_to_any_rep(qtbot: Any, window: MainWindow,
                                                                              tmp_path: Path) -> None:  # fmt: skip
    import shutil

    video = Path(shutil.copy(media_file("commons/ballet_plie.mp4"), tmp_path / "class.mp4"))
    _analyse(qtbot, window, video)
    review = window.review
    assert review.data is not None
    player = review.player
    import cv2

    cap = cv2.VideoCapture(str(video))
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    assert player.path == video.resolve() and player.n_frames == total, "the whole recording, not a clip"
    assert not player.video.mirrored, "a video file is shown as filmed"
    clean = review.data.reps[1].rep  # a clean rep plays too, not only flagged ones
    review.select_rep(clean.index)
    assert abs(player.time_of(player.frame) - clean.t_start_s) < 0.05
    at = player.frame
    player.step(1)
    assert player.frame == at + 1 and not player.playing
    player.step(-2)
    assert player.frame == at - 1


def test_a_folder_is_analysed_with_progress_and_a_summary_never_doubled(qtbot: Any, tmp_path: Path,
                                                                         model_path: Path) -> None:  # fmt: skip
    """The real analysis (model, pipeline, store) of a folder of real (short) videos, twice."""
    import cv2

    folder = tmp_path / "class"
    folder.mkdir()
    cap = cv2.VideoCapture(str(media_file("commons/ballet_plie.mp4")))
    frames = [cap.read()[1] for _ in range(110)][100:]  # the dancer, standing
    cap.release()
    for name in ("a.mp4", "b.mp4"):
        out = cv2.VideoWriter(str(folder / name), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (320, 180))
        for f in frames:
            out.write(cv2.resize(f, (320, 180)))
        out.release()
    (folder / "notes.txt").write_text("not a video", encoding="utf-8")
    (folder / "broken.mov").write_bytes(b"not a video either")
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    w = MainWindow(LiveController(FakeEngine(media_file("commons/ballet_plie.mp4"))), ctx,
                   cues=CuePlayer(which=lambda name: None))  # fmt: skip
    qtbot.addWidget(w)
    w.show()
    formats: list[str] = []
    w.analysis_bar.valueChanged.connect(lambda _v: formats.append(w.analysis_bar.format()))
    run = w.analyse_folder(folder)
    assert run is not None and run.total == 3  # a.mp4, b.mp4, broken.mov; not notes.txt
    qtbot.waitUntil(lambda: w.folder_summary is not None, timeout=60000)
    assert {"File 1 of 3: %p%", "File 2 of 3: %p%"} <= set(formats)  # progress per file (broken.mov is file 3)
    summary = w.folder_summary
    assert summary is not None and summary.isVisible()
    assert summary.headline.text() == "<b>class: 3 videos: 2 analysed, 1 not analysed</b>"
    lines = summary.details.toPlainText().splitlines()
    assert lines[0].startswith("a.mp4: 0 reps, stored as session #") and lines[1].startswith("b.mp4: 0 reps")
    assert lines[2].startswith("broken.mov: ") and "Traceback" not in lines[2]
    assert w.tabs.currentWidget() is w.review and len(w.review.session_ids()) == 2
    # again: every file recognised, nothing doubled
    w.analyse_folder(folder)
    qtbot.waitUntil(lambda: summary is not w.folder_summary, timeout=30000)
    assert w.folder_summary is not None
    assert "2 analysed before (kept, not doubled)" in w.folder_summary.headline.text()
    with Store.open(ctx.db_path, create=False) as store:
        assert sorted(str(r.source) for r in store.list_sessions()) == ["a.mp4", "b.mp4"]
    # a folder without videos: one line
    empty = tmp_path / "empty"
    empty.mkdir()
    assert w.analyse_folder(empty) is None
    assert w.statusBar().currentMessage().startswith("empty: no videos (")
    w.close()
