"""Pose estimation: MediaPipe Tasks ``PoseLandmarker`` in VIDEO mode, one frozen result per frame."""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from turnout.capture import cores
from turnout.pose.landmarks import NUM_LANDMARKS
from turnout.pose.runtime import POOL, Lent, captured_native_stderr, close_quietly, keep_offline, model_identity

if TYPE_CHECKING:
    from turnout.pose.people import PeopleCounter

#: Columns of ``PoseFrame.image``.
IMAGE_COLUMNS = ("x", "y", "z", "visibility", "presence")


def _frozen(a: np.ndarray, shape: tuple[int, int], name: str) -> np.ndarray:
    with np.errstate(over="ignore"):  # a value beyond float32 becomes inf: not a landmark, said so downstream
        arr = np.asarray(a, dtype=np.float32)
    if arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got shape={arr.shape}")
    arr = arr.copy() if arr.base is not None or arr.flags.writeable else arr
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True)
class PoseFrame:
    """Landmarks of one frame, or no person (``image`` and ``world`` both ``None``).

    ``image``: (33, 5) float32, columns x, y (normalised to the frame's width and height), z, visibility,
    presence. ``world``: (33, 3) float32, metres, origin between the hips, x to image right, y down,
    z away from the camera. Left and right are the dancer's own.
    """

    index: int
    timestamp_ms: int
    image: np.ndarray | None = None
    world: np.ndarray | None = None
    #: Number of people the model found (0, 1, or more when asked to look for more than one).
    people: int = 0
    #: (left, right) how far each leg's silhouette reaches outward from its ankle, in legs, from the latest
    #: second look that measured it (``turnout.pose.people.hem_reach``: trousers over the heels); ``nan`` unknown.
    hem: tuple[float, float] = (math.nan, math.nan)

    def __post_init__(self) -> None:
        if (self.image is None) != (self.world is None):
            raise ValueError("PoseFrame: image and world landmarks must both be given or both be None")
        if self.image is not None and self.world is not None:
            object.__setattr__(self, "image", _frozen(self.image, (NUM_LANDMARKS, 5), "image landmarks"))
            object.__setattr__(self, "world", _frozen(self.world, (NUM_LANDMARKS, 3), "world landmarks"))

    @property
    def detected(self) -> bool:
        return self.image is not None

    @property
    def visibility(self) -> np.ndarray | None:
        return None if self.image is None else self.image[:, 3]


def prepare_image(bgr: np.ndarray) -> Any:
    """A BGR frame as the pose model takes it (RGB, in MediaPipe's image), made on any thread
    (:meth:`PoseEstimator.prepare`)."""
    import cv2
    from mediapipe.tasks.python.vision.core.image import Image, ImageFormat

    return Image(ImageFormat.SRGB, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


class PoseEstimator:
    """Tasks ``PoseLandmarker`` in VIDEO mode. Use as a context manager; timestamps are made monotonic.

    The model tracks one person. About once a second of video (``people_check_s``) a second, cheap look
    (:class:`turnout.pose.people.PeopleCounter`) counts the people in view, so ``PoseFrame.people`` is 2 while
    someone else is in the picture (and the guidance asks for one person only). Live, pass
    ``people_background=True``: the look then runs on its own thread and never delays a frame. For files add
    ``people_answer_after=K``: the look still runs beside the model, and its answer is taken K frames later,
    so that a recording gives the same counts every time. ``model_cores``: the model's own CPU
    (:mod:`turnout.capture.cores`); it is opened there, and each thread that calls it moves there.

    ``shared=True`` (the window: one run per opened video or camera start): the MediaPipe models are borrowed
    from the process's pool (:data:`turnout.pose.runtime.POOL`) and given back by :meth:`close`, so the next run
    with the same options uses them again instead of building new ones (each build and close left megabytes of
    fragmented memory behind: issue 19, item 10). The graph keeps state from frame to frame, and a new user gets
    the landmarks a new model would give: given back, the graph gets one blank frame (nobody on it: the tracked
    region is dropped, the next frame is searched afresh, the image landmarks' filter restarts); the next user's
    timestamps start ``RESET_GAP_MS`` later (the world landmarks' filter, which the blank frame does not reach,
    then takes the new value as it is); the visibility filter, which nothing resets, is undone on the new user's
    first frames (:meth:`_fresh_visibility`). Timestamps given to the graph keep increasing for its whole life,
    as VIDEO mode wants. Measured: the same frames after another video give a new model's image landmarks and
    presence bit for bit, its visibility within 3e-7 and its world landmarks within 1e-6 m
    (``tests/test_pose_shared.py``).

    >>> with PoseEstimator(model_path) as est:          # doctest: +SKIP
    ...     pose = est.process(bgr_frame, timestamp_ms=0)
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        *,
        num_poses: int = 1,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        people_check_s: float | None = 1.0,
        people_background: bool = False,
        people_answer_after: int | None = None,
        model_cores: Collection[int] | None = None,
        shared: bool = False,
    ) -> None:
        from turnout.errors import ModelError
        from turnout.pose.model import check_bundle

        self._call_lock = threading.Lock()
        path = check_bundle(Path(model_path))
        keep_offline()
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import pose_landmarker as pl
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

        options = pl.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=VisionTaskRunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=False,
        )
        native_log: list[str] = []

        def create() -> Any:
            with captured_native_stderr() as log:
                try:
                    # opened on the model's core, if it has one: MediaPipe's inference threads start there
                    return cores.call_on(model_cores, lambda: pl.PoseLandmarker.create_from_options(options))
                finally:
                    native_log.extend(log)

        try:
            if shared:
                key = (
                    "video", model_identity(path), num_poses, min_detection_confidence, min_presence_confidence,
                    min_tracking_confidence, frozenset(model_cores) if model_cores else None,
                )  # fmt: skip
                self._lent = POOL.take(key, create)
            else:
                self._lent = Lent(create(), None)
        except (RuntimeError, ValueError, OSError) as exc:
            first = (str(exc).strip().splitlines() or native_log[-1:] or [type(exc).__name__])[0]
            raise ModelError(
                f"pose model {path} could not be loaded ({first}): run `make model` to rebuild it"
            ) from None
        self._landmarker: Any = self._lent.landmarker
        self.shared = shared
        #: added to every timestamp given to the graph: a shared one carries on after its previous user's
        used = self._lent.last_ts >= 0
        self._offset = self._lent.last_ts + 1 + (RESET_GAP_MS if used else 0)
        #: the graph's visibility filter as the previous user left it (undone on this one's first frames)
        self._stale_visibility: np.ndarray | None = self._lent.state.get("visibility") if used else None
        self._visibility_fix: np.ndarray | None = None
        self.model_path = path
        #: the model called on this thread, without MediaPipe's executor hop (see DirectDetector); None: public API
        self._direct = DirectDetector.of(self._landmarker)
        #: the second look for another person in view (see turnout.pose.people); None when switched off
        self.people: PeopleCounter | None = None
        if people_check_s is not None and num_poses == 1:
            from turnout.pose.people import PeopleCounter

            self.people = PeopleCounter(
                path,
                interval_s=people_check_s,
                background=people_background,
                answer_after=people_answer_after,
                shared=shared,
            )
        self._last_ts = -1
        self._quiet = True
        self._closed = False
        #: the model's own core (turnout.capture.cores); each thread that calls the model is moved there once
        self.model_cores = frozenset(model_cores) if model_cores else None
        self._pinned: set[int] = set()

    @staticmethod
    def prepare(bgr: np.ndarray) -> Any:
        """The frame as the model takes it (RGB, in MediaPipe's image): pass it to :meth:`process` as
        ``prepared`` when it was made on another thread (0.5 ms a 1280x720 frame off the model's thread)."""
        return prepare_image(bgr)

    def process(self, bgr: np.ndarray, timestamp_ms: int, index: int = 0, prepared: Any = None) -> PoseFrame:
        """Run the model on one BGR frame (``prepared``: the same frame from :meth:`prepare`, if made already).
        Timestamps that do not increase are nudged forward by 1 ms."""
        if self._closed:
            raise RuntimeError("PoseEstimator is closed")
        if self.model_cores is not None and threading.get_ident() not in self._pinned:
            self._pinned.add(threading.get_ident())
            cores.pin_this_thread(self.model_cores)
        ts = int(timestamp_ms)
        if ts <= self._last_ts:
            ts = self._last_ts + 1
        self._last_ts = ts
        image = prepared if prepared is not None else self.prepare(bgr)
        if self._quiet:
            # The graph logs set-up warnings on its first frames, the last one on the first frame with a
            # person ("Using NORM_RECT without IMAGE_DIMENSIONS ..."); keep them off the dancer's terminal.
            with captured_native_stderr():
                pose = self._detect(image, ts, index, int(timestamp_ms))
            self._quiet = not pose.detected
        else:
            pose = self._detect(image, ts, index, int(timestamp_ms))
        if self.people is not None:
            seen = self.people.update(bgr, ts, pose.image)
            if pose.detected:
                people = seen if seen is not None and seen > pose.people else pose.people
                pose = PoseFrame(pose.index, pose.timestamp_ms, pose.image, pose.world, people, self.people.hem)
        return pose

    def _detect(self, image: Any, ts: int, index: int, timestamp_ms: int) -> PoseFrame:
        graph_ts = ts + self._offset
        if self._direct is None:
            result = self._landmarker.detect_for_video(image, graph_ts)
            self._lent.last_ts = graph_ts
            pose = to_pose_frame(result, index=index, timestamp_ms=timestamp_ms)
            if self.shared and pose.image is not None:
                pose = PoseFrame(index, timestamp_ms, self._fresh_visibility(pose.image), pose.world, pose.people)
            return pose
        with self._call_lock:  # close() on another thread waits for a call in flight (the executor did that)
            if self._closed:
                raise RuntimeError("PoseEstimator is closed")
            self._lent.last_ts = graph_ts  # given to the graph, even if the call fails
            people, image_lm, world_lm = self._direct(image, graph_ts)
        if image_lm is None:
            return PoseFrame(index=index, timestamp_ms=timestamp_ms)
        if self.shared:
            image_lm = self._fresh_visibility(image_lm)
        return PoseFrame(index, timestamp_ms, image_lm, world_lm, people)

    def _fresh_visibility(self, image_lm: np.ndarray) -> np.ndarray:
        """A shared graph's visibility as a new graph would give it. MediaPipe smooths each landmark's visibility
        with a low-pass filter (``v = a x + (1 - a) v_prev``, ``a = VISIBILITY_ALPHA``) that starts from the first
        value it sees and is never reset; a graph used before starts this run from the last visibility of the
        previous one. From that (kept in the pool) the first raw value is recovered, and the difference, which
        the filter shrinks by ``1 - a`` a frame, is added back until it is gone (within 1e-7)."""
        raw = image_lm[:, 3].astype(np.float64)
        self._lent.state["visibility"] = raw
        if self._stale_visibility is not None:  # this run's first frame with a person
            first = (raw - (1.0 - VISIBILITY_ALPHA) * self._stale_visibility) / VISIBILITY_ALPHA
            self._visibility_fix = first - raw
            self._stale_visibility = None
        elif self._visibility_fix is not None:
            self._visibility_fix = self._visibility_fix * (1.0 - VISIBILITY_ALPHA)
        fix = self._visibility_fix
        if fix is None:
            return image_lm
        if not np.any(np.abs(fix) > 1e-7):  # NaN (no visibility) compares false
            self._visibility_fix = None
            return image_lm
        out = image_lm.copy()
        out[:, 3] = np.clip(raw + np.nan_to_num(fix), 0.0, 1.0)
        return out

    def close(self) -> None:
        """Close the model, or give a shared one back to the pool, reset (see the class)."""
        with self._call_lock:
            if self._closed:
                return
            self._closed = True
        if self.shared and self._reset_graph():
            POOL.give_back(self._lent)
        elif self.shared:
            close_quietly(self._landmarker)
        else:
            self._landmarker.close()
        if self.people is not None:
            self.people.close()

    def _reset_graph(self) -> bool:
        """Empty the graph's state for its next user: one blank frame, on which nobody is found, drops the
        tracked region (the next frame is searched afresh) and resets the landmark smoothing filters. False when
        that failed (the graph is then closed, not kept)."""
        if self._lent.last_ts < self._offset:
            return True  # never given a frame: nothing to reset
        ts = self._lent.last_ts + 1
        try:
            image = self.prepare(_BLANK)
            self._lent.last_ts = ts
            if self._direct is not None:
                people = self._direct(image, ts)[0]
            else:
                people = len(self._landmarker.detect_for_video(image, ts).pose_landmarks)
        except Exception:  # a graph that cannot take a blank frame is not kept
            return False
        return people == 0

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # Closing here keeps MediaPipe from printing a TypeError at interpreter exit.
        if not getattr(self, "_closed", True):
            self.close()


#: The frame that resets a shared graph between two runs (nobody on it).
_BLANK = np.zeros((256, 256, 3), np.uint8)
#: Milliseconds of graph time between two users of a shared graph: the world landmarks' one-euro filter, which
#: the blank frame does not reset, then sees a gap so long that it takes the new first value as it is.
RESET_GAP_MS = 1_000_000_000
#: The weight of a new value in MediaPipe's visibility low-pass filter (pose landmarker graph, 1.x).
VISIBILITY_ALPHA = 0.1


class DirectDetector:
    """``PoseLandmarker.detect_for_video`` called on the caller's own thread, the landmarks read straight into
    arrays.

    MediaPipe 1.x's Python API hands every C call to a one-thread executor and waits for it, then builds a
    Python object for each landmark and frees the result with a second executor call. Each hop must take
    Python's global lock back, and while another thread runs Python code (the rest of Turnout's pipeline)
    that wait lasts up to the interpreter's switch interval (5 ms): measured on this 2-core machine, a busy
    Python thread beside the model took ``detect_for_video`` from 11.3 to 38 ms a frame, and to 16.5 ms when
    called here (docs/performance.md, session 3). The C function is the same one, with the same arguments,
    and the results are bit-identical (``tests/test_pose_e2e.py``). Calls must come from one thread at a time
    (as the executor ensured); ``PoseEstimator`` holds a lock around each call and its ``close``.

    ``DirectDetector.of(landmarker)`` returns None when the installed MediaPipe's internals differ from
    what this expects; the caller then uses the public API.
    """

    def __init__(self, landmarker: Any) -> None:
        from mediapipe.tasks.python.core.mediapipe_c_utils import handle_status
        from mediapipe.tasks.python.vision import pose_landmarker as pl

        raw = landmarker._lib._lib  # the ctypes library behind the executor (SerialDispatcher)
        self._landmarker = landmarker
        self._call = raw.MpPoseLandmarkerDetectForVideo
        self._close_result = raw.MpPoseLandmarkerCloseResult
        self._error_free = raw.MpErrorFree
        self._handle_status = handle_status
        self._result_type = pl.MpPoseLandmarkerResultC
        if self._call.argtypes is None or self._close_result.argtypes is None:
            raise AttributeError("signatures not registered")

    @classmethod
    def of(cls, landmarker: Any) -> DirectDetector | None:
        try:
            return cls(landmarker)
        except (AttributeError, ImportError):
            return None

    def __call__(self, image: Any, timestamp_ms: int = 0) -> tuple[int, np.ndarray | None, np.ndarray | None]:
        """(people, image landmarks (33, 5) of the first, world landmarks (33, 3) of the first)."""
        import ctypes

        result = self._result_type()
        error = ctypes.c_char_p()
        handle = self._landmarker._handle
        status = self._call(handle, image._image_ptr, None, timestamp_ms, ctypes.byref(result), ctypes.byref(error))
        try:
            self._handle_status(status, error)
        finally:
            if error.value is not None:
                self._error_free(error)
        try:
            people = int(result.pose_landmarks_count)
            if people == 0 or result.pose_world_landmarks_count == 0:
                return people, None, None
            first_image, first_world = result.pose_landmarks[0], result.pose_world_landmarks[0]
            return people, _landmark_array(first_image, 5), _landmark_array(first_world, 3)
        finally:
            self._close_result(ctypes.byref(result))


def _landmark_array(landmarks: Any, columns: int) -> np.ndarray:
    """x, y, z (and visibility, presence: NaN when absent) of one person's C landmark list, copied out."""
    import ctypes

    n = int(landmarks.landmarks_count)
    struct = landmarks.landmarks._type_
    dtype = _c_dtype(struct)
    address = ctypes.cast(landmarks.landmarks, ctypes.c_void_p).value
    if n == 0 or not address:
        return np.full((0, columns), np.nan, dtype=np.float32)
    rows = np.frombuffer(memoryview((ctypes.c_char * (n * dtype.itemsize)).from_address(address)), dtype=dtype)
    out = np.empty((n, columns), dtype=np.float32)
    out[:, 0], out[:, 1], out[:, 2] = rows["x"], rows["y"], rows["z"]
    if columns == 5:
        out[:, 3] = np.where(rows["has_visibility"], rows["visibility"], np.nan)
        out[:, 4] = np.where(rows["has_presence"], rows["presence"], np.nan)
    return out


@functools.cache
def _c_dtype(struct: Any) -> np.dtype[Any]:
    """A numpy view of MediaPipe's C landmark struct: its float and bool fields at their offsets (the name
    pointer is left out)."""
    import ctypes

    kinds = {ctypes.c_float: np.float32, ctypes.c_bool: np.bool_}
    fields = [(name, kinds[ctype]) for name, ctype in struct._fields_ if ctype in kinds]
    return np.dtype(
        {
            "names": [name for name, _ in fields],
            "formats": [kind for _, kind in fields],
            "offsets": [getattr(struct, name).offset for name, _ in fields],
            "itemsize": ctypes.sizeof(struct),
        }
    )


def to_pose_frame(result: Any, index: int, timestamp_ms: int) -> PoseFrame:
    """Convert a Tasks ``PoseLandmarkerResult`` into a :class:`PoseFrame` (first person only)."""
    people = len(result.pose_landmarks)
    if people == 0:
        return PoseFrame(index=index, timestamp_ms=timestamp_ms)

    def val(v: float | None) -> float:
        return float("nan") if v is None else float(v)

    image = np.array(
        [[val(p.x), val(p.y), val(p.z), val(p.visibility), val(p.presence)] for p in result.pose_landmarks[0]],
        dtype=np.float32,
    )
    world = np.array([[val(p.x), val(p.y), val(p.z)] for p in result.pose_world_landmarks[0]], dtype=np.float32)
    return PoseFrame(index=index, timestamp_ms=timestamp_ms, image=image, world=world, people=people)
