"""Re-analysis of a stored session: its reps, holds and flags measured again with new settings, without the pose
model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from turnout.errors import TurnoutError
from turnout.measure.measures import MODE_COLUMN
from turnout.practice.baseline import Baseline
from turnout.practice.hip import estimate_hip_turnout
from turnout.practice.tracker import analyze_rows, is_reliable
from turnout.settings import Settings
from turnout.storage.store import Store

if TYPE_CHECKING:
    from turnout.floor.reference import FloorCalibration


@dataclass(frozen=True, slots=True)
class ReanalysisResult:
    session_id: int
    #: "measurements" (stored per-frame rows) or "landmarks" (stored pose track through the geometry)
    source: str
    reps_before: int
    reps: int
    flagged_reps: int
    holds: int


def _series_from_landmarks(
    store: Store, session_id: int, floor: tuple[FloorCalibration, set[int]] | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """Measure the stored landmarks again: in 3D, and with ``floor`` = (calibration, frame indices) those frames
    on the calibrated floor."""
    poses = store.poses(session_id)
    if poses is None:
        return None
    try:
        from turnout.measure.geometry import measure_series  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return None
    image = poses.image.astype(np.float64)
    world = poses.world.astype(np.float64)
    series = measure_series(world, image[:, :, :3], image[:, :, 3])
    out = {k: np.asarray(v, dtype=np.float64) for k, v in series.items()}
    out[MODE_COLUMN] = np.where(np.isfinite(out["left_knee_flexion_deg"]) | np.isfinite(out["right_knee_flexion_deg"]),
                                0.0, math.nan)  # fmt: skip
    if floor is not None:
        from turnout.floor.floormode import FloorCamera, measure_frame_on_floor

        cal, on_floor = floor
        cam = FloorCamera.from_calibration(cal)
        for i, idx in enumerate(poses.idx):
            if int(idx) not in on_floor:
                continue
            row = measure_frame_on_floor(world[i], image[i, :, :3], image[i, :, 3], cal, cam).as_row()
            for k, v in row.items():
                out[k][i] = v
    return poses.idx, out


def reanalyze_session(
    store: Store, session_id: int, settings: Settings, *, source: str = "auto", rebaseline: bool = False
) -> ReanalysisResult:
    """Recompute reps, holds and flags of a stored session with ``settings`` (no pose inference) and replace
    the stored ones. ``source``: "auto" (landmarks if stored and the geometry is available, else
    measurements), "landmarks" or "measurements". The dancer's hip-turnout profile is updated.

    A session measured on a calibrated floor is re-analysed from its measurements under "auto"; with
    "landmarks" its floor-calibrated frames are measured again on the session's (last) floor calibration."""
    session = store.get_session(session_id)
    if session.status == "recording" and session_id not in store.recover_interrupted():
        raise TurnoutError(f"session {session_id} is still being recorded; re-analyse it when it has ended")
    table = store.frames(session_id)
    if len(table.idx) == 0:
        raise TurnoutError(f"session {session_id} has no stored frames to re-analyse")
    values, used = table.values, "measurements"
    # Floor-calibrated frames were measured with the calibration of their time; the session keeps its last one.
    stored_mode = values.get(MODE_COLUMN)
    on_floor = stored_mode is not None and bool(np.any(stored_mode == 1.0))
    if on_floor and source == "auto":
        source = "measurements"  # as measured, each with its own calibration: re-measuring could only guess it
    floor: tuple[FloorCalibration, set[int]] | None = None
    if on_floor and source == "landmarks":
        if not session.calibration:
            raise TurnoutError(f"session {session_id}: its floor calibration was not stored; re-analyse it from "
                               "--source measurements")  # fmt: skip
        from turnout.floor.reference import FloorCalibration

        assert stored_mode is not None
        frames = {int(i) for i, m in zip(table.idx, stored_mode, strict=True) if m == 1.0}
        floor = (FloorCalibration.from_dict(dict(session.calibration)), frames)
    if source in ("auto", "landmarks"):
        found = _series_from_landmarks(store, session_id, floor)
        if found is not None:
            pose_idx, series = found
            pos = np.searchsorted(table.idx, pose_idx)
            ok = (pos < len(table.idx)) & (table.idx[np.minimum(pos, len(table.idx) - 1)] == pose_idx)
            values = {n: np.full(len(table.idx), math.nan) for n in series}
            for n, v in series.items():
                values[n][pos[ok]] = v[ok]
            used = "landmarks"
        elif source == "landmarks":
            raise TurnoutError(f"session {session_id}: no stored pose track, or no geometry module, to re-measure")
    names = list(values)
    rows = [dict(zip(names, (float(x) for x in r), strict=True)) for r in np.stack([values[n] for n in names], 1)]
    reliable = [is_reliable(r, bool(ok)) for r, ok in zip(rows, table.reliable, strict=True)]
    baseline: Baseline | None = None if rebaseline else session.baseline
    hip = store.hip_profile(session.dancer_id) if session.dancer_id is not None else None
    result = analyze_rows(table.t_s.tolist(), rows, reliable, settings, baseline, hip)
    store.replace_analysis(session_id, result.reps, result.holds, result.baseline, settings)
    if session.dancer_id is not None:
        est = estimate_hip_turnout(store.hip_samples(session.dancer_id, settings.hip.recent_reps), settings.hip)
        if est is not None:
            store.save_hip_profile(session.dancer_id, est)
    flagged = sum(1 for r in result.reps if r.flags)
    return ReanalysisResult(session_id, used, session.n_reps, len(result.reps), flagged, len(result.holds))
