"""Truth from the posed scene (never from Turnout's geometry): points, angles and phases per frame.

The format is documented in ``docs/studio-format.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .camera import Camera
from .posing import SIDES, Posed, floor_angle, outward
from .script import FrameState

POINTS = ("hip", "knee", "ankle", "heel", "toe")
#: Points recorded besides (for the profile view): each shoulder joint, and the head bone's head (the top of the
#: neck, about under the ears).
UPPER_POINTS = ("left_shoulder", "right_shoulder", "head")
KNEE_DIRECTION_MIN_FLEXION_DEG = 5.0  # a straighter knee has no direction to speak of
FORMAT = "turnout-studio-truth"
VERSION = 2  # 2: expected.releves, tendus, position_holds and their counts; holds[].kind


def knee_flexion(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> float:
    a, b = hip - knee, ankle - knee
    c = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    return 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, c))))


def knee_direction(side: str, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> float:
    """Direction of the perpendicular from the hip-ankle line to the knee, on the floor (outward positive)."""
    u = (ankle - hip) / np.linalg.norm(ankle - hip)
    perp = (knee - hip) - float((knee - hip) @ u) * u
    return floor_angle(side, perp)


def knee_over_toe(side: str, heel: np.ndarray, toe: np.ndarray, knee: np.ndarray) -> float:
    """Signed floor distance from the heel->toe line to the knee; positive inside (toward the midline)."""
    u = (toe - heel)[:2] / np.linalg.norm((toe - heel)[:2])
    inside = outward(side) * np.array([u[1], -u[0]])  # the foot's direction turned 90 degrees toward the midline
    return float((knee - heel)[:2] @ inside)


def torso_lean(joints: dict[str, np.ndarray]) -> float:
    """Her torso's line in her own sagittal plane: mid-hip joint -> mid-shoulder joint against the vertical, degrees,
    forward (toward -y, where she faces) positive."""
    hip = 0.5 * (joints["left_hip"] + joints["right_hip"])
    shoulder = 0.5 * (joints["left_shoulder"] + joints["right_shoulder"])
    d = shoulder - hip
    return math.degrees(math.atan2(-float(d[1]), float(d[2])))


def legs_open(joints: dict[str, np.ndarray]) -> float:
    """The angle between her two legs' hip joint -> ankle joint lines seen from above (on the floor), degrees: a
    straddle's opening (legs straight ahead and parallel: 0)."""
    a = (joints["left_ankle"] - joints["left_hip"])[:2]
    b = (joints["right_ankle"] - joints["right_hip"])[:2]
    c = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


@dataclass(slots=True)
class TruthRecorder:
    """Collects per-frame truth while a clip is rendered."""

    camera: Camera
    mirrored: bool
    rest_heel_z: tuple[float, float]
    frames: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.frames = {"t_s": [], "action": [], "phase": [], "points": {}, "left": {}, "right": {},
                       "total_foot_turnout_deg": [], "hip_height_m": [], "pelvis_tilt_deg": [],
                       "torso_lean_deg": [], "legs_open_deg": []}  # fmt: skip

    def add(self, state: FrameState, posed: Posed) -> None:
        f = self.frames
        f["t_s"].append(round(state.t_s, 4))
        f["action"].append(state.action)
        f["phase"].append(state.phase)
        j = posed.joints
        for side in SIDES:
            for name in POINTS:
                key = f"{side}_{name}"
                p = f["points"].setdefault(key, {"px": [], "world_m": []})
                px = self.camera.project(j[key])
                if self.mirrored:
                    px[0] = (self.camera.width - 1) - px[0]
                p["px"].append([round(float(px[0]), 3), round(float(px[1]), 3)])
                p["world_m"].append([round(float(v), 5) for v in j[key]])
        for key in UPPER_POINTS:
            p = f["points"].setdefault(key, {"px": [], "world_m": []})
            px = self.camera.project(j[key])
            if self.mirrored:
                px[0] = (self.camera.width - 1) - px[0]
            p["px"].append([round(float(px[0]), 3), round(float(px[1]), 3)])
            p["world_m"].append([round(float(v), 5) for v in j[key]])
        f["pelvis_tilt_deg"].append(_r(state.pose.pelvis_deg))
        f["torso_lean_deg"].append(_r(torso_lean(j)))
        f["legs_open_deg"].append(_r(legs_open(j)))
        turn = {}
        for i, side in enumerate(SIDES):
            hip, knee, ankle, heel, toe = (j[f"{side}_{n}"] for n in POINTS)
            flex = knee_flexion(hip, knee, ankle)
            kd = knee_direction(side, hip, knee, ankle) if flex >= KNEE_DIRECTION_MIN_FLEXION_DEG else math.nan
            turn[side] = floor_angle(side, toe - heel)
            leg = state.pose.leg(side)
            vals = {
                "foot_turnout_deg": turn[side], "hip_rotation_deg": leg.hip_rotation_deg, "knee_direction_deg": kd,
                "forced_turnout_deg": turn[side] - leg.hip_rotation_deg, "knee_flexion_deg": flex,
                "knee_over_toe_offset_m": knee_over_toe(side, heel, toe, knee),
                "heel_height_m": float(heel[2]), "heel_lift_m": float(heel[2] - self.rest_heel_z[i]),
                "toe_height_m": float(toe[2]),
            }  # fmt: skip
            for k, v in vals.items():
                f[side].setdefault(k, []).append(_r(v))
        f["total_foot_turnout_deg"].append(_r(turn["left"] + turn["right"]))
        f["hip_height_m"].append(_r(0.5 * float(j["left_hip"][2] + j["right_hip"][2])))

    def finish(self) -> dict[str, Any]:
        f = self.frames
        hips = np.array(f["hip_height_m"], float)
        standing = [h for h, ph, a in zip(hips, f["phase"], f["action"], strict=True)
                    if ph == "standing" and a in ("stand", "hold")]  # fmt: skip
        ref = float(np.median(standing)) if standing else float(hips.max())
        toe_z = np.array(f["left"]["toe_height_m"], float)
        f["hip_drop_m"] = [_r(ref - h) for h in hips]
        f["hip_drop_frac"] = [_r((ref - h) / (ref - float(np.median(toe_z)))) for h in hips]
        f["standing_hip_height_m"] = _r(ref)
        return f


def _r(v: float, nd: int = 5) -> float | None:
    return round(float(v), nd) if math.isfinite(v) else None
