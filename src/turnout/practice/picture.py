"""What a plié looks like in the picture: a camera model from the standing dancer, foot directions on the floor,
and each knee's direction against its foot (docs/measurements.md, "In the picture"; docs/thresholds.md).

Lengths are in pixels (positions relative to the picture's centre, as ``turnout.measure.image`` gives them) or in
"legs" (her standing hip-to-toe height in the picture); angles in degrees. Pure functions, no state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

#: A webcam's horizontal field of view is 60-78 degrees; 70 is the middle (docs/measurements.md).
FOV_DEG: Final = 70.0
FOV_RANGE: Final = (60.0, 78.0)
#: Camera height in legs: a webcam 0.6-1.4 m up and a leg (hip to floor) of about 0.85 m give 0.7-1.65.
CAM_HEIGHT: Final = 1.15
CAM_HEIGHT_RANGE: Final = (0.7, 1.65)
#: Where MediaPipe puts its ankle and foot_index landmarks, as heights above the floor (legs), measured with the
#: studio (17 scenes, both feet, standing frames, true camera): the ankle landmark at 0.102 (p10-p90 0.100-0.114;
#: the ankle joint itself is at 0.085, the landmark sits 1-3 cm above it), the toe landmark at 0.029
#: (0.024-0.036). Taking the ankle at the joint's height instead reads every foot about 8 degrees too straight.
ANKLE_HEIGHT: Final = 0.085
TOE_HEIGHT: Final = 0.0
#: Ankles closer than this in the picture (legs) overlap: one leg is in front of the other (fifth position, crossed
#: legs) and the picture cannot tell which knee or foot is which. MediaPipe's ankle points, 5th-95th percentile of
#: every frame: first position (heels together) 0.13-0.17 legs on the studio, 0.15-0.22 on ballet_plie; fifth
#: 0.04-0.07 on the studio. 0.09 lies between, with margin on both sides.
LEGS_OVERLAP: Final = 0.09
#: Every camera of the prior (height x field of view), for the spread of a verdict.
PRIOR: Final = tuple((h, f) for h in CAM_HEIGHT_RANGE for f in FOV_RANGE)


@dataclass(frozen=True, slots=True)
class Camera:
    """A pinhole camera looking at the dancer: focal length ``f`` (px), principal point at the picture's centre
    (the origin of the positions), no roll, ``height`` above the floor and ``dist`` to her feet (legs), ``pitch``
    downwards (radians)."""

    f: float
    height: float
    pitch: float
    dist: float

    def to_plane(self, u: float, v: float, z: float) -> tuple[float, float]:
        """Picture point (px from the centre) to (X to the picture's right, Y away from the camera) on the
        horizontal plane ``z`` legs above the floor."""
        rx, ry = u / self.f, v / self.f
        cp, sp = math.cos(self.pitch), math.sin(self.pitch)
        fwd = cp - ry * sp
        up = -(ry * cp + sp)
        lam = (z - self.height) / up if up != 0 else math.nan
        return lam * rx, lam * fwd

    def depression(self, v: float) -> float:
        """The angle below horizontal of the ray through picture row ``v`` (radians)."""
        return self.pitch + math.atan(v / self.f)


def focal_px(frame_width_px: float, fov_deg: float = FOV_DEG) -> float:
    return (frame_width_px / 2.0) / math.tan(math.radians(fov_deg) / 2.0)


def estimate_camera(
    hip_y: float, floor_y: float, frame_width_px: float, fov_deg: float = FOV_DEG, cam_height: float = CAM_HEIGHT
) -> Camera | None:
    """The camera from the standing dancer: focal length from the field of view, height from the prior (legs),
    pitch and distance from where her hips (one leg up) and her toes (the floor) appear on one vertical line.
    Assumptions: no roll, she stands upright, the mid-hip point is one leg above the toes' floor point.
    ``None`` when the picture allows no such camera."""
    if not (math.isfinite(hip_y) and math.isfinite(floor_y) and floor_y > hip_y and frame_width_px > 0):
        return None
    f = focal_px(frame_width_px, fov_deg)
    a_f, a_h = math.atan(floor_y / f), math.atan(hip_y / f)
    c = cam_height
    # pitch p with tan(p + a_f) / c == tan(p + a_h) / (c - 1) (both are 1 / distance)
    lo = max(-math.pi / 2 + 0.01 - a_h, -math.pi / 2 + 0.01 - a_f, -1.2)
    hi = min(math.pi / 2 - 0.01 - a_f, 1.2)
    if not lo < hi:
        return None
    ps = np.linspace(lo, hi, 4000)
    g = np.tan(ps + a_f) * (c - 1) - np.tan(ps + a_h) * c
    roots = np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:]))
    roots = roots[np.tan(ps[roots] + a_f) > 0]
    pitch = float(ps[roots[0]]) if roots.size else -a_h
    dist = c / math.tan(pitch + a_f) if math.tan(pitch + a_f) > 0 else math.nan
    return Camera(f, c, pitch, dist)


def foot_direction_deg(cam: Camera, toe: tuple[float, float], ankle: tuple[float, float], side: str) -> float:
    """A foot's direction on the floor, degrees out from "toward the camera", outward positive (she faces the
    camera): the ankle point taken :data:`ANKLE_HEIGHT` up, the toe point :data:`TOE_HEIGHT` up. The ankle sits above
    the foot's axis and stays visible with the heels together, where the heel point is hidden (MediaPipe's heel
    point is its weakest in a front view)."""
    if not all(math.isfinite(x) for x in (*toe, *ankle)):
        return math.nan
    tx, ty = cam.to_plane(toe[0], toe[1], TOE_HEIGHT)
    bx, by = cam.to_plane(ankle[0], ankle[1], ANKLE_HEIGHT)
    dx, dy = tx - bx, ty - by
    outward = dx if side == "left" else -dx  # her left is the picture's right
    return math.degrees(math.atan2(outward, -dy))


def knee_direction_deg(
    cam: Camera,
    knee0: tuple[float, float],
    ankle0: tuple[float, float],
    knee: tuple[float, float],
    ankle: tuple[float, float],
    side: str,
) -> float:
    """The knee's direction at the bottom of a plié, degrees out from "toward the camera", outward positive.

    The shank keeps its length: standing (``knee0``, ``ankle0``) it is upright and its picture length is its
    length times the cosine of the camera's depression there. At the bottom the picture shows its sideways part
    and its vertical part; the rest of its length went forward (she faces the camera, knees travel forward over
    the toes). The direction is atan2(sideways, forward)."""
    if not all(math.isfinite(x) for x in (*knee0, *ankle0, *knee, *ankle)):
        return math.nan
    phi0 = cam.depression((knee0[1] + ankle0[1]) / 2)
    phib = cam.depression((knee[1] + ankle[1]) / 2)
    length = math.hypot(knee0[0] - ankle0[0], knee0[1] - ankle0[1]) / max(math.cos(phi0), 0.2)
    sign = 1.0 if side == "left" else -1.0  # outward: her left is the picture's right
    side_px = sign * (knee[0] - ankle[0])
    # (the sideways part at the bottom, not its travel from standing: on the studio's second positions, where the
    # hips lie between wide ankles, the travel mixes in the thighs' own change and reads worse, docs/thresholds.md)
    up_px = -(knee[1] - ankle[1])
    rest = math.sqrt(max(length * length - side_px * side_px, 1e-9))
    beta = math.acos(max(-1.0, min(1.0, up_px / rest))) - phib  # the shank's forward lean from vertical
    forward = rest * math.sin(max(beta, 0.0))
    return math.degrees(math.atan2(side_px, forward))


def wrap_deg(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0 if math.isfinite(a) else math.nan


@dataclass(frozen=True, slots=True)
class KneeVerdict:
    """One leg at the bottom of a plié: its knee's and foot's directions (nominal camera), the knee against the
    foot (negative: the knee points inside its foot) and that difference's range over the camera prior."""

    knee_deg: float = math.nan
    foot_deg: float = math.nan
    rel_deg: float = math.nan
    rel_low_deg: float = math.nan
    rel_high_deg: float = math.nan


def knee_verdict(
    hip_y: float,
    floor_y: float,
    frame_width_px: float,
    standing: tuple[tuple[float, float], tuple[float, float], tuple[float, float]],
    bottom: tuple[tuple[float, float], tuple[float, float]],
    side: str,
) -> KneeVerdict:
    """``standing``: (knee, ankle, toe) before the plié; ``bottom``: (knee, ankle) at its bottom; positions in
    px from the picture's centre; ``hip_y``, ``floor_y`` of the standing dancer for the camera model."""
    rels = []
    nominal = (math.nan, math.nan, math.nan)
    for height, fov in ((CAM_HEIGHT, FOV_DEG), *PRIOR):
        cam = estimate_camera(hip_y, floor_y, frame_width_px, fov, height)
        if cam is None:
            continue
        foot = foot_direction_deg(cam, standing[2], standing[1], side)
        knee = knee_direction_deg(cam, standing[0], standing[1], bottom[0], bottom[1], side)
        rel = wrap_deg(knee - foot)
        if (height, fov) == (CAM_HEIGHT, FOV_DEG) and not math.isfinite(nominal[2]):
            nominal = (knee, foot, rel)
        else:
            rels.append(rel)
    finite = [r for r in rels if math.isfinite(r)]
    if not math.isfinite(nominal[2]) or not finite:
        return KneeVerdict(*nominal)
    every = [*finite, nominal[2]]
    return KneeVerdict(nominal[0], nominal[1], nominal[2], min(every), max(every))
