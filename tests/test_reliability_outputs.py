"""Outputs checked before the work and written atomically, with unique names (issue 19, item 5, the rest),
through the real ``turnout`` command in child processes.

Before: ``turnout report -o`` naming a folder or a file in a missing folder was a traceback after the report was
made; a report that could not be written left ``report.html.tmp``; two inputs named ``clip.mp4`` from different
folders wrote the same ``--out`` files, the second overwriting the first's track and CSV.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app_fakes import record_synthetic_session


def _turnout(*args: str, cwd: Path, limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_bytes is not None:  # files may not grow past this: writes fail with EFBIG, as on a full disk
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "turnout.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=180, preexec_fn=limit)  # fmt: skip


def _one_error(run: subprocess.CompletedProcess[str], text: str) -> None:
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("turnout: ") and text in lines[0], run.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "sessions.sqlite3"
    record_synthetic_session(path, None)
    return path


def test_report_into_a_folder_is_refused_in_one_line(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    run = _turnout("report", "1", "-o", str(folder), "--db", str(db), cwd=tmp_path)
    _one_error(run, "is a folder; give the report's file name")
    assert list(folder.iterdir()) == []


def test_report_into_a_missing_folder_is_refused_in_one_line(db: Path, tmp_path: Path) -> None:
    run = _turnout("report", "1", "-o", str(tmp_path / "nowhere" / "r.html"), "--db", str(db), cwd=tmp_path)
    _one_error(run, "does not exist; create it first")
    assert not (tmp_path / "nowhere").exists()


def test_a_report_that_cannot_be_written_leaves_no_tmp(db: Path, tmp_path: Path) -> None:
    warm = _turnout("report", "1", "-o", str(tmp_path / "warm.html"), "--db", str(db), cwd=tmp_path)
    assert warm.returncode == 0, warm.stderr  # matplotlib's font cache made, as it is after a first report
    out = tmp_path / "out"
    out.mkdir()
    run = _turnout("report", "1", "-o", str(out / "r.html"), "--db", str(db), cwd=tmp_path, limit_bytes=40_000)
    _one_error(run, "cannot write the report")
    assert list(out.iterdir()) == []


def _video(path: Path, frames: int, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
    for _ in range(frames):
        writer.write(np.full((120, 160, 3), shade, np.uint8))
    writer.release()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_same_named_inputs_from_two_folders_keep_their_own_outputs(tmp_path: Path, jobs: str) -> None:
    _video(tmp_path / "monday" / "clip.mp4", 3, 60)
    _video(tmp_path / "tuesday" / "clip.mp4", 5, 120)
    _video(tmp_path / "tuesday" / "other.mp4", 2, 90)
    out = tmp_path / "results"
    run = _turnout("analyze", "monday/clip.mp4", "tuesday/clip.mp4", "tuesday/other.mp4", "--out", str(out),
                   "--no-store", "--quiet", "--jobs", jobs, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = {p.relative_to(out).as_posix(): len(p.read_text().splitlines()) - 1 for p in out.rglob("*.frames.csv")}
    assert rows == {"monday/clip.frames.csv": 3, "tuesday/clip.frames.csv": 5, "other.frames.csv": 2}
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.npz")) == [
        "monday/clip.track.npz", "other.track.npz", "tuesday/clip.track.npz"]  # fmt: skip
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
