"""One pipeline for live camera, video files and re-analysis: frame -> landmarks -> measurements ->
reps and flags -> storage and display.

``Pipeline.process(frame)`` does one frame and returns a :class:`FrameResult`, the one object the window,
the CLI and the benchmarks consume. It is called on one thread only (it owns the pose model).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np

from turnout.capture import Frame
from turnout.geometry import measure_frame
from turnout.guidance import assess
from turnout.landmarks import NUM_LANDMARKS
from turnout.live import Captured
from turnout.measures import FrameMeasurement
from turnout.pose import PoseFrame
from turnout.smoothing import IMAGE, WORLD, OneEuroFilter

if TYPE_CHECKING:
    from turnout.calibration.baseline import Baseline
    from turnout.calibration.hip import HipTurnout
    from turnout.settings import Settings


@dataclass(frozen=True, slots=True)
class FrameResult:
    """Everything known about one frame, for display, storage and tests."""

    index: int
    timestamp_ms: int
    #: The camera frame as the model saw it (never mirrored; the window mirrors for display).
    bgr: np.ndarray
    pose: PoseFrame
    measurement: FrameMeasurement | None
    #: True when the pose is good enough to measure (one person, legs and feet visible, facing the camera).
    reliable: bool
    #: What the dancer should do before measuring can start ("Step back until your feet are in view").
    guidance: tuple[str, ...] = ()
    #: Flags active now (objects with ``code``, ``side``, ``severity``, ``reason``, ``cue``), most severe first.
    active_flags: tuple[Any, ...] = ()
    #: Practice events this frame produced (rep started/ended, hold started/ended, baseline captured ...).
    events: tuple[Any, ...] = ()
    reps: int = 0
    sets: int = 0
    phase: str = "idle"  # idle | descent | bottom | ascent | hold
    hold_s: float | None = None
    hip_turnout_deg: float | None = None
    baseline_ready: bool = False
    #: ``time.monotonic()`` when the frame was captured and when processing finished.
    captured_at: float = 0.0
    processed_at: float = 0.0
    #: Milliseconds spent per stage on this frame (pose, smoothing, geometry, practice, storage).
    stage_ms: Mapping[str, float] = field(default_factory=dict)


#: Seconds a cue stays on screen after the flag fired.
CUE_HOLD_S: Final = 3.0
#: A pause longer than this between reps starts a new set.
SET_GAP_S: Final = 20.0
_SEVERITY_RANK: Final = {"bad": 0, "warn": 1, "info": 2}


class Recorder(Protocol):
    """Where results go besides the screen (the session store). Called on the processing thread."""

    def frame(self, result: FrameResult) -> None: ...

    def event(self, event: Any, result: FrameResult) -> None: ...


class Pipeline:
    """frame -> landmarks -> smoothing -> measurements -> reps/holds/flags -> recorder; one thread only.

    ``estimator`` is anything with ``process(bgr, timestamp_ms, index) -> PoseFrame`` (the real
    :class:`turnout.pose.PoseEstimator`, or landmarks replayed from a pose track).
    """

    def __init__(
        self,
        estimator: Any,
        settings: Settings | None = None,
        *,
        recorder: Recorder | None = None,
        baseline: Baseline | None = None,
        hip: HipTurnout | None = None,
        smooth: bool = True,
    ) -> None:
        from turnout.practice import PracticeTracker
        from turnout.settings import Settings as _Settings

        self.estimator = estimator
        self.settings = settings or _Settings()
        self.tracker = PracticeTracker(self.settings, baseline, hip)
        self.recorder = recorder
        self._smooth_world = OneEuroFilter(WORLD, (NUM_LANDMARKS, 3)) if smooth else None
        self._smooth_image = OneEuroFilter(IMAGE, (NUM_LANDMARKS, 3)) if smooth else None
        self._cues: dict[str, tuple[float, Any]] = {}
        self._phase = "idle"
        self._hold_start: float | None = None
        self._reps = 0
        self._sets = 0
        self._last_rep_end = -math.inf

    # -- one frame -----------------------------------------------------------------------------------
    def process(self, item: Captured | Frame) -> FrameResult:
        """Run the pose model on a camera or video frame, then everything after it."""
        frame, captured_at = (item.frame, item.captured_at) if isinstance(item, Captured) else (item, 0.0)
        t0 = time.perf_counter()
        pose = self.estimator.process(frame.bgr, frame.timestamp_ms, frame.index)
        pose_ms = (time.perf_counter() - t0) * 1e3
        return self.process_pose(pose, frame.bgr, captured_at=captured_at, pose_ms=pose_ms)

    def process_pose(
        self, pose: PoseFrame, bgr: np.ndarray | None = None, *, captured_at: float = 0.0, pose_ms: float = 0.0
    ) -> FrameResult:
        """Everything after the pose model; re-analysis of a stored pose track starts here (no frames)."""
        t = time.perf_counter
        t1 = t()
        pose = self._smoothed(pose)
        t2 = t()
        check = assess(pose, bgr)
        measurement = None
        if pose.world is not None and pose.image is not None:
            measurement = measure_frame(pose.world, pose.image[:, :3], pose.image[:, 3])
        t3 = t()
        t_s = pose.timestamp_ms / 1000.0
        row = measurement.as_row() if measurement is not None else {}
        events = tuple(self.tracker.update(t_s, row, check.reliable))
        self._follow(events, t_s)
        t4 = t()
        guidance = check.guidance
        if check.reliable and self.tracker.baseline is None:
            guidance = (STAND_STILL,)
        hip = self.tracker.hip or self.tracker.session_hip_estimate()
        result = FrameResult(
            index=pose.index, timestamp_ms=pose.timestamp_ms, bgr=bgr if bgr is not None else _NO_IMAGE, pose=pose,
            measurement=measurement, reliable=check.reliable, guidance=guidance,
            active_flags=self._active_flags(t_s), events=events, reps=self._reps, sets=self._sets,
            phase=self._phase, hold_s=None if self._hold_start is None else t_s - self._hold_start,
            hip_turnout_deg=_mean_hip(hip), baseline_ready=self.tracker.baseline is not None,
            captured_at=captured_at, processed_at=time.monotonic(),
            stage_ms={"pose": pose_ms, "smoothing": (t2 - t1) * 1e3, "geometry": (t3 - t2) * 1e3,
                      "practice": (t4 - t3) * 1e3},
        )  # fmt: skip
        if self.recorder is not None:
            t5 = t()
            self.recorder.frame(result)
            for ev in events:
                self.recorder.event(ev, result)
            object.__setattr__(result, "stage_ms", {**result.stage_ms, "storage": (t() - t5) * 1e3})
        return result

    def finish(self, t_s: float | None = None) -> tuple[Any, ...]:
        """End of the stream: close an open hold, discard a rep in progress; events go to the recorder."""
        events = tuple(self.tracker.finish(t_s))
        self._follow(events, t_s or 0.0)
        if self.recorder is not None and events:
            for ev in events:
                self.recorder.event(ev, None)  # type: ignore[arg-type]
        return events

    # -- helpers -------------------------------------------------------------------------------------
    def _smoothed(self, pose: PoseFrame) -> PoseFrame:
        if self._smooth_world is None or self._smooth_image is None:
            return pose
        if pose.world is None or pose.image is None:
            self._smooth_world.reset()
            self._smooth_image.reset()
            return pose
        world = self._smooth_world(pose.world, pose.timestamp_ms)
        image = np.array(pose.image, dtype=np.float32)
        image[:, :3] = self._smooth_image(pose.image[:, :3], pose.timestamp_ms)
        return PoseFrame(pose.index, pose.timestamp_ms, image, world, pose.people)

    def _follow(self, events: tuple[Any, ...], t_s: float) -> None:
        from turnout import practice as p

        for ev in events:
            if isinstance(ev, p.RepStarted):
                self._phase = "descent"
                self._hold_start = None
            elif isinstance(ev, p.RepPhase):
                self._phase = ev.phase
            elif isinstance(ev, p.RepEnded):
                if ev.rep.t_start_s - self._last_rep_end > SET_GAP_S:
                    self._sets += 1
                self._reps += 1
                self._last_rep_end = ev.rep.t_end_s
                self._phase = "idle"
                for flag in ev.rep.flags:
                    self._cues[flag.code] = (ev.t_s + CUE_HOLD_S, flag)
            elif isinstance(ev, p.RepDiscarded):
                self._phase = "idle"
            elif isinstance(ev, p.HoldStarted):
                self._hold_start = ev.t_start_s
                self._phase = "hold"
            elif isinstance(ev, p.HoldEnded):
                self._hold_start = None
                if self._phase == "hold":
                    self._phase = "idle"
                for flag in ev.hold.flags:
                    self._cues[flag.code] = (ev.t_s + CUE_HOLD_S, flag)
            elif isinstance(ev, p.LiveFlag):
                self._cues[ev.flag.code] = (ev.t_s + CUE_HOLD_S, ev.flag)

    def _active_flags(self, t_s: float) -> tuple[Any, ...]:
        self._cues = {code: (until, f) for code, (until, f) in self._cues.items() if until >= t_s}
        flags = [f for _, f in self._cues.values()]
        return tuple(sorted(flags, key=lambda f: _SEVERITY_RANK.get(f.severity, 9)))


_NO_IMAGE: Final = np.zeros((0, 0, 3), np.uint8)
STAND_STILL: Final = "Stand still in first position for 2 seconds (taking your baseline)"


def _mean_hip(hip: HipTurnout | None) -> float | None:
    if hip is None:
        return None
    values = [v for v in (hip.left_deg, hip.right_deg) if math.isfinite(v)]
    return sum(values) / len(values) if values else None
