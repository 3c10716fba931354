"""The seam between the window and the core: what the controller needs to open a source and process frames.

The window never builds the pose model or the store itself. It is given an :class:`Engine`, which opens
frame sources and creates one :class:`Processor` per run (the real one wraps
:class:`turnout.session.pipeline.Pipeline`; tests inject fakes). A processor is created, used and closed on the
processing thread, except ``close`` after that thread has ended.

A processor may run in two stages (:class:`Staged`, the real one): the pose model on the newest frame on one
thread, everything after it on every such frame, in order, on another (``turnout.capture.live.LiveRunner``'s
``then``). :func:`first_stage` and :func:`second_stage` run any processor that way (one that is not staged does
all of its work in the second).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeAlias, runtime_checkable

import numpy as np

from turnout.capture.live import Captured
from turnout.capture.sources import Frame, FrameSource
from turnout.pose.estimator import PoseFrame
from turnout.session.pipeline import FrameResult

#: What the first stage hands to the second: the frame's pose, its picture, when it was captured
#: (``time.monotonic()``) and the milliseconds the model took.
Detected: TypeAlias = tuple[PoseFrame, np.ndarray, float, float]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What to open: a camera index, or a video file played through the same pipeline."""

    camera: int | None = None
    path: Path | None = None
    #: the camera already delivers mirrored (selfie) images; the capture flips them back
    mirrored_input: bool = False

    def __post_init__(self) -> None:
        if (self.camera is None) == (self.path is None):
            raise ValueError("SourceSpec: give exactly one of camera (an index) or path (a video file)")

    @property
    def is_file(self) -> bool:
        return self.path is not None

    @property
    def label(self) -> str:
        return f"camera {self.camera}" if self.path is None else self.path.name

    @classmethod
    def parse(cls, text: str | int, mirrored_input: bool = False) -> SourceSpec:
        """``"0"`` or ``0`` is a camera index; anything else is a video file path."""
        if isinstance(text, int) or str(text).strip().isdigit():
            return cls(camera=int(text), mirrored_input=mirrored_input)
        return cls(path=Path(text).expanduser(), mirrored_input=mirrored_input)


class Processor(Protocol):
    """One run's frame processing: the pose model, smoothing, geometry, reps, flags, store writes."""

    def process(self, captured: Captured) -> FrameResult: ...

    def set_recording(self, on: bool) -> None:
        """Start (True) or end (False) a stored session; reps are stored as they end while recording."""

    def request_baseline(self) -> None:
        """The dancer asked to take her standing baseline again (the next still window)."""

    def close(self) -> None:
        """End any open session (its last rep included) and release the model."""


@runtime_checkable
class Staged(Protocol):
    """A processor in two stages: ``process(c)`` is ``complete(detect(c))``. ``detect`` (the pose model) runs
    on the newest frame, beside ``complete`` of the frame before; ``complete`` (everything after the model) and
    every other method run on one other thread, on every detected frame in order."""

    def detect(self, captured: Captured) -> Detected: ...

    def complete(self, detected: Detected) -> FrameResult: ...


def first_stage(processor: Processor, captured: Captured) -> Detected | Captured:
    """The live runner's first stage: a staged processor's model; any other processor waits for the second."""
    return processor.detect(captured) if isinstance(processor, Staged) else captured


def second_stage(processor: Processor, item: Detected | Captured) -> FrameResult:
    """The live runner's second stage on what :func:`first_stage` gave for the same processor."""
    if isinstance(item, Captured):
        return processor.process(item)
    assert isinstance(processor, Staged)
    return processor.complete(item)


@runtime_checkable
class FloorControl(Protocol):
    """A processor that can calibrate the floor (the real one; test fakes need not). Called on the processing
    thread, like every processor method."""

    def search_floor(self, reference: str) -> None:
        """Look for ``reference`` (a name of ``turnout.floor.reference.REFERENCES``) on the coming frames."""

    def cancel_floor_search(self) -> None:
        """Stop looking (a calibration in use stays)."""

    def set_floor(self, calibration: Any, frame_bgr: Any) -> None:
        """Use ``calibration`` (from clicked corners) made on ``frame_bgr``."""

    def clear_floor(self) -> None:
        """Measure without the floor again; a saved calibration is forgotten."""


@runtime_checkable
class Preparing(Protocol):
    """An engine whose frames can be converted for the pose model on the capture thread (the real one)."""

    def prepare_frame(self, frame: Frame) -> Frame:
        """``frame`` with ``prepared`` set (``PoseEstimator.prepare``); the same frame otherwise."""
        ...


def frame_preparer(engine: Engine) -> Callable[[Frame], Frame] | None:
    """What the live runner's capture thread applies to each frame of ``engine``'s sources (None: nothing)."""
    return engine.prepare_frame if isinstance(engine, Preparing) else None


class Engine(Protocol):
    def open_source(self, spec: SourceSpec) -> FrameSource:
        """Open the camera or file; raise :class:`turnout.errors.SourceError` with a readable message."""
        ...

    def create_processor(self, spec: SourceSpec) -> Processor:
        """A fresh processor for one run (called on the processing thread: it may load the model)."""
        ...
