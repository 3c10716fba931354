"""One pipeline for live camera, video files and re-analysis: frame -> landmarks -> measurements ->
reps and flags -> storage and display.

``Pipeline.process(frame)`` does one frame and returns a :class:`FrameResult`, the one object the window,
the CLI and the benchmarks consume. It is called on one thread only (it owns the pose model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from turnout.measures import FrameMeasurement
from turnout.pose import PoseFrame

_EMPTY: Mapping[str, float] = MappingProxyType({})


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
    stage_ms: Mapping[str, float] = field(default=_EMPTY)
