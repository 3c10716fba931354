"""Issue 18, item 3 (the rest): the window dated a file's session and kept its path by writing
``sessions.started_at`` and ``sessions.notes`` with its own sqlite3 connection. Now the store does both: schema 5's
``sessions.source_path`` (recorded by ``analyze_file``; the old ``file: /path`` notes moved into it) and
``Store.set_started_at``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest

from conftest import media_file
from turnout.storage.migrations import SCHEMA_VERSION, migrate
from turnout.storage.store import SessionInfo, StorageError, Store


def test_set_started_at_dates_a_session_in_utc(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid = store.create_session(SessionInfo(source="a.mp4"))
        store.set_started_at(sid, "2026-02-03T18:30:00+01:00")
        assert store.get_session(sid).started_at == "2026-02-03T17:30:00+00:00", "kept in UTC, as every started_at"
        naive = datetime(2026, 2, 4, 9, 0, 0)  # no zone: her local time
        store.set_started_at(sid, naive.isoformat())
        assert datetime.fromisoformat(store.get_session(sid).started_at) == naive.astimezone()
        later = store.create_session(SessionInfo(source="b.mp4"))
        store.set_started_at(later, "2026-01-01T00:00:00+00:00")
        assert [r.id for r in store.list_sessions()] == [sid, later], "sorted by the file's date"
        with pytest.raises(ValueError, match="not an ISO date"):
            store.set_started_at(sid, "yesterday")
        with pytest.raises(StorageError, match="no session 99"):
            store.set_started_at(99, "2026-01-01T00:00:00+00:00")


def test_a_sessions_source_path_is_stored_and_read_back(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION >= 5
        cam = store.create_session(SessionInfo(source="camera 0"))
        f = store.create_session(SessionInfo(source="class.mp4", source_path="/home/ana/videos/class.mp4"))
        assert store.get_session(cam).source_path is None
        assert store.get_session(f).source_path == "/home/ana/videos/class.mp4"
        assert store.get_session(f).notes == ""


def test_version_5_moves_the_windows_file_note_into_source_path(tmp_path: Path) -> None:
    db = tmp_path / "sessions.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, target=4, db_path=db)
    rows = [("file: /v/class.mp4", "a.mp4"), ("left knee sore", "b.mp4"), ("file: /v/x.mp4\nand more", "c.mp4")]
    for notes, source in rows:
        conn.execute("INSERT INTO sessions (started_at, source, notes, measure_names) VALUES (?, ?, ?, '[]')",
                     ("2026-01-01T00:00:00+00:00", source, notes))  # fmt: skip
    conn.close()
    with Store.open(db) as store:
        assert store.schema_version >= 5  # and later migrations
        got = {r.source: (r.source_path, r.notes) for r in store.list_sessions()}
    assert got == {
        "a.mp4": ("/v/class.mp4", ""),  # what the window wrote: the whole note was the path
        "b.mp4": (None, "left knee sore"),  # her own words stay
        "c.mp4": (None, "file: /v/x.mp4\nand more"),  # not only a path: left as it was
    }
    assert (tmp_path / "sessions.sqlite3.v4.bak").exists()


def test_analyze_file_records_the_files_full_path(tmp_path: Path, model_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from turnout.session.analysis import analyze_file

    cap = cv2.VideoCapture(str(media_file("commons/ballet_plie.mp4")))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    folder = tmp_path / "videos"
    folder.mkdir()
    out = cv2.VideoWriter(str(folder / "short.mp4"), cv2.VideoWriter.fourcc(*"mp4v"), fps, (320, 180))
    for _ in range(8):
        ok, frame = cap.read()
        assert ok
        out.write(cv2.resize(frame, (320, 180)))
    out.release()
    cap.release()
    monkeypatch.chdir(folder)
    with Store.open(tmp_path / "s.sqlite3") as store:
        result = analyze_file("short.mp4", model_path, store=store)  # a relative name: stored in full
        assert result.session_id is not None
        row = store.get_session(result.session_id)
    assert row.source == "short.mp4" and row.source_path == str((folder / "short.mp4").resolve())
    assert datetime.fromisoformat(row.started_at) - datetime.now(UTC) < timedelta(minutes=1)


def test_version_7_says_how_each_session_was_made_and_keeps_everything(tmp_path: Path) -> None:
    """Sessions with a file's path before version 7 were all analyses (Live kept no path); the rest are live."""
    db = tmp_path / "sessions.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, target=6, db_path=db)
    for source, path in (("camera 0", None), ("class.mp4", "/v/class.mp4"), ("b.mp4", None)):
        conn.execute("INSERT INTO sessions (started_at, source, source_path, notes, measure_names) "
                     "VALUES ('2026-01-01T00:00:00+00:00', ?, ?, 'kept', '[]')", (source, path))  # fmt: skip
    conn.close()
    with Store.open(db) as store:
        assert store.schema_version == SCHEMA_VERSION >= 7
        got = {r.source: (r.origin, r.analysis, r.source_path, r.notes) for r in store.list_sessions()}
    assert got == {
        "camera 0": ("live", False, None, "kept"),
        "class.mp4": ("analysis", True, "/v/class.mp4", "kept"),
        "b.mp4": ("live", False, None, "kept"),
    }
    assert (tmp_path / "sessions.sqlite3.v6.bak").exists(), "a copy of the old database is kept"


def test_a_live_recording_of_a_file_keeps_its_path_and_stays_live(tmp_path: Path) -> None:
    from turnout.storage.store import ANALYSIS, LIVE, SessionRecorder

    with Store.open(tmp_path / "s.sqlite3") as store:
        analysed = store.create_session(SessionInfo(source="class.mp4", source_path="/v/class.mp4"))
        live = store.create_session(SessionInfo(source="class.mp4"))  # as Live creates it
        recorder = SessionRecorder(store, live)
        recorder.set_source_file("/v/class.mp4")
        recorder.close()
        assert not recorder.errors
        assert (store.get_session(analysed).origin, store.get_session(live).origin) == (ANALYSIS, LIVE)
        assert store.get_session(live).source_path == "/v/class.mp4" and store.get_session(live).status == "complete"
        explicit = store.create_session(SessionInfo(source="x.mp4", source_path="/v/x.mp4", origin=LIVE))
        assert store.get_session(explicit).origin == LIVE
        with pytest.raises(ValueError, match="origin must be one of"):
            store.create_session(SessionInfo(source="x.mp4", origin="guess"))
        with pytest.raises(StorageError, match="no session 99"):
            store.set_source_file(99, "/v/x.mp4")
        broken = SessionRecorder(store, live, background=False)
        broken.session_id = 99
        broken.set_source_file("/v/x.mp4")
        assert broken.errors == [f"no session 99 in {store.path}"], "one line, kept, never raised"


def test_a_whole_video_maps_its_frames_onto_a_partial_recording(tmp_path: Path) -> None:
    """VideoFrames: the file's frame n is the stored frame n; frames outside the recording have none."""
    import numpy as np

    from turnout.session.review_data import SessionData
    from turnout.storage.store import FrameRecord

    with Store.open(tmp_path / "s.sqlite3") as store:
        sid = store.create_session(SessionInfo(source="class.mp4"))
        # frames 30..59 recorded at the file's own times (25 fps, starting at 0.1 s: a container's offset), 45 dropped
        frames = [FrameRecord(n, 0.1 + n / 25.0, True, {}) for n in range(30, 60) if n != 45]
        store.add_frames(sid, frames, store.get_session(sid).measure_names)
        data = SessionData.load(store, sid)
    video = data.on_video(25.0)
    bgr = np.zeros((4, 4, 3), np.uint8)
    assert video.span() == (30, 59)
    assert video.result(29, bgr) is None and video.result(45, bgr) is None and video.result(60, bgr) is None
    got = video.result(31, bgr)
    assert got is not None and got.index == 31 and got.timestamp_ms == round((0.1 + 31 / 25) * 1000)
    assert video.time_of(40) == pytest.approx(0.1 + 40 / 25)  # a stored frame: its own time
    assert video.time_of(0) == pytest.approx(0.1)  # before the recording: on from its first frame
    assert video.time_of(70) == pytest.approx(0.1 + 70 / 25)
    numbers = [0, 10, 30, 44, 45, 46, 59, 70]
    assert [video.frame_of(video.time_of(n)) for n in numbers] == numbers
