"""The floor calibration of a running session: searched for, set, kept, and dropped when the camera moves.

Used by :class:`turnout.pipeline.Pipeline` on its processing thread. Looking for the sheet and checking
whether the camera moved take tens of milliseconds, so live they run on a helper thread and their answers
are picked up on a later frame; for a recording (``background=False``) they run in line, so the result does
not depend on timing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from turnout.calibration.floor import REFERENCES, FloorCalibration
from turnout.calibration.floormode import FloorCamera, measure_frame_on_floor
from turnout.measures import FrameMeasurement

#: How often to look for the sheet while searching, and to check that the camera has not moved.
SEARCH_EVERY_S: Final = 0.5
CHECK_EVERY_S: Final = 2.0
CAMERA_MOVED: Final = "The camera moved: lay the sheet on the floor again to measure in true floor degrees"


_WHAT: Final = {
    "A4": "an A4 sheet", "letter": "a letter-size sheet", "A4-pair": "two A4 sheets side by side",
    "letter-pair": "two letter sheets side by side", "yoga-mat": "your yoga mat",
}  # fmt: skip


def sheet_instructions(reference: str) -> str:
    what = _WHAT.get(reference, reference)
    return (
        f"Lay {what} flat on the floor about half a metre in front of your feet, long edge pointing at the "
        "camera, fully in view"
    )


@dataclass(frozen=True, slots=True)
class FloorCalibrated:
    """Practice-stream event: the floor is calibrated (or, with ``calibration`` None, no longer is)."""

    t_s: float
    calibration: FloorCalibration | None
    reason: str


class FloorState:
    """Owns a session's floor calibration. Call :meth:`update` with every frame, in order, on one thread."""

    def __init__(self, *, background: bool = True, finder: Callable[..., FloorCalibration | None] | None = None):
        self.background = background
        self.calibration: FloorCalibration | None = None
        self.camera: FloorCamera | None = None
        self.searching: str | None = None  # the reference looked for
        self.moved = False
        self._finder = finder
        self._motion: Any = None
        self._last_search = -math.inf
        self._last_check = -math.inf
        self._job: threading.Thread | None = None
        self._answer: tuple[str, Any] | None = None
        self._lock = threading.Lock()

    # -- control (any thread via the pipeline's command queue; here on the processing thread) -----------
    def search(self, reference: str = "A4") -> None:
        """Start looking for ``reference`` (a name of :data:`REFERENCES`) on the coming frames."""
        if reference not in REFERENCES:
            raise ValueError(f"unknown floor reference {reference!r}: choose one of {', '.join(REFERENCES)}")
        self.searching = reference
        self.moved = False
        self._last_search = -math.inf

    def set(self, calibration: FloorCalibration, frame_bgr: np.ndarray | None = None) -> None:
        """Use ``calibration`` (found, clicked or loaded); ``frame_bgr`` is the view it belongs to."""
        self.calibration = calibration
        self.camera = FloorCamera.from_calibration(calibration)
        self.searching = None
        self.moved = False
        self._motion = None
        if frame_bgr is not None:
            from turnout.calibration.motion import CameraMotionCheck

            self._motion = CameraMotionCheck(frame_bgr)

    def clear(self) -> None:
        self.calibration = self.camera = self._motion = None
        self.searching = None

    # -- per frame -----------------------------------------------------------------------------------
    def update(self, bgr: np.ndarray | None, t_s: float) -> list[FloorCalibrated]:
        """Look for the sheet or check the camera when due; returns what changed on this frame."""
        events = self._take_answer(t_s)
        if bgr is None or not bgr.size:
            return events
        if self.calibration is not None and bgr.shape[1::-1] != tuple(self.calibration.image_size):
            self.clear()
            return [*events, FloorCalibrated(t_s, None, "the picture size changed")]
        if self.searching is not None and t_s - self._last_search >= SEARCH_EVERY_S:
            self._last_search = t_s
            self._run("found", self._find, bgr, self.searching)
        elif self._motion is not None and t_s - self._last_check >= CHECK_EVERY_S:
            self._last_check = t_s
            self._run("motion", self._motion.check, bgr)
        return [*events, *self._take_answer(t_s)] if not self.background else events

    def guidance(self) -> tuple[str, ...]:
        if self.moved:
            return (CAMERA_MOVED,)
        if self.searching is not None:
            return (sheet_instructions(self.searching),)
        return ()

    def measure(self, world: np.ndarray, image: np.ndarray, visibility: np.ndarray | None) -> FrameMeasurement | None:
        """Floor-calibrated measurements, or None when the floor is not calibrated."""
        if self.calibration is None or self.camera is None:
            return None
        return measure_frame_on_floor(world, image, visibility, self.calibration, self.camera)

    # -- helpers -------------------------------------------------------------------------------------
    def _find(self, bgr: np.ndarray, reference: str) -> tuple[FloorCalibration | None, np.ndarray]:
        if self._finder is not None:
            return self._finder(bgr, reference), bgr
        from turnout.calibration.sheet import find_sheet

        return find_sheet(bgr, sheet=reference), bgr

    def _run(self, kind: str, fn: Callable[..., Any], *args: Any) -> None:
        if self._job is not None and self._job.is_alive():
            return
        frame_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)

        def job() -> None:
            try:
                value: Any = fn(*frame_args)
            except (ValueError, RuntimeError) as exc:  # a bad frame: try again on a later one
                value = exc
            with self._lock:
                self._answer = (kind, value)

        if self.background:
            self._job = threading.Thread(target=job, name="turnout-floor", daemon=True)
            self._job.start()
        else:
            job()

    def _take_answer(self, t_s: float) -> list[FloorCalibrated]:
        with self._lock:
            answer, self._answer = self._answer, None
        if answer is None:
            return []
        kind, value = answer
        if isinstance(value, Exception):
            return []
        if kind == "found" and self.searching is not None:
            cal, frame = value
            if cal is None:
                return []
            self.set(cal, frame)
            return [FloorCalibrated(t_s, cal, f"found the {cal.reference} on the floor")]
        if kind == "motion" and self.calibration is not None and getattr(value, "moved", None) is True:
            self.clear()
            self.moved = True
            return [FloorCalibrated(t_s, None, CAMERA_MOVED)]
        return []
