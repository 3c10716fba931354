"""``--out`` filling up in the middle of a batch (issue 19, item 5), through the real ``turnout analyze`` in a child
process, with the real model on three short clips cut from the plié video.

For real: ``--out`` is a 128 kB tmpfs (root mounts one; the database stays on the ordinary disk). The first
clip's track and CSV fit, the second's do not, the third's fit again once the second's half is gone. Where no
tmpfs can be mounted (not root), the child gets ``RLIMIT_FSIZE`` instead (no file may grow past 56 kB: writes
fail with ``EFBIG``, ``SIGXFSZ`` ignored) and stores nothing (``--no-store``: the database would meet the limit).

Before: the second file's CSV write raised ``OSError: [Errno 28] No space left on device`` as a traceback after
its analysis, ``b.frames.csv.tmp`` (45 kB) was left beside a lone ``b.track.npz``, and the third file was never
analysed. Now every file is analysed and stored, each file's outputs are both there or neither, nothing
``.tmp`` is left, and one line says which files have no outputs, why, that their sessions are stored, and what
to do.
"""

from __future__ import annotations

import csv
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from conftest import media_file
from turnout.pose.track import load_track

pytestmark = pytest.mark.e2e

#: (first frame, frames) of each clip: a and c small, b three and a half times their size
CLIPS = {"a": (60, 20), "b": (60, 70), "c": (90, 20)}
TMPFS_KB = 128
LIMIT_BYTES = 56_000


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    cap = cv2.VideoCapture(str(media_file("commons/ballet_plie.mp4")))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, (480, 270)))
    cap.release()
    out = {}
    for name, (start, n) in CLIPS.items():
        path = folder / f"{name}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (480, 270))
        for frame in frames[start : start + n]:
            writer.write(frame)
        writer.release()
        out[name] = path
    return out


@pytest.fixture
def out_disk(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """(the --out folder, whether it is a real small tmpfs); else the child is given RLIMIT_FSIZE."""
    disk = tmp_path / "out"
    disk.mkdir()
    mounted = False
    if os.geteuid() == 0:
        mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_KB}k", "tmpfs", str(disk)],
                               capture_output=True)  # fmt: skip
        mounted = mount.returncode == 0
    try:
        yield disk, mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)


def _analyze(args: list[str], cwd: Path, limit: bool) -> subprocess.CompletedProcess[str]:
    def full_disk() -> None:  # in the child: files may not grow past LIMIT_BYTES (EFBIG, as on a full disk)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))

    env = {**os.environ, "XDG_DATA_HOME": str(cwd / "xdg-data"), "XDG_CACHE_HOME": str(cwd / "xdg-cache"),
           "MPLCONFIGDIR": str(cwd / "mpl")}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "turnout.cli", "analyze", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600, preexec_fn=full_disk if limit else None)  # fmt: skip


def _outputs_of(disk: Path, name: str) -> tuple[bool, bool]:
    return (disk / f"{name}.track.npz").exists(), (disk / f"{name}.frames.csv").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_out_filling_mid_batch_keeps_earlier_outputs_and_every_session(
    clips: dict[str, Path], out_disk: tuple[Path, bool], tmp_path: Path, jobs: int
) -> None:
    disk, tmpfs = out_disk
    db = tmp_path / "data" / "sessions.sqlite3"
    store = ["--db", str(db)] if tmpfs else ["--no-store"]
    run = _analyze([*(str(clips[n]) for n in "abc"), "--out", str(disk), "--jobs", str(jobs), "--quiet", *store],
                   cwd=tmp_path, limit=not tmpfs)  # fmt: skip

    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    summaries = [ln for ln in run.stdout.splitlines() if ln.split(":")[0] in ("a.mp4", "b.mp4", "c.mp4")]
    assert [ln.split(":")[0] for ln in summaries] == ["a.mp4", "b.mp4", "c.mp4"], run.stdout  # all analysed
    # one error line for the batch; besides it only warnings (the clips are cut from ballet_plie, framed on the
    # teacher's legs: her head was out of the picture, session.analysis.head_warning)
    warnings = [ln for ln in run.stderr.splitlines() if ln.startswith("turnout: warning: ")]
    assert all("her head was out of the picture" in w for w in warnings), run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln not in warnings]
    assert len(lines) == 1, run.stderr
    line = lines[0]

    # each file's outputs are both there, complete, or neither; nothing half-written is left
    assert sorted(p.name for p in disk.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".")) == []
    missing = [n for n in "abc" if _outputs_of(disk, n) != (True, True)]
    for n in "abc":
        assert _outputs_of(disk, n) in ((True, True), (False, False)), (n, sorted(p.name for p in disk.iterdir()))
        if n not in missing:
            frames = CLIPS[n][1]
            assert len(load_track(disk / f"{n}.track.npz")) == frames
            with (disk / f"{n}.frames.csv").open(newline="") as f:
                assert len(list(csv.reader(f))) == frames + 1
    assert "b" in missing
    if jobs == 1:  # in order: a's fitted, b's did not (its half was removed), then c's fitted again
        assert missing == ["b"]
    names = ", ".join(f"{n}.mp4" for n in missing)
    assert line.startswith(f"turnout: no track or frames CSV for {names}: they could not be written into "), line
    assert ("No space left on device" if tmpfs else "File too large") in line, line
    assert "Free some space" in line and "--no-store" in line, line
    for n in "abc":
        summary = next(ln for ln in summaries if ln.startswith(f"{n}.mp4:"))
        assert ("->" in summary) == (n not in missing), summary

    if tmpfs:  # every session stored in full, on the ordinary disk, and the line names them
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows = conn.execute(
                "SELECT source, status, (SELECT COUNT(*) FROM frames f WHERE f.session_id = s.id), id "
                "FROM sessions s ORDER BY source"
            ).fetchall()
        finally:
            conn.close()
        assert [r[:3] for r in rows] == [(f"{n}.mp4", "complete", CLIPS[n][1]) for n in "abc"], rows
        stored = ", ".join(str(sid) for source, _, _, sid in rows if source[0] in missing)
        assert f"{'its session' if len(missing) == 1 else 'their sessions'} {stored}" in line, line
