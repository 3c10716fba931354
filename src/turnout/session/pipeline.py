"""One pipeline for live camera, video files and re-analysis: frame -> landmarks -> measurements ->
reps and flags -> storage and display.

``Pipeline.process(frame)`` does one frame and returns a :class:`FrameResult`, the one object the window,
the CLI and the benchmarks consume. It is called on one thread only (it owns the pose model).

``Pipeline.run(frames)`` does a whole finite stream (a video file) the same way, but with the pose model one
frame ahead on a worker thread: while the model works on frame N+1 (MediaPipe releases the GIL), the calling
thread smooths, measures and stores frame N, so on two cores everything after the model costs next to no
throughput. The model is still used by one thread at a time, and every frame is processed in order.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np

from turnout.capture.live import Captured
from turnout.capture.sources import Frame
from turnout.floor.state import FloorState
from turnout.measure.geometry import MAX_ABS_COORD_M, MIN_SEGMENT_M, measure_frame
from turnout.measure.image import BACK, FRONT, SIDE, THREE_QUARTER, measure_image, to_pixels
from turnout.measure.measures import SIDES, FrameMeasurement
from turnout.pose.estimator import PoseFrame
from turnout.pose.guidance import FACE_CAMERA as TURNED
from turnout.pose.guidance import FEET_IN_VIEW, HEAD_IN_VIEW, assess
from turnout.pose.landmarks import LEG, LOWER_BODY, NUM_LANDMARKS
from turnout.pose.smoothing import IMAGE, WORLD, OneEuroFilter
from turnout.practice.picture import (
    FOOT_P95_DEG,
    FOOT_P95_FLOOR_DEG,
    GRAND_DROP,
    LEGS_OVERLAP,
    MEDIAPIPE,
    PRIOR,
    Camera,
    camera_from_floor,
    estimate_camera,
    floor_camera_numbers,
    foot_direction_deg,
    foot_points_fit,
    front_foot,
    hips_drop,
)
from turnout.practice.profile import ProfileTracker
from turnout.session import display
from turnout.storage.store import hem_names, picture_foot_names

if TYPE_CHECKING:
    from turnout.practice.baseline import Baseline
    from turnout.practice.hip import HipTurnout
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
    #: True when the pose is good enough to measure (one person, legs and feet visible, facing the camera), or turned
    #: three-quarter from it or side-on, where her pliés are counted and nothing else of the front's: :attr:`judged`.
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
    #: The latest failure to store this session (a full disk), one line; None while everything is stored.
    storage_error: str | None = None
    #: Each foot's turnout from the picture (``turnout.practice.picture.foot_turnout_picture`` through the camera of
    #: her latest standing, median over the last :data:`FEET_SMOOTH_S`): side -> (degrees, low, high), the range
    #: holding the truth for 95 % of feet as measured end to end; empty before her standing is known.
    feet_picture: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)
    #: Per foot: whether the live figure shows its range (True) or "calibrate" (False), held against flicker
    #: (``turnout.session.display.RangeHold``: changed only after the other answer held for a second); a side
    #: missing: decided by the frame's own reading.
    feet_range: Mapping[str, bool] = field(default_factory=dict)
    #: The feet whose points over her latest standing are not a foot's (``PracticeTracker.feet_fit``: trousers over
    #: the heels, dark shoes), or that her last plié read as turning while planted (``picture.FOOT_TWICE_DEG``:
    #: trousers to the floor): not read in degrees, and the live figure says why.
    feet_hidden: frozenset[str] = frozenset()
    #: Her face was not all inside the picture (``turnout.pose.guidance.head_out``): without it the pose model cannot
    #: tell her front from her back.
    head_out: bool = False

    @property
    def judged(self) -> bool:
        """Reliable and seen from the front: what her knees, feet and posture are shown and judged on (turned
        three-quarter from the camera or side-on her pliés are counted; side-on the profile tells her posture)."""
        code = self.measurement.image.facing_code if self.measurement is not None else math.nan
        return self.reliable and (code == FRONT or not math.isfinite(code))  # (nan: a row stored without it)

    def picture_row(self) -> dict[str, float]:
        """:attr:`feet_picture` and the pose's hem as stored and exported columns (``turnout.storage.store``'s
        ``picture_foot_names``, ``hem_names``)."""
        row = dict.fromkeys(picture_foot_names(), math.nan)
        for side, (deg, low, high) in self.feet_picture.items():
            row[f"{side}_foot_picture_deg"] = deg
            row[f"{side}_foot_picture_low_deg"] = low
            row[f"{side}_foot_picture_high_deg"] = high
        row.update(zip(hem_names(), self.pose.hem, strict=True))
        return row


#: Seconds a cue stays on screen after the flag fired.
CUE_HOLD_S: Final = 3.0
#: A pause longer than this between reps starts a new set.
SET_GAP_S: Final = 20.0
#: A foot's picture reading is the median of its readings over this long: one pixel of the ankle point turns a
#: foot by about 4 degrees (docs/measurements.md), so single frames jitter.
FEET_SMOOTH_S: Final = 0.4
#: The camera of her standing is looked up again at most this often (seconds; it changes slowly).
CAMERA_REFRESH_S: Final = 0.5
_SEVERITY_RANK: Final = {"bad": 0, "warn": 1, "info": 2}


class Recorder(Protocol):
    """Where results go besides the screen (the session store). Called on the processing thread."""

    def frame(self, result: FrameResult) -> None: ...

    def event(self, event: Any, result: FrameResult) -> None: ...


class Pipeline:
    """frame -> landmarks -> smoothing -> measurements -> reps/holds/flags -> recorder; one thread only.

    ``estimator`` is anything with ``process(bgr, timestamp_ms, index) -> PoseFrame`` (the real
    :class:`turnout.pose.estimator.PoseEstimator`, or landmarks replayed from a pose track).
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
        floor: FloorState | None = None,
        replay: bool = False,
        frame_size: tuple[int, int] | None = None,
    ) -> None:
        from turnout.practice.tracker import PracticeTracker
        from turnout.settings import Settings as _Settings

        self.estimator = estimator
        self.settings = settings or _Settings()
        self.tracker = PracticeTracker(self.settings, baseline, hip)
        self.recorder = recorder
        #: the floor calibration (searched for, set from corners, dropped when the camera moves)
        self.floor = floor if floor is not None else FloorState()
        #: landmarks replayed from a session's store were checked and smoothed when they were recorded: they are
        #: taken as they are (re-analysis), so the same landmarks give the same measurements
        self.replay = replay
        #: (width, height) of the pictures in pixels: the image-plane measurements need it (learnt from the first
        #: frame with pixels; a replay without pictures is given it, else DEFAULT_FRAME_SIZE is assumed)
        self.frame_size = frame_size
        self._smooth_world = OneEuroFilter(WORLD, (NUM_LANDMARKS, 3)) if smooth and not replay else None
        self._smooth_image = OneEuroFilter(IMAGE, (NUM_LANDMARKS, 3)) if smooth and not replay else None
        self._cues: dict[str, tuple[float, Any]] = {}
        self._phase = "idle"
        self._hold_start: float | None = None
        self._reps = 0
        self._sets = 0
        self._last_rep_end = -math.inf
        #: the session's hip estimate, recomputed only when a rep adds a sample (it is a median over reps)
        self._hip_cache: tuple[int, HipTurnout | None] = (-1, None)
        self._camera: tuple[float, Camera | None] = (-math.inf, None)
        #: whether each foot's points over her standing are a foot's (``PracticeTracker.feet_fit``), with the camera
        self._feet_fit: tuple[bool, bool] = (False, False)
        #: the feet that her last plié read further apart standing and at its bottom than a visible foot reads
        #: (``RepSummary.foot_hidden``, ``picture.FOOT_TWICE_DEG``: the points are on trousers over the foot, not on
        #: it): hidden like feet that do not fit, until a plié reads that foot twice alike
        self._feet_turned: set[str] = set()
        #: the cameras of the prior for the camera in use (:func:`foot_reading`), worked out once per camera
        self._prior: tuple[Camera | None, tuple[Camera, ...]] = (None, ())
        self._feet: dict[str, deque[tuple[float, float, float, float]]] = {s: deque() for s in ("left", "right")}
        #: the live feet's range-or-calibrate answers, held against flicker
        self._range_hold = {s: display.RangeHold("foot") for s in ("left", "right")}
        #: her posture and holds seen side-on (turnout.practice.profile); turnout is not judged from the side
        self.profile = ProfileTracker()
        #: whether the pose model's left and right have held steady (:class:`FacingOrder`)
        self._order = FacingOrder()

    # -- one frame -----------------------------------------------------------------------------------
    def process(self, item: Captured | Frame) -> FrameResult:
        """Run the pose model on a camera or video frame, then everything after it."""
        pose, bgr, captured_at, pose_ms = self.pose(item)
        return self.process_pose(pose, bgr, captured_at=captured_at, pose_ms=pose_ms)

    def pose(self, item: Captured | Frame) -> tuple[PoseFrame, np.ndarray, float, float]:
        """The pose model's stage alone (live runs it on its own thread, then :meth:`process_pose` on another):
        (the landmarks, the picture, when it was captured, the model's milliseconds)."""
        frame, captured_at = (item.frame, item.captured_at) if isinstance(item, Captured) else (item, 0.0)
        t0 = time.perf_counter()
        if (
            frame.prepared is not None
        ):  # converted for the model on the decoding thread (turnout.capture.sources.prefetch)
            pose = self.estimator.process(frame.bgr, frame.timestamp_ms, frame.index, prepared=frame.prepared)
        else:
            pose = self.estimator.process(frame.bgr, frame.timestamp_ms, frame.index)
        return pose, frame.bgr, captured_at, (time.perf_counter() - t0) * 1e3

    # -- a whole stream ------------------------------------------------------------------------------
    def run(self, frames: Iterable[Captured | Frame], ahead: int = 2) -> Generator[FrameResult, None, None]:
        """Process every frame of a finite stream, in order, with the pose model up to ``ahead`` frames ahead
        on a worker thread (see the module's docstring). An error on either side is raised here; closing the
        iterator early stops the worker."""
        handoff: queue.Queue[Any] = queue.Queue(maxsize=max(1, ahead))
        stop = threading.Event()

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    handoff.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def work() -> None:
            it = iter(frames)
            try:
                for item in it:
                    if not put(self.pose(item)):
                        return
            except BaseException as exc:  # handed to the consumer, which re-raises it
                put(exc)
                return
            finally:
                close = getattr(it, "close", None)
                if close is not None:
                    close()
            put(_END)

        worker = threading.Thread(target=work, name="turnout-pose", daemon=True)
        worker.start()
        try:
            while (item := handoff.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                pose, bgr, captured_at, pose_ms = item
                yield self.process_pose(pose, bgr, captured_at=captured_at, pose_ms=pose_ms)
        finally:
            stop.set()
            worker.join(timeout=5.0)

    def process_pose(
        self,
        pose: PoseFrame,
        bgr: np.ndarray | None = None,
        *,
        captured_at: float = 0.0,
        pose_ms: float = 0.0,
        reliable: bool | None = None,
    ) -> FrameResult:
        """Everything after the pose model; re-analysis of a stored session starts here (no frames, no model).
        ``reliable`` is the verdict stored with a replayed frame: it also weighed what landmarks do not keep (a
        second person in the picture, the light)."""
        t = time.perf_counter
        t1 = t()
        pose = pose if self.replay else self._smoothed(pose)
        t2 = t()
        check = assess(pose, bgr)
        if reliable is not None:
            check = replace(check, reliable=reliable)
        t_s = pose.timestamp_ms / 1000.0
        floor_events = self.floor.update(bgr, t_s)
        measurement = None
        if pose.world is not None and pose.image is not None:
            measurement = self.floor.measure(pose.world, pose.image[:, :3], pose.image[:, 3])
            if measurement is None:
                measurement = measure_frame(pose.world, pose.image[:, :3], pose.image[:, 3])
            size = self._size(bgr)
            measurement = replace(measurement, image=measure_image(to_pixels(pose.image, size), size))
        facing = math.nan if measurement is None else measurement.image.facing_code
        if measurement is not None and facing == FRONT and check.turned:
            # her hips turned from the camera by more than the picture's width ratio tells: a three-quarter view
            facing = THREE_QUARTER
            measurement = replace(measurement, image=replace(measurement.image, facing_code=facing))
        if (
            reliable is None
            and not check.reliable
            and measurement is not None
            and (
                (facing == THREE_QUARTER and check.only_turned)
                or (facing == SIDE and set(check.guidance) <= SIDE_ON_TIPS and measurement.image.hip_height_px > 0)
            )
        ):
            # turned three-quarter or side-on: her pliés are counted (the hips' drop against her standing), her knees
            # and feet are not judged (the tracker judges them from the front only: docs/measurements.md, "Facing")
            check = replace(check, reliable=True)
        t3 = t()
        if not self._order.trusted(t_s, facing, check.head_out) and check.reliable:
            # her left and right swapped lately: the pose model may take her back for her front
            check, facing = replace(check, reliable=False), BACK
        row = measurement.as_row() if measurement is not None else {}
        if measurement is not None:
            row.update(zip(hem_names(), pose.hem, strict=True))
        events = (*floor_events, *self.tracker.update(t_s, row, check.reliable))
        self.profile.update(t_s, row)
        self._follow(events, t_s)
        t4 = t()
        guidance = check.guidance + self.floor.guidance()
        if self.tracker.baseline is not None:  # the head's advice is for setting up, not a banner over her practice
            guidance = tuple(g for g in guidance if g != HEAD_IN_VIEW)
        hold_s = None if self._hold_start is None else t_s - self._hold_start
        if facing == SIDE:  # the profile view: her posture and holds from the side, and that turnout is not judged
            guidance = self.profile.guidance(guidance)
            hold_s = self.profile.hold_s
        elif facing == BACK and self._order.headless:
            # no face in the picture to tell her front from her back when they swapped: she may well face the camera
            guidance = (HEAD_UNSURE, *(g for g in guidance if g != HEAD_IN_VIEW))
        elif facing == BACK and FACE_CAMERA not in guidance:
            guidance = (FACE_CAMERA, *guidance)
        elif facing == THREE_QUARTER and check.reliable:
            guidance = (TURNED_COUNTED, *(g for g in guidance if g != TURNED))
        elif check.reliable and self.tracker.baseline is None:
            guidance = (STAND_STILL, *(g for g in check.guidance if g == HEAD_IN_VIEW), *self.floor.guidance())
        hip = self.tracker.hip or self._session_hip()
        feet = self._feet_picture(t_s, measurement, check.reliable)
        feet_range = self._feet_range(t_s, measurement, check.reliable and facing == FRONT, feet)
        result = FrameResult(
            index=pose.index, timestamp_ms=pose.timestamp_ms, bgr=bgr if bgr is not None else _NO_IMAGE, pose=pose,
            measurement=measurement, reliable=check.reliable, guidance=guidance,
            active_flags=self._active_flags(t_s), events=events, reps=self._reps, sets=self._sets,
            phase=self._phase, hold_s=hold_s,
            hip_turnout_deg=_mean_hip(hip), baseline_ready=self.tracker.baseline is not None,
            captured_at=captured_at, processed_at=time.monotonic(),
            stage_ms={"pose": pose_ms, "smoothing": (t2 - t1) * 1e3, "geometry": (t3 - t2) * 1e3,
                      "practice": (t4 - t3) * 1e3},
            storage_error=_last_error(self.recorder), feet_picture=feet, feet_range=feet_range,
            feet_hidden=self._hidden_feet(), head_out=check.head_out,
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
        self.profile.finish()
        self._follow(events, t_s or 0.0)
        if self.recorder is not None and events:
            for ev in events:
                self.recorder.event(ev, None)  # type: ignore[arg-type]
        return events

    # -- helpers -------------------------------------------------------------------------------------
    def _hidden_feet(self) -> frozenset[str]:
        """The sides whose standing points are not a foot's, once there is a camera to place them, and those her last
        plié read as turning though planted (see :attr:`FrameResult.feet_hidden`)."""
        if self._camera[1] is None:
            return frozenset()
        return frozenset(side for side, fit in zip(SIDES, self._feet_fit, strict=True) if not fit) | self._feet_turned

    def _feet_range(
        self, t_s: float, m: FrameMeasurement | None, reliable: bool, feet: Mapping[str, tuple[float, float, float]]
    ) -> dict[str, bool]:
        """Each foot's held range-or-calibrate answer (see :attr:`FrameResult.feet_range`)."""
        out: dict[str, bool] = {}
        for side, hold in self._range_hold.items():
            reading = display.foot_reading_of(m, reliable, self._phase, feet, side)
            held = hold.update(t_s, reading.half_width if reading.ok else math.nan)
            if held is not None:
                out[side] = held
        return out

    @staticmethod
    def _feet_readable(cam: Camera, m: FrameMeasurement, reliable: bool) -> tuple[str, ...]:
        """Which of this frame's feet can be read from the picture: in a reliable frame seen from the front, both,
        or with the legs crossed the front one only (:func:`turnout.practice.picture.front_foot`), and none deep in
        a grand plié with the heels together."""
        if not reliable or m.image.facing_code != FRONT:
            return ()
        img = m.image
        apart = math.hypot(img.left_ankle_x_px - img.right_ankle_x_px, img.left_ankle_y_px - img.right_ankle_y_px)
        leg = cam.floor_y - cam.hip_y
        # a grand plié with the heels together (first, fourth, fifth): the heels may be up, and the picture's rule
        # puts the points over a flat foot (the studio's grand pliés in first read a foot 6-21 degrees short deeper
        # than this); in second, ankles apart by more than a foot, the heels stay down (Vaganova)
        if hips_drop(cam, float(img.hip_y_px)) > GRAND_DROP and not apart >= FOOT_LEGS * leg:
            return ()
        if apart >= LEGS_OVERLAP * leg:
            return SIDES
        # legs crossed (fifth position): the back foot's heel hides behind the front foot and the pose model puts
        # its points partly on the front shoe (the studio's fifth read a foot 44 degrees off at p95 with both read);
        # the front foot is whole in the picture
        front = front_foot(
            {s: (float(getattr(img, f"{s}_ankle_x_px")), float(getattr(img, f"{s}_ankle_y_px"))) for s in SIDES}, leg
        )
        return () if front is None else (front,)

    def _feet_picture(
        self, t_s: float, m: FrameMeasurement | None, reliable: bool
    ) -> dict[str, tuple[float, float, float]]:
        """Each foot's picture reading now (see :attr:`FrameResult.feet_picture`)."""
        when, cam = self._camera
        floor_camera = self.floor.camera
        if (
            not when <= t_s
            or t_s - when >= CAMERA_REFRESH_S
            or cam is None
            or cam.calibrated != (floor_camera is not None)
        ):
            cam = self.tracker.camera()
            if cam is not None and floor_camera is not None:
                # with a floor calibration, its camera (focal length, height, pitch) and her leg from her standing
                cam = camera_from_floor(
                    *floor_camera_numbers(floor_camera), cam.hip_y, cam.floor_y, cam.span_px, cam.facing
                )
            self._camera = (t_s, cam)
            self._feet_fit = self.tracker.feet_fit(cam) if cam is not None else (False, False)
        readable = () if cam is None or m is None else self._feet_readable(cam, m, reliable)
        if cam is None or m is None or not readable:
            for buf in self._feet.values():
                buf.clear()
            return {}
        if self._prior[0] is not cam:
            self._prior = (cam, prior_cameras(cam))
        prior = self._prior[1]
        out: dict[str, tuple[float, float, float]] = {}
        img = m.image
        drop = hips_drop(cam, float(img.hip_y_px))  # the foot points sit a little higher with bent knees
        planted = dict(zip(SIDES, self.tracker.feet_planted(), strict=True))
        fit = dict(zip(SIDES, self._feet_fit, strict=True))
        for side, buf in self._feet.items():
            # on its ball or away from its place, or its points not on it as measured (its standing told):
            # the picture's rule does not hold
            if not (side in readable and planted[side] and fit[side]) or side in self._feet_turned:
                buf.clear()
                continue

            def point(name: str, side: str = side) -> tuple[float, float]:
                return (float(getattr(img, f"{side}_{name}_x_px")), float(getattr(img, f"{side}_{name}_y_px")))

            reading = foot_reading(cam, prior, point("toe"), point("ankle"), point("heel"), side, drop)
            while buf and not (t_s - FEET_SMOOTH_S < buf[0][0] <= t_s):
                buf.popleft()
            if math.isfinite(reading[0]):
                buf.append((t_s, *reading))
            if buf:
                a = np.array([b[1:] for b in buf], dtype=np.float64)
                out[side] = (float(np.median(a[:, 0])), float(np.median(a[:, 1])), float(np.median(a[:, 2])))
        return out

    def _size(self, bgr: np.ndarray | None) -> tuple[int, int]:
        if bgr is not None and bgr.ndim >= 2 and bgr.shape[0] > 0 and bgr.shape[1] > 0:
            self.frame_size = (int(bgr.shape[1]), int(bgr.shape[0]))
        return self.frame_size or DEFAULT_FRAME_SIZE

    def _session_hip(self) -> HipTurnout | None:
        n = len(self.tracker.hip_samples)
        if self._hip_cache[0] != n:
            self._hip_cache = (n, self.tracker.session_hip_estimate())
        return self._hip_cache[1]

    def _smoothed(self, pose: PoseFrame) -> PoseFrame:
        pose = _plausible(pose)
        if self._smooth_world is None or self._smooth_image is None:
            return pose
        if pose.world is None or pose.image is None:
            self._smooth_world.reset()
            self._smooth_image.reset()
            return pose
        # float32, as the store keeps them: what is measured now is what a re-analysis measures again
        world = self._smooth_world(pose.world, pose.timestamp_ms).astype(np.float32)
        image = np.array(pose.image, dtype=np.float32)
        image[:, :3] = self._smooth_image(pose.image[:, :3], pose.timestamp_ms)
        return PoseFrame(pose.index, pose.timestamp_ms, image, world, pose.people, pose.hem)

    def _follow(self, events: tuple[Any, ...], t_s: float) -> None:
        from turnout.practice import tracker as p

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
                for side in SIDES:
                    if math.isfinite(ev.rep.side(side).foot_twice_deg):  # read twice: hidden, or seen again
                        (self._feet_turned.add if ev.rep.foot_hidden(side) else self._feet_turned.discard)(side)
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


def prior_cameras(cam: Camera) -> tuple[Camera, ...]:
    """The cameras of :data:`turnout.practice.picture.PRIOR` for the picture ``cam`` was estimated from (none for a
    floor calibration's camera: it is measured, not assumed)."""
    if cam.calibrated or not all(map(math.isfinite, (cam.hip_y, cam.floor_y, cam.span_px))):
        return ()
    cams = (
        estimate_camera(cam.hip_y, cam.floor_y, cam.span_px, fov, height, facing=cam.facing) for height, fov in PRIOR
    )
    return tuple(c for c in cams if c is not None)


def foot_reading(
    cam: Camera,
    prior: tuple[Camera, ...],
    toe: tuple[float, float],
    ankle: tuple[float, float],
    heel: tuple[float, float] | None,
    side: str,
    drop: float = 0.0,
) -> tuple[float, float, float]:
    """:func:`turnout.practice.picture.foot_turnout_picture` with the prior's cameras worked out once per camera
    (:func:`prior_cameras`) instead of on every call: the same (deg, low, high), at a tenth of the cost per frame
    (``tests/test_display_rule.py`` checks they agree)."""
    deg = foot_direction_deg(cam, toe, ankle, side, heel, drop, MEDIAPIPE)
    if not math.isfinite(deg) or not foot_points_fit(cam, toe, ankle, heel, drop, MEDIAPIPE):
        return (math.nan, math.nan, math.nan)
    band = FOOT_P95_FLOOR_DEG if cam.calibrated else FOOT_P95_DEG
    low, high = deg - band, deg + band
    for other in prior:
        d = foot_direction_deg(other, toe, ankle, side, heel, drop, MEDIAPIPE)
        if math.isfinite(d):
            low, high = min(low, d), max(high, d)
    return (deg, low, high)


def limit_opencv_threads() -> None:
    """Run OpenCV's operations on the calling thread (``cv2.setNumThreads(1)``), process-wide.

    Its thread pool splits one frame's resize or colour conversion across both cores and then spins waiting for
    more work: about 1 ms of CPU a frame (``scripts/bench.py``, CPU by thread), taken from the pose model, which
    already keeps both cores of a laptop busy. Called where a process starts: the window, ``turnout analyze``.
    """
    import cv2

    cv2.setNumThreads(1)


_NO_IMAGE: Final = np.zeros((0, 0, 3), np.uint8)
#: Image coordinates further than this outside the picture (in frame widths or heights) are not landmarks.
MAX_ABS_IMAGE: Final = 10.0
_LEGS: Final = np.array(LOWER_BODY)


def _plausible(pose: PoseFrame) -> PoseFrame:
    """Coordinates no person has (infinite, over 10 m from the hips, 10 frames outside the picture) become nan
    before smoothing, so they restart the filter where they are instead of dragging it for a second after. A
    skeleton collapsed to a point (its legs within 1 cm) is no person at all, and a leg folded onto itself (a
    thigh or shank under 1 cm) is not seen, rather than blended into the smoothed pose as a made-up bend."""
    if pose.world is None or pose.image is None:
        return pose
    with np.errstate(invalid="ignore"):
        world_ok = np.abs(pose.world) <= MAX_ABS_COORD_M
        image_ok = np.abs(pose.image[:, :3]) <= MAX_ABS_IMAGE
    legs = pose.world[_LEGS][world_ok[_LEGS].all(axis=1)]
    if len(legs) >= 2 and float(np.ptp(legs, axis=0).max()) < MIN_SEGMENT_M:
        return PoseFrame(pose.index, pose.timestamp_ms, people=pose.people, hem=pose.hem)
    w = pose.world.astype(np.float64)
    for hip, knee, ankle, heel, toe in LEG.values():  # a thigh or shank of no length: that leg is not seen
        if not world_ok[[hip, knee, ankle]].all():
            continue
        if min(np.linalg.norm(w[knee] - w[hip]), np.linalg.norm(w[ankle] - w[knee])) < MIN_SEGMENT_M:
            world_ok[[knee, ankle, heel, toe]] = False
            image_ok[[knee, ankle, heel, toe]] = False
    if world_ok.all() and image_ok.all():
        return pose
    image = np.array(pose.image, dtype=np.float32)
    image[:, :3] = np.where(image_ok, image[:, :3], np.nan)
    world = np.where(world_ok, pose.world, np.nan).astype(np.float32)
    return PoseFrame(pose.index, pose.timestamp_ms, image, world, pose.people, pose.hem)


class FacingOrder:
    """Whether the pose model's left and right can be trusted: not until :data:`FACING_STEADY_S` after the last frame
    it put her left shoulder and hip on her right (:data:`turnout.measure.image.BACK`).

    Seen from directly behind, MediaPipe takes her back for her front on many frames and switches between the two
    (studio renders from behind, session 9: reversed on 22 of 60, 83 of 158 and 60 of 60 frames of three clips, the
    front order in runs of up to 1.4 s; a demi-plié from behind was counted). Facing the camera, the order holds: no
    reversed frame in the studio's front scenes but barre_tendu_low (32 of 212, as a leg reaches toward its low lens),
    nor in the real ballet clips. A dancer who turns her back is away for longer than a frame, and one who
    faces the camera does not swap sides: a swap means the model is unsure which way she faces, so frames are
    measured again only once the order has held as long as a demi-plié takes (2 s). The limit: a body the model reads
    as facing the camera throughout (the petite render from behind, 94 of 94 frames) is not caught."""

    def __init__(self) -> None:
        self._last_back = -math.inf
        #: whether her head was out of the picture at the last swap (the model had no face to go by)
        self.headless = False

    def trusted(self, t_s: float, facing: float, headless: bool = False) -> bool:
        if facing == BACK or t_s < self._last_back:  # (a stream started again earlier: its own history)
            self._last_back = t_s if facing == BACK else -math.inf
            self.headless = headless and facing == BACK
        return t_s - self._last_back >= FACING_STEADY_S


#: How long the pose model's left-right order must hold after a swap before her frames are measured (FacingOrder).
FACING_STEADY_S: Final = 2.0


_END: Final = object()
STAND_STILL: Final = "Stand tall in first position facing the camera (finding your standing height)"
#: Shown when she is seen from behind: nothing is measured then (from the side: her profile, turnout.practice.profile).
FACE_CAMERA: Final = "Turn to face the camera: nothing is measured from behind"
#: Side-on, what the frame check says that does not stop her pliés being counted: she is turned from the camera, and
#: her far leg hides behind the near one (its points are not seen: "Step back until your feet are in view").
SIDE_ON_TIPS: Final = frozenset({TURNED, FEET_IN_VIEW})
#: Shown while she is turned three-quarter from the camera (``turnout.measure.image.THREE_QUARTER``, or her hips turned
#: more than ``turnout.pose.guidance.MAX_YAW_DEG``): her pliés and relevés are counted (``turnout.practice.barre``),
#: her knees and feet are not judged.
TURNED_COUNTED: Final = "Face the camera to have your knees and feet judged (your pliés and relevés are still counted)"
#: Shown instead when the pose model's left and right swapped while her head was out of the picture: every such frame
#: we have (three studio scenes, none of the real clips) was of a dancer facing the camera
#: (``turnout.pose.guidance.HEAD_IN_VIEW``).
HEAD_UNSURE: Final = (
    "Step back or tilt the camera up until your head is in view: without your face the camera cannot tell your front "
    "from your back"
)
#: A foot's length in legs (a foot is 0.26-0.30 of a leg: 23-25 cm for a leg of 0.8-0.9 m): heels further apart than
#: this are in second position, where the heels stay down in a grand plié.
FOOT_LEGS: Final = 0.29
#: The picture size assumed when a replay is given none (the common 16:9 webcam); docs/measurements.md.
DEFAULT_FRAME_SIZE: Final = (1280, 720)


def _last_error(recorder: Recorder | None) -> str | None:
    """The recorder's latest write failure (:attr:`turnout.storage.store.SessionRecorder.errors`), if it keeps any."""
    errors = getattr(recorder, "errors", None)
    return str(errors[-1]) if errors else None


def _mean_hip(hip: HipTurnout | None) -> float | None:
    if hip is None:
        return None
    values = [v for v in (hip.left_deg, hip.right_deg) if math.isfinite(v)]
    return sum(values) / len(values) if values else None
