"""File names that are not valid UTF-8 (issue 19, item 1): OpenCV crashed the process on them (SIGSEGV, exit 139).

Every entry point gets such names for real (bytes written to the file system): a video file, a folder of images
with such images in it, a camera path, the database's folder (clips are written there) and the ``--out`` folder.
The OpenCV calls run in child processes, so a crash is an exit status here rather than the end of the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

BAD = b"caf\xe9-\xff"  # Latin-1 e-acute and a byte no UTF-8 has


def _bad(folder: Path, suffix: str = "") -> Path:
    """A path in ``folder`` whose last part is not valid UTF-8 (as Python names it: lone surrogates)."""
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + BAD + suffix.encode()))


def _video(path: Path, n: int, scratch: Path) -> None:
    tmp = scratch / "tmp-video.mp4"
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
    assert writer.isOpened()
    for i in range(n):
        writer.write(np.full((120, 160, 3), 40 + 3 * i, np.uint8))
    writer.release()
    tmp.rename(path)  # Python renames any bytes; OpenCV is never given the odd name here


def _images(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        ok, buf = cv2.imencode(".png", np.full((120, 160, 3), 60 + 5 * i, np.uint8))
        assert ok
        Path(os.fsdecode(os.fsencode(folder) + b"/" + BAD + f"-{i:02d}.png".encode())).write_bytes(buf.tobytes())


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          errors="replace")  # fmt: skip


def test_sources_and_clips_take_names_of_any_bytes(tmp_path: Path) -> None:
    folder = _bad(tmp_path)
    folder.mkdir()
    video = _bad(folder, ".mp4")
    _video(video, 12, tmp_path)
    images = _bad(folder, "-images")
    _images(images, 5)
    paths = repr([os.fsencode(video), os.fsencode(images), os.fsencode(folder)])
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from turnout.capture.sources import CameraSource, ImageFolderSource, VideoFileSource, display_name
        from turnout.storage.clips import BufferedFrame, write_clip, _frames_readable
        import cv2, numpy as np
        video, images, folder = (os.fsdecode(p) for p in {paths})
        with VideoFileSource(video) as s:
            print("video", len(list(s)), s.info.name)
        s = ImageFolderSource(images)
        print("images", len(list(s)), s.info.name, s.info.warnings)
        with CameraSource(video) as c:
            print("camera", sum(1 for _ in c))
        ok, buf = cv2.imencode(".jpg", np.full((120, 160, 3), 90, np.uint8))
        clip = Path(folder) / "clips" / "rep-001.mp4"
        n = write_clip([BufferedFrame(i / 25, buf.tobytes()) for i in range(8)], clip)
        print("clip", n, _frames_readable(clip), clip.exists())
        """
    )
    run = _run(["-c", script], tmp_path)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.splitlines() == [
        "video 12 caf\\xe9-\\xff.mp4",
        "images 5 caf\\xe9-\\xff-images []",
        "camera 12",
        "clip 8 8 True",
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("jobs", [1, 2])
def test_analyze_batch_with_odd_names_stores_every_file(tmp_path: Path, jobs: int) -> None:
    """A video, a folder of images and a plain-named video, into a database and --out folder with odd names."""
    folder = _bad(tmp_path)
    folder.mkdir()
    video = _bad(folder, ".mp4")
    _video(video, 10, tmp_path)
    images = _bad(folder, "-images")
    _images(images, 4)
    plain = tmp_path / "plain.mp4"
    _video(plain, 8, tmp_path)
    db = _bad(folder, ".sqlite3")
    out = _bad(folder, "-out")
    args = ["-m", "turnout.cli", "analyze", str(video), str(images), str(plain), "--db", str(db), "--out", str(out),
            "--quiet", "--jobs", str(jobs)]  # fmt: skip
    run = subprocess.run([sys.executable, *[os.fsencode(a) for a in args]], capture_output=True, cwd=tmp_path,
                         timeout=300)  # fmt: skip
    stdout, stderr = run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")
    assert run.returncode == 0, (run.returncode, stderr[-2000:])
    assert "Traceback" not in stderr
    lines = stdout.splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["caf\\xe9-\\xff.mp4", "caf\\xe9-\\xff-images", "plain.mp4"]
    import sqlite3

    with sqlite3.connect(os.fsencode(db)) as conn:
        rows = conn.execute("SELECT source, status FROM sessions ORDER BY source").fetchall()
    assert sorted(rows) == sorted([("caf\\xe9-\\xff.mp4", "complete"), ("caf\\xe9-\\xff-images", "complete"),
                                   ("plain.mp4", "complete")])  # fmt: skip
    written = sorted(os.listdir(os.fsencode(out)))
    assert len(written) == 6 and all(not n.endswith(b".tmp") for n in written), written
