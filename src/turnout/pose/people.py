"""Is anyone else in view? A cheap second look for a second person, about once a second.

The pose estimator tracks one person (``num_poses=1``: a second one is never seen). Measuring turnout with
someone else in the picture is unsafe (the tracker may jump to them), so :class:`PeopleCounter` runs a
second ``PoseLandmarker`` in IMAGE mode with ``num_poses=2`` on a downscaled frame, at most once per
``interval_s`` of video time, and keeps the count until the next look (two people until
:data:`CLEAR_AFTER` looks in a row see one).

Where the look runs: inline (``background=False``) on the thread that calls it; live (``background=True``, the
window) on a thread of its own, so a look never holds up the frame being processed: its answer is taken on
the first frame after it is ready (a look is due once a second and takes ~20 ms). For a recording,
``background=True, answer_after=K`` runs the look beside the pose model too, but takes its answer exactly K
frames after the frame it looked at (waiting for it then if need be), so the same file always gives the
same counts. Background looks run at a lower priority (``LOOK_NICE``, Linux), so on two cores they take
the time the pose model leaves idle rather than turns with it.

A look costs about 20 ms (full model, 640 px wide, 2 cores; more with two people in view), so about
0.7-0.9 ms per frame on average at 25-30 fps. Two
detections count as two people only when their torsos are more than one torso length apart: MediaPipe
sometimes returns the same person twice. Figures (false second persons on single-person clips, cost,
recall on two people) are in ``docs/reliability.md``.

The look also asks the model for her silhouette (its segmentation mask) and measures, at her tracked landmarks of the
frame it looked at, how far each leg's silhouette reaches outward above its ankle (:func:`hem_reach`): trousers that
hang over her heels (``turnout.practice.plie.HEM_LEGS``), under which the pose model's heel point lies on the cloth.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Final

import numpy as np

from turnout.capture import cores
from turnout.pose import landmarks as lm
from turnout.pose.runtime import POOL, Lent, close_quietly, model_identity

#: Seconds of video between two looks.
INTERVAL_S: Final = 1.0
#: Frames are downscaled to this width first (the detector sees 224 x 224 anyway).
MAX_WIDTH: Final = 640
#: Detection confidence of the second look: lower than the tracker's 0.5, since a second person is often
#: smaller or half in view; duplicates are removed by :func:`distinct_people`.
MIN_DETECTION_CONFIDENCE: Final = 0.2
MIN_PRESENCE_CONFIDENCE: Final = 0.5
#: Two poses are two people when their torso centres are further apart than this many torso lengths.
MIN_SEPARATION: Final = 1.0
#: Once two people were seen, this many looks in a row must see one before the count drops: a look misses
#: a second person now and then (about one in three on a dancer beside another), and a person just seen
#: is most likely still there.
CLEAR_AFTER: Final = 2

#: Background looks run this much lower in priority than the rest (Linux nice steps; 0: the same).
LOOK_NICE: Final = 10

#: Repeatable mode gives up waiting for a look after this long (a look takes ~20 ms; this only guards a hang).
LOOK_TIMEOUT_S: Final = 30.0

_TORSO: Final = (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP)

#: Trousers over her heels, from the look's silhouette (the pose model's segmentation mask; docs/measurements.md,
#: "Trousers over the heels, from the silhouette"): each leg's silhouette is followed straight outward from its ankle
#: point (away from the other ankle), this far up the shank (legs: above the foot, whose outline reaches sideways at
#: the floor), to where the mask falls under :data:`MASK_ON`; its reach, in legs (hip to ankle in the picture), is
#: her "hem". Standing, 103 studio recordings read 0.033-0.061 (leotards, leggings, bare legs, straight trousers),
#: flared trousers 0.084-0.131, the real teacher's 0.096-0.106 (``scripts/hem_study.py``).
HEM_UP_LEGS: Final = 0.05
MASK_ON: Final = 0.5
#: A look measures the hem only when both knees are this straight in the picture (degrees of bend, hip-knee-ankle):
#: in a plié the thigh crosses the row above the ankle.
HEM_STRAIGHT_DEG: Final = 10.0
NO_HEM: Final = (math.nan, math.nan)


def _torso(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and length of a pose's torso; ``points`` (33, 2) in pixels."""
    shoulders = (points[lm.LEFT_SHOULDER] + points[lm.RIGHT_SHOULDER]) / 2
    hips = (points[lm.LEFT_HIP] + points[lm.RIGHT_HIP]) / 2
    return points[list(_TORSO)].mean(axis=0), float(np.linalg.norm(shoulders - hips))


def _bend_deg(p: np.ndarray, hip: int, knee: int, ankle: int) -> float:
    u, v = p[hip] - p[knee], p[ankle] - p[knee]
    n = float(np.linalg.norm(u) * np.linalg.norm(v))
    if not n > 0:
        return math.nan
    return 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, float(u @ v) / n))))


def hem_reach(mask: np.ndarray, points: np.ndarray) -> tuple[float, float]:
    """(left, right): each leg's silhouette reach outward from its ankle point (:data:`HEM_UP_LEGS` up the shank),
    in legs; ``mask`` (h, w) the person's segmentation (1 on her), ``points`` (33, 2) her landmarks in the mask's
    pixels. ``nan`` for both unless both knees are seen straight (:data:`HEM_STRAIGHT_DEG`), and for a leg whose
    other ankle is not there."""
    h, w = mask.shape[:2]
    legs = ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE))
    if not all(_bend_deg(points, *leg) < HEM_STRAIGHT_DEG for leg in legs):
        return NO_HEM
    out = []
    for k, (hip, knee, ankle) in enumerate(legs):
        a, other = points[ankle], points[legs[1 - k][2]]
        leg = float(np.linalg.norm(points[hip] - a))
        shank = float(np.linalg.norm(points[knee] - a))
        if not (np.isfinite(other).all() and leg > 0 and shank > 0):
            out.append(math.nan)
            continue
        centre = a + HEM_UP_LEGS * leg * (points[knee] - a) / shank
        step = 1.0 if a[0] >= other[0] else -1.0
        t = 0
        while t < 0.5 * leg:
            x, y = round(float(centre[0]) + step * t), round(float(centre[1]))
            if not (0 <= x < w and 0 <= y < h) or mask[y, x] < MASK_ON:
                break
            t += 1
        out.append(t / leg)
    return out[0], out[1]


def distinct_people(poses: list[np.ndarray]) -> int:
    """How many of ``poses`` (each (33, 2), pixels) are different people (the same one found twice counts once)."""
    kept: list[tuple[np.ndarray, float]] = []
    for p in poses:
        if not np.all(np.isfinite(p[list(_TORSO)])):
            continue
        centre, size = _torso(p)
        if all(float(np.linalg.norm(centre - c)) > MIN_SEPARATION * max(size, s) for c, s in kept):
            kept.append((centre, size))
    return len(kept)


class PeopleCounter:
    """Counts people in view every ``interval_s`` seconds of video time; the count holds in between.

    >>> counter = PeopleCounter(model_path)            # doctest: +SKIP
    >>> counter.update(bgr, timestamp_ms=0)            # doctest: +SKIP
    1
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        *,
        interval_s: float = INTERVAL_S,
        max_width: int = MAX_WIDTH,
        background: bool = False,
        answer_after: int | None = None,
        shared: bool = False,
    ) -> None:
        self.model_path = Path(model_path)
        self.background = background
        self.answer_after = answer_after if background else None
        self.interval_s = interval_s
        self.max_width = max_width
        opener = self._open_lower if background else self._open
        #: shared: borrowed from the process's pool and given back by close (IMAGE mode keeps no state between
        #: looks), see turnout.pose.runtime.LandmarkerPool
        self._lent: Lent | None = None
        if shared:
            self._lent = POOL.take(("people", model_identity(self.model_path), background), opener)
            self._landmarker: Any = self._lent.landmarker
        else:
            self._landmarker = opener()
        self._last_ms: float = -math.inf
        #: frames seen by :meth:`update` (with or without a look)
        self.frames = 0
        self._fewer = 0
        #: people seen by the latest look (None before the first)
        self.people: int | None = None
        #: (left, right) her hem from the latest look that measured one (:func:`hem_reach`); ``nan`` before
        self.hem: tuple[float, float] = NO_HEM
        #: what the latest look saw, for the hem: its segmentation masks and poses (normalised), on the look's thread
        self._seen: tuple[list[np.ndarray], list[np.ndarray]] | None = None
        #: looks taken and the milliseconds they took in all (the cost, for benchmarks and docs)
        self.looks = 0
        self.total_ms = 0.0
        self._quiet = True
        # background looks: the frame waiting for the worker, the answers it has not handed over yet
        self._cond = threading.Condition()
        self._pending: tuple[np.ndarray, np.ndarray | None] | None = None
        self._answers: list[tuple[int, tuple[float, float]] | None] = []  # None: the look failed
        self._due: deque[int] = deque()  # answer_after: the frame on which each look in flight is taken
        self._stop = False
        self._worker: threading.Thread | None = None
        #: looks skipped because the previous one was still running (background only)
        self.skipped = 0
        #: the first error a background look raised (its looks then count nobody extra)
        self.error: str | None = None

    def _open_lower(self) -> Any:
        """:meth:`_open` on a thread of lower priority (``LOOK_NICE``), so that the model's own threads, which
        MediaPipe starts from there, inherit it: on two cores a look then runs in the time the pose model
        leaves idle instead of taking turns with it. Linux only (elsewhere nice is per process)."""
        if not sys.platform.startswith("linux") or LOOK_NICE <= 0:
            return self._open()

        def lower() -> None:
            try:
                tid = threading.get_native_id()
                os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + LOOK_NICE)
            except OSError:
                pass  # not allowed here: the look just keeps the normal priority

        return cores.on_new_thread(self._open, lower, "turnout-people-open")

    def _open(self) -> Any:
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import pose_landmarker as pl
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

        from turnout.pose.runtime import captured_native_stderr, keep_offline

        keep_offline()
        options = pl.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=VisionTaskRunningMode.IMAGE,
            num_poses=2,
            min_pose_detection_confidence=MIN_DETECTION_CONFIDENCE,
            min_pose_presence_confidence=MIN_PRESENCE_CONFIDENCE,
            output_segmentation_masks=True,  # her silhouette, for the hem (:func:`hem_reach`)
        )
        with captured_native_stderr():
            return pl.PoseLandmarker.create_from_options(options)

    def count(self, bgr: np.ndarray) -> int:
        """Look now: the number of people in ``bgr`` (0, 1 or 2)."""
        import cv2
        from mediapipe.tasks.python.vision.core.image import Image, ImageFormat

        from turnout.pose.runtime import captured_native_stderr

        if self._landmarker is None:
            raise RuntimeError("PeopleCounter is closed")
        t0 = time.perf_counter()
        h, w = bgr.shape[:2]
        if w > self.max_width:
            bgr = cv2.resize(bgr, (self.max_width, max(1, round(h * self.max_width / w))), interpolation=cv2.INTER_AREA)
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        if self._quiet:  # the graph logs set-up warnings up to its first person, as in PoseEstimator
            with captured_native_stderr():
                result = self._landmarker.detect(Image(ImageFormat.SRGB, rgb))
            self._quiet = len(result.pose_landmarks) == 0
        else:
            result = self._landmarker.detect(Image(ImageFormat.SRGB, rgb))
        poses = [np.array([[p.x * w, p.y * h] for p in person], dtype=np.float64) for person in result.pose_landmarks]
        # copied: the view is MediaPipe's memory, which goes with the result
        masks = [np.array(m.numpy_view(), dtype=np.float32) for m in (result.segmentation_masks or [])]
        self._seen = (masks, [p / np.array([w, h], dtype=np.float64) for p in poses])
        self.looks += 1
        self.total_ms += (time.perf_counter() - t0) * 1e3
        return distinct_people(poses)

    def _hem_of(self, seen: int, image_lm: np.ndarray | None) -> tuple[float, float]:
        """Her hem from the look just taken (:meth:`count`'s masks) at her tracked landmarks of the same frame
        (``image_lm``, (33, >=2) normalised): the mask of the look's pose nearest her hips; none with someone else
        in view."""
        looked, self._seen = self._seen, None
        if image_lm is None or looked is None or seen != 1:
            return NO_HEM
        masks, poses = looked
        if not masks or len(masks) != len(poses):
            return NO_HEM
        mine = np.asarray(image_lm, dtype=np.float64)[:, :2]
        hips = mine[[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(axis=0)
        if not np.isfinite(hips).all():
            return NO_HEM
        k = min(
            range(len(poses)),
            key=lambda i: float(np.linalg.norm(poses[i][[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(axis=0) - hips)),
        )
        mask = masks[k].reshape(masks[k].shape[0], masks[k].shape[1])
        scale = np.array([mask.shape[1], mask.shape[0]], dtype=np.float64)
        return hem_reach(mask, mine * scale)

    def due(self, timestamp_ms: float) -> bool:
        """Whether a frame at ``timestamp_ms`` gets a look: ``interval_s`` of video time has passed since the
        last one (or time went back). Video time, not the clock: the same file gives the same counts."""
        return timestamp_ms < self._last_ms or timestamp_ms - self._last_ms >= self.interval_s * 1000.0

    def update(self, bgr: np.ndarray, timestamp_ms: float, image_lm: np.ndarray | None = None) -> int | None:
        """One frame: look when :meth:`due`; returns the latest count (None before the first look). ``image_lm``:
        her tracked landmarks on this frame ((33, >=2), normalised), for her hem (:attr:`hem`).

        In the background the look of this frame is answered on a later call; the frame is copied first."""
        self.frames += 1
        if self.due(timestamp_ms):
            self._last_ms = timestamp_ms
            if self.background:
                while self._due:  # repeatable mode: a look in flight is taken before the next one starts
                    self._wait_and_take()
                self._submit(bgr, image_lm)
                if self.answer_after is not None:
                    self._due.append(self.frames + self.answer_after)
            else:
                seen = self.count(bgr)
                self._take((seen, self._hem_of(seen, image_lm)))
        if self.answer_after is not None:
            while self._due and self.frames >= self._due[0]:
                self._wait_and_take()
        elif self.background:
            with self._cond:
                answers, self._answers = self._answers, []
            for answer in answers:
                self._take(answer)
        return self.people

    def _wait_and_take(self) -> None:
        """Repeatable mode: wait for the oldest look in flight and take its answer."""
        self._due.popleft()
        deadline = time.monotonic() + LOOK_TIMEOUT_S
        with self._cond:
            while not self._answers and time.monotonic() < deadline:
                self._cond.wait(timeout=0.5)
            answer = self._answers.pop(0) if self._answers else None
        if answer is None and self.error is None:
            self.error = f"a look took more than {LOOK_TIMEOUT_S:g} s"
        self._take(answer)

    def _take(self, answer: tuple[int, tuple[float, float]] | None) -> None:
        if answer is None:  # the look failed (see ``error``): the count holds
            return
        seen, hem = answer
        if all(math.isfinite(x) for x in hem):
            self.hem = hem
        crowded = self.people is not None and self.people >= 2
        self._fewer = self._fewer + 1 if crowded and seen < 2 else 0
        if not crowded or seen >= 2 or self._fewer >= CLEAR_AFTER:
            self.people, self._fewer = seen, 0

    def _submit(self, bgr: np.ndarray, image_lm: np.ndarray | None = None) -> None:
        if self._landmarker is None:
            raise RuntimeError("PeopleCounter is closed")
        with self._cond:
            if self._pending is not None:
                self.skipped += 1  # the worker has not started the previous look yet: this one replaces it
            self._pending = (bgr.copy(), None if image_lm is None else np.array(image_lm, dtype=np.float64))
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="turnout-people", daemon=True)
                self._worker.start()
            self._cond.notify()

    def _work(self) -> None:
        # started from the thread that calls the pose model, whose CPU (the model's own, turnout.capture.cores) it
        # would inherit: the look's resizing, conversion and landmarks go to the other CPUs, like its inference
        plan = cores.reserved()
        if plan is not None:
            cores.pin_this_thread(plan.others)
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                pending, self._pending = self._pending, None
                if self._stop or pending is None:
                    return
            frame, image_lm = pending
            answer: tuple[int, tuple[float, float]] | None = None
            try:
                seen = self.count(frame)
                answer = (seen, self._hem_of(seen, image_lm))
            except Exception as exc:  # a failed look must not end the live session
                self.error = self.error or f"{type(exc).__name__}: {exc}"
            with self._cond:
                self._answers.append(answer)
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=5.0)  # a look takes ~20 ms; the model must not close under it
        landmarker, self._landmarker = self._landmarker, None
        if landmarker is None:
            return
        if self._lent is not None and (self._worker is None or not self._worker.is_alive()):
            POOL.give_back(self._lent)  # no look in flight: kept for the next counter
        elif self._lent is not None:
            close_quietly(landmarker)
        else:
            landmarker.close()
