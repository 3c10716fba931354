"""Synthetic dancers with exact ground truth, for testing the geometry and everything downstream.

The generator is deliberately independent of :mod:`turnout.measure.geometry`: it builds a skeleton from anatomical
parameters in a *floor frame* (F forward, L the dancer's left, U up, floor at U = 0), turns the dancer
about the vertical (yaw), looks at her through a pinhole camera that may be pitched, and returns what
MediaPipe would: world landmarks (metres, origin between the hips, axes of the camera: x image right,
y down, z away from the camera), normalised image landmarks and visibility.

Model of a first-position plié (see ``docs/measurements.md``):

* both heels on the floor, a small gap apart; each foot points ``hip_turnout + forced`` outward of forward;
  ``foot_index`` lies on the floor ``foot_length_m`` from the heel; the ankle sits above the foot;
* each leg bends in the vertical plane through its ankle turned out by the hip turnout; the hips lie in
  those planes, ``hip_width_m`` apart across the body, at the height the thigh, shank and flexion give;
* the knee bulges in that plane toward the toes, so the knee's direction is exactly the hip turnout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from turnout.measure.measures import SIDES, FrameMeasurement, SideMeasurement
from turnout.pose import landmarks as lm

FloatArray = NDArray[np.float64]

_F = np.array([1.0, 0.0, 0.0])
_L = np.array([0.0, 1.0, 0.0])
_U = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True, slots=True)
class DancerParams:
    """Anatomy, pose and camera of one synthetic frame. Pairs are ``(left, right)``."""

    hip_turnout_deg: tuple[float, float] = (45.0, 45.0)
    forced_deg: tuple[float, float] = (0.0, 0.0)  # foot turnout = hip turnout + forced
    flexion_deg: tuple[float, float] = (0.0, 0.0)
    heel_lift_m: tuple[float, float] = (0.0, 0.0)  # heel raised, pivoting about foot_index
    heel_gap_m: float = 0.02
    hip_width_m: float = 0.20
    thigh_m: float = 0.44
    shank_m: float = 0.42
    ankle_height_m: float = 0.075
    heel_to_ankle_m: float = 0.055  # along the foot
    foot_length_m: float = 0.22  # heel to foot_index
    #: where the pose model puts its heel landmark: on the back of the heel, this far above the floor (real
    #: MediaPipe: about 4 cm, see turnout.floor.floormode.HEEL_ABOVE_TOE_M); the truth is unchanged
    heel_landmark_height_m: float = 0.0
    #: the picture's (image) foot and knee points where MediaPipe puts them, as the studio measured it
    #: (``turnout.practice.picture.MEDIAPIPE``, ``ANKLE_POINT_ABOVE``, ``KNEE_POINT_BELOW``; heights in legs, her
    #: standing hip height): the toe point up off the floor, the ankle point above the ankle joint, the heel point
    #: up the back of the heel (higher once the hips are down), the knee point below the knee joint standing and at
    #: it in a plié. The world landmarks and the truth stay at the joints. Off: every point at its joint.
    mediapipe_points: bool = False
    torso_m: float = 0.50
    shoulder_width_m: float = 0.34
    torso_lean_deg: float = 0.0  # forward lean of mid-hip -> mid-shoulder
    yaw_deg: float = 0.0  # dancer turned toward her left
    pitch_deg: float = 0.0  # camera tilted up
    camera_distance_m: float = 3.5
    image_size: tuple[int, int] = (1280, 720)
    hfov_deg: float = 65.0


@dataclass(frozen=True, slots=True, eq=False)
class SyntheticFrame:
    """What the pose model would report for one frame, and the truth behind it."""

    world: FloatArray  # (33, 3) MediaPipe world landmarks
    image: FloatArray  # (33, 3) normalised image landmarks
    visibility: FloatArray  # (33,)
    truth: FrameMeasurement
    up_world: FloatArray  # (3,) floor normal in world coordinates
    params: DancerParams


@dataclass(frozen=True, slots=True, eq=False)
class PlieSequence:
    """A recorded-looking plié: stand, descend, hold at the bottom, ascend, stand."""

    timestamps_ms: FloatArray  # (T,)
    world: FloatArray  # (T, 33, 3)
    image: FloatArray  # (T, 33, 3)
    visibility: FloatArray  # (T, 33)
    flexion_deg: FloatArray  # (T,) true flexion, both legs
    phase: tuple[str, ...]  # "stand" | "descend" | "bottom" | "ascend" per frame
    truths: tuple[FrameMeasurement, ...] = field(repr=False)


def _unit(v: FloatArray) -> FloatArray:
    return v / float(np.linalg.norm(v))


def _feet(p: DancerParams, sign: float, side: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Heel, ankle and foot_index of one foot in the floor frame."""
    turn = math.radians(p.hip_turnout_deg[side] + p.forced_deg[side])
    d = math.cos(turn) * _F + sign * math.sin(turn) * _L
    heel_flat = sign * p.heel_gap_m / 2 * _L
    toe = heel_flat + p.foot_length_m * d
    lift = p.heel_lift_m[side]
    if not 0.0 <= lift < p.foot_length_m:
        raise ValueError(f"heel lift must be in [0, foot length), got {lift}")
    heel = toe - math.sqrt(p.foot_length_m**2 - lift**2) * d + lift * _U
    along = _unit(toe - heel)
    normal = _unit(np.cross(np.cross(along, _U), along))  # in the foot's vertical plane, upward
    ankle = heel + p.heel_to_ankle_m * along + p.ankle_height_m * normal
    return heel, ankle, toe


def _hip_reach(p: DancerParams, side: int) -> float:
    """Hip-to-ankle distance for the side's flexion (law of cosines)."""
    flex = math.radians(p.flexion_deg[side])
    return math.sqrt(p.thigh_m**2 + p.shank_m**2 + 2 * p.thigh_m * p.shank_m * math.cos(flex))


def _legs(p: DancerParams, ankles: tuple[FloatArray, FloatArray]) -> list[tuple[FloatArray, FloatArray]]:
    """Hip and knee per side: each leg in the vertical plane through its ankle at the hip-turnout angle."""
    th = [math.radians(t) for t in p.hip_turnout_deg]
    planes = [math.cos(th[0]) * _F + math.sin(th[0]) * _L, math.cos(th[1]) * _F - math.sin(th[1]) * _L]
    # The hips sit alpha_s along each plane from the ankle, with the hip line across the body (along L).
    a = np.array([[planes[0] @ _F, -(planes[1] @ _F)], [planes[0] @ _L, -(planes[1] @ _L)]])
    b = np.array([(ankles[1] - ankles[0]) @ _F, p.hip_width_m - (ankles[0] - ankles[1]) @ _L])
    alphas = np.linalg.solve(a, b)
    out = []
    for side in (0, 1):
        alpha, reach = float(alphas[side]), _hip_reach(p, side)
        if reach <= abs(alpha):
            raise ValueError("legs too short to reach the hips in this stance")
        rise = math.sqrt(reach**2 - alpha**2)
        ankle = ankles[side]
        hip = ankle + alpha * planes[side] + rise * _U
        axis = (hip - ankle) / reach
        perp = (rise * planes[side] - alpha * _U) / reach  # in the plane, toward the toes
        along = (p.shank_m**2 - p.thigh_m**2 + reach**2) / (2 * reach)
        knee = ankle + along * axis + math.sqrt(max(p.shank_m**2 - along**2, 0.0)) * perp
        out.append((hip, knee))
    return out


def _upper_body(pts: FloatArray, p: DancerParams) -> None:
    """Fill the torso, head and arms (plausible, not measured) in place."""
    mid_hip = (pts[lm.LEFT_HIP] + pts[lm.RIGHT_HIP]) / 2
    lean = math.radians(p.torso_lean_deg)
    spine = math.sin(lean) * _F + math.cos(lean) * _U
    mid_sh = mid_hip + p.torso_m * spine
    half = p.shoulder_width_m / 2 * _L
    pts[lm.LEFT_SHOULDER], pts[lm.RIGHT_SHOULDER] = mid_sh + half, mid_sh - half
    head = mid_sh + 0.22 * spine + 0.04 * _F
    pts[lm.NOSE] = head + 0.08 * _F
    for k, (dl, df) in enumerate(((0.02, 0.07), (0.035, 0.07), (0.05, 0.065))):
        pts[1 + k] = head + dl * _L + df * _F + 0.03 * spine
        pts[4 + k] = head - dl * _L + df * _F + 0.03 * spine
    pts[7], pts[8] = head + 0.075 * _L, head - 0.075 * _L
    pts[9], pts[10] = head + 0.025 * _L + 0.07 * _F - 0.04 * spine, head - 0.025 * _L + 0.07 * _F - 0.04 * spine
    for sign, sh, el, wr, hand in ((1.0, 11, 13, 15, (17, 19, 21)), (-1.0, 12, 14, 16, (18, 20, 22))):
        pts[el] = pts[sh] - 0.27 * _U + 0.06 * _F + sign * 0.04 * _L
        pts[wr] = pts[el] - 0.24 * _U + 0.10 * _F - sign * 0.03 * _L
        for k, idx in enumerate(hand):
            pts[idx] = pts[wr] - 0.06 * _U + 0.03 * _F - sign * 0.01 * k * _L


def _side_truth(p: DancerParams, side: int, pts: FloatArray) -> SideMeasurement:
    _hip, knee, _ankle, heel, toe = (pts[i] for i in lm.LEG["left" if side == 0 else "right"])
    d = toe - heel
    d = _unit(d - (d @ _U) * _U)
    inward = np.cross(d, _U) if side == 0 else np.cross(_U, d)
    foot = p.hip_turnout_deg[side] + p.forced_deg[side]
    return SideMeasurement(
        knee_flexion_deg=float(p.flexion_deg[side]),
        foot_turnout_deg=float(foot),
        knee_turnout_deg=float(p.hip_turnout_deg[side]) if p.flexion_deg[side] > 0 else math.nan,
        forced_turnout_deg=float(p.forced_deg[side]) if p.flexion_deg[side] > 0 else math.nan,
        knee_over_toe_offset_m=float((knee - heel) @ inward),
        heel_height_m=float(heel @ _U),
    )


def _floor_skeleton(p: DancerParams) -> tuple[FloatArray, FrameMeasurement]:
    """All 33 landmarks in the floor frame (before yaw), and the truth."""
    pts = np.zeros((lm.NUM_LANDMARKS, 3))
    feet = [_feet(p, 1.0, 0), _feet(p, -1.0, 1)]
    legs = _legs(p, (feet[0][1], feet[1][1]))
    for side, name in enumerate(SIDES):
        hip_i, knee_i, ankle_i, heel_i, toe_i = lm.LEG[name]
        pts[hip_i], pts[knee_i] = legs[side]
        pts[heel_i], pts[ankle_i], pts[toe_i] = feet[side]
    _upper_body(pts, p)
    left, right = _side_truth(p, 0, pts), _side_truth(p, 1, pts)
    mid_hip = (pts[lm.LEFT_HIP] + pts[lm.RIGHT_HIP]) / 2
    mid_ankle = (pts[lm.LEFT_ANKLE] + pts[lm.RIGHT_ANKLE]) / 2
    truth = FrameMeasurement(
        left=left,
        right=right,
        total_foot_turnout_deg=left.foot_turnout_deg + right.foot_turnout_deg,
        pelvis_level_m=float((pts[lm.LEFT_HIP] - pts[lm.RIGHT_HIP]) @ _U),
        torso_lean_deg=abs(float(p.torso_lean_deg)),
        weight_shift_m=float((mid_hip - mid_ankle) @ _L),
    )
    return pts, truth


def camera_axes(pitch_deg: float) -> FloatArray:
    """Rows: the camera's x (image right), y (down), z (viewing direction) in the floor frame.

    The camera looks at the dancer along -F, tilted up by ``pitch_deg``.
    """
    c, s = math.cos(math.radians(pitch_deg)), math.sin(math.radians(pitch_deg))
    return np.stack([_L, -c * _U - s * _F, -c * _F + s * _U])


def _mediapipe_points(p: DancerParams, pts: FloatArray) -> FloatArray:
    """``pts`` (floor frame) with the legs' picture points moved to where MediaPipe puts them
    (:attr:`DancerParams.mediapipe_points`)."""
    from turnout.practice.picture import ANKLE_POINT_ABOVE, BENT_DROP, KNEE_POINT_BELOW, MEDIAPIPE

    standing, _ = _floor_skeleton(replace(p, flexion_deg=(0.0, 0.0), heel_lift_m=(0.0, 0.0)))
    hip_z = float((pts[lm.LEFT_HIP] + pts[lm.RIGHT_HIP]) @ _U) / 2
    leg = float((standing[lm.LEFT_HIP] + standing[lm.RIGHT_HIP]) @ _U) / 2
    drop = max((leg - hip_z) / leg, 0.0)
    toe_z, _, heel_z = MEDIAPIPE.at(drop)
    bent = min(drop / BENT_DROP, 1.0)
    out = pts.copy()
    for name in SIDES:
        _hip, knee, ankle, heel, toe = lm.LEG[name]
        out[toe] += toe_z * leg * _U
        out[ankle] += ANKLE_POINT_ABOVE * leg * _U
        out[heel] += heel_z * leg * _U
        out[knee] -= KNEE_POINT_BELOW * (1.0 - bent) * leg * _U
    return out


def make_dancer(params: DancerParams | None = None) -> SyntheticFrame:
    """One synthetic frame: MediaPipe-style world and image landmarks, visibility and exact truth."""
    p = params or DancerParams()
    pts, truth = _floor_skeleton(p)
    for name in SIDES:
        pts[lm.LEG[name][3]] += p.heel_landmark_height_m * _U
    seen = _mediapipe_points(p, pts) if p.mediapipe_points else pts
    yaw = math.radians(p.yaw_deg)
    rot = np.array([[math.cos(yaw), -math.sin(yaw), 0.0], [math.sin(yaw), math.cos(yaw), 0.0], [0, 0, 1.0]])
    pts = pts @ rot.T
    seen = seen @ rot.T
    axes = camera_axes(p.pitch_deg)
    mid_hip = (pts[lm.LEFT_HIP] + pts[lm.RIGHT_HIP]) / 2
    world = (pts - mid_hip) @ axes.T
    # Pinhole camera in front of the dancer, its optical axis through a point 0.8 m above the floor.
    aim = np.array([0.0, 0.0, 0.8])
    centre = aim - p.camera_distance_m * axes[2]
    cam = (seen - centre) @ axes.T
    width, height = p.image_size
    focal = width / 2 / math.tan(math.radians(p.hfov_deg) / 2)
    depth_hip = float(((mid_hip - centre) @ axes.T)[2])
    image = np.empty_like(cam)
    image[:, 0] = 0.5 + focal * cam[:, 0] / cam[:, 2] / width
    image[:, 1] = 0.5 + focal * cam[:, 1] / cam[:, 2] / height
    image[:, 2] = (cam[:, 2] - depth_hip) * focal / (width * depth_hip)
    visibility = np.full(lm.NUM_LANDMARKS, 0.99)
    return SyntheticFrame(world, image, visibility, truth, axes @ _U, p)


def add_world_noise(world: FloatArray, sigma_m: float, rng: np.random.Generator) -> FloatArray:
    """Independent Gaussian noise of ``sigma_m`` on every world coordinate."""
    return world + rng.normal(0.0, sigma_m, size=world.shape)


def _flexion_profile(
    fps: float, stand_s: float, descend_s: float, bottom_s: float, ascend_s: float, end_s: float, depth: float
) -> tuple[FloatArray, tuple[str, ...]]:
    segments: Sequence[tuple[str, float]] = (
        ("stand", stand_s),
        ("descend", descend_s),
        ("bottom", bottom_s),
        ("ascend", ascend_s),
        ("stand", end_s),
    )
    flex: list[float] = []
    phase: list[str] = []
    for name, dur in segments:
        n = round(dur * fps)
        for i in range(n):
            u = (i + 0.5) / n
            value = {
                "stand": 0.0,
                "bottom": depth,
                "descend": depth * (1 - math.cos(math.pi * u)) / 2,
                "ascend": depth * (1 + math.cos(math.pi * u)) / 2,
            }[name]
            flex.append(value)
            phase.append(name)
    return np.asarray(flex), tuple(phase)


def plie_sequence(
    fps: float = 30.0,
    *,
    max_flexion_deg: float = 60.0,
    stand_s: float = 1.0,
    descend_s: float = 1.5,
    bottom_s: float = 0.3,
    ascend_s: float = 1.5,
    end_stand_s: float = 1.0,
    repetitions: int = 1,
    params: DancerParams | None = None,
    noise_m: float = 0.0,
    seed: int = 0,
) -> PlieSequence:
    """A demi-plié (or several) sampled at ``fps``: standing, a cosine descent, the bottom, the ascent."""
    p = params or DancerParams()
    flex, phase = _flexion_profile(fps, stand_s, descend_s, bottom_s, ascend_s, end_stand_s, max_flexion_deg)
    flex = np.tile(flex, repetitions)
    phase = phase * repetitions
    rng = np.random.default_rng(seed)
    frames = [make_dancer(replace(p, flexion_deg=(float(f), float(f)))) for f in flex]
    world = np.stack([f.world for f in frames])
    if noise_m > 0:
        world = add_world_noise(world, noise_m, rng)
    return PlieSequence(
        timestamps_ms=np.arange(len(frames), dtype=np.float64) * (1000.0 / fps),
        world=world,
        image=np.stack([f.image for f in frames]),
        visibility=np.stack([f.visibility for f in frames]),
        flexion_deg=flex,
        phase=phase,
        truths=tuple(f.truth for f in frames),
    )


def random_params(
    rng: np.random.Generator,
    *,
    hip_turnout_deg: tuple[float, float] = (25.0, 70.0),
    forced_deg: tuple[float, float] = (-10.0, 30.0),
    flexion_deg: tuple[float, float] = (0.0, 75.0),
    yaw_deg: float = 25.0,
    pitch_deg: float = 10.0,
    asymmetry_deg: float = 5.0,
) -> DancerParams:
    """A random dancer, anatomy and camera within the given ranges (sides differ by up to asymmetry)."""

    def pair(lo: float, hi: float) -> tuple[float, float]:
        base = rng.uniform(lo, hi)
        a, b = (float(np.clip(base + rng.uniform(-asymmetry_deg, asymmetry_deg), lo, hi)) for _ in range(2))
        return a, b

    return DancerParams(
        hip_turnout_deg=pair(*hip_turnout_deg),
        forced_deg=(float(rng.uniform(*forced_deg)), float(rng.uniform(*forced_deg))),
        flexion_deg=pair(*flexion_deg),
        heel_gap_m=float(rng.uniform(0.0, 0.04)),
        hip_width_m=float(rng.uniform(0.16, 0.26)),
        thigh_m=float(rng.uniform(0.38, 0.48)),
        shank_m=float(rng.uniform(0.36, 0.46)),
        ankle_height_m=float(rng.uniform(0.06, 0.09)),
        heel_to_ankle_m=float(rng.uniform(0.04, 0.07)),
        foot_length_m=float(rng.uniform(0.18, 0.26)),
        torso_lean_deg=float(rng.uniform(-5.0, 10.0)),
        yaw_deg=float(rng.uniform(-yaw_deg, yaw_deg)),
        pitch_deg=float(rng.uniform(-pitch_deg, pitch_deg)),
    )
