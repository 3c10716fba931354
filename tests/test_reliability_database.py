"""A database from the future, an older one, an interrupted session (issue 8, items 7 and 2), as the user meets
them: through every command that opens the database (real processes) and in the window.

A database written by a newer Turnout is refused with one line, exit status 2, and is left byte for byte as it
was, with no ``-wal``, ``-shm`` or backup file beside it. An older one is migrated after a backup copy is
written. ``tests/test_storage.py`` covers the same at the :class:`~turnout.storage.store.Store` level.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest

from app_fakes import forbid_dialogs, record_synthetic_session
from test_storage import make_v1_database
from turnout.storage.migrations import SCHEMA_VERSION

FUTURE = SCHEMA_VERSION + 5
COMMANDS = {
    "list": ["sessions", "list"],
    "show": ["sessions", "show", "1"],
    "export": ["sessions", "export", "1", "--json"],
    "delete": ["sessions", "delete", "1", "--yes"],
    "reanalyze": ["reanalyze", "1"],
    "report": ["report", "1", "-o", "{dir}/report.html"],
    "analyze": ["analyze", "{dir}/one-frame.mp4", "--quiet"],
}


def _future_db(path: Path) -> Path:
    """A real session database (WAL mode, a session with two reps) as a newer Turnout would leave it."""
    record_synthetic_session(path, None)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {FUTURE}")
    conn.commit()
    conn.close()  # the last connection: the log is checkpointed and removed
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    return path


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def future(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every command on the same future database, all at once; the folder's files before and after."""
    root = tmp_path_factory.mktemp("future")
    db = _future_db(root / "data" / "sessions.sqlite3")
    writer = cv2.VideoWriter(str(root / "one-frame.mp4"), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
    writer.write(np.full((120, 160, 3), 90, np.uint8))
    writer.release()
    before = _snapshot(db.parent)
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "turnout.cli", *(a.format(dir=root) for a in args), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in COMMANDS.items()
    }
    done = {name: (*p.communicate(timeout=120), p.returncode) for name, p in procs.items()}
    yield {"db": db, "root": root, "before": before, "after": _snapshot(db.parent), "done": done}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_database_from_the_future_is_refused_in_one_line(future: dict[str, Any], command: str) -> None:
    stdout, stderr, code = future["done"][command]
    assert code == 2 and stdout == ""
    assert stderr.splitlines() == [
        f"turnout: {future['db']}: written by a newer Turnout (schema {FUTURE}, this one reads up to "
        f"{SCHEMA_VERSION}); upgrade Turnout, the database was not changed"
    ]


def test_database_from_the_future_is_left_byte_for_byte(future: dict[str, Any]) -> None:
    assert future["after"] == future["before"]  # the same bytes, and no -wal, -shm or backup beside it
    assert list(future["before"]) == ["sessions.sqlite3"]
    assert not (future["root"] / "report.html").exists()


def test_older_database_is_backed_up_then_migrated(tmp_path: Path) -> None:
    db = make_v1_database(tmp_path / "old.sqlite3", source="studio")
    rows = "SELECT s.id, s.source, d.name, f.idx, f.measures FROM sessions s JOIN dancers d JOIN frames f"

    out = subprocess.run([sys.executable, "-m", "turnout.cli", "sessions", "list", "--db", str(db)],
                         capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "complete" in out.stdout and "anna" in out.stdout
    backup = tmp_path / "old.sqlite3.v1.bak"
    with sqlite3.connect(backup) as b, sqlite3.connect(db) as c:
        assert b.execute("PRAGMA user_version").fetchone()[0] == 1
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        expected = [(1, "studio", "anna", 0, np.array([1.5]).tobytes())]
        assert b.execute(rows).fetchall() == c.execute(rows).fetchall() == expected
        assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def window_on(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``window_on(db)``: the real window at start-up (no camera started), on ``db``."""
    from turnout.app.main import create_window

    forbid_dialogs(monkeypatch)
    config = tmp_path / "config"
    config.mkdir()
    (config / "app.ini").write_text("[General]\nautostart=false\n")
    monkeypatch.setenv("TURNOUT_CONFIG", str(config / "settings.toml"))
    windows = []

    def open_window(db: Path) -> Any:
        _app, window, _controller = create_window(argparse.Namespace(camera=None, db=str(db), model=None))
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield open_window
    for w in windows:
        w.close()


def test_window_says_why_a_database_from_the_future_is_not_shown(window_on: Any, tmp_path: Path) -> None:
    db = _future_db(tmp_path / "future" / "sessions.sqlite3")
    before = _snapshot(db.parent)
    window = window_on(db)
    expected = f"{db}: written by a newer Turnout (schema {FUTURE}, this one reads up to {SCHEMA_VERSION})"
    window.tabs.setCurrentWidget(window.review)
    assert window.review.message.text().startswith(expected)  # not "No sessions yet"
    window.tabs.setCurrentWidget(window.progress)
    assert window.progress.message.text().startswith(expected)
    window.close()
    assert _snapshot(db.parent) == before


def test_window_shows_a_killed_recording_as_interrupted(window_on: Any, tmp_path: Path) -> None:
    db = tmp_path / "sessions.sqlite3"
    sid = record_synthetic_session(db, None)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with sqlite3.connect(db) as c:  # as a SIGKILLed recording leaves it
        c.execute("UPDATE sessions SET status = 'recording', ended_at = NULL, writer_pid = ? WHERE id = ?",
                  (int(dead.stdout), sid))  # fmt: skip
    window = window_on(db)
    window.tabs.setCurrentWidget(window.review)
    assert window.review.session_ids() == [sid]
    assert window.review.sessions.item(0, 3).text() == "synthetic (interrupted)"
    assert window.review.sessions.item(0, 4).text() == "2"  # its reps are there


def test_a_session_with_notes_is_listed_shown_and_deleted(tmp_path: Path) -> None:
    """Notes are plain text: they were once decoded as JSON, and one note made every listing fail."""
    from turnout.storage.store import SessionInfo, Store

    db = tmp_path / "sessions.sqlite3"
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(source="studio", notes="left knee sore, went easy"))
        store.finish_session(sid)
        assert store.get_session(sid).notes == "left knee sore, went easy"
    for args in (["sessions", "list"], ["sessions", "show", str(sid)], ["sessions", "delete", str(sid), "--yes"]):
        out = subprocess.run([sys.executable, "-m", "turnout.cli", *args, "--db", str(db)],
                             capture_output=True, text=True)  # fmt: skip
        assert out.returncode == 0 and out.stderr == "", (args, out.stderr)
