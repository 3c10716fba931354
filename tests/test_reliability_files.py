"""Bad files through `turnout analyze` (issue 8, item 3): one line each saying what was wrong, exit status 2,
no traceback; in a batch the other files are still analysed.

Each case runs the real command in its own process (all started at once, to keep the suite quick). Decisions:
a 1-frame video is valid input (analysed, exit 0); a video cut short whose first part still plays is analysed up
to the break, with one warning line saying where it broke (exit 0: its frames were analysed and stored), while
one cut before its index was written cannot be read at all (exit 2). Root can read any file, so when the tests
run as root an unreadable file is simulated by a ``sitecustomize`` that makes ``os.access`` say no for it in the
child (an ordinary user gets a real ``chmod 000`` file).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import media_file

pytestmark = pytest.mark.e2e
PLIE = "commons/ballet_plie.mp4"


def _video(path: Path, n: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
    assert writer.isOpened()
    for i in range(n):
        writer.write(np.full((120, 160, 3), 40 + i, np.uint8))
    writer.release()


def _png() -> bytes:
    ok, buf = cv2.imencode(".png", np.full((120, 160, 3), 200, np.uint8))
    assert ok
    return buf.tobytes()


def _empty(p: Path) -> None:
    p.write_bytes(b"")


def _cut_before_index(p: Path) -> None:
    """An MP4 whose index (moov) is written at the end, cut in half: a recording that was interrupted."""
    _video(p, 50)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _cut_after_index(p: Path) -> None:
    """The real clip (index at the front) cut in half: its first 95 frames still play."""
    data = media_file(PLIE).read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _noise(p: Path) -> None:
    p.write_bytes(np.random.default_rng(8).integers(0, 256, 50_000, dtype=np.uint8).tobytes())


def _image_named_video(p: Path) -> None:
    p.write_bytes(_png())


def _image(p: Path) -> None:
    p.write_bytes(_png())


def _folder(p: Path) -> None:
    p.mkdir()
    (p / "notes.txt").write_text("not a picture")


def _unreadable(p: Path) -> None:
    _video(p, 3)
    p.chmod(0)


def _missing(p: Path) -> None:
    pass


def _no_frames(p: Path) -> None:
    _video(p, 0)


def _one_frame(p: Path) -> None:
    _video(p, 1)


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    #: what the one error line says; None: the file is valid input (exit 0)
    error: str | None


BAD = [
    Case("empty.mp4", _empty, "is empty (0 bytes)"),
    Case("cut-short.mp4", _cut_before_index, "holds no readable video frames; it is empty, cut short or damaged"),
    Case("random-bytes.mp4", _noise, "is not a video OpenCV can read"),
    Case("photo-named.mp4", _image_named_video, "is a still image, not a video"),
    Case("photo.png", _image, "is a still image, not a video"),
    Case("a-folder", _folder, "holds no images"),
    Case("unreadable.mp4", _unreadable, "permission denied; make the file readable"),
    Case("missing.mp4", _missing, "no such file; check the path"),
    Case("no-frames.mp4", _no_frames, "holds no readable video frames"),
]
VALID = [Case("one-frame.mp4", _one_frame, None), Case("cut-late.mp4", _cut_after_index, None)]

DENY_ACCESS = textwrap.dedent(
    """
    import os

    _deny = os.environ.get("TURNOUT_TEST_UNREADABLE")
    if _deny:
        _access = os.access

        def access(path, mode, *args, **kwargs):
            if mode & os.R_OK and os.path.abspath(os.fspath(path)) == _deny:
                return False
            return _access(path, mode, *args, **kwargs)

        os.access = access
    """
)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def errors(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith("turnout: ") and "warning" not in ln]


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "turnout.cli", "analyze", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """Every case alone, and all of them in one batch with a good clip, each in a process of its own."""
    root = tmp_path_factory.mktemp("bad-files")
    files = root / "files"
    files.mkdir()
    for case in BAD + VALID:
        case.make(files / case.name)
    shim = root / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(DENY_ACCESS)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(shim), os.environ.get("PYTHONPATH", "")]))
    if os.geteuid() == 0:  # root reads anything: make os.access say no for this one file in the child
        env["TURNOUT_TEST_UNREADABLE"] = str(files / "unreadable.mp4")
    procs = {
        c.name: _start([str(files / c.name), "--db", str(root / f"{c.name}.sqlite3"), "--quiet"], env, root)
        for c in BAD + VALID
    }
    batch = [str(files / c.name) for c in BAD] + [str(media_file("commons/simple_step.mp4"))]
    procs["batch"] = _start([*batch, "--db", str(root / "batch.sqlite3"), "--quiet", "--jobs", "1"], env, root)
    out = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate(timeout=300)
        out[name] = Run(p.returncode, stdout, stderr)
    yield out
    (files / "unreadable.mp4").chmod(0o600)


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_file_is_one_line_and_exit_status_2(runs: dict[str, Run], case: Case) -> None:
    run = runs[case.name]
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr  # nothing else: no native log lines from OpenCV or FFmpeg either
    assert case.error is not None
    assert lines[0].startswith("turnout: ") and case.name in lines[0] and case.error in lines[0], lines[0]


def test_one_frame_video_is_analysed(runs: dict[str, Run]) -> None:
    run = runs["one-frame.mp4"]
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.startswith("one-frame.mp4: 1 frames")


def test_video_cut_after_its_index_is_analysed_up_to_the_break(runs: dict[str, Run]) -> None:
    run = runs["cut-late.mp4"]
    assert run.returncode == 0 and "Traceback" not in run.stderr
    warning, head = run.stderr.splitlines()
    assert warning == (
        "turnout: warning: cut-late.mp4: video stopped at frame 96 of 174; the file may be truncated "
        "(kept the 95 frames before the break)"
    )  # 93 before issue 19: reading now goes on past one bad frame, and frames 94 and 95 are whole
    # the clip (ballet_plie) is framed on the teacher's legs: the analysis says so (session.analysis.head_warning)
    assert head.startswith("turnout: warning: her head was out of the picture on ") and "cut-late.mp4" in head
    assert run.stdout.startswith("cut-late.mp4: 95 frames")


def test_batch_reports_each_bad_file_and_still_analyses_the_good_one(runs: dict[str, Run]) -> None:
    run = runs["batch"]
    assert run.returncode == 2 and "Traceback" not in run.stderr
    errors = run.errors()
    assert len(errors) == len(BAD), run.stderr
    for case, line in zip(BAD, errors, strict=True):  # in the order given
        assert case.name in line and case.error is not None and case.error in line
    assert "simple_step.mp4: 96 frames" in run.stdout
