"""A database in a folder whose name is not valid UTF-8 (issue 19, item 1, the rest): the HTML report's worst-rep
picture and the window's clip player read the clips through OpenCV.

Before: both handed OpenCV the plain path, which crashes the process inside OpenCV (SIGSEGV, exit -11) on such
a name. Now they name it through ``turnout.capture.sources.opencv_path``. Each runs in a child process, so a
crash is a failed test and not a lost test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[2])
import base64
from pathlib import Path

import cv2
import numpy as np

from app_fakes import record_synthetic_session
from turnout.storage.store import Store

folder = Path(os.fsdecode(os.fsencode(sys.argv[1]) + b"/caf\xe9-\xff"))
os.mkdir(folder)
db = folder / "sessions.sqlite3"
sid = record_synthetic_session(db, None)
clean = Path(sys.argv[1]) / "clip.mp4"  # written where the name is clean, then moved into the odd folder
writer = cv2.VideoWriter(str(clean), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
for _ in range(300):
    writer.write(np.full((120, 160, 3), 200, np.uint8))
writer.release()
with Store.open(db) as store:
    reps = store.reps(sid)
    assert reps, "the synthetic session has reps"
    clips = store.clips_dir(sid)
    clips.mkdir(parents=True, exist_ok=True)
    for k, r in enumerate(reps):
        dest = clips / f"rep-{k:03d}.mp4"
        dest.write_bytes(clean.read_bytes())
        store.add_clip(sid, r.id, dest, 0.0, 12.0, 300)
    what = sys.argv[3]
    if what == "report":
        from turnout.session.report import worst_rep_picture

        png = worst_rep_picture(store, sid, reps[0].rep, reps[0].id)
        img = cv2.imdecode(np.frombuffer(base64.b64decode(png), np.uint8), cv2.IMREAD_COLOR)
        print("corner", int(img[2, 2].mean()))
    else:
        from PySide6.QtWidgets import QApplication

        app = QApplication([])
        from turnout.app.clip_player import ClipPlayer

        player = ClipPlayer()
        print("loaded", player.load(store.folder / store.clips(sid)[0].path, 0.0, None), player.n_frames)
        player.close_clip()
"""


def _child(tmp_path: Path, what: str) -> subprocess.CompletedProcess[str]:
    tests = str(Path(__file__).resolve().parent)
    return subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), tests, what], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                              [p for p in (os.environ.get("PYTHONPATH"), tests) if p])})  # fmt: skip


def test_report_picture_reads_a_clip_in_a_folder_whose_name_is_not_utf8(tmp_path: Path) -> None:
    run = _child(tmp_path, "report")
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    corner = int(run.stdout.split("corner ")[1])
    assert abs(corner - 200) < 10, run.stdout  # the clip's grey, not the report's dark canvas (40)


def test_clip_player_opens_a_clip_in_a_folder_whose_name_is_not_utf8(tmp_path: Path) -> None:
    run = _child(tmp_path, "player")
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert "loaded True 300" in run.stdout, run.stdout
