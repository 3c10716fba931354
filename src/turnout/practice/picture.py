"""What a plié looks like in the picture: a camera model from the standing dancer, foot directions on the floor,
and each knee's direction against its foot (docs/measurements.md, "Feet and knees on the floor"; the constants'
sources in docs/thresholds.md, "The picture's camera and points"; measured by scripts/picture_study.py).

Lengths are in pixels (positions relative to the picture's centre, as ``turnout.measure.image`` gives them) or in
"legs" (her standing hip height above the floor); angles in degrees from "toward the camera", outward positive.
Pure functions, no state.

Assumptions: a pinhole camera with square pixels, its principal point at the picture's centre and no roll; she
faces the camera (her left is the picture's right) and stands upright before a plié; her mid-hip point is one leg
above the floor; without a floor calibration the camera's field of view and height are a webcam's (a prior, with a
range) and its pitch and distance are solved from her standing hip and toe rows; the pose model puts its toe, ankle,
heel and knee points where the studio measured them (:data:`MEDIAPIPE`, :data:`KNEE_POINT_BELOW`,
:data:`ANKLE_POINT_ABOVE`); her feet are flat and planted (the ankle joint does not move in a plié); a straight
leg leans sideways, not toward the camera. A camera off to her side: the angles are taken against her facing
when her face and shoulders show it (:func:`facing_deg`), against the camera's axis otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import numpy as np

#: A webcam's field of view across its picture's long side is 60-78 degrees; 70 is the middle (docs/measurements.md).
#: A phone's main camera is as wide; held upright, its long side is the picture's height (:func:`lens_span_px`).
FOV_DEG: Final = 70.0
FOV_RANGE: Final = (60.0, 78.0)
#: Camera height in legs: a webcam 0.6-1.4 m up and a leg (hip to floor) of about 0.85 m give 0.7-1.65.
CAM_HEIGHT: Final = 1.15
CAM_HEIGHT_RANGE: Final = (0.7, 1.65)


@dataclass(frozen=True, slots=True)
class Heights:
    """Where the foot's picture points are taken above the floor (legs), standing and once the hips are
    :data:`BENT_DROP` down (linear in the hips' drop in between)."""

    toe: float
    ankle: float
    ankle_bent: float
    heel: float
    heel_bent: float

    def at(self, drop: float) -> tuple[float, float, float]:
        """(toe, ankle, heel) heights with the hips ``drop`` legs down."""
        k = min(max(drop / BENT_DROP, 0.0), 1.0) if math.isfinite(drop) else 0.0
        return self.toe, self.ankle + k * (self.ankle_bent - self.ankle), self.heel + k * (self.heel_bent - self.heel)


#: Where MediaPipe puts its foot landmarks, measured with the studio's true camera and truth
#: (scripts/picture_study.py --landmarks: each landmark's ray met with the foot's own vertical plane; first and
#: second position, feet 30-65, flat feet; the two halves of the catalogue agree within 0.003): the toe point
#: (foot_index) 0.020 standing and bent; the ankle point 0.112 standing (the ankle joint is at 0.086: the point sits
#: on the front of the ankle, above it) and 0.119 once the hips are 2 % of a leg down; the heel point 0.047
#: standing, 0.065 from 6 % down (it slides up the back of the heel as the shank leans).
MEDIAPIPE: Final = Heights(toe=0.020, ankle=0.112, ankle_bent=0.119, heel=0.047, heel_bent=0.065)
#: The first rule (before the study): the toe point on the floor, the ankle point at the ankle joint's height. It
#: reads the studio's feet 5 degrees too straight standing and 12 at a plié's bottom; kept as the functions' default
#: for comparison (scripts/picture_study.py). The tracker's knee verdict and holds use :data:`MEDIAPIPE`
#: (docs/measurements.md, "In the picture").
JOINTS: Final = Heights(toe=0.0, ankle=0.085, ankle_bent=0.085, heel=0.047, heel_bent=0.065)
#: The hips' drop (legs) by which the ankle and heel points have reached their bent heights.
BENT_DROP: Final = 0.06
#: An ankle point risen more than this (legs) at a plié's bottom has its heel up (a grand plié in first, fifth): the
#: tracker's relevé limit (``reps.releve_rise``, 4 %: a relevé lifts the heel 10-14 % of a leg, 3-4 times the ankle
#: point's jitter). The knee is then measured from the risen ankle and the foot is not read again at the bottom.
HEELS_UP: Final = 0.04
#: Hips this far down (legs) make a grand plié (``reps.grand_min_drop``: heels down, the ankle's dorsiflexion lets
#: the hips drop about 21 % at most), where the heels may rise (first, fourth, fifth; Vaganova).
GRAND_DROP: Final = 0.21
#: Where MediaPipe's knee and ankle points sit against the joints (legs, up positive), measured like
#: :data:`MEDIAPIPE` (each point's ray against the true joint, first, second and parallel demi-pliés; the halves of
#: the catalogue agree within 0.002): the knee point 0.020 below the knee joint standing and at it (0.000-0.007
#: below) in a plié (in height; in the picture it stands lower and a little inside: :data:`KNEE_POINT_BENT_BELOW`);
#: the ankle point 0.023-0.030 above the ankle joint, standing and bent.
KNEE_POINT_BELOW: Final = 0.020
ANKLE_POINT_ABOVE: Final = 0.026
#: Where MediaPipe's knee point stands at a plié's bottom in the picture against the knee joint's own picture point,
#: in legs of her standing leg's picture height (the camera's floor row less its hip row): inside by 0.003 and below
#: by 0.006 (``scripts/picture_study.py --landmarks``: each leg's median over its bottom, 128 legs of the catalogue's
#: first, second and parallel pliés, the median; the halves of the catalogue 0.0045 / 0.0017 inside, 0.0057 / 0.0060
#: below; p10-p90 of legs -0.012 to +0.004 and -0.017 to +0.021). The knee verdict's ray is taken through the joint's
#: picture point: the bottom's knee point moved back by these. A point a little low reads the knee further forward,
#: so inside its foot: with the point taken for the joint the studio's knees read 3.4 degrees inside at the median.
#: Not where the legs cross (fifth position): measured with the legs apart. The fifth's front knees stand further
#: from their joints (0.010-0.021 below, 4 legs of two scenes: too few for a constant), and there the foot's own
#: error decides as much (a forced fifth rendered outside the catalogue, truth 25 inside: -22 as it is, -19 moved).
KNEE_POINT_BENT_INSIDE: Final = 0.003
KNEE_POINT_BENT_BELOW: Final = 0.006
#: The knee verdict's median error end to end (the knee against its foot at plié bottoms, the studio through the real
#: pose model, docs/accuracy.md: 4.0 degrees; 4.3 before the hip-ankle line at the bottom, 4.4 before
#: :data:`KNEE_POINT_BENT_BELOW`), rounded up: its range
#: reaches at least this far either side of its reading, since the camera prior's spread is one-sided (the studio's
#: ranges reach a median 5.4 below the reading and 13.6 above), and with the reading's bias gone, that spread alone
#: held the truth on 77 % of legs (85 % with this; 87 % before, when the readings were 3.4 degrees inside).
KNEE_MEDIAN_ERR_DEG: Final = 5.0
#: The shank's length as the knee verdict takes it from her standing (the knee point's ray met with the upright
#: plane through the ankle, the ankle joint :data:`ANKLE_POINT_ABOVE` below its point, the knee joint
#: :data:`KNEE_POINT_BELOW` above), against the true shank in legs: within 10 % on 95 % of legs (132 legs of the
#: studio's plié scenes, nominal camera: p95 0.098, median 0.010; the halves of the catalogue 0.098 and 0.059; a
#: petite dancer's reads 8 % short). Where the knee's ray at the bottom passes the ankle joint further than the shank
#: shortened by this, the knee's forward travel is not known and the knee gets no verdict
#: (:func:`knee_direction_room_deg`).
SHANK_P95: Final = 0.10
#: A foot's points placed on the floor (:data:`MEDIAPIPE`, her hips' drop) at least this far apart, heel point to toe
#: point, legs; ankle point to toe point where the heel is not seen: else the pose model has not put them on the
#: foot as measured (trousers over the heel put the heel and ankle points on the hem, in front of the heel; a dark
#: shoe's toe point falls short of its tip) and the foot is not read in degrees. The studio's shortest, every flat
#: foot of every scene outside crossed legs (11,190 feet: bodies petite to tall, cameras 0.5-1.5 m up and up to 25
#: degrees to her side, feet 0-80): 0.159 and 0.117; these are 10 % below, for people whose feet are shorter for
#: their legs than the studio's bodies. The real teacher in flared trousers and black shoes (ballet_plie, feet
#: 60-75 by eye, read 36-44): 0.124 and 0.094.
FOOT_MIN_LEGS: Final = 0.14
ANKLE_TOE_MIN_LEGS: Final = 0.105
#: A planted foot read twice, standing and at a plié's bottom (:func:`knee_verdict`), cannot have turned: two
#: readings further apart than this (degrees, nominal camera) say the pose model's points are not on the foot as it
#: puts them on a visible foot, and the foot is not read (as :data:`FOOT_MIN_LEGS`: no "inside" and no flag from it).
#: Visible feet read up to 25 apart: every plié leg of the studio's catalogue with its heels down (132 legs, bodies
#: petite to tall, cameras 0.5-1.5 m up) 4.3 at the median, p95 13.3, at most 20.2 (first70_low, the camera 0.6 m
#: up); two sweeps of random views outside it (``scripts/variant_sweep.py`` seeds 7 and 13, 122 legs) at most 24.8,
#: forced pliés' feet (feet 55-60, hips 30-35: +22 to +25, knees rightly inside); the limit is above them all.
#: Flared trousers to the floor (the studio's ``flared`` look, ``scripts/flared_study.py``: the heel and ankle
#: points on the hem, which swings forward with the shank) read 14-34 apart, over 30 on 3 of 16 legs (a tall
#: dancer's first 45 read 18 standing); their correct second-position plié, 29 and 24 apart, stays flagged (open).
FOOT_TWICE_DEG: Final = 30.0
#: Ankles closer than this in the picture (legs) overlap: one leg is in front of the other (fifth position, crossed
#: legs) and the picture cannot tell which knee or foot is which. MediaPipe's ankle points, 5th-95th percentile of
#: every frame: first position (heels together) 0.13-0.17 legs on the studio, 0.15-0.22 on ballet_plie; fifth
#: 0.04-0.07 on the studio. 0.09 lies between, with margin on both sides.
LEGS_OVERLAP: Final = 0.09
#: With the legs crossed, the front foot's ankle stands lower in the picture than the back foot's by more than this
#: (legs): the front foot is nearer the camera by about a foot's width or more (its heel before the back foot's toes),
#: and the camera looks down on the floor. The front foot is whole in the picture, and its knee is judged against it;
#: the back foot's heel hides behind the front foot, and the pose model puts it on the wrong shoe (the studio's fifth
#: read the back knee 29-31 degrees further inside its foot than true, the front within 10). The studio's fifth
#: (camera 1 m up, 2.8 m away): the front ankle 0.035-0.048 legs lower (median of each scene's first standing
#: frames); uncrossed feet side by side: -0.006 to +0.025 (first 70 with a low camera, a camera 15 degrees to her
#: side). A camera lower than the studio's shows less: below this, neither foot is taken for the front one.
FRONT_FOOT_LEGS: Final = 0.025
#: Her facing from the picture (``turnout.measure.image``: ``face_yaw_deg``, the nose against the ears, and
#: ``shoulders_yaw_deg``, the shoulder line's image depth), medians over her standing. Square to the camera the
#: studio reads her face -6.6 to +5.0 degrees and her shoulders -10.8 to +8.9 (45 scenes, camera yaw 0); with the
#: camera 15-20 degrees to her side, the face 13.7-20.3 (about the true turn) and the shoulders 21-42 (right sign,
#: overstated). A turn is taken only beyond both scatters, both the same way: a head turned alone (épaulement) is
#: not her body's facing (docs/thresholds.md, "Her facing").
FACE_SQUARE_DEG: Final = 8.0
SHOULDERS_SQUARE_DEG: Final = 12.0
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
    #: what it was estimated from (:func:`estimate_camera`), so that a reading's spread over the camera prior can
    #: be worked out again; ``nan`` for a camera given directly
    hip_y: float = math.nan
    floor_y: float = math.nan
    #: the picture's long side (:func:`lens_span_px`), across which the field of view is given
    span_px: float = math.nan
    #: from a floor calibration (:func:`camera_from_floor`): height and pitch measured, not a prior
    calibrated: bool = False
    #: her facing against the camera's axis (degrees, toward her left positive; :func:`facing_deg`): directions are
    #: returned against it
    facing: float = 0.0

    def against_her(self, deg: float, side: str) -> float:
        """A direction against the camera's axis (outward positive for ``side``) as a direction against her
        facing: her left foot's outward is toward her left, her right foot's toward her right."""
        return deg - self.facing if side == "left" else deg + self.facing

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


def facing_deg(face_yaw: float, shoulders_yaw: float) -> float:
    """Her facing against the camera's axis (degrees, toward her left positive) from her face's and her shoulders'
    turn in the picture (medians over her standing): the face's turn when it is beyond :data:`FACE_SQUARE_DEG` and
    her shoulders turn the same way beyond :data:`SHOULDERS_SQUARE_DEG`; 0 otherwise (square to the camera, a head
    turned alone, or not seen). On the studio the face reads a camera 15-20 degrees to her side within 1-5 degrees
    of the truth; its scatter square on is a few degrees (docs/accuracy.md measures what remains)."""
    if not (math.isfinite(face_yaw) and math.isfinite(shoulders_yaw)):
        return 0.0
    if abs(face_yaw) < FACE_SQUARE_DEG or abs(shoulders_yaw) < SHOULDERS_SQUARE_DEG:
        return 0.0
    return face_yaw if (face_yaw > 0) == (shoulders_yaw > 0) else 0.0


def lens_span_px(width_px: float, height_px: float) -> float:
    """The picture's long side (px): a camera's field of view (:data:`FOV_RANGE`) spans its sensor's long side, the
    picture's width from a webcam or a phone held level, its height from a phone held upright; the width where the
    height is not known. (Taking the width of an upright phone's 9:16 picture read her feet 11-15 degrees too open
    on the studio and flagged a correct plié in second; docs/measurements.md.)"""
    if math.isfinite(height_px) and height_px > width_px:
        return height_px
    return width_px


def focal_px(span_px: float, fov_deg: float = FOV_DEG) -> float:
    """The focal length (px) of a lens whose field of view ``fov_deg`` spans ``span_px`` (:func:`lens_span_px`)."""
    return (span_px / 2.0) / math.tan(math.radians(fov_deg) / 2.0)


def estimate_camera(
    hip_y: float,
    floor_y: float,
    span_px: float,
    fov_deg: float = FOV_DEG,
    cam_height: float = CAM_HEIGHT,
    floor_z: float = MEDIAPIPE.toe,
    facing: float = 0.0,
) -> Camera | None:
    """The camera from the standing dancer: focal length from the field of view, height from the prior (legs),
    pitch and distance from where her hips (one leg up) and her toe points (``floor_z`` up: where MediaPipe puts
    them) appear on one vertical line. Assumptions: no roll, she stands upright, the mid-hip point is one leg above
    the floor. ``facing``: her facing (:func:`facing_deg`), kept with the camera. ``None`` when the picture allows
    no such camera."""
    if not (math.isfinite(hip_y) and math.isfinite(floor_y) and floor_y > hip_y and span_px > 0):
        return None
    f = focal_px(span_px, fov_deg)
    a_f, a_h = math.atan(floor_y / f), math.atan(hip_y / f)
    c = cam_height
    # pitch p with tan(p + a_f) / (c - floor_z) == tan(p + a_h) / (c - 1) (both are 1 / distance)
    lo = max(-math.pi / 2 + 0.01 - a_h, -math.pi / 2 + 0.01 - a_f, -1.2)
    hi = min(math.pi / 2 - 0.01 - a_f, 1.2)
    if not lo < hi:
        return None
    ps = np.linspace(lo, hi, 4000)
    g = np.tan(ps + a_f) * (c - 1) - np.tan(ps + a_h) * (c - floor_z)
    roots = np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:]))
    roots = roots[np.tan(ps[roots] + a_f) > 0]
    pitch = float(ps[roots[0]]) if roots.size else -a_h
    dist = (c - floor_z) / math.tan(pitch + a_f) if math.tan(pitch + a_f) > 0 else math.nan
    return Camera(f, c, pitch, dist, hip_y, floor_y, span_px, facing=facing)


def camera_from_floor(
    focal: float,
    height_m: float,
    pitch: float,
    hip_y: float,
    floor_y: float,
    span_px: float,
    facing: float = 0.0,
) -> Camera | None:
    """The camera of a floor calibration in this module's terms: ``focal`` (px), ``height_m`` above the floor and
    ``pitch`` (radians, downwards) from the calibration (:func:`floor_camera_numbers` reads them off a
    ``turnout.floor.floormode.FloorCamera``); her leg in metres from where her standing toes (``floor_y``, the toe
    points :data:`MEDIAPIPE` ``.toe`` legs up) and hips (``hip_y``, one leg up) appear. Roll is neglected (the
    calibration's own fit keeps it to a degree or two on a webcam on a stand)."""
    if not all(map(math.isfinite, (focal, height_m, pitch, hip_y, floor_y))) or not (height_m > 0 and focal > 0):
        return None
    d_floor, d_hip = pitch + math.atan(floor_y / focal), pitch + math.atan(hip_y / focal)
    if not d_floor > 0:
        return None
    leg = 0.85  # metres: a first guess, refined (the toe point's height is a fraction of it)
    for _ in range(4):
        dist = (height_m - MEDIAPIPE.toe * leg) / math.tan(d_floor)
        leg = height_m - dist * math.tan(d_hip)
        if not leg > 0:
            return None
    return Camera(focal, height_m / leg, pitch, dist / leg, hip_y, floor_y, span_px, calibrated=True, facing=facing)


def floor_camera_numbers(floor_camera: Any) -> tuple[float, float, float]:
    """(focal px, height m, pitch rad) of a ``turnout.floor.floormode.FloorCamera`` (rows: floor -> camera)."""
    k_inv, rot, centre = np.asarray(floor_camera.k_inv), np.asarray(floor_camera.rotation), floor_camera.centre
    forward = rot[2] * np.array([1.0, 1.0, floor_camera.z_sign])
    return 1.0 / float(k_inv[0, 0]), float(centre[2]), math.asin(max(-1.0, min(1.0, -float(forward[2]))))


def _direction(
    cam: Camera, base: tuple[float, float], z_base: float, toe: tuple[float, float], z_toe: float, side: str
) -> float:
    """The direction on the floor from ``base`` (taken ``z_base`` legs up) to the toe point (``z_toe`` up),
    degrees out from "toward the camera", outward positive."""
    if not all(math.isfinite(x) for x in (*toe, *base)):
        return math.nan
    tx, ty = cam.to_plane(toe[0], toe[1], z_toe)
    bx, by = cam.to_plane(base[0], base[1], z_base)
    dx, dy = tx - bx, ty - by
    if not (math.isfinite(dx) and math.isfinite(dy)):
        return math.nan
    outward = dx if side == "left" else -dx  # her left is the picture's right
    return cam.against_her(math.degrees(math.atan2(outward, -dy)), side)


def foot_points_fit(
    cam: Camera,
    toe: tuple[float, float],
    ankle: tuple[float, float],
    heel: tuple[float, float] | None = None,
    drop: float = 0.0,
    heights: Heights = MEDIAPIPE,
) -> bool:
    """Whether a foot's picture points, placed on the floor at their heights, are as far apart as a foot's
    (:data:`FOOT_MIN_LEGS`, :data:`ANKLE_TOE_MIN_LEGS`): if not, the pose model has not put them where it puts
    them on a visible foot, and the foot is not read in degrees."""
    z_toe, z_ankle, z_heel = heights.at(drop)
    if not all(map(math.isfinite, toe)):
        return False
    tx, ty = cam.to_plane(toe[0], toe[1], z_toe)
    if heel is not None and all(map(math.isfinite, heel)):
        hx, hy = cam.to_plane(heel[0], heel[1], z_heel)
        return math.hypot(tx - hx, ty - hy) >= FOOT_MIN_LEGS
    if all(map(math.isfinite, ankle)):
        ax, ay = cam.to_plane(ankle[0], ankle[1], z_ankle)
        return math.hypot(tx - ax, ty - ay) >= ANKLE_TOE_MIN_LEGS
    return False


def foot_direction_deg(
    cam: Camera,
    toe: tuple[float, float],
    ankle: tuple[float, float],
    side: str,
    heel: tuple[float, float] | None = None,
    drop: float = 0.0,
    heights: Heights = JOINTS,
) -> float:
    """A foot's direction on the floor, degrees out from "toward the camera", outward positive (she faces the
    camera). Each point is put on the floor through the camera at its height (``heights``: :data:`MEDIAPIPE`, where
    the pose model really puts them, or the older :data:`JOINTS`; the ankle and heel points higher once the hips are
    ``drop`` legs down). The foot is the mean of the ankle-to-toe and heel-to-toe directions when the heel point is
    given and seen (each alone reads the foot with errors of its own), the ankle-to-toe direction otherwise (the
    heel point hides behind the other heel in first position)."""
    z_toe, z_ankle, z_heel = heights.at(drop)
    a = _direction(cam, ankle, z_ankle, toe, z_toe, side)
    h = _direction(cam, heel, z_heel, toe, z_toe, side) if heel is not None else math.nan
    if not math.isfinite(a):
        return h
    if not math.isfinite(h):
        return a
    return a + wrap_deg(h - a) / 2.0


def _ray(cam: Camera, u: float, v: float) -> np.ndarray:
    """The ray through picture point (u, v) from the camera's centre: (X to the picture's right, Y away from the
    camera, Z up), not unit length."""
    rx, ry = u / cam.f, v / cam.f
    cp, sp = math.cos(cam.pitch), math.sin(cam.pitch)
    return np.array([rx, cp - ry * sp, -(ry * cp + sp)])


def ankle_rise(cam: Camera, ankle0: tuple[float, float], ankle: tuple[float, float]) -> float:
    """How far the ankle point has risen (legs) since standing beyond its bent height: its ray at the bottom met with
    the upright line through where it stood (a planted foot's ankle neither slides nor, heels down, rises)."""
    if not all(math.isfinite(x) for x in (*ankle0, *ankle)):
        return math.nan
    ax, ay = cam.to_plane(ankle0[0], ankle0[1], MEDIAPIPE.ankle)
    d = _ray(cam, *ankle)
    lam = (d[0] * ax + d[1] * ay) / (d[0] ** 2 + d[1] ** 2)
    return float(cam.height + lam * d[2] - MEDIAPIPE.ankle_bent)


def knee_direction_room_deg(
    cam: Camera,
    knee0: tuple[float, float],
    ankle0: tuple[float, float],
    knee: tuple[float, float],
    ankle: tuple[float, float],
    side: str,
    foot_deg: float = math.nan,
    heels_up: bool = False,
    shank_error: float = 0.0,
    shank_scale: float = 1.0,
    drop: float = 0.0,
) -> float:
    """The knee's direction at the bottom of a plié with the leg placed in the room through the camera, degrees out
    from "toward the camera", outward positive (she faces the camera; lengths in legs). ``ankle`` (at the bottom) is
    used only with ``heels_up``.

    * The ankle joint: the standing ankle point's ray met with its plane (:data:`MEDIAPIPE`), :data:`ANKLE_POINT_ABOVE`
      lower. A planted foot's ankle does not move in a plié; the ankle point at the bottom is not used (on the real
      teacher's plié it slid 12 px outward with her trouser hem).
    * The standing leg: the standing knee point's ray met with the upright plane across the picture through the
      ankle (a straight leg leans sideways in second position, not forward), :data:`KNEE_POINT_BELOW` higher for the
      joint. The shank's length and the leg's line (hip-to-ankle, standing) follow.
    * The knee at the bottom: on the ray through ``knee`` (the joint's picture point: :func:`knee_verdict` moves
      MediaPipe's point there, :data:`KNEE_POINT_BENT_BELOW`), a shank's length from the ankle joint, the nearer of
      the two points (the knee travels forward over the foot); the ray's nearest point when it passes short of that
      length.
    * Its direction: the part of ankle-to-knee square to the hip-ankle line at the bottom, on the floor: the knee's
      direction as the studio's truth defines it (the perpendicular from the hip-ankle line). The hip joint stands
      on the standing leg's line one leg up, and the plié lowers it straight down by ``drop`` (the hips' drop, legs).
      In first position the leg stands upright and the line hardly turns; in second it leans, and lowering the hip
      leans it further. With perfect inputs (the true camera and joints) a correct second-position knee read 2.2
      degrees inside its foot from the standing leg's line, 0.5 from this one; first position 0.0 and -0.5.

    ``heels_up`` (a grand plié in first or fifth, where the heels rise) with ``foot_deg`` (the foot's direction): the
    foot has turned about its ball, so the ankle went up and along the foot: the ankle joint is then where the
    bottom's ankle point's ray meets the foot's upright plane (only if that is higher than standing).

    ``shank_error`` (the shank length's relative error, :data:`SHANK_P95`): ``nan`` when the knee's ray passes the
    ankle joint further than the shank's length shortened by that error. The knee's forward travel is then the
    small leg of a nearly flat triangle, and the length's own error decides it: on the studio every knee read so
    (8 legs) was 24-45 degrees off, all outward, while the picture's sideways travel alone looks right.
    ``shank_scale``: the shank taken this much longer (the far end of its error: the knee then reads further
    forward, the most inward direction its picture allows)."""
    if not all(math.isfinite(x) for x in (*knee0, *ankle0, *knee)):
        return math.nan
    centre = np.array([0.0, 0.0, cam.height])
    ax, ay = cam.to_plane(ankle0[0], ankle0[1], MEDIAPIPE.ankle)
    joint = np.array([ax, ay, MEDIAPIPE.ankle - ANKLE_POINT_ABOVE])
    d0 = _ray(cam, *knee0)
    if not (math.isfinite(ax) and math.isfinite(ay) and d0[1] > 0):
        return math.nan
    knee_joint0 = centre + (ay / d0[1]) * d0 + np.array([0.0, 0.0, KNEE_POINT_BELOW])
    leg = knee_joint0 - joint
    length = float(np.linalg.norm(leg))
    if not length > 0:
        return math.nan
    line = leg / length
    # the hip joint at the bottom: on the standing leg's line one leg up, lowered by the hips' drop (from the
    # standing ankle joint, before a heel's rise moves it)
    hip = None
    if drop > 0 and line[2] > 0:
        hip = joint + line * ((1.0 - joint[2]) / line[2]) - np.array([0.0, 0.0, drop])
    length *= shank_scale
    if heels_up and math.isfinite(foot_deg) and all(map(math.isfinite, ankle)):
        # the heel up, the foot turned about its ball: the ankle moved up and along the foot, in its upright plane
        sign = 1.0 if side == "left" else -1.0
        axis_deg = foot_deg + cam.facing if side == "left" else foot_deg - cam.facing  # against the camera's axis
        along = np.array([sign * math.sin(math.radians(axis_deg)), -math.cos(math.radians(axis_deg)), 0.0])
        normal = np.array([-along[1], along[0], 0.0])
        da = _ray(cam, *ankle)
        if abs(float(normal @ da)) > 1e-9:
            moved = centre + float(normal @ (joint - centre)) / float(normal @ da) * da
            if math.isfinite(moved[2]) and moved[2] > MEDIAPIPE.ankle:
                joint = moved - np.array([0.0, 0.0, ANKLE_POINT_ABOVE])
    d = _ray(cam, *knee)
    rel = joint - centre
    dd, dr, rr = float(d @ d), float(d @ rel), float(rel @ rel)
    if shank_error > 0 and (rr - dr * dr / dd) * (1.0 + shank_error) ** 2 >= length * length:
        return math.nan  # the ray passes within the shank's error of its sphere's edge: forward travel unknown
    disc = dr * dr - dd * (rr - length * length)
    lam = (dr - math.sqrt(disc)) / dd if disc > 0 else dr / dd
    w = centre + lam * d - joint
    axis = line if hip is None else (hip - joint) / float(np.linalg.norm(hip - joint))
    w = w - float(w @ axis) * axis
    sign = 1.0 if side == "left" else -1.0  # outward: her left is the picture's right
    return cam.against_her(math.degrees(math.atan2(sign * float(w[0]), -float(w[1]))), side)


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
    the toes). The direction is atan2(sideways, forward).

    Tried and not used (scripts/picture_study.py): placing both shank ends in the room through the camera (the
    ankle point on its plane, the knee point on its ray a shank's length away) read more of the studio's knees within
    10 degrees of the truth, but one knee of the real teacher's correct plié (ballet_plie) 18 degrees inside its
    foot: its ankle point moved 12 px outward with the trouser hem at the bottom, and that method hangs on it."""
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
    return cam.against_her(math.degrees(math.atan2(side_px, forward)), side)


#: A foot's direction from the picture, end to end: 95 % of single frames read within this of the truth, as the
#: product shows them (docs/accuracy.md, make accuracy: 51 standing scenes through the real pose model, feet read
#: only while planted, with crossed legs the front foot only, heels down, against her facing): p95 14.2 standing and
#: 13.5 in pliés (display.UNCERTAINTY), the larger rounded up.
#: The readings' range is this band widened to the camera prior; docs/accuracy.md measures how often it holds the
#: truth. (Before her facing was read, :func:`facing_deg`: p95 22.2 / 18.2, cameras 15-20 degrees to her side making
#: most of it.)
FOOT_P95_DEG: Final = 15.0
#: The same with the camera from a floor calibration (:func:`camera_from_floor`), no prior to widen it: end to end on
#: the frames of the studio's 6 sheet scenes measured floor-calibrated (docs/accuracy.md) p95 12.4 standing and 16.3
#: in pliés, the larger rounded up. Too few scenes to halve; the camera 1.2 m up and 15 degrees to her side with feet
#: at 60 (a4_first60_yaw: the foot turned furthest from the camera reads about 10 low) makes most of it; without it
#: 8.6 / 9.3.
FOOT_P95_FLOOR_DEG: Final = 17.0


class FootReading(NamedTuple):
    """A foot's direction on the floor (degrees out from "toward the camera", outward positive) and its honest
    range: ``low <= deg <= high`` holds the truth for 95 % of feet as measured end to end. All ``nan`` when the
    foot cannot be read."""

    deg: float
    low: float
    high: float


def foot_turnout_picture(
    cam: Camera,
    toe: tuple[float, float],
    ankle: tuple[float, float],
    heel: tuple[float, float] | None,
    side: str,
    drop: float = 0.0,
    heights: Heights = MEDIAPIPE,
) -> FootReading:
    """One foot's turnout in degrees from its picture points, for any single frame (live figures, CSV, report).

    ``cam``: :func:`estimate_camera` from her standing (median ``hip_y_px`` and ``floor_y_px`` over her standing
    frames, ``span_px``; keep it fixed through a plié, as the tracker does). ``toe``, ``ankle``, ``heel``:
    MediaPipe's foot_index, ankle and heel points in px from the picture's centre (``turnout.measure.image``'s
    ``{side}_{toe,ankle,heel}_{x,y}_px``); ``(nan, nan)`` where not visible; the heel may be ``None`` (the toe and
    ankle are needed). ``side``: "left" or "right", the dancer's own (she faces the camera). ``drop``: her hips'
    drop below standing in legs, :func:`hips_drop` of this frame's ``hip_y_px`` (0 standing).

    Returns :class:`FootReading` ``(deg, low, high)``: 0 = the foot points at the camera, 90 = turned fully out (a
    perfect first position reads 90 per foot), outward positive; all ``nan`` when it cannot be read. ``low..high``
    is the measured end-to-end band (:data:`FOOT_P95_DEG` either side) widened to the readings over the camera
    prior (:data:`PRIOR`) where those go further. Angles are against the camera's axis: a camera off to her side
    by a yaw turns one foot's reading up and the other's down by about that yaw (their sum stays). One frame's
    points jitter by a pixel or two (about 4 degrees a pixel at the ankle): show a running median over 0.3-0.5 s.
    A foot on its toes (relevé) or sliding (tendu) is not flat and does not read true. Nor does a foot whose points
    are not where the pose model puts them on a visible foot (:func:`foot_points_fit`): no reading."""
    deg = foot_direction_deg(cam, toe, ankle, side, heel, drop, heights)
    if not math.isfinite(deg) or not foot_points_fit(cam, toe, ankle, heel, drop, heights):
        return FootReading(math.nan, math.nan, math.nan)
    band = FOOT_P95_FLOOR_DEG if cam.calibrated else FOOT_P95_DEG
    low, high = deg - band, deg + band
    if not cam.calibrated and math.isfinite(cam.hip_y) and math.isfinite(cam.floor_y) and math.isfinite(cam.span_px):
        for height, fov in PRIOR:
            other = estimate_camera(cam.hip_y, cam.floor_y, cam.span_px, fov, height, facing=cam.facing)
            if other is not None:
                d = foot_direction_deg(other, toe, ankle, side, heel, drop, heights)
                if math.isfinite(d):
                    low, high = min(low, d), max(high, d)
    return FootReading(deg, low, high)


def front_foot(ankles: Mapping[str, tuple[float, float]], leg_px: float) -> str | None:
    """With the legs crossed (fifth position), which foot stands in front: the side whose ankle point is lower in the
    picture by more than :data:`FRONT_FOOT_LEGS` (``leg_px``: her standing hip-to-floor height in the picture);
    ``None`` if neither is clearly ahead. ``ankles``: each side's ankle point (px)."""
    left, right = ankles.get("left"), ankles.get("right")
    if left is None or right is None or not leg_px > 0:
        return None
    ahead = (right[1] - left[1]) / leg_px  # positive: the right ankle lower, nearer the camera
    if not math.isfinite(ahead) or abs(ahead) <= FRONT_FOOT_LEGS:
        return None
    return "right" if ahead > 0 else "left"


def hips_drop(cam: Camera, hip_y: float) -> float:
    """Her hips' drop below her standing (the camera's) in legs, from this frame's mid-hip row; 0 if unknown."""
    leg = cam.floor_y - cam.hip_y
    d = (hip_y - cam.hip_y) / leg if math.isfinite(hip_y) and leg > 0 else 0.0
    return d if math.isfinite(d) else 0.0


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
    #: the planted foot read at the bottom minus read standing (nominal camera; nan where not read twice): beyond
    #: :data:`FOOT_TWICE_DEG` either way the foot is not read
    foot_twice_deg: float = math.nan


def knee_verdict(
    hip_y: float,
    floor_y: float,
    span_px: float,
    standing: tuple[tuple[float, float], tuple[float, float], tuple[float, float]],
    bottom: tuple[tuple[float, float], tuple[float, float]],
    side: str,
    heel: tuple[float, float] | None = None,
    heights: Heights = JOINTS,
    bottom_foot: tuple[tuple[float, float], tuple[float, float] | None] | None = None,
    bottom_hip_y: float = math.nan,
    facing: float = 0.0,
    crossed: bool = False,
    under_hem: bool = False,
) -> KneeVerdict:
    """``standing``: (knee, ankle, toe) before the plié (medians over her standing); ``bottom``: (knee, ankle) at
    its bottom; positions in px from the picture's centre; ``hip_y``, ``floor_y`` of the standing dancer for the
    camera model. Optional: ``heel``, the standing heel point, and ``heights``, where the pose model's points are
    taken: :data:`MEDIAPIPE` (measured) places the foot's points at their heights and the knee in the room
    (:func:`knee_direction_room_deg`); :data:`JOINTS`, the first rule, the ankle at its joint's height and the knee
    in the picture's plane (:func:`knee_direction_deg`), the default for comparison only: the tracker
    (``turnout.practice.plie``) passes :data:`MEDIAPIPE`, the heel and the bottom's foot, and its knee limit
    (``flags.knees_inside_toes.warn``) is set for that reading (docs/thresholds.md). The nominal reading
    uses the nominal camera (:data:`CAM_HEIGHT`, :data:`FOV_DEG`); the range, every camera of :data:`PRIOR`.

    ``bottom_foot``: (toe, heel) at the bottom (medians over the bottom frames; the heel may be ``None`` or nan),
    with ``bottom_hip_y`` the mid-hip row there: a planted foot is then read twice, standing and at the bottom, and
    the two directions averaged (their errors are partly independent); two readings further apart than
    :data:`FOOT_TWICE_DEG` (nominal camera) leave the foot not read (``foot_deg`` nan). The bottom's knee point is
    taken back to the joint's picture point (:data:`KNEE_POINT_BENT_BELOW`), measured with the legs apart: with
    ``crossed`` legs (fifth position, the front leg) it is taken as it is. ``facing``: her facing
    (:func:`facing_deg`); the knee's and foot's directions are against it (their difference does not change). With
    the hips deeper than :data:`GRAND_DROP` or the ankle point risen more than :data:`HEELS_UP` the heels may be up:
    the foot is not read again and the knee is measured from where the ankle went
    (:func:`knee_direction_room_deg`). On the studio, with
    :data:`MEDIAPIPE` and the standing heel: 79 % of legs within 10 degrees of the truth instead of 71 % (84 % of
    those with a verdict; halves of the catalogue 94 % and 73 %; docs/measurements.md). A knee whose forward travel
    the picture cannot show (its ray within :data:`SHANK_P95` of missing the shank's reach, nominal camera) gets no
    verdict: on the studio 88 % of the 118 legs left within 10 degrees, p95 12.2 (83 % of 132, p95 23.8, before).
    ``under_hem``: trousers hide her heels (``turnout.practice.plie.hem_hides_feet``): the foot is not read, as
    above."""
    leg_px = floor_y - hip_y
    if heights is MEDIAPIPE and not crossed and leg_px > 0 and all(map(math.isfinite, bottom[0])):
        # the bottom's knee point to the knee joint's picture point (where MediaPipe puts it, measured)
        out = 1.0 if side == "left" else -1.0  # her left is the picture's right
        knee_b = (bottom[0][0] + out * KNEE_POINT_BENT_INSIDE * leg_px, bottom[0][1] - KNEE_POINT_BENT_BELOW * leg_px)
        bottom = (knee_b, bottom[1])
    rels: list[float] = []
    nominal = (math.nan, math.nan, math.nan)
    hidden = False  # the nominal knee's forward travel not known (its ray within SHANK_P95 of missing its reach)
    nominal_cam: Camera | None = None
    twice = math.nan  # the foot read at the bottom minus read standing (nominal camera)
    for height, fov in ((CAM_HEIGHT, FOV_DEG), *PRIOR):
        cam = estimate_camera(hip_y, floor_y, span_px, fov, height, facing=facing)
        if cam is None:
            continue
        if (height, fov) == (CAM_HEIGHT, FOV_DEG):
            nominal_cam = cam
        foot = foot_direction_deg(cam, standing[2], standing[1], side, heel, 0.0, heights)
        drop = hips_drop(cam, bottom_hip_y) if math.isfinite(bottom_hip_y) else math.nan
        heels_up = drop > GRAND_DROP or ankle_rise(cam, standing[1], bottom[1]) > HEELS_UP
        ends: list[float] = []
        if heights is JOINTS:
            knee = knee_direction_deg(cam, standing[0], standing[1], bottom[0], bottom[1], side)
        else:
            first = (height, fov) == (CAM_HEIGHT, FOV_DEG) and not math.isfinite(nominal[2]) and not hidden
            knee = knee_direction_room_deg(
                cam, standing[0], standing[1], bottom[0], bottom[1], side, foot, heels_up, SHANK_P95 if first else 0.0,
                drop=drop,
            )  # fmt: skip
            if first and not math.isfinite(knee):
                # no number, but a range: from the shank at the long end of its error (the most inward reading the
                # picture allows) to the knee placed as if its ray just reached (the most outward)
                ends = [
                    knee_direction_room_deg(
                        cam,
                        standing[0],
                        standing[1],
                        bottom[0],
                        bottom[1],
                        side,
                        foot,
                        heels_up,
                        shank_scale=scale,
                        drop=drop,
                    )
                    for scale in (1.0 + SHANK_P95, 1.0)
                ]
        if bottom_foot is not None and not heels_up:
            again = foot_direction_deg(cam, bottom_foot[0], bottom[1], side, bottom_foot[1], drop, heights)
            if math.isfinite(again) and math.isfinite(foot):
                if (height, fov) == (CAM_HEIGHT, FOV_DEG) and not math.isfinite(twice):
                    twice = wrap_deg(again - foot)
                foot += wrap_deg(again - foot) / 2.0
        if ends and all(map(math.isfinite, ends)) and math.isfinite(foot):
            hidden = True
            rels.extend(wrap_deg(e - foot) for e in ends)
            nominal = (math.nan, foot, math.nan)
            continue
        rel = wrap_deg(knee - foot)
        if (height, fov) == (CAM_HEIGHT, FOV_DEG) and not math.isfinite(nominal[2]):
            nominal = (knee, foot, rel)
        else:
            rels.append(rel)
    if under_hem or (
        heights is MEDIAPIPE
        and (
            abs(twice) > FOOT_TWICE_DEG
            or nominal_cam is None
            or not foot_points_fit(nominal_cam, standing[2], standing[1], heel, 0.0, heights)
        )
    ):
        # the foot alone is not read in degrees (its points are not on it as measured, or it seemed to turn in the
        # plié); the knee against it is read through the same points, and stays, but its error is not measured:
        # RepSummary.foot_read keeps any "inside" and any flag from it
        nominal = (nominal[0], math.nan, nominal[2])
    finite = [r for r in rels if math.isfinite(r)]
    if hidden and finite:
        return KneeVerdict(math.nan, nominal[1], math.nan, min(finite), max(finite), twice)
    if not math.isfinite(nominal[2]) or not finite:
        return KneeVerdict(*nominal, foot_twice_deg=twice)
    every = [*finite, nominal[2] - KNEE_MEDIAN_ERR_DEG, nominal[2] + KNEE_MEDIAN_ERR_DEG]
    return KneeVerdict(nominal[0], nominal[1], nominal[2], min(every), max(every), twice)
