"""Clips owned by their database (issue 19, item 2) and what a killed recording leaves (item 10).

Before: every database kept its clips in ``clips/session-N/`` beside it, so two databases in one folder wrote
each other's clips, and deleting a session in one removed the other's clip (and its whole folder). Real SQLite
files and real MPEG-4 clips written by the product's writer.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import cv2
import numpy as np

from turnout.storage.clips import BufferedFrame, write_clip
from turnout.storage.migrations import SCHEMA_VERSION, migrate
from turnout.storage.store import SessionInfo, Store


def _clip(path: Path, shade: int, n: int = 6) -> Path:
    ok, buf = cv2.imencode(".jpg", np.full((96, 128, 3), shade, np.uint8))
    assert ok
    write_clip([BufferedFrame(i / 25.0, buf.tobytes()) for i in range(n)], path)
    return path


def _session_with_clip(store: Store, shade: int) -> tuple[int, Path]:
    sid = store.create_session(SessionInfo(source="test.mp4"))
    clip = _clip(store.clips_dir(sid) / "rep-001.mp4", shade)
    store.add_clip(sid, None, clip, 0.0, 0.2, 6)
    store.finish_session(sid)
    return sid, clip


def test_two_databases_in_one_folder_never_share_or_delete_each_others_clips(tmp_path: Path) -> None:
    with Store.open(tmp_path / "A.sqlite3") as a, Store.open(tmp_path / "B.sqlite3") as b:
        sid_a, clip_a = _session_with_clip(a, 40)
        before = clip_a.read_bytes()
        sid_b, clip_b = _session_with_clip(b, 200)
        assert sid_a == sid_b == 1 and clip_a != clip_b
        assert clip_a.read_bytes() == before  # B's footage did not overwrite A's
        assert b.delete_session(sid_b) == [clip_b]
        assert not clip_b.exists()
        assert clip_a.read_bytes() == before and a.clips(sid_a)[0].path == "A.sqlite3-clips/session-1/rep-001.mp4"


def test_the_default_database_keeps_clips_folder(tmp_path: Path) -> None:
    with Store.open(tmp_path / "sessions.sqlite3") as store:
        assert store.clips_dir(3) == tmp_path / "clips" / "session-3"


def test_delete_only_touches_the_databases_own_files(tmp_path: Path) -> None:
    """A clip row pointing outside the database's clip folder (copied from another database) deletes nothing."""
    other = _clip(tmp_path / "clips" / "session-1" / "rep-001.mp4", 90)
    mine_too = tmp_path / "B.sqlite3-clips" / "session-1" / "notes.txt"
    with Store.open(tmp_path / "B.sqlite3") as store:
        sid = store.create_session(SessionInfo(source="x"))
        store.add_clip(sid, None, other, 0.0, 0.2, 6)
        mine_too.parent.mkdir(parents=True)
        mine_too.write_text("hers")
        assert store.delete_session(sid) == []
    assert other.exists() and mine_too.read_text() == "hers"  # and the folder with it


def _v3_database(path: Path, clip_rel: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=3)
    conn.execute(
        "INSERT INTO sessions (id, started_at, status, measure_names) VALUES (1, '2026-01-01T10:00:00+00:00', "
        "'complete', '[]')"
    )
    conn.execute(
        "INSERT INTO clips (session_id, path, t_start_ms, t_end_ms, n_frames, created_at) "
        "VALUES (1, ?, 0, 200, 6, '2026-01-01T10:00:00+00:00')",
        (clip_rel,),
    )
    conn.close()


def test_migration_moves_an_existing_databases_clips_into_its_own_folder(tmp_path: Path) -> None:
    _v3_database(tmp_path / "B.sqlite3", "clips/session-1/rep-001.mp4")
    _v3_database(tmp_path / "sessions.sqlite3", "clips/session-1/rep-002.mp4")
    b_clip = _clip(tmp_path / "clips" / "session-1" / "rep-001.mp4", 120)
    default_clip = _clip(tmp_path / "clips" / "session-1" / "rep-002.mp4", 60)
    data = b_clip.read_bytes()
    with Store.open(tmp_path / "B.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION >= 4
        (clip,) = store.clips(1)
        assert clip.path == "B.sqlite3-clips/session-1/rep-001.mp4"
        assert (tmp_path / clip.path).read_bytes() == data and not b_clip.exists()
    assert (tmp_path / "B.sqlite3.v3.bak").exists()
    with Store.open(tmp_path / "sessions.sqlite3") as store:  # the default name keeps clips/ as it was
        assert store.clips(1)[0].path == "clips/session-1/rep-002.mp4" and default_clip.exists()
    # the migration is one-time: opening again moves nothing and keeps the path
    with Store.open(tmp_path / "B.sqlite3") as store:
        assert store.clips(1)[0].path == "B.sqlite3-clips/session-1/rep-001.mp4"


def test_a_recording_whose_process_id_was_reused_is_marked_interrupted(tmp_path: Path) -> None:
    """The session says it was recorded by this very process id, but long before this process started."""
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid = store.create_session(SessionInfo(source="camera"))
        store._conn.execute(
            "UPDATE sessions SET writer_pid = ?, started_at = '2020-01-01T00:00:00+00:00' WHERE id = ?",
            (os.getpid(), sid),
        )
        live = store.create_session(SessionInfo(source="camera"))  # really being recorded by this process
        assert store.recover_interrupted() == [sid]
        assert store.get_session(sid).status == "interrupted"
        assert store.get_session(live).status == "recording"


def test_partial_clip_files_of_a_killed_recording_are_removed(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid = store.create_session(SessionInfo(source="camera"))
        store._conn.execute("UPDATE sessions SET writer_pid = -1 WHERE id = ?", (sid,))
        folder = store.clips_dir(sid)
        folder.mkdir(parents=True)
        partial = folder / ".rep-002.tmp.mp4"
        partial.write_bytes(b"\x00\x00\x00\x18ftypmp42 half a clip")
        kept = _clip(folder / "rep-001.mp4", 100)
        assert store.recover_interrupted() == [sid]
        assert not partial.exists() and kept.exists()
