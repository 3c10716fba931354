"""Fakes for the window's tests: a fake engine whose camera plays a real clip, and a fake processor that turns
each real frame into a FrameResult with a synthetic dancer's landmarks (exact measurements), guidance at the
start, pliés with a forced-turnout flag at the bottom, and rep events.

For unit tests only; the end-to-end tests use the real model and pipeline.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from turnout.capture.live import Captured
from turnout.capture.sources import CameraSource, FrameSource, VideoFileSource
from turnout.errors import SourceError
from turnout.pose.estimator import PoseFrame
from turnout.practice.flags import CUES, Flag
from turnout.practice.reps import RepSummary, SideRepStats
from turnout.practice.tracker import LiveFlag, RepEnded
from turnout.session.engine import SourceSpec
from turnout.session.pipeline import FrameResult
from turnout.testing.synth import DancerParams, PlieSequence, plie_sequence

#: frames without a person at the start, then frames with guidance only
NO_PERSON = 5
GUIDANCE = 10


def forced_flag(side: str = "left", severity: str = "bad") -> Flag:
    return Flag("forced_turnout", severity, side, 14.0, 8.0, f"{side} foot 59°, hips give 45°", CUES["forced_turnout"])


def synthetic_pose(seq: PlieSequence, i: int, index: int, ts: int) -> PoseFrame:
    image = np.zeros((33, 5), np.float32)
    image[:, :3] = seq.image[i]
    image[:, 3] = seq.visibility[i]
    image[:, 4] = 1.0
    return PoseFrame(index, ts, image, seq.world[i].astype(np.float32), 1)


def make_result(
    bgr: np.ndarray, index: int, seq: PlieSequence, *, flags: tuple[Any, ...] = (), reliable: bool = True,
    guidance: tuple[str, ...] = (), events: tuple[Any, ...] = (), reps: int = 0,
) -> FrameResult:  # fmt: skip
    i = index % len(seq.phase)
    ts = index * 40
    return FrameResult(
        index=index, timestamp_ms=ts, bgr=bgr, pose=synthetic_pose(seq, i, index, ts), measurement=seq.truths[i],
        reliable=reliable, guidance=guidance, active_flags=flags, events=events, reps=reps, sets=1 if reps else 0,
        phase={"stand": "idle", "descend": "descent", "bottom": "bottom", "ascend": "ascent"}[seq.phase[i]],
        hold_s=None, hip_turnout_deg=45.0, baseline_ready=reliable, captured_at=time.monotonic(),
        processed_at=time.monotonic(),
    )  # fmt: skip


_SEQ: PlieSequence | None = None


def plie_seq() -> PlieSequence:
    global _SEQ
    if _SEQ is None:
        _SEQ = plie_sequence(25.0, stand_s=0.4, descend_s=0.8, bottom_s=0.4, ascend_s=0.8, end_stand_s=0.4,
                             params=DancerParams(forced_deg=(14.0, 2.0)))  # fmt: skip
    return _SEQ


def rep_summary(index: int, t_start_s: float, flags: tuple[Flag, ...]) -> RepSummary:
    side = SideRepStats(max_flexion_deg=60.0, foot_turnout_start_deg=59.0, knee_turnout_bottom_deg=45.0)
    return RepSummary(index, "demi", t_start_s, t_start_s + 0.8, t_start_s + 1.2, t_start_s + 2.0, 60.0, side, side,
                      n_frames=50, flags=flags)  # fmt: skip


class FakeProcessor:
    """Synthetic pliés over real frames; ``delay_s`` simulates a slow model."""

    def __init__(self, delay_s: float = 0.0, flags: bool = True) -> None:
        self.delay_s = delay_s
        self.flags = flags
        self.seq = plie_seq()
        self.recording: list[bool] = []
        self.baseline_requests = 0
        self.closed = False
        self.threads: set[int] = set()
        self.reps = 0
        #: (index, timestamp_ms) of every frame processed
        self.frames: list[tuple[int, int]] = []

    def process(self, captured: Captured) -> FrameResult:
        self.threads.add(threading.get_ident())
        self.frames.append((captured.frame.index, captured.frame.timestamp_ms))
        if self.delay_s:
            time.sleep(self.delay_s)
        f = captured.frame
        if f.index < NO_PERSON:
            ts = f.index * 40
            return FrameResult(f.index, ts, f.bgr, PoseFrame(f.index, ts), None, False,
                               guidance=("Step into view of the camera",))  # fmt: skip
        if f.index < NO_PERSON + GUIDANCE:
            return make_result(
                f.bgr, f.index, self.seq, reliable=False, guidance=("Step back until your feet are in view",)
            )
        phase = self.seq.phase[f.index % len(self.seq.phase)]
        flags: tuple[Any, ...] = (forced_flag(),) if self.flags and phase == "bottom" else ()
        events: list[Any] = []
        if flags:
            events.append(LiveFlag(f.index / 25, self.reps + 1, flags[0]))
        nxt = self.seq.phase[(f.index + 1) % len(self.seq.phase)]
        if phase == "stand" and nxt == "stand" and f.index % len(self.seq.phase) == len(self.seq.phase) - 1:
            self.reps += 1
            events.append(RepEnded(f.index / 25, rep_summary(self.reps, f.index / 25 - 2.4, flags or (forced_flag(),))))
        return make_result(f.bgr, f.index, self.seq, flags=flags, events=tuple(events), reps=self.reps)

    def set_recording(self, on: bool) -> None:
        self.recording.append(on)

    def request_baseline(self) -> None:
        self.baseline_requests += 1

    def close(self) -> None:
        self.closed = True


class FakeEngine:
    """Cameras play ``clip`` in real time (through CameraSource, like a webcam); camera 9 is missing."""

    def __init__(self, clip: Path, delay_s: float = 0.0, flags: bool = True) -> None:
        self.clip = clip
        self.delay_s = delay_s
        self.flags = flags
        self.processors: list[FakeProcessor] = []
        self.sources: list[FrameSource] = []

    def open_source(self, spec: SourceSpec) -> FrameSource:
        if spec.camera == 9:
            raise SourceError("camera 9 could not be opened; check it is connected and not used by another app")
        src: FrameSource = (
            VideoFileSource(spec.path) if spec.path is not None else CameraSource(str(self.clip), realtime=True)
        )
        self.sources.append(src)
        return src

    def create_processor(self, spec: SourceSpec) -> FakeProcessor:
        p = FakeProcessor(self.delay_s, self.flags)
        self.processors.append(p)
        return p


def forbid_dialogs(monkeypatch: Any) -> None:
    """Any message box or file dialog fails the test: the window must never surprise her with one."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"unexpected dialog: {args[1:3]}")

    for name in ("question", "information", "warning", "critical", "about", "exec"):
        monkeypatch.setattr(QMessageBox, name, fail)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, fail)


def black_frame(w: int = 960, h: int = 540) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def record_synthetic_session(
    db: Path, frames: list[np.ndarray] | None, forced: tuple[tuple[float, float], ...] = ((0.0, 0.0), (35.0, 35.0)),
    hip_deg: float = 45.0, started_at: str | None = None,
) -> int:  # fmt: skip
    """A stored session made by the real pipeline, tracker and session recorder from synthetic landmarks (one
    plié per entry of ``forced``) over real ``frames`` (clips of flagged reps are written), without the model. The
    default's second plié, feet 35 degrees beyond the hips, has its knees clearly inside its feet in the picture
    (issue 16: a 14-degree forced turnout is within the picture's uncertainty and raises no flag).
    """
    import sqlite3

    from turnout.session.pipeline import Pipeline
    from turnout.settings import Settings
    from turnout.storage.store import SessionInfo, SessionRecorder, Store

    settings = Settings()
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(source="synthetic", settings=settings))
        clips = settings.clips if frames else None
        rec = SessionRecorder(store, sid, clip_settings=clips, background=False)
        pipeline = Pipeline(None, settings, recorder=rec)
        index = 0
        for k, pair in enumerate(forced):
            params = DancerParams(hip_turnout_deg=(hip_deg, hip_deg), forced_deg=pair, mediapipe_points=True)
            seq = plie_sequence(25.0, stand_s=2.4 if k == 0 else 1.0, descend_s=1.5, bottom_s=0.3, ascend_s=1.5,
                                end_stand_s=0.8, params=params)  # fmt: skip
            for i in range(len(seq.phase)):
                bgr = frames[(40 + index) % len(frames)] if frames else None
                pipeline.process_pose(synthetic_pose(seq, i, index, index * 40), bgr)
                index += 1
        pipeline.finish()
        rec.close()
    if started_at is not None:
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (started_at, sid))
    return sid
