"""The floor calibration of a running session: searched for, set, kept, and dropped when the camera moves.

Used by :class:`turnout.session.pipeline.Pipeline` on its processing thread. Looking for the sheet and checking
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

from turnout.floor.floormode import FloorCamera, measure_frame_on_floor
from turnout.floor.reference import REFERENCES, FloorCalibration
from turnout.measure.measures import FrameMeasurement

#: How often to look for the sheet while searching, and to check that the camera has not moved.
SEARCH_EVERY_S: Final = 0.5
CHECK_EVERY_S: Final = 2.0
#: After this long without finding the sheet, the guidance adds what else to try.
SLOW_SEARCH_S: Final = 20.0
NOT_FOUND_YET: Final = (
    "Still no sheet found: check it lies flat, fully in view and not under your feet, or click its corners instead"
)
CAMERA_MOVED: Final = "The camera moved: lay the sheet on the floor again to measure in true floor degrees"
#: A calibration saved in an earlier session is checked against this many frames (``SEARCH_EVERY_S`` apart) that
#: cannot tell whether the camera moved (too dark, too little texture) before it is given up.
RESTORE_TRIES: Final = 6
UNCONFIRMED: Final = "Could not check that the camera is where it was for your saved floor calibration: calibrate again"
RESIZED: Final = "The picture size changed since the floor was calibrated: calibrate the floor again"


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
    #: what happened: "found" (the search found the sheet), "set" (corners clicked), "restored" (a calibration saved
    #: in an earlier session, the camera still where it was), "moved" (the camera moved), "resized" (the picture
    #: size changed), "cleared" (she cleared it), "unconfirmed" (a saved one that could not be checked)
    kind: str = ""


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
        self._search_since: float | None = None  # when the current search saw its first frame
        self._search_for = 0.0  # how long it has been looking
        #: the latest error a search or camera check raised (it is retried on a later frame), for diagnosis
        self.last_error: str | None = None
        #: events of commands (set, clear), reported with the next frame
        self._pending: list[tuple[FloorCalibration | None, str, str]] = []
        #: a saved calibration waiting for a frame that shows the camera has not moved: (calibration, its
        #: CameraMotionCheck, what to say when it is taken up, checks that could not tell)
        self._restoring: list[Any] | None = None

    # -- control (any thread via the pipeline's command queue; here on the processing thread) -----------
    def search(self, reference: str = "A4") -> None:
        """Start looking for ``reference`` (a name of :data:`REFERENCES`) on the coming frames."""
        if reference not in REFERENCES:
            raise ValueError(f"unknown floor reference {reference!r}: choose one of {', '.join(REFERENCES)}")
        self.searching = reference
        self.moved = False
        self._restoring = None
        self._last_search = -math.inf
        self._search_since = None
        self._search_for = 0.0

    def cancel_search(self) -> None:
        """Stop looking for the sheet (a calibration in use stays)."""
        self.searching = None

    def set(
        self, calibration: FloorCalibration, frame_bgr: np.ndarray | None = None, reason: str | None = None
    ) -> None:
        """Use ``calibration`` (found, clicked or loaded); ``frame_bgr`` is the view it belongs to. With a
        ``reason``, a :class:`FloorCalibrated` event ("set") says so on the next frame."""
        self.calibration = calibration
        self.camera = FloorCamera.from_calibration(calibration)
        self.searching = None
        self.moved = False
        self._motion = None
        self._restoring = None
        if frame_bgr is not None:
            from turnout.floor.motion import CameraMotionCheck

            self._motion = CameraMotionCheck(frame_bgr)
        if reason is not None:
            self._pending.append((calibration, reason, "set"))

    def clear(self, reason: str | None = None) -> None:
        """Measure without the floor again; with a ``reason``, an event ("cleared") says so on the next frame."""
        had = self.calibration is not None or self._restoring is not None
        self.calibration = self.camera = self._motion = None
        self.searching = None
        self._restoring = None
        self.moved = False
        if reason is not None and had:
            self._pending.append((None, reason, "cleared"))

    def restore(self, calibration: FloorCalibration, motion: Any, reason: str) -> None:
        """Take up a calibration saved in an earlier session once a frame shows that the camera has not moved
        since. ``motion`` is the :class:`~turnout.floor.motion.CameraMotionCheck` saved with it (or its
        ``to_dict()``; a malformed one raises ValueError). Until then the measurements stay uncalibrated; then
        a :class:`FloorCalibrated` event says ``reason`` ("restored"), or that the camera moved ("moved"), or
        that it could not be checked ("unconfirmed")."""
        if isinstance(motion, dict):
            from turnout.floor.motion import CameraMotionCheck

            motion = CameraMotionCheck.from_dict(motion)
        FloorCamera.from_calibration(calibration)  # a damaged calibration fails here, not on a later frame
        self.clear()
        self._restoring = [calibration, motion, reason, 0]
        self._last_check = -math.inf

    @property
    def restoring(self) -> bool:
        """A saved calibration is waiting to be checked against the view."""
        return self._restoring is not None

    @property
    def motion_check(self) -> Any:
        """The :class:`~turnout.floor.motion.CameraMotionCheck` of the calibration in use (None without
        one, or when it was set without its frame): what a saved calibration needs to be reused."""
        return self._motion

    # -- per frame -----------------------------------------------------------------------------------
    def update(self, bgr: np.ndarray | None, t_s: float) -> list[FloorCalibrated]:
        """Look for the sheet or check the camera when due; returns what changed on this frame."""
        events = [*self._take_pending(t_s), *self._take_answer(t_s)]
        if bgr is None or not bgr.size:
            return events
        if self._restoring is not None:
            if bgr.shape[1::-1] != tuple(self._restoring[0].image_size):
                self._restoring = None
                return [*events, FloorCalibrated(t_s, None, RESIZED, "resized")]
            if t_s - self._last_check >= SEARCH_EVERY_S:
                self._last_check = t_s
                self._run("restore", self._restoring[1].check, bgr)
            return [*events, *self._take_answer(t_s)] if not self.background else events
        if self.calibration is not None and bgr.shape[1::-1] != tuple(self.calibration.image_size):
            self.clear()
            return [*events, FloorCalibrated(t_s, None, RESIZED, "resized")]
        if self.searching is not None:
            since = self._search_since
            if since is None or t_s < since:
                self._search_since = since = t_s
            self._search_for = t_s - since
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
            if self._search_for >= SLOW_SEARCH_S:
                return (sheet_instructions(self.searching), NOT_FOUND_YET)
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
        from turnout.floor.sheet import find_sheet

        return find_sheet(bgr, sheet=reference), bgr

    def _run(self, kind: str, fn: Callable[..., Any], *args: Any) -> None:
        if self._job is not None and self._job.is_alive():
            return
        frame_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)

        def job() -> None:
            try:
                value: Any = fn(*frame_args)
            except Exception as exc:  # a bad frame, or a failing check: never end the session; try a later frame
                value = exc
                self.last_error = f"{kind}: {type(exc).__name__}: {exc}"
            with self._lock:
                self._answer = (kind, value)

        if self.background:
            self._job = threading.Thread(target=job, name="turnout-floor", daemon=True)
            self._job.start()
        else:
            job()

    def _take_pending(self, t_s: float) -> list[FloorCalibrated]:
        pending, self._pending = self._pending, []
        return [FloorCalibrated(t_s, cal, reason, kind) for cal, reason, kind in pending]

    def _take_answer(self, t_s: float) -> list[FloorCalibrated]:
        with self._lock:
            answer, self._answer = self._answer, None
        if answer is None:
            return []
        kind, value = answer
        if kind == "restore":
            return self._restore_answer(t_s, None if isinstance(value, Exception) else getattr(value, "moved", None))
        if isinstance(value, Exception):
            return []
        if kind == "found" and self.searching is not None:
            cal, frame = value
            if cal is None:
                return []
            self.set(cal, frame)
            return [FloorCalibrated(t_s, cal, f"found the {cal.reference} on the floor", "found")]
        if kind == "motion" and self.calibration is not None and getattr(value, "moved", None) is True:
            self.clear()
            self.moved = True
            return [FloorCalibrated(t_s, None, CAMERA_MOVED, "moved")]
        return []

    def _restore_answer(self, t_s: float, moved: bool | None) -> list[FloorCalibrated]:
        if self._restoring is None:  # cancelled (searched, set or cleared) while the check ran
            return []
        cal, check, reason, tries = self._restoring
        if moved is False:
            self.set(cal)
            self._motion = check  # keep comparing with the view it was calibrated on
            return [FloorCalibrated(t_s, cal, reason, "restored")]
        if moved is True:
            self._restoring = None
            return [FloorCalibrated(t_s, None, CAMERA_MOVED, "moved")]
        if tries + 1 >= RESTORE_TRIES:
            self._restoring = None
            return [FloorCalibrated(t_s, None, UNCONFIRMED, "unconfirmed")]
        self._restoring[3] = tries + 1
        return []


#: Clicked corners: the refinement may move a click this far (px) onto the edges it finds, and must be this sure
#: of each corner (standard error, px); else it is not trusted. Unrefined clicks count as this exact (px).
MAX_REFINE_MOVE_PX: Final = 12.0
MAX_REFINED_SD_PX: Final = 1.0
CLICK_SIGMA_PX: Final = 1.5
#: Beyond this ``setup_cost`` (squared standard errors), clicked corners are not a plausible rectangle on the floor.
MAX_CLICK_COST: Final = 25.0
#: Smallest and largest rectangle the window accepts (metres, either side).
RECT_LIMITS_M: Final = (0.05, 5.0)


def describe_reference(reference: str, size_m: tuple[float, float]) -> str:
    """ "an A4 sheet (21 x 29.7 cm)", "a 50 x 80 cm rectangle"."""
    w, length = (f"{v * 100:.1f}".removesuffix(".0") for v in size_m)
    what = _WHAT.get(reference)
    return f"{what} ({w} x {length} cm)" if what else f"a {w} x {length} cm rectangle"


def calibrate_from_clicks(
    frame_bgr: np.ndarray, clicks_px: Any, width_m: float, length_m: float, reference: str = "custom"
) -> FloorCalibration:
    """The floor calibration from four corners of a ``width_m`` x ``length_m`` rectangle clicked on ``frame_bgr``
    (image pixels, going round it, any start). The clicks are refined onto the rectangle's edges where the image
    shows them (:func:`turnout.floor.sheet.refine_corners`), then the result must be a plausible webcam
    view of that rectangle lying flat on the floor (:func:`turnout.floor.sheet.setup_cost`). Bad clicks
    raise ValueError with one line saying what to do."""
    from turnout.floor.sheet import refine_corners, setup_cost

    img = np.asarray(frame_bgr)
    if img.ndim != 3 or img.shape[0] < 32 or img.shape[1] < 32:
        raise ValueError(f"no camera picture to click on (got an array of shape {img.shape})")
    lo, hi = RECT_LIMITS_M
    if not (lo <= width_m <= hi and lo <= length_m <= hi):
        raise ValueError(f"the rectangle must be {lo * 100:.0f}-{hi * 100:.0f} cm a side, not "
                         f"{width_m * 100:g} x {length_m * 100:g} cm")  # fmt: skip
    what = describe_reference(reference, (width_m, length_m))
    clicks = np.asarray(clicks_px, float)
    if clicks.shape != (4, 2) or not np.all(np.isfinite(clicks)):
        raise ValueError(f"click the 4 corners of {what} (got {len(clicks)} points)")
    size = (img.shape[1], img.shape[0])
    if np.any(clicks < -0.5) or np.any(clicks > np.array(size) - 0.5):
        raise ValueError("a corner is outside the picture: click the 4 corners on the picture itself")
    gaps = [float(np.hypot(*(clicks[i] - clicks[j]))) for i in range(4) for j in range(i + 1, 4)]
    if min(gaps) < 4.0:
        raise ValueError("two corners are on the same spot: click 4 different corners, going round the rectangle")
    candidates: list[tuple[np.ndarray, float]] = []
    refined = refine_corners(img, clicks)
    if (
        refined is not None
        and float(np.abs(refined[0] - clicks).max()) <= MAX_REFINE_MOVE_PX
        and float(np.max(refined[1])) <= MAX_REFINED_SD_PX
    ):
        candidates.append((refined[0], math.hypot(float(np.sqrt(np.mean(refined[1] ** 2))), 0.2)))
    candidates.append((clicks, CLICK_SIGMA_PX))
    convex = False
    for corners, sigma in candidates:
        try:
            cal = FloorCalibration.from_corners(corners, width_m, length_m, size, reference, sigma)
        except ValueError:
            continue
        convex = True
        if setup_cost(corners, min(width_m, length_m), max(width_m, length_m), size, sigma) <= MAX_CLICK_COST:
            return cal
    if not convex:
        raise ValueError("those 4 points do not go round a rectangle: click its corners one after another, in order")
    raise ValueError(f"those corners do not fit {what} lying flat on the floor: click exactly on its 4 corners")
