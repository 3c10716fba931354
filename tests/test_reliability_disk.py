"""Disk full while writing a clip or the database (issue 8, item 8).

For real: `turnout analyze` runs with a small ``RLIMIT_FSIZE``, so the kernel refuses to let any file grow past it
(``EFBIG``, as a full disk refuses with ``ENOSPC``; Python ignores the ``SIGXFSZ`` that comes with it). The
analysis goes on to the end, each failed write is one warning line, the command says that the session was not
stored in full and exits with status 2, a clip the video writer could not finish is not kept, and the session
stored before is untouched. And in-process: a clip write failing with ``ENOSPC`` is one line in
:attr:`SessionRecorder.errors` while its rep is stored. The window's side is in ``test_reliability_window.py``;
``test_storage.py`` fills the database itself (``max_page_count``).
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import turnout.storage.clips
from app_fakes import record_synthetic_session, synthetic_pose
from conftest import media_file
from turnout.capture.sources import VideoFileSource
from turnout.session.pipeline import Pipeline
from turnout.settings import Settings
from turnout.storage.store import SessionInfo, SessionRecorder, Store
from turnout.testing.synth import DancerParams, plie_sequence

pytestmark = pytest.mark.e2e
CLIP = "commons/ballet_plie.mp4"
#: No file may grow past this many bytes: the write-ahead log fills after a second or two of frames, and a
#: checkpoint into the (larger) database file fails too.
LIMIT_BYTES = 160_000


def _rows(db: Path, session_id: int) -> tuple[Any, ...]:
    with sqlite3.connect(db) as c:
        return tuple(
            tuple(c.execute(f"SELECT * FROM {t} WHERE session_id = ? ORDER BY rowid", (session_id,)).fetchall())
            for t in ("reps", "flags", "holds", "frames", "poses", "clips")
        )


def _frames(n: int) -> list[np.ndarray]:
    with VideoFileSource(media_file(CLIP)) as video:
        return [f.bgr for f in itertools.islice(video, n)]


def test_disk_full_during_an_analysis_is_said_and_loses_nothing_stored_before(tmp_path: Path) -> None:
    db = tmp_path / "data" / "sessions.sqlite3"
    earlier = record_synthetic_session(db, _frames(60))  # a flagged rep with its clip
    before = _rows(db, earlier)
    with Store.open(db) as store:
        (clip,) = store.clips(earlier)
    clip_hash = hashlib.sha256((db.parent / clip.path).read_bytes()).hexdigest()

    def full_disk() -> None:  # in the child, before it runs: no file may grow past LIMIT_BYTES
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, resource.RLIM_INFINITY))

    # a clip of every rep: the teacher's correct plié raises no flag, and the clip is what meets the full disk
    every = tmp_path / "every-rep.toml"
    every.write_text('[clips]\nmin_severity = "any"\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "turnout.cli", "analyze", str(media_file(CLIP)), "--db", str(db), "--quiet",
         "--settings", str(every)],
        capture_output=True, text=True, preexec_fn=full_disk, timeout=300,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout.startswith("ballet_plie.mp4: 174 frames")  # the analysis went on to the end
    lines = [ln for ln in out.stderr.splitlines() if ln.startswith("turnout: ")]
    saves = [ln for ln in lines if ln.startswith("turnout: warning: cannot save ")]
    assert saves and all(str(db) in ln for ln in saves)
    assert any("rep-001.mp4: the clip came out incomplete (disk full?); it was not kept" in ln for ln in lines)
    (final,) = [ln for ln in lines if "was not stored in full" in ln]
    assert final.startswith(f"turnout: session {earlier + 1} was not stored in full (")

    with Store.open(db, create=False) as store:
        assert store.integrity_check() == "ok"
        new = store.get_session(earlier + 1)
        table = store.frames(new.id)
        clips = store.clips(new.id)
    assert _rows(db, earlier) == before  # nothing stored before was touched
    assert hashlib.sha256((db.parent / clip.path).read_bytes()).hexdigest() == clip_hash
    assert 0 < new.n_frames < 174 and clips == []  # what fitted is stored; the unfinished clip is not
    assert np.all(np.diff(table.idx) > 0)
    leftovers = list((db.parent / "clips" / f"session-{new.id}").glob("*")) if new.id else []
    assert leftovers == []  # no half-written clip left behind


def test_clip_that_cannot_be_written_is_one_line_and_its_rep_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(src: Any, dst: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(turnout.storage.clips.os, "replace", no_space)
    frames = _frames(40)
    settings = Settings()
    with Store.open(tmp_path / "s.sqlite3") as store:
        sid = store.create_session(SessionInfo(source="synthetic", settings=settings))
        recorder = SessionRecorder(store, sid, clip_settings=settings.clips, background=False)
        pipeline = Pipeline(None, settings, recorder=recorder)
        index = 0
        for k, forced in enumerate(((0.0, 0.0), (35.0, 35.0))):  # a clean plié, then a flagged one
            params = DancerParams(hip_turnout_deg=(45.0, 45.0), forced_deg=forced, mediapipe_points=True)
            seq = plie_sequence(25.0, stand_s=2.4 if k == 0 else 1.0, descend_s=1.5, bottom_s=0.3, ascend_s=1.5,
                                end_stand_s=1.6, params=params)  # fmt: skip
            for i in range(len(seq.phase)):
                pipeline.process_pose(synthetic_pose(seq, i, index, index * 40), frames[index % len(frames)])
                index += 1
        pipeline.finish()
        recorder.close()
        reps = store.reps(sid)
        assert store.clips(sid) == [] and store.integrity_check() == "ok"
        assert store.get_session(sid).n_frames == index
    assert [r.rep.index for r in reps] == [1, 2] and reps[1].rep.flags
    (error,) = recorder.errors
    assert error.endswith("rep-002.mp4: cannot write the clip ([Errno 28] No space left on device)")
    assert not list((tmp_path / "clips").rglob("*.mp4"))  # no half clip under any name
