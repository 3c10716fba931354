"""The command line as a user runs it: one line per bad input, exit status 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import media_file


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "turnout.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_help_lists_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for cmd in ("analyze", "model", "app"):
        assert cmd in out.stdout


@pytest.mark.e2e
def test_analyze_batch_with_bad_files(tmp_path: Path) -> None:
    clip = media_file("commons/simple_step.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.mov"
    noise.write_bytes(b"\x00\x01garbage" * 1000)
    out = run(
        "analyze",
        str(empty),
        str(clip),
        str(noise),
        str(tmp_path / "missing.mp4"),
        "--out",
        str(tmp_path / "o"),
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("turnout: ") and "warning" not in line]
    assert len(errors) == 3, out.stderr
    assert "empty" in errors[0] and "not a video" in errors[1] and "no such file" in errors[2]
    assert "simple_step.mp4: 96 frames" in out.stdout
    assert (tmp_path / "o" / "simple_step.track.npz").is_file()


def test_missing_model_is_one_line(tmp_path: Path) -> None:
    out = run("analyze", "x.mp4", "--model", str(tmp_path / "nope.task"))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "make model" in out.stderr


def test_model_path_prints_the_resolved_bundle(model_path: Path) -> None:
    out = run("model", "path")
    assert out.returncode == 0 and Path(out.stdout.strip()) == model_path
