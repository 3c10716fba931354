"""The real processor: the core :class:`~turnout.session.pipeline.Pipeline` with a session store while recording.

Qt-free (it runs on the processing thread). While recording, a :class:`~turnout.storage.store.SessionRecorder` is the
pipeline's recorder: every frame's measurements and landmarks go to the store in batches, each rep and hold
is committed as it ends, and flagged reps get a clip beside the database. ``close`` ends the session with its
last rep and clips.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

from turnout.capture.live import Captured
from turnout.capture.sources import Frame, FrameSource, open_source
from turnout.session.dancer import update_hip_profile
from turnout.session.engine import Detected, SourceSpec
from turnout.session.floor_memory import FloorMemory, FloorNotice, default_path
from turnout.session.pipeline import FrameResult, Pipeline
from turnout.settings import Settings
from turnout.storage.store import SessionInfo, SessionRecorder, StorageError, Store

#: What the dancer is told when she clears the floor calibration, or calibrates it by clicking.
CLEARED = "Floor calibration cleared: measuring in uncalibrated 3D"
CLICKED = "Floor calibrated from the corners you clicked"


class RealProcessor:
    """Pose model + pipeline for one run; a stored session while recording.

    Live, it runs in two stages (:class:`~turnout.session.engine.Staged`): :meth:`detect` (the model) on the
    runner's processing thread and :meth:`complete` (the rest) on its second thread; every other method (the
    commands: recording, the floor, the baseline) is called on the second, between two frames.

    On a camera, the floor calibration is kept across sessions (:class:`~turnout.session.floor_memory.FloorMemory`,
    in the data folder beside the database): taken up again while the camera has not moved, saved when she
    calibrates, forgotten when it no longer holds. A video file neither takes it up nor saves its own.
    ``estimator`` replaces the pose model (tests)."""

    def __init__(self, spec: SourceSpec, model_path: Path, settings: Settings, db_path: Path | None,
                 dancer: str = "", estimator: Any = None) -> None:  # fmt: skip
        self.spec = spec
        self.settings = settings
        self.db_path = db_path
        self.dancer = dancer or None
        self.model_path = model_path
        if estimator is None:
            from turnout.capture import cores
            from turnout.pose.estimator import PoseEstimator

            plan = cores.reserved()  # the window reserved the model a core of its own (turnout.capture.cores)
            estimator = PoseEstimator(  # live: the look never delays a frame
                model_path,
                people_background=True,
                model_cores=plan.model if plan is not None else None,
                shared=True,  # one model for every run of the window (closing gives it back, reset)
            )
        self.estimator = estimator
        self.store: Store | None = None
        self.recorder: SessionRecorder | None = None
        hip = None
        if db_path is None or db_path.exists():
            with Store.open(db_path) as store:
                dancers = dict((n, i) for i, n in store.dancers())
                if self.dancer in dancers:
                    hip = store.hip_profile(dancers[self.dancer])
        self.pipeline = Pipeline(self.estimator, settings, hip=hip)
        self._size: tuple[int, int] | None = None
        self.memory: FloorMemory | None = None
        self._notices: list[FloorNotice] = []
        if spec.camera is not None:
            folder = db_path.parent if db_path is not None else None
            self.memory = FloorMemory(default_path(folder), spec.label)
            notice = self.memory.restore(self.pipeline.floor)
            if notice is not None:
                self._notices.append(notice)

    def process(self, captured: Captured) -> FrameResult:
        """One frame, start to end: :meth:`complete` of :meth:`detect` (what the live runner does on two threads)."""
        return self.complete(self.detect(captured))

    def detect(self, captured: Captured) -> Detected:
        """The first stage: the pose model on one frame (the live runner's processing thread, on the model's core).
        Touches nothing but the model, so it runs beside :meth:`complete` of the frame before."""
        return self.pipeline.pose(captured)

    def complete(self, detected: Detected) -> FrameResult:
        """The second stage: everything after the model (smoothing, measurements, reps, flags, the floor, storage),
        on every detected frame in order, on a thread of its own. With :meth:`detect` it gives what
        ``Pipeline.process`` gives for the same frame (``tests/test_live_stages.py``)."""
        pose, bgr, captured_at, pose_ms = detected
        h, w = bgr.shape[:2]
        self._size = (w, h)
        result = self.pipeline.process_pose(pose, bgr, captured_at=captured_at, pose_ms=pose_ms)
        if self.memory is not None:
            self._notices += self.memory.follow(self.pipeline.floor, result.events)
        if self._notices:
            t_s = result.timestamp_ms / 1000.0
            notices = tuple(replace(n, t_s=t_s) for n in self._notices)
            self._notices = []
            result = replace(result, events=(*result.events, *notices))
        return result

    # -- the floor calibration -----------------------------------------------------------------------
    def search_floor(self, reference: str) -> None:
        self.pipeline.floor.search(reference)

    def cancel_floor_search(self) -> None:
        self.pipeline.floor.cancel_search()

    def set_floor(self, calibration: Any, frame_bgr: Any) -> None:
        self.pipeline.floor.set(calibration, frame_bgr, reason=CLICKED)

    def clear_floor(self) -> None:
        self.pipeline.floor.clear(reason=CLEARED)

    def set_recording(self, on: bool) -> None:
        if on and self.recorder is None:
            from turnout.pose.model import sha256_file

            self.store = Store.open(self.db_path)
            w, h = self._size or (None, None)
            info = SessionInfo(
                source=self.spec.label, dancer=self.dancer, width=w, height=h, mirrored=self.spec.mirrored_input,
                model_sha256=sha256_file(self.model_path), settings=self.settings,
            )  # fmt: skip
            sid = self.store.create_session(info)
            self.store.set_start_state(sid, self.pipeline.tracker.baseline, self.pipeline.tracker.hip)
            self.recorder = SessionRecorder(self.store, sid, clip_settings=self.settings.clips)
            if self.pipeline.tracker.baseline is not None:
                self.store.set_baseline(sid, self.pipeline.tracker.baseline)
            if self.pipeline.floor.calibration is not None:  # calibrated before recording: the session says so
                self.store.set_calibration(sid, self.pipeline.floor.calibration.to_dict())
            self.pipeline.recorder = self.recorder
        elif not on and self.recorder is not None:
            self.pipeline.recorder = None
            self.recorder.close()
            self.recorder = None
            if self.store is not None:
                if self.dancer:  # her hip profile, as after a file or a re-analysis (turnout.session.dancer)
                    # derived from the stored reps alone: a write that fails (a full disk) loses nothing, the next
                    # session's end computes it again
                    with suppress(StorageError):
                        update_hip_profile(self.store, self.store.ensure_dancer(self.dancer), self.settings)
                self.store.close()
                self.store = None

    def request_baseline(self) -> None:
        self.pipeline.tracker.request_baseline()

    def close(self) -> None:
        if self.recorder is not None:
            self.pipeline.finish()
        self.set_recording(False)
        self.estimator.close()
        from turnout.pose.runtime import release_free_memory

        # the run's decoder, frames and model buffers went back to malloc, which would keep them, fragmented
        # across its threads' arenas: the window grew by megabytes per opened video (issue 19, item 10)
        release_free_memory()


class RealEngine:
    """Opens cameras and files with :func:`turnout.capture.sources.open_source`; a :class:`RealProcessor` per run.

    ``config()`` is read at each start, so changed settings apply the next time a source is started.
    """

    def __init__(self, config: Any) -> None:
        self.config = config

    def open_source(self, spec: SourceSpec) -> FrameSource:
        if spec.path is not None:
            return open_source(spec.path, mirrored=spec.mirrored_input)
        return open_source(int(spec.camera or 0), mirrored=spec.mirrored_input)

    @staticmethod
    def prepare_frame(frame: Frame) -> Frame:
        """The frame converted for the pose model (on the live runner's capture thread, off the model's)."""
        from turnout.pose.estimator import prepare_image

        return Frame(frame.index, frame.timestamp_ms, frame.bgr, prepare_image(frame.bgr))

    def create_processor(self, spec: SourceSpec) -> RealProcessor:
        c = self.config
        return RealProcessor(spec, c.model_path(), c.settings, c.db_path, c.prefs.dancer)
