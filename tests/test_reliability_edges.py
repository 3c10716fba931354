"""The smaller edges of issue 19 (items 5 and 10), through the real ``turnout`` command in child processes.

Before: a missing ``--settings`` file was ignored (defaults, exit 0); a settings file with a UTF-8 byte-order mark
was rejected whole; ``turnout sessions list | head -1`` ended in a BrokenPipeError traceback; ``reanalyze`` with
a broken settings file replaced the stored analysis with one made with the defaults; ``--out`` naming a file
failed with a traceback after the whole analysis.
"""

from __future__ import annotations

import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from turnout.settings import Settings, load_settings, settings_to_toml
from turnout.storage.store import FrameRecord, SessionInfo, Store


def _turnout(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "turnout.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)  # fmt: skip


def _one_error(run: subprocess.CompletedProcess[str], text: str) -> None:
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("turnout: ") and text in lines[0], run.stderr


def test_a_missing_settings_file_named_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    run = _turnout("analyze", "clip.mp4", "--settings", str(tmp_path / "nope.toml"), "--no-store", cwd=tmp_path)
    _one_error(run, "nope.toml: no such settings file")


def test_a_settings_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf" + settings_to_toml(Settings()).encode("utf-8"))
    settings, warnings = load_settings(path, strict=True)
    assert warnings == [] and settings == Settings()


def test_out_that_is_a_file_is_refused_before_the_analysis(tmp_path: Path) -> None:
    out = tmp_path / "results"
    out.write_text("her notes")
    db = tmp_path / "s.sqlite3"
    run = _turnout("analyze", "clip.mp4", "--out", str(out), "--db", str(db), cwd=tmp_path)
    _one_error(run, "--out ")
    assert "is a file, not a folder" in run.stderr and out.read_text() == "her notes" and not db.exists()


def test_sessions_list_into_a_pipe_that_closes_early(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with Store.open(db):
        pass
    with sqlite3.connect(db) as conn:  # 3000 sessions: far more output than a pipe holds
        conn.executemany(
            "INSERT INTO sessions (started_at, status, measure_names, writer_pid) VALUES (?, 'complete', '[]', 0)",
            [(f"2026-01-01T10:{i // 60 % 60:02d}:{i % 60:02d}+00:00",) for i in range(3000)],
        )
    cmd = f"{sys.executable} -m turnout.cli sessions list --db {db} | head -1"
    run = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout.split()[:2] == ["ID", "STARTED"] and run.stderr == "", run.stderr


def test_reanalyze_with_a_broken_settings_file_leaves_the_stored_analysis(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(source="x.mp4", settings=Settings()))
        names = store.get_session(sid).measure_names
        frames = [FrameRecord(i, i / 30, True, {n: math.nan for n in names}) for i in range(60)]
        store.add_frames(sid, frames, names)
        store.finish_session(sid)
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT settings, baseline FROM sessions").fetchall()
    broken = tmp_path / "config" / "settings.toml"
    broken.parent.mkdir()
    broken.write_text("[reps\nthis is not TOML")
    env = dict(os.environ, TURNOUT_CONFIG=str(broken))
    run = _turnout("reanalyze", str(sid), "--db", str(db), cwd=tmp_path, env=env)
    _one_error(run, "settings.toml")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT settings, baseline FROM sessions").fetchall() == before
    assert broken.read_text() == "[reps\nthis is not TOML"
