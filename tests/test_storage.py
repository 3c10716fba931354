"""The session database: round trips, migrations, refusal of newer schemas, crash safety, a full disk."""

from __future__ import annotations

import hashlib
import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from test_practice import Synth
from turnout.practice.hip import HipTurnout
from turnout.practice.tracker import PracticeTracker, RepEnded
from turnout.settings import Settings
from turnout.storage.migrations import SCHEMA_VERSION, migrate
from turnout.storage.store import (
    FrameRecord,
    SchemaTooNewError,
    SessionInfo,
    SessionRecorder,
    StorageError,
    Store,
    default_db_path,
)

SRC = Path(__file__).resolve().parents[1] / "src"
TESTS = Path(__file__).resolve().parent


def record(store: Store, synth: Synth, *, dancer: str = "anna", poses: bool = True) -> tuple[int, SessionRecorder]:
    """Run a synthetic session through the tracker into the store, as the live pipeline would."""
    sid = store.create_session(SessionInfo(source="synthetic", dancer=dancer, fps=synth.fps, settings=Settings()))
    rec = SessionRecorder(store, sid)
    tracker = PracticeTracker(Settings())
    rng = np.random.default_rng(0)
    for i, (t, row, ok) in enumerate(zip(synth.t, synth.rows, synth.reliable, strict=True)):
        image = rng.random((33, 5), dtype=np.float32) if poses else None
        world = rng.random((33, 3), dtype=np.float32) if poses else None
        rec.add_frame(FrameRecord(i, t, ok, row, image, world))
        for ev in tracker.update(t, row, ok):
            rec.handle(ev)
    for ev in tracker.finish():
        rec.handle(ev)
    rec.close()
    return sid, rec


@pytest.fixture
def synth() -> Synth:
    s = Synth().stand(6.0)
    s.plie(60, knees_in_m=0.05).stand(1.0).plie(60).stand(1.0).gap(0.5).plie(130, down=3, up=3).stand(1.0)
    return s


def test_round_trip_session_reps_holds_flags_frames_and_poses(tmp_path: Path, synth: Synth) -> None:
    db = tmp_path / "s.sqlite3"
    with Store.open(db) as store:
        sid, rec = record(store, synth)
        assert rec.errors == []
        expected = synth.run()
    with Store.open(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        s = store.get_session(sid)
        assert (s.status, s.dancer, s.source, s.n_reps, s.n_holds, s.n_flagged_reps) == (
            "complete", "anna", "synthetic", 3, 1, 1,
        )  # fmt: skip
        assert s.n_frames == len(synth.t) and s.duration_s == pytest.approx(synth.t[-1], abs=0.001)
        assert s.baseline is not None and s.baseline == expected.baseline
        assert s.settings is not None and s.settings["reps"]["start_drop"] == 0.05
        stored = store.reps(sid)
        assert [r.rep.to_dict() for r in stored] == [r.to_dict() for r in expected.reps]
        assert [r.rep.kind for r in stored] == ["demi", "demi", "grand"]
        assert stored[0].rep.flags[0].code == "knees_inside_toes"
        assert [h.hold.to_dict() for h in store.holds(sid)] == [h.to_dict() for h in expected.holds]
        table = store.frames(sid)
        assert table.idx.tolist() == list(range(len(synth.t)))
        assert np.allclose(table.t_s, synth.t, atol=5e-4)
        assert table.reliable.tolist() == synth.reliable
        col = table.values["left_knee_flexion_deg"]
        want = np.array([r["left_knee_flexion_deg"] for r in synth.rows])
        assert np.array_equal(np.isnan(col), np.isnan(want))
        assert np.array_equal(col[~np.isnan(col)], want[~np.isnan(want)])  # exact: float64
        poses = store.poses(sid)
        assert poses is not None and poses.image.shape == (len(synth.t), 33, 5) and poses.world.dtype == np.float32
        rng = np.random.default_rng(0)
        assert np.array_equal(poses.image[0], rng.random((33, 5), dtype=np.float32))
        assert store.integrity_check() == "ok"


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(SchemaTooNewError, match=rf"newer Turnout \(schema {SCHEMA_VERSION + 5}.*not changed"):
        Store.open(db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite3"]


def make_v1_database(db: Path, source: str = "camera") -> Path:
    """A schema-1 database (as the first release wrote it): dancer anna, one complete session, one frame."""
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, target=1)
    conn.execute("INSERT INTO dancers (name, created_at) VALUES ('anna', '2025-01-01T00:00:00+00:00')")
    conn.execute(
        "INSERT INTO sessions (dancer_id, started_at, status, source, measure_names) "
        "VALUES (1, '2025-01-01T00:00:00+00:00', 'complete', ?, '[\"x\"]')",
        (source,),
    )
    conn.execute("INSERT INTO frames VALUES (1, 0, 0, 1, ?)", (np.array([1.5]).tobytes(),))
    conn.close()
    return db


def test_older_schema_is_backed_up_then_migrated_keeping_data(tmp_path: Path) -> None:
    db = make_v1_database(tmp_path / "old.sqlite3")
    with Store.open(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.backup_path == tmp_path / "old.sqlite3.v1.bak"
        (s,) = store.list_sessions()
        assert (s.dancer, s.status, s.n_frames, s.n_holds) == ("anna", "complete", 1, 0)
        assert store.frames(s.id).values["x"].tolist() == [1.5]
        assert store.holds(s.id) == [] and store.clips(s.id) == []
    backup = sqlite3.connect(tmp_path / "old.sqlite3.v1.bak")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT COUNT(*) FROM frames").fetchone()[0] == 1
    backup.close()


def test_not_a_database_or_missing_gives_one_line_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"hello, this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not a readable session database") as exc:
        Store.open(junk)
    assert "\n" not in str(exc.value)
    with pytest.raises(StorageError, match="no session database at"):
        Store.open(tmp_path / "missing.sqlite3", create=False)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StorageError, match="not a Turnout session database"):
        Store.open(other)


def test_default_db_path_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNOUT_DATA_DIR", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "sessions.sqlite3"
    monkeypatch.delenv("TURNOUT_DATA_DIR")
    assert default_db_path().name == "sessions.sqlite3" and "turnout" in str(default_db_path()).lower()


def test_delete_cascades_to_reps_flags_frames_poses_and_clip_files(tmp_path: Path, synth: Synth) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid, _ = record(store, synth)
        keep, _ = record(store, Synth().stand(3.0).plie(60).stand(1.0))
        clip = store.clips_dir(sid) / "rep-001.mp4"
        clip.parent.mkdir(parents=True)
        clip.write_bytes(b"video")
        store.add_clip(sid, store.reps(sid)[0].id, clip, 6.0, 9.0, 90)
        assert store.clips(sid)[0].path == f"s.sqlite3-clips/session-{sid}/rep-001.mp4"
        assert store.delete_session(sid) == [clip]
        assert not clip.exists() and not clip.parent.exists()
        for table in ("reps", "flags", "frames", "poses", "holds", "clips"):
            n = store._conn.execute(f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", (sid,)).fetchone()[0]
            assert n == 0, table
        assert [s.id for s in store.list_sessions()] == [keep]
        assert store.get_session(keep).n_reps == 1
        with pytest.raises(StorageError, match=f"no session {sid}"):
            store.get_session(sid)


def test_hip_profile_across_sessions(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        for _ in range(2):
            record(store, Synth().stand(3.0).plie(60).stand(1.0).plie(60).stand(1.0), poses=False)
        record(store, Synth().stand(3.0).plie(60).stand(1.0), dancer="bella", poses=False)
        anna = store.ensure_dancer("anna")
        samples = store.hip_samples(anna, 60)
        assert len(samples) == 4 and all(abs(a - 25.0) < 1.0 and abs(b - 25.0) < 1.0 for a, b in samples)
        assert len(store.hip_samples(anna, 3)) == 3
        assert store.hip_profile(anna) is None
        hip = HipTurnout(24.5, 25.5, 4, 1.2, True)
        store.save_hip_profile(anna, hip)
        assert store.hip_profile(anna) == hip
        assert [n for _, n in store.dancers()] == ["anna", "bella"]


def test_recover_interrupted_marks_sessions_of_dead_processes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        alive = store.create_session(SessionInfo())
        dead = store.create_session(SessionInfo())
        proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        store._conn.execute("UPDATE sessions SET writer_pid = ? WHERE id = ?", (int(proc.stdout), dead))
        assert store.recover_interrupted() == [dead]
        assert store.get_session(dead).status == "interrupted"
        assert store.get_session(alive).status == "recording"


CHILD = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{src!r}, {tests!r}]
    from test_practice import Synth
    from turnout.practice.tracker import PracticeTracker, RepEnded
    from turnout.settings import Settings
    from turnout.storage.store import FrameRecord, SessionInfo, SessionRecorder, Store

    s = Synth().stand(3.0)
    for _ in range(40):
        s.plie(60, down=1.0, up=1.0).stand(0.5)
    store = Store.open({db!r})
    sid = store.create_session(SessionInfo(source="child"))
    rec = SessionRecorder(store, sid, batch_s=0.2)
    tracker = PracticeTracker(Settings())
    for i, (t, row, ok) in enumerate(zip(s.t, s.rows, s.reliable)):
        rec.add_frame(FrameRecord(i, t, ok, row))
        for ev in tracker.update(t, row, ok):
            rec.handle(ev)
            if isinstance(ev, RepEnded):
                rec.wait()  # the rep is committed now
                print("rep", ev.rep.index, flush=True)
    print("done", flush=True)
    """
)


def test_sigkill_mid_session_leaves_a_sound_database_with_every_ended_rep(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    code = CHILD.format(src=str(SRC), tests=str(TESTS), db=str(db))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    ended = 0
    deadline = time.monotonic() + 30
    while ended < 5 and time.monotonic() < deadline:
        line = child.stdout.readline()
        assert line and line != "done\n", "the child finished before it was killed"
        ended = int(line.split()[1])
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL and ended >= 5
    with Store.open(db) as store:
        assert store.integrity_check() == "ok"
        (s,) = store.list_sessions()
        assert s.status == "recording"
        assert s.n_reps >= ended
        assert [r.rep.index for r in store.reps(s.id)] == list(range(1, s.n_reps + 1))
        assert s.n_frames > 0
        assert store.recover_interrupted() == [s.id]
        assert store.get_session(s.id).status == "interrupted"


def test_full_disk_reports_and_keeps_what_was_stored(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    synth = Synth().stand(3.0).plie(60).stand(1.0)
    with Store.open(db) as store:
        sid, _ = record(store, synth, poses=False)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages + 1}")  # the disk is now full
        rec = SessionRecorder(store, sid)
        big = [FrameRecord(10_000 + i, 100 + i / 30, True, synth.rows[0], np.ones((33, 5)), np.ones((33, 3)))
               for i in range(300)]  # fmt: skip
        with pytest.raises(StorageError, match="full") as exc:
            store.add_frames(sid, big, rec.names)
        assert "\n" not in str(exc.value)
        for f in big:
            rec.add_frame(f)
        rec.handle(RepEnded(200.0, synth.run().reps[0]))
        rec.close()
        assert rec.errors and rec.dropped_frames == 300
        assert all("full" in e for e in rec.errors)
    with Store.open(db) as store:
        assert store.integrity_check() == "ok"
        s = store.get_session(sid)
        assert (s.n_reps, s.n_frames) == (1, len(synth.t))


def test_frames_for_an_hour_are_written_quickly(tmp_path: Path) -> None:
    """108k frames (an hour at 30 fps) in 1-s batches; measured here on 10 minutes to keep the suite fast."""
    row = dict(Synth().stand(0.1).rows[0])
    image, world = np.zeros((33, 5), np.float32), np.zeros((33, 3), np.float32)
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid = store.create_session(SessionInfo())
        rec = SessionRecorder(store, sid)
        t0 = time.perf_counter()
        for i in range(18_000):
            rec.add_frame(FrameRecord(i, i / 30, True, row, image, world))
        rec.close()
        elapsed = time.perf_counter() - t0
        assert store.get_session(sid).n_frames == 18_000
        t1 = time.perf_counter()
        table = store.frames(sid)
        read = time.perf_counter() - t1
    assert elapsed < 6.0, f"{elapsed:.1f} s to write 10 minutes of frames"
    assert read < 2.0 and math.isclose(table.t_s[-1], 17_999 / 30, abs_tol=1e-3)


def test_replace_analysis_relinks_clips(tmp_path: Path, synth: Synth) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid, _ = record(store, synth, poses=False)
        reps = store.reps(sid)
        clip = store.clips_dir(sid) / "rep-001.mp4"
        store.add_clip(sid, reps[0].id, clip, reps[0].rep.t_start_s - 1, reps[0].rep.t_end_s + 1, 10)
        result = synth.run()
        store.replace_analysis(sid, result.reps[1:], [], result.baseline, Settings())
        new = store.reps(sid)
        assert [r.rep.index for r in new] == [2, 3]
        assert store.clips(sid)[0].rep_id is None  # its rep is gone
        store.replace_analysis(sid, result.reps, result.holds, result.baseline, Settings())
        assert store.clips(sid)[0].rep_id == store.reps(sid)[0].id
        assert store.get_session(sid).n_holds == 1
