"""Floor-calibrated measurements: turnout in true floor degrees from a webcam.

MediaPipe's monocular depth squeezes rotation seen from the front, so angles in the floor plane taken from
its world landmarks read far too small. Its image landmarks do not have that problem. With a floor
calibration (a homography from a reference rectangle on the floor) we recover the camera (focal length,
pose) and place every landmark where its image ray meets the horizontal plane at that landmark's height:

* toes lie on the floor (height 0), so they come straight from the homography; the pose model's heel landmark
  is on the back of the heel, about 4 cm up (``HEEL_ABOVE_TOE_M``), so heels are taken at that height;
* hip, knee and ankle heights come from the world landmarks, measured along the floor normal. Heights are
  what monocular pose gets right (they follow the picture's vertical), so this is justified for the knee
  too: the knee's floor projection is where its ray meets the plane at the knee's height, which needs no
  depth from MediaPipe at all;
* the dancer's left/right direction comes from the two reconstructed hips, so her yaw is measured too.

Knee flexion, heel height, pelvis level, torso lean and weight shift stay as the 3D geometry gives them.
Every measurement carries ``mode = Mode.FLOOR``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
from numpy.typing import NDArray

from turnout.floor.reference import FloorCalibration
from turnout.measure.measures import FrameMeasurement, Mode, SideMeasurement
from turnout.pose import landmarks as lm

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FloorCamera:
    """The camera that sees the calibrated floor: floor frame (x, y on the floor, z up), camera centre, rays."""

    k_inv: F64  # (3, 3) inverse intrinsics
    rotation: F64  # (3, 3) floor -> camera
    centre: F64  # (3,) camera centre in the floor frame, z > 0
    z_sign: float  # +1 if the calibration's floor normal (r1 x r2) points up, else -1

    @classmethod
    def from_calibration(cls, cal: FloorCalibration, focal_px: float | None = None) -> FloorCamera:
        """Decompose the floor->image homography with square pixels and a centred principal point."""
        w, h = cal.image_size
        f = focal_px if focal_px is not None else float(cal.camera().focal_px)
        k = np.array([[f, 0.0, w / 2.0], [0.0, f, h / 2.0], [0.0, 0.0, 1.0]])
        k_inv = np.linalg.inv(k)
        m = k_inv @ np.linalg.inv(np.asarray(cal.homography, float))  # floor (x, y, 1) -> camera, up to scale
        scale = 2.0 / (np.linalg.norm(m[:, 0]) + np.linalg.norm(m[:, 1]))
        m = m * scale
        if m[2, 2] < 0:  # the floor must lie in front of the camera
            m = -m
        r1, r2, t = m[:, 0], m[:, 1], m[:, 2]
        u, _, vt = np.linalg.svd(np.c_[r1, r2, np.cross(r1, r2)])
        rot = u @ vt
        centre = -rot.T @ t
        z_sign = 1.0 if centre[2] > 0 else -1.0
        return cls(k_inv=k_inv, rotation=rot, centre=centre * np.array([1.0, 1.0, z_sign]), z_sign=z_sign)

    def rays(self, px: F64) -> F64:
        """(N, 2) pixels -> (N, 3) ray directions in the floor frame (z up)."""
        homog = np.c_[np.asarray(px, float), np.ones(len(px))]
        d = (self.rotation.T @ (self.k_inv @ homog.T)).T
        return np.asarray(d * np.array([1.0, 1.0, self.z_sign]))

    def at_height(self, px: F64, height_m: F64) -> F64:
        """Where each pixel's ray meets the horizontal plane at its height: (N, 3) in the floor frame."""
        d = self.rays(px)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = (np.asarray(height_m, float) - self.centre[2]) / d[:, 2]
        s = np.where(s > 0, s, np.nan)  # behind the camera or parallel: no answer
        return np.asarray(self.centre + s[:, None] * d)


def _angle_from(v: F64, forward: F64, outward: F64) -> float:
    """Angle in the floor plane from ``forward`` to ``v``, positive toward ``outward`` (degrees)."""
    x, y = float(v @ forward), float(v @ outward)
    if not (math.isfinite(x) and math.isfinite(y)) or math.hypot(x, y) < 1e-9:
        return math.nan
    return math.degrees(math.atan2(y, x))


def _unit2(v: F64) -> F64:
    n = float(np.hypot(v[0], v[1]))
    return np.array([v[0] / n, v[1] / n]) if n > 1e-9 else np.array([math.nan, math.nan])


#: The pose model's heel landmark is on the back of the heel, this far above its foot_index landmark (metres);
#: heels are taken where their rays meet the plane at this height, toes on the floor. Taking both on the floor
#: stretches each foot away from the camera by distance x height / camera height (about 10 cm at 2.5 m from a
#: camera 1 m up), which reads turned-out feet as more parallel. Measured on the Pose2Sim demo (four calibrated
#: cameras, ``docs/measurements.md``): one camera's heel and toe mapped onto the floor gave feet 9 cm longer than
#: the other three cameras triangulate (29.3 against 20.5 cm); with the heel 4 cm up, 20.6 cm
#: (``scripts/heel_height_check.py``).
HEEL_ABOVE_TOE_M: Final = 0.04
#: The ankle joint sits this far along the foot from the heel (fraction of heel -> toe), at this height.
ANKLE_ALONG_FOOT: Final = 0.25
#: Knee positions are searched along the knee's ray this far either side of the hips' distance (metres).
KNEE_SEARCH_M: Final = 1.0


def _knee_on_ray(camera: FloorCamera, knee_px: F64, hip3: F64, ankle3: F64, thigh: float, shank: float) -> F64:
    """The point on the knee's ray that best keeps thigh and shank at their lengths; of two equally good
    points, the one nearer the camera (in a plié the knees travel forward, never back)."""
    d = camera.rays(knee_px[None])[0]
    d = d / np.linalg.norm(d)
    s_hip = float((hip3 - camera.centre) @ d)

    def cost(s: F64) -> F64:
        pts = camera.centre + s[:, None] * d
        return np.asarray(
            (np.linalg.norm(pts - hip3, axis=1) - thigh) ** 2 + (np.linalg.norm(pts - ankle3, axis=1) - shank) ** 2
        )

    grid = np.linspace(s_hip - KNEE_SEARCH_M, s_hip + KNEE_SEARCH_M, 201)
    c = cost(grid)
    minima = [i for i in range(1, len(grid) - 1) if c[i] <= c[i - 1] and c[i] <= c[i + 1]]
    if not minima:
        minima = [int(np.argmin(c))]
    best = float(min(c[i] for i in minima))
    # two fits about as good (the knee may be in front of or behind the hip-ankle plane): the nearer one
    i = next(i for i in minima if c[i] <= best + max(1e-6, 0.25 * best) + 1e-4)
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    g = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(40):  # golden-section search inside the bracket
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        ca, cb = cost(np.array([a, b]))
        lo, hi = (lo, b) if ca < cb else (a, hi)
    return np.asarray(camera.centre + 0.5 * (lo + hi) * d)


def measure_on_floor(
    m3d: FrameMeasurement,
    image_px: F64,
    world: F64,
    up: F64,
    floor_height: float,
    camera: FloorCamera,
    cal: FloorCalibration,
) -> FrameMeasurement:
    """Recompute the floor-plane measurements of ``m3d`` from the picture on the calibrated floor.

    ``image_px``: (33, 2) landmark pixels; ``world``: (33, 3) world landmarks with their floor (``up``,
    ``floor_height``) from the 3D geometry. Values the 3D geometry found unmeasurable stay unmeasurable.

    Feet: toe pixels through the homography, heel pixels onto the plane ``HEEL_ABOVE_TOE_M`` up (where the
    pose model's heel landmark is). The dancer's left/right direction: the picture's horizontal at her feet,
    turned by her yaw from the world hip line. Legs: ankles sit over the feet; hips on the vertical plane
    through the ankles facing the camera (the pelvis stays over the feet); each knee on its ray where thigh
    and shank keep their lengths (from the world landmarks).
    Monocular depth is never used for a horizontal position.
    """
    world = np.asarray(world, float)
    heights = world @ up - floor_height
    feet_px = image_px[[lm.LEFT_HEEL, lm.RIGHT_HEEL, lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX]]
    heel_l, heel_r = camera.at_height(feet_px[:2], np.full(2, HEEL_ABOVE_TOE_M))[:, :2]
    toe_l, toe_r = cal.image_to_floor(feet_px[2:])
    mid_px = feet_px[:2].mean(axis=0)
    across = cal.image_to_floor(np.array([mid_px, mid_px + np.array([20.0, 0.0])]))
    lateral = _unit2(across[1] - across[0])  # image-right on the floor: her left when square to the camera
    mid_feet = (heel_l + heel_r) / 2
    toward_cam = np.array([-lateral[1], lateral[0]])
    if float((camera.centre[:2] - mid_feet) @ toward_cam) < 0:
        toward_cam = -toward_cam
    hips_w = world[lm.LEFT_HIP] - world[lm.RIGHT_HIP]
    hips_h = hips_w - float(hips_w @ up) * up  # horizontal hip line in world coordinates
    # world x is image-right, z away from the camera: her turn away from square to the camera
    yaw = math.atan2(-float(hips_h[2]), float(hips_h[0])) if np.all(np.isfinite(hips_h)) else 0.0
    left_dir = math.cos(yaw) * lateral + math.sin(yaw) * toward_cam
    forward = np.array([-left_dir[1], left_dir[0]])
    if float(forward @ toward_cam) < 0:
        forward = -forward
    feet = {"left": (heel_l, toe_l), "right": (heel_r, toe_r)}
    ankles = {
        side: np.r_[heel + ANKLE_ALONG_FOOT * (toe - heel), heights[lm.LEG[side][2]]]
        for side, (heel, toe) in feet.items()
    }
    # each hip: on the vertical plane facing the camera through the mid-ankle, moved by that hip's offset in
    # depth from the ankles as the world landmarks give it (small offsets, so their monocular error stays small)
    mid_ankle = (ankles["left"] + ankles["right"]) / 2
    plane_n = np.r_[toward_cam, 0.0]
    away_w = np.array([0.0, 0.0, 1.0]) - float(up[2]) * up
    away_w = away_w / np.linalg.norm(away_w)
    mid_ankle_w = (world[lm.LEFT_ANKLE] + world[lm.RIGHT_ANKLE]) / 2
    sides = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        hip_i, knee_i, ankle_i, _heel_i, _toe_i = lm.LEG[side]
        old = m3d.side(side)
        heel, toe = feet[side]
        outward = sign * left_dir
        foot_vec = toe - heel
        foot = _angle_from(foot_vec, forward, outward) if math.isfinite(old.foot_turnout_deg) else math.nan
        d_hip = camera.rays(image_px[[hip_i]])[0]
        depth_offset = float((world[hip_i] - mid_ankle_w) @ away_w)
        hip_plane = mid_ankle - (depth_offset if math.isfinite(depth_offset) else 0.0) * plane_n
        t_hip = float((hip_plane - camera.centre) @ plane_n) / float(d_hip @ plane_n)
        hip3 = camera.centre + t_hip * d_hip
        ankle3 = ankles[side]
        thigh = float(np.linalg.norm(world[hip_i] - world[knee_i]))
        shank = float(np.linalg.norm(world[knee_i] - world[ankle_i]))
        knee3 = _knee_on_ray(camera, image_px[knee_i], hip3, ankle3, thigh, shank)
        axis = ankle3 - hip3
        along = float((knee3 - hip3) @ axis) / float(axis @ axis) if float(axis @ axis) > 1e-12 else math.nan
        bulge = knee3 - (hip3 + along * axis)
        knee = _angle_from(bulge[:2], forward, outward) if math.isfinite(old.knee_turnout_deg) else math.nan
        # knee over toe: signed distance of the knee's floor point from the foot line, + toward less turnout
        foot_dir = _unit2(foot_vec)
        inward = _unit2(forward - float(forward @ foot_dir) * foot_dir)
        offset = float((knee3[:2] - heel) @ inward) if math.isfinite(old.knee_over_toe_offset_m) else math.nan
        sides[side] = replace(
            old, foot_turnout_deg=foot, knee_turnout_deg=knee, forced_turnout_deg=foot - knee,
            knee_over_toe_offset_m=offset,
        )  # fmt: skip
    left: SideMeasurement = sides["left"]
    right: SideMeasurement = sides["right"]
    return replace(
        m3d, left=left, right=right, total_foot_turnout_deg=left.foot_turnout_deg + right.foot_turnout_deg,
        mode=Mode.FLOOR,
    )  # fmt: skip


def measure_frame_on_floor(
    world: F64, image: F64, visibility: F64 | None, cal: FloorCalibration, camera: FloorCamera | None = None
) -> FrameMeasurement:
    """:func:`turnout.measure.geometry.measure_frame`, then the floor-plane values from the calibrated floor.

    ``image``: (33, >=2) normalised image landmarks (as MediaPipe gives them, of the calibrated image size).
    Falls back to the 3D values (mode uncalibrated) where the 3D geometry found no floor.
    """
    from turnout.measure.geometry import measure_series

    series = measure_series(world, np.asarray(image)[:, :3], visibility)
    m3d = series.frame(0)
    up = np.asarray(series.floor.up[0], float)
    floor_h = float(series.floor.floor_height[0])
    if not (np.all(np.isfinite(up)) and math.isfinite(floor_h)):
        return m3d
    w, h = cal.image_size
    px = np.asarray(image, float)[:, :2] * np.array([w, h], float)
    cam = camera or FloorCamera.from_calibration(cal)
    return measure_on_floor(m3d, px, np.asarray(world, float), up, floor_h, cam, cal)
