"""A damaged database (issue 19, item 6), through the real ``turnout`` command in child processes.

Before: ``turnout analyze`` wrote new sessions into a database with corrupted pages and exited 0 (while every
reading command then refused the file); a damaged row (a JSON column that does not parse, a frame's blob of the
wrong size) gave a traceback in ``sessions list``, ``show``, ``export`` and ``report``. Now a writer runs
``PRAGMA quick_check`` first and refuses a damaged file in one line, writing nothing; a reader skips a damaged
row, or reads it without its damaged column, with one line each.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app_fakes import record_synthetic_session
from turnout.storage.migrations import StorageError
from turnout.storage.store import SessionInfo, Store


def _turnout(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "turnout.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)  # fmt: skip


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _damaged_pages(db: Path) -> Path:
    """A real database (two recorded sessions) with one page in the middle overwritten by random bytes."""
    record_synthetic_session(db, None)
    record_synthetic_session(db, None)
    size = db.stat().st_size
    page = 4096
    with db.open("r+b") as f:
        f.seek(page * (size // page // 2))
        f.write(np.random.default_rng(19).integers(0, 256, page, dtype=np.uint8).tobytes())
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]  # checkpointed, no log beside it
    return db


def test_a_database_with_damaged_pages_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    db = _damaged_pages(tmp_path / "data" / "sessions.sqlite3")
    before = _digest(db)
    with pytest.raises(StorageError) as caught:
        Store.open(db)  # how `turnout analyze`, a batch worker and the window's recording open it
    assert "is damaged" in str(caught.value) and "nothing was written" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert _digest(db) == before


def test_analyze_into_a_damaged_database_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    db = _damaged_pages(tmp_path / "data" / "sessions.sqlite3")
    before = _digest(db)
    video = tmp_path / "one-frame.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
    writer.write(np.full((120, 160, 3), 90, np.uint8))
    writer.release()
    run = _turnout("analyze", str(video), "--quiet", "--db", str(db), cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("turnout: ") and "is damaged" in lines[0], run.stderr
    assert _digest(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_a_sound_database_is_checked_once_and_still_opens(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with Store.open(db) as store:
        store.create_session(SessionInfo())
    with Store.open(db) as store:
        assert store.create_session(SessionInfo()) == 2


@pytest.fixture(scope="module")
def damaged_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real sessions; session 1 with a damaged calibration, a damaged rep summary, a frame's measurements and
    a frame's landmarks cut short; session 2 with damaged measure names and settings."""
    db = tmp_path_factory.mktemp("rows") / "sessions.sqlite3"
    record_synthetic_session(db, None)
    record_synthetic_session(db, None)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM reps WHERE session_id = 1").fetchone()[0] >= 1
        conn.execute("UPDATE sessions SET calibration = '{\"reference\": ' WHERE id = 1")
        conn.execute("UPDATE reps SET summary = 'not json' WHERE session_id = 1 AND idx = 1")
        conn.execute("UPDATE frames SET measures = x'0102' WHERE session_id = 1 AND idx = 10")
        conn.execute("UPDATE poses SET image = x'0102' WHERE session_id = 1 AND idx = 11")
        conn.execute("UPDATE sessions SET measure_names = '[\"a\", ', settings = '[1, 2]' WHERE id = 2")
    return db


def _ok_with_warnings(run: subprocess.CompletedProcess[str], *expected: str) -> list[str]:
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert all(line.startswith("turnout: warning: ") for line in lines), run.stderr
    for text in expected:
        assert sum(text in line for line in lines) == 1, (text, run.stderr)
    return lines


def test_sessions_list_reads_past_damaged_rows(damaged_rows: Path) -> None:
    run = _turnout("sessions", "list", "--db", str(damaged_rows), cwd=damaged_rows.parent)
    _ok_with_warnings(
        run, "session 1: its stored calibration is damaged", "session 2: its stored settings, measure_names"
    )
    ids = [line.split()[0] for line in run.stdout.splitlines()[1:]]
    assert ids == ["2", "1"]


def test_sessions_show_skips_a_damaged_rep(damaged_rows: Path) -> None:
    run = _turnout("sessions", "show", "1", "--db", str(damaged_rows), cwd=damaged_rows.parent)
    _ok_with_warnings(run, "session 1, rep 1: its stored summary is damaged; skipped")
    assert "Session 1 (complete)" in run.stdout and "rep   1" not in run.stdout


def test_sessions_export_skips_damaged_frames_and_landmarks(damaged_rows: Path, tmp_path: Path) -> None:
    out = tmp_path / "s1.json"
    run = _turnout("sessions", "export", "1", "--json", "--frames", "-o", str(out), "--db", str(damaged_rows),
                   cwd=tmp_path)  # fmt: skip
    _ok_with_warnings(run, "session 1: 1 stored frame damaged (frame 10); skipped", "rep 1: its stored summary")
    assert out.stat().st_size > 1000
    run = _turnout("sessions", "export", "2", "--csv", "--table", "frames", "--db", str(damaged_rows),
                   cwd=tmp_path)  # fmt: skip
    _ok_with_warnings(run, "session 2: its stored settings, measure_names are damaged")


def test_report_of_a_session_with_damaged_rows(damaged_rows: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run = _turnout("report", "1", "-o", str(out), "--db", str(damaged_rows), cwd=tmp_path)
    _ok_with_warnings(run, "rep 1: its stored summary is damaged", "1 stored frame damaged (frame 10)",
                      "the landmarks of 1 frame damaged (frame 11)")  # fmt: skip
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") or out.stat().st_size > 1000
    assert not os.path.exists(str(out) + ".tmp")
