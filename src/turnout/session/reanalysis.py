"""Re-analysis of a stored session: its reps, holds and flags found again (new settings, newer Turnout), without
the pose model.

The stored landmarks go through the same :class:`~turnout.session.pipeline.Pipeline` as the camera and video files
(:meth:`~turnout.session.pipeline.Pipeline.process_pose`), from the state the session started from (its baseline
and the dancer's hip profile as they were then), so unchanged settings give the session back exactly: the same
reps, kinds, flags, and clips linked to the same reps. A session with no stored landmarks is re-analysed from its
stored per-frame measurements, through the practice tracker alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from turnout.errors import TurnoutError
from turnout.measure.measures import MODE_COLUMN, FrameMeasurement
from turnout.pose.estimator import PoseFrame
from turnout.practice.baseline import Baseline
from turnout.practice.hip import HipTurnout
from turnout.practice.holds import HoldSummary
from turnout.practice.reps import RepSummary
from turnout.practice.tracker import analyze_rows, is_reliable
from turnout.session.dancer import update_hip_profile
from turnout.session.pipeline import Pipeline
from turnout.settings import Settings
from turnout.storage.store import FrameTable, PoseTable, SessionRow, Store, hem_names

if TYPE_CHECKING:
    from turnout.floor.reference import FloorCalibration

#: Where a re-analysis takes its frames from.
SOURCES = ("auto", "landmarks", "measurements")


@dataclass(frozen=True, slots=True)
class ReanalysisResult:
    session_id: int
    #: "landmarks" (the stored pose track through the pipeline) or "measurements" (stored per-frame rows)
    source: str
    reps_before: int
    reps: int
    flagged_reps: int
    holds: int


class StoredFloor:
    """The floor of a replayed session: its frames that were measured on the calibrated floor are measured on the
    session's calibration again, the others in uncalibrated mode. Stands in for the pipeline's live
    :class:`~turnout.floor.state.FloorState` (nothing to search for, nothing to follow)."""

    def __init__(self, calibration: FloorCalibration, frames: set[int]) -> None:
        from turnout.floor.floormode import FloorCamera

        self.calibration = calibration
        self.camera = FloorCamera.from_calibration(calibration)
        self.frames = frames
        #: the index of the frame being replayed (set before each one)
        self.frame = -1

    def update(self, bgr: np.ndarray | None, t_s: float) -> tuple[Any, ...]:
        return ()

    def measure(self, world: np.ndarray, image: np.ndarray, visibility: np.ndarray | None) -> FrameMeasurement | None:
        if self.frame not in self.frames:
            return None
        from turnout.floor.floormode import measure_frame_on_floor

        return measure_frame_on_floor(world, image, visibility, self.calibration, self.camera)

    def guidance(self) -> tuple[str, ...]:
        return ()


@dataclass(slots=True)
class _Collected:
    reps: list[RepSummary]
    holds: list[HoldSummary]
    baseline: Baseline | None


def replay_landmarks(
    table: FrameTable,
    poses: PoseTable,
    settings: Settings,
    baseline: Baseline | None,
    hip: HipTurnout | None,
    floor: StoredFloor | None = None,
    frame_size: tuple[int, int] | None = None,
) -> _Collected:
    """Every stored frame, in order, through the pipeline after the pose model: the stored (already checked and
    smoothed) landmarks where there are some, an empty frame where there were none, each with its stored
    reliability verdict. ``frame_size``: (width, height) of the session's pictures, for the measurements made in
    pixels."""
    from turnout.floor.state import FloorState

    pipeline = Pipeline(None, settings, baseline=baseline, hip=hip, replay=True, frame_size=frame_size,
                        floor=floor if floor is not None else FloorState())  # type: ignore[arg-type]  # fmt: skip
    at = {int(i): k for k, i in enumerate(poses.idx)}
    t_ms = np.rint(table.t_s * 1000.0).astype(np.int64)
    # her hem came from the pose model's mask, which is not kept: as stored (nan for sessions stored before)
    nan = np.full(len(table.idx), np.nan)
    hems = [table.values.get(n, nan) for n in hem_names()]
    for k, idx in enumerate(table.idx):
        j = at.get(int(idx))
        if j is None:
            pose = PoseFrame(int(idx), int(t_ms[k]))
        else:
            hem = (float(hems[0][k]), float(hems[1][k]))
            pose = PoseFrame(int(idx), int(t_ms[k]), poses.image[j], poses.world[j], 1, hem)
        if floor is not None:
            floor.frame = int(idx)
        pipeline.process_pose(pose, reliable=bool(table.reliable[k]))
    pipeline.finish(float(table.t_s[-1]) if len(table.t_s) else None)
    t = pipeline.tracker
    return _Collected(list(t.reps), list(t.holds), t.baseline)


def _stored_floor(session: SessionRow, table: FrameTable) -> StoredFloor | None:
    """The session's floor, when some of its frames were measured on it."""
    mode = table.values.get(MODE_COLUMN)
    if mode is None or not bool(np.any(mode == 1.0)):
        return None
    if not session.calibration:
        raise TurnoutError(f"session {session.id}: its floor calibration was not stored; re-analyse it from "
                           "--source measurements")  # fmt: skip
    from turnout.floor.reference import FloorCalibration

    frames = {int(i) for i, m in zip(table.idx, mode, strict=True) if m == 1.0}
    return StoredFloor(FloorCalibration.from_dict(dict(session.calibration)), frames)


def _replay_rows(
    table: FrameTable, settings: Settings, baseline: Baseline | None, hip: HipTurnout | None
) -> _Collected:
    rows = list(table.rows())
    reliable = [is_reliable(r, bool(ok)) for r, ok in zip(rows, table.reliable, strict=True)]
    result = analyze_rows(table.t_s.tolist(), rows, reliable, settings, baseline, hip)
    return _Collected(list(result.reps), list(result.holds), result.baseline)


def start_state(store: Store, session: SessionRow, rebaseline: bool) -> tuple[Baseline | None, HipTurnout | None]:
    """The baseline and hip profile the re-analysis starts from: what the session started from, as stored (a session
    recorded before that was kept: no baseline, the dancer's current profile). ``rebaseline`` starts without a
    baseline, so the standing baseline is found again from the frames."""
    stored = store.start_state(session.id)
    if stored is not None:
        baseline, hip = stored
    else:
        baseline = None
        hip = store.hip_profile(session.dancer_id) if session.dancer_id is not None else None
    return (None if rebaseline else baseline), hip


def reanalyze_session(
    store: Store, session_id: int, settings: Settings, *, source: str = "auto", rebaseline: bool = False
) -> ReanalysisResult:
    """Find a stored session's reps, holds and flags again with ``settings`` (no pose inference) and replace the
    stored ones; the dancer's hip profile is updated. ``source``: "auto" (the stored landmarks when there are
    some, else the stored measurements), "landmarks" or "measurements"."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    session = store.get_session(session_id)
    if session.status == "recording" and session_id not in store.recover_interrupted():
        raise TurnoutError(f"session {session_id} is still being recorded; re-analyse it when it has ended")
    table = store.frames(session_id)
    if len(table.idx) == 0:
        raise TurnoutError(f"session {session_id} has no stored frames to re-analyse")
    baseline, hip = start_state(store, session, rebaseline)
    poses = store.poses(session_id) if source != "measurements" else None
    if poses is not None:
        found, used = (
            replay_landmarks(table, poses, settings, baseline, hip, _stored_floor(session, table)),
            "landmarks",
        )
    elif source == "landmarks":
        raise TurnoutError(f"session {session_id}: no stored pose track to measure again; re-analyse it from "
                           "--source measurements")  # fmt: skip
    else:
        found, used = _replay_rows(table, settings, baseline, hip), "measurements"
    store.replace_analysis(session_id, found.reps, found.holds, found.baseline, settings)
    update_hip_profile(store, session.dancer_id, settings)
    return ReanalysisResult(session_id, used, session.n_reps, len(found.reps), _flagged(found.reps), len(found.holds))


def _flagged(reps: Sequence[RepSummary]) -> int:
    return sum(1 for r in reps if r.flags)
