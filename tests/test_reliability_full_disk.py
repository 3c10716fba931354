"""After a full disk there is a way out (issue 19, item 7): ``turnout sessions list`` and ``sessions delete`` on a
real full disk (a 4 MB tmpfs filled to the last byte), through the real command in child processes.

Before: ``sessions list`` failed (``not a readable session database (disk I/O error)``: SQLite could not make its
``-shm`` index) and ``sessions delete`` failed (``database or disk is full``: the deletion overwrote the
session's pages through the write-ahead log, which had to grow). Now a reader that finds the disk full opens the
file read-only without any index file, and a deletion that cannot grow the files removes the clips first, then
the rows in place (rollback journal in memory for that one transaction, freed pages to the file's free list).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app_fakes import record_synthetic_session


def _turnout(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "turnout.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)  # fmt: skip


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A database of two sessions on a 4 MB tmpfs, the rest of which is filled up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.decode(errors='replace').strip()}")
    try:
        db = disk / "sessions.sqlite3"
        record_synthetic_session(db, None)
        record_synthetic_session(db, None)
        assert sorted(p.name for p in disk.iterdir()) == [db.name]
        fd = os.open(disk / "her-video.mp4", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError:
            pass
        finally:
            os.close(fd)
        st = os.statvfs(disk)
        assert st.f_bavail == 0
        yield db
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _ids(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines()[1:]]


def test_sessions_list_and_delete_work_on_a_full_disk(full_disk: Path) -> None:
    run = _turnout("sessions", "list", "--db", str(full_disk), cwd=full_disk.parent)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert _ids(run.stdout) == ["2", "1"]

    run = _turnout("sessions", "delete", "1", "--yes", "--db", str(full_disk), cwd=full_disk.parent)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and run.stdout.startswith("Deleted session 1: ")
    assert run.stderr.count("\n") == 1 and "the disk is full: session 1 was deleted in place" in run.stderr

    run = _turnout("sessions", "list", "--db", str(full_disk), cwd=full_disk.parent)
    assert run.returncode == 0 and _ids(run.stdout) == ["2"], run.stderr
    show = _turnout("sessions", "show", "2", "--db", str(full_disk), cwd=full_disk.parent)
    assert show.returncode == 0 and "2 reps" in show.stdout, show.stderr

    conn = sqlite3.connect(f"{full_disk.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM frames WHERE session_id = 1").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM frames WHERE session_id = 2").fetchone()[0] > 200
    finally:
        conn.close()
    assert full_disk.read_bytes()[18:20] == b"\x02\x02"  # back in WAL mode (the header's read/write versions)


def test_a_write_on_a_full_disk_says_so_in_one_line(full_disk: Path) -> None:
    run = _turnout("reanalyze", "2", "--db", str(full_disk), cwd=full_disk.parent)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert len(run.stderr.splitlines()) == 1 and "disk is full" in run.stderr, run.stderr
