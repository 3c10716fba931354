"""Clips of flagged reps: a bounded frame ring, .mp4 files that read back, and their place in the database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from test_practice import Synth
from turnout.practice.tracker import PracticeTracker
from turnout.settings import ClipSettings, Settings
from turnout.storage.clips import ClipError, ClipRecorder, FrameRing, write_clip
from turnout.storage.store import SessionInfo, SessionRecorder, Store


def gray(i: int, size: tuple[int, int] = (720, 1280)) -> np.ndarray:
    """A frame whose brightness encodes its number."""
    return np.full((*size, 3), 20 + (2 * i) % 200, np.uint8)


def read_back(path: Path) -> tuple[list[float], int, int, float]:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened(), path
    w, h, fps = (
        int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
        int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        cap.get(cv2.CAP_PROP_FPS),
    )
    means = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        means.append(float(img.mean()))
    cap.release()
    return means, w, h, fps


def test_ring_is_bounded_and_downscaled() -> None:
    ring = FrameRing(seconds=2.0, max_width=640, jpeg_quality=80)
    for i in range(300):  # 10 s of 1280x720 at 30 fps
        ring.push(i / 30, gray(i))
    assert 60 <= len(ring) <= 61
    assert ring.nbytes < 61 * 50_000
    frames = ring.window(9.0, 10.0)
    assert len(frames) == 30 and frames[0].t_s == pytest.approx(9.0, abs=0.04)
    img = cv2.imdecode(np.frombuffer(frames[0].jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape == (360, 640, 3)


def test_write_clip_reads_back_frame_for_frame(tmp_path: Path) -> None:
    ring = FrameRing(seconds=5.0)
    for i in range(60):
        ring.push(i / 30, gray(i))
    path = tmp_path / "clips" / "rep-001.mp4"
    assert write_clip(ring.window(0.0, 2.0), path) == 60
    means, w, h, fps = read_back(path)
    assert (w, h) == (640, 360) and fps == pytest.approx(30.0, abs=0.5)
    assert len(means) == 60
    assert np.allclose(means, [20 + 2 * i for i in range(60)], atol=4.0)
    assert [p.name for p in path.parent.iterdir()] == ["rep-001.mp4"]  # no temporary file left


def test_clip_recorder_waits_for_post_roll_then_hands_out_the_window(tmp_path: Path) -> None:
    rec = ClipRecorder(ClipSettings(pre_s=1.0, post_s=1.0, buffer_s=10.0), tmp_path)
    jobs = []
    for i in range(240):
        t = i / 30
        if i == 150:  # a rep from 3 s to 5 s ended
            rec.request(7, 3.0, 5.0)
        jobs += [(t, j) for j in rec.push(t, gray(i, (240, 320)))]
    ((t_due, job),) = jobs
    assert t_due == pytest.approx(6.0, abs=0.04)
    result = job.write()
    assert result.error is None and result.path == tmp_path / "rep-007.mp4"
    assert result.t_start_s == pytest.approx(2.0, abs=0.04) and result.t_end_s == pytest.approx(6.0, abs=0.04)
    means, w, _, _ = read_back(tmp_path / "rep-007.mp4")
    assert len(means) == result.n_frames == 121 and w == 320
    assert means[0] == pytest.approx(20 + 2 * 60, abs=4)


def test_clip_recorder_wants_only_flagged_reps() -> None:
    rec = ClipRecorder(ClipSettings(min_severity="bad"), Path("."))
    assert [rec.wants(s) for s in (None, "info", "warn", "bad")] == [False, False, False, True]
    assert not ClipRecorder(ClipSettings(enabled=False), Path(".")).wants("bad")


def test_write_failure_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    ring = FrameRing()
    for i in range(10):
        ring.push(i / 30, gray(i, (120, 160)))
    with pytest.raises(ClipError, match="cannot write the clip") as exc:
        write_clip(ring.window(0, 1), blocker / "rep.mp4")
    assert "\n" not in str(exc.value)
    with pytest.raises(ClipError, match="no frames"):
        write_clip([], tmp_path / "empty.mp4")
    rec = ClipRecorder(ClipSettings(pre_s=0.0, post_s=0.0), blocker)
    rec.request(1, 0.0, 0.2)
    jobs = [job for i in range(10) for job in rec.push(i / 30, gray(i, (120, 160)))]
    (job,) = jobs
    assert len(job.frames) == 7
    result = job.write()
    assert result.path is None and result.error is not None and "cannot write" in result.error


def test_session_recorder_saves_a_clip_of_a_flagged_rep_beside_the_db(tmp_path: Path) -> None:
    synth = Synth().stand(3.0).plie(60, knees_in_m=0.06).stand(1.5).plie(60).stand(1.5)
    settings = Settings()
    clip_settings = replace(settings.clips, buffer_s=12.0)
    db = tmp_path / "db" / "s.sqlite3"
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(fps=30.0))
        rec = SessionRecorder(store, sid, clip_settings=clip_settings)
        tracker = PracticeTracker(settings)
        for i, (t, row, ok) in enumerate(zip(synth.t, synth.rows, synth.reliable, strict=True)):
            result = SimpleNamespace(
                index=i, timestamp_ms=round(t * 1000), reliable=ok,
                measurement=SimpleNamespace(as_row=lambda row=row: row),
                pose=SimpleNamespace(image=None, world=None), bgr=gray(i, (180, 320)),
            )  # fmt: skip
            rec.frame(result)
            for ev in tracker.update(t, row, ok):
                rec.event(ev, result)
        rec.close()
        assert rec.errors == []
        reps = store.reps(sid)
        assert [bool(r.rep.flags) for r in reps] == [True, False]
        (clip,) = store.clips(sid)
        assert clip.rep_id == reps[0].id and clip.path == f"{db.name}-clips/session-{sid}/rep-001.mp4"
        first = reps[0].rep
        assert clip.t_start_ms / 1000 == pytest.approx(first.t_start_s - 1.0, abs=0.04)
        assert clip.t_end_ms / 1000 == pytest.approx(first.t_end_s + 1.0, abs=0.04)
        means, w, _, _ = read_back(db.parent / clip.path)
        assert w == 320 and len(means) == clip.n_frames
        assert store.delete_session(sid) == [db.parent / clip.path]
