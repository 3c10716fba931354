"""A batch survives a dead worker (issue 19, item 3).

Before: `turnout analyze a b c d --jobs 2` ran the files in a ``ProcessPoolExecutor``; one worker killed (as the
out-of-memory killer does: SIGKILL) broke the pool, the command ended in a ``BrokenProcessPool`` traceback, the
other worker's file was abandoned and the files after it were never analysed. Here the worker analysing ``b`` is
really killed with SIGKILL while it runs (found by the video it holds open); the real command and model.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

pytestmark = pytest.mark.e2e


def _video(path: Path, n: int) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
    assert writer.isOpened()
    for i in range(n):
        writer.write(np.full((120, 160, 3), 30 + (i % 150), np.uint8))
    writer.release()
    return path


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _holding(pids: list[int], path: Path) -> int | None:
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                    return pid
            except OSError:
                continue
    return None


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds the worker through /proc")
def test_a_killed_worker_costs_only_its_own_file(tmp_path: Path) -> None:
    files = [_video(tmp_path / "a.mp4", 20), _video(tmp_path / "b.mp4", 1500), _video(tmp_path / "c.mp4", 20),
             _video(tmp_path / "d.mp4", 20)]  # fmt: skip
    db = tmp_path / "s.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "turnout.cli", "analyze", *map(str, files), "--db", str(db), "--jobs", "2", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and proc.poll() is None:
        victim = _holding(_children(proc.pid), files[1])
        time.sleep(0.05)
    assert victim is not None, "the worker analysing b.mp4 was never seen"
    time.sleep(3.0)  # well into its analysis: the model is loaded, its session begun
    os.kill(victim, signal.SIGKILL)
    t_kill = time.monotonic()
    stdout, stderr = proc.communicate(timeout=300)
    print(f"killed worker {victim}; the batch ended {time.monotonic() - t_kill:.1f} s later")
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    errors = [ln for ln in stderr.splitlines() if ln.startswith("turnout: ")]
    assert len(errors) == 1 and errors[0].startswith("turnout: b.mp4: the process analysing it was killed (SIGKILL")
    assert [ln.split(":")[0] for ln in stdout.splitlines()] == ["a.mp4", "c.mp4", "d.mp4"]
    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT source, status FROM sessions").fetchall())
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert rows["a.mp4"] == rows["c.mp4"] == rows["d.mp4"] == "complete"
    listed = subprocess.run([sys.executable, "-m", "turnout.cli", "sessions", "list", "--db", str(db)],
                            capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert listed.returncode == 0
    if "b.mp4" in rows:  # b's partial session (when it had begun), said for what it is
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT status FROM sessions WHERE source = 'b.mp4'").fetchone()[0] == "interrupted"
