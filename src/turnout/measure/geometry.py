"""Landmarks -> measurements (``docs/measurements.md`` defines each one, with a figure).

One vectorised implementation, :func:`measure_series` over (T, 33, 3); :func:`measure_frame` is a thin
wrapper for one frame. Pure numpy. Never raises on bad landmark values (NaN, inf, huge, coincident points,
visibility 0): what cannot be measured is ``nan`` with a reason a person can read. Wrong array *shapes*
are programming errors and raise ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from turnout.measure.floorframe import (
    _HEELS_OFF,
    BODY_AXIS_MAX_DEG,
    EPS_M,
    FOOT_POINTS,
    HEEL_LIFT_TOL_M,
    HEEL_TILT_TOL_DEG,
    LEG_FADE_FRACTION,
    PRIOR_FRACTION,
    TOES_FIT_FIRM_M,
    FloorFrame,
    _fit,
    angle_between_deg,
    cross,
    dot,
    floor_frame,
    norm,
    unit,
)
from turnout.measure.measures import (
    BODY_FIELDS,
    SIDE_FIELDS,
    SIDES,
    FrameMeasurement,
    Mode,
    SideMeasurement,
    geometry_names,
)
from turnout.pose import landmarks as lm

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
ReasonArray = NDArray[np.object_]

#: A landmark whose visibility is below this is not used (MediaPipe's own default threshold).
VISIBILITY_MIN: Final = 0.5
#: World coordinates beyond this many metres from the hips are not a person: treated as missing.
MAX_ABS_COORD_M: Final = 10.0
#: Suggested ``image_margin``: a landmark whose image x or y lies outside [-margin, 1 + margin] is outside
#: the picture (MediaPipe guesses such points). Off by default: MediaPipe's visibility already drops there.
IMAGE_MARGIN: Final = 0.1
#: Below this knee flexion the knee has no direction worth reporting (5 mm of landmark noise turns a
#: 15-degree bend's direction by about 6 degrees; at 5 degrees it would be about 20).
KNEE_DIRECTION_MIN_FLEXION_DEG: Final = 15.0
#: Segments shorter than this (thigh, shank, foot on the floor, hip line, torso) have no direction.
MIN_SEGMENT_M: Final = 0.01
#: Hip to ankle must span at least this much of the picture's height (normalised) for the heel rise to be read.
MIN_LEG_IMAGE: Final = 0.05

_LANDMARK_NAMES: Final = {
    lm.LEFT_SHOULDER: "left shoulder",
    lm.RIGHT_SHOULDER: "right shoulder",
    lm.LEFT_HIP: "left hip",
    lm.RIGHT_HIP: "right hip",
    lm.LEFT_KNEE: "left knee",
    lm.RIGHT_KNEE: "right knee",
    lm.LEFT_ANKLE: "left ankle",
    lm.RIGHT_ANKLE: "right ankle",
    lm.LEFT_HEEL: "left heel",
    lm.RIGHT_HEEL: "right heel",
    lm.LEFT_FOOT_INDEX: "left toes",
    lm.RIGHT_FOOT_INDEX: "right toes",
}
_WHY: Final = {
    1: "missing (not a finite number)",
    2: f"implausibly far away (over {MAX_ABS_COORD_M:g} m from the origin)",
    3: f"not visible enough (visibility below {VISIBILITY_MIN:g})",
    4: "outside the picture",
}
_HIPS: Final = (lm.LEFT_HIP, lm.RIGHT_HIP)
_SHOULDERS: Final = (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER)
_ANKLES: Final = (lm.LEFT_ANKLE, lm.RIGHT_ANKLE)
#: Columns of ``FloorFrame.on_floor`` other than a side's own heel (left: 0, right: 1).
_OTHER_FOOT_POINTS: Final = ([1, 2, 3], [0, 2, 3])


@dataclass(frozen=True, slots=True, eq=False)
class SeriesMeasurement(Mapping[str, FloatArray]):
    """Measurements of T frames: a mapping ``geometry_names() -> (T,) array``, plus reasons per frame.

    ``reasons[name][t]`` is ``""`` where the value is finite, else why it is ``nan``.
    """

    data: Mapping[str, FloatArray]
    reasons: Mapping[str, ReasonArray]
    floor: FloorFrame

    def __getitem__(self, name: str) -> FloatArray:
        return self.data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def frame(self, t: int) -> FrameMeasurement:
        """Frame ``t`` as the contract's :class:`FrameMeasurement` (reasons only for ``nan`` fields)."""

        def pick(prefix: str, names: tuple[tuple[str, str], ...]) -> tuple[dict[str, float], dict[str, str]]:
            vals = {n: float(self.data[prefix + n][t]) for n, _ in names}
            why = {n: str(self.reasons[prefix + n][t]) for n, _ in names if self.reasons[prefix + n][t]}
            return vals, why

        sides = []
        for side in SIDES:
            vals, why = pick(f"{side}_", SIDE_FIELDS)
            sides.append(SideMeasurement(**vals, reasons=why))
        vals, why = pick("", BODY_FIELDS)
        return FrameMeasurement(
            left=sides[0],
            right=sides[1],
            total_foot_turnout_deg=vals["total_foot_turnout_deg"],
            pelvis_level_m=vals["pelvis_level_m"],
            torso_lean_deg=vals["torso_lean_deg"],
            weight_shift_m=vals["weight_shift_m"],
            mode=Mode.UNCALIBRATED_3D,
            reasons=why,
        )


class _Gate:
    """Accumulates one measurement's values and the first reason each frame failed.

    ``ok`` marks frames without a reason yet; the reason texts are only built once a frame fails, so a good
    frame costs a few boolean operations (one live frame pays numpy's per-call overhead, not the maths).
    """

    __slots__ = ("_reason", "ok", "t")

    def __init__(self, t: int) -> None:
        self.t = t
        self.ok: BoolArray = np.ones(t, dtype=np.bool_)
        self._reason: ReasonArray | None = None

    @property
    def reason(self) -> ReasonArray:
        return np.full(self.t, "", dtype=object) if self._reason is None else self._reason

    def fail(self, where: BoolArray, reason: str | ReasonArray) -> None:
        fresh = where & self.ok
        if not fresh.any():
            return
        if self._reason is None:
            self._reason = np.full(self.t, "", dtype=object)
        self._reason[fresh] = reason[fresh] if isinstance(reason, np.ndarray) else reason
        self.ok = self._reason == ""

    def need(self, status: NDArray[np.int8], indices: tuple[int, ...], subject: str) -> None:
        if not status[:, indices].any():
            return
        for i in indices:
            bad = status[:, i] > 0
            if bad.any():
                texts = np.array([f"{subject} not visible ({_LANDMARK_NAMES[i]} {_WHY.get(c, '')})" for c in range(5)])
                self.fail(bad, texts[status[:, i]].astype(object))

    def finish(self, value: FloatArray) -> tuple[FloatArray, ReasonArray]:
        """The value (``nan`` where a reason was given or it is not finite) and the reasons (``""`` where finite).

        Called inside ``measure_series``'s ``np.errstate(all="ignore")``."""
        value = np.where(self.ok, value, np.nan)
        finite = np.isfinite(value)
        self.fail(~finite, "could not be computed from these landmarks")
        reason = self.reason if self._reason is None else np.where(finite, "", self._reason).astype(object)
        return value.astype(float), reason


def _as_stack(a: ArrayLike, shape: tuple[int, ...], name: str) -> FloatArray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim == len(shape) - 1:
        arr = arr[None]
    if arr.ndim != len(shape) or arr.shape[1:] != shape[1:]:
        want = "(T, " + ", ".join(map(str, shape[1:])) + ")"
        raise ValueError(f"{name} must have shape {want} or {want[4:-1] or '()'}, got shape={arr.shape}")
    return arr


def _landmark_status(
    world: FloatArray, image: FloatArray | None, vis: FloatArray | None, margin: float | None
) -> NDArray[np.int8]:
    """Per landmark: 0 usable, else a key of ``_WHY``."""
    status = np.zeros(world.shape[:2], dtype=np.int8)
    with np.errstate(invalid="ignore"):
        if image is not None and margin is not None:
            xy = image[..., :2]
            outside = (np.isfinite(xy) & ((xy < -margin) | (xy > 1 + margin))).any(axis=-1)
            status[outside] = 4
        if vis is not None:
            status[~(vis >= VISIBILITY_MIN)] = 3
        status[(np.abs(world) > MAX_ABS_COORD_M).any(axis=-1)] = 2
    status[~np.isfinite(world).all(axis=-1)] = 1
    return status


def _turn_angle(v: FloatArray, fr: FloorFrame, sign: float) -> FloatArray:
    """Angle in the floor plane from forward to ``v`` (already horizontal), outward positive, degrees."""
    return np.degrees(np.arctan2(sign * dot(v, fr.left), dot(v, fr.forward)))


def _horizontal(v: FloatArray, up: FloatArray) -> FloatArray:
    return v - dot(v, up)[:, None] * up


def _finite_rows(v: FloatArray) -> BoolArray:
    return np.asarray(np.isfinite(v).all(axis=1), dtype=np.bool_)


def _short(v: FloatArray) -> BoolArray:
    return ~(norm(v) >= MIN_SEGMENT_M)


def _side(
    side: str, p: FloatArray, status: NDArray[np.int8], fr: FloorFrame, img: FloatArray | None = None
) -> dict[str, tuple[FloatArray, ReasonArray]]:
    sign = 1.0 if side == "left" else -1.0
    hip_i, knee_i, ankle_i, heel_i, toe_i = lm.LEG[side]
    hip, knee, ankle, heel, toe = (p[:, i] for i in lm.LEG[side])
    t = p.shape[0]
    gates = {name: _Gate(t) for name, _ in SIDE_FIELDS}
    out: dict[str, tuple[FloatArray, ReasonArray]] = {}

    g = gates["knee_flexion_deg"]
    g.need(status, (hip_i, knee_i, ankle_i), f"{side} leg")
    thigh, shank = knee - hip, ankle - knee
    g.fail(_short(thigh) | _short(shank), f"{side} thigh or shank has no length")
    flexion, _ = out["knee_flexion_deg"] = g.finish(angle_between_deg(thigh, shank))

    g = gates["foot_turnout_deg"]
    g.need(status, (heel_i, toe_i), "feet")
    g.need(status, _HIPS, "hips")
    g.fail(~_finite_rows(fr.forward), "hips coincide: facing direction unknown")
    foot = _horizontal(toe - heel, fr.up)
    g.fail(_short(foot), f"{side} foot has no length along the floor")
    foot_turnout, foot_reason = out["foot_turnout_deg"] = g.finish(_turn_angle(foot, fr, sign))

    g = gates["knee_turnout_deg"]
    g.fail(np.isnan(flexion), out["knee_flexion_deg"][1])
    g.need(status, _HIPS, "hips")
    g.fail(~_finite_rows(fr.forward), "hips coincide: facing direction unknown")
    g.fail(
        flexion < KNEE_DIRECTION_MIN_FLEXION_DEG,
        f"{side} knee too straight to have a direction (flexion below {KNEE_DIRECTION_MIN_FLEXION_DEG:g}°)",
    )
    axis = unit(ankle - hip)
    rel = knee - hip
    bulge = _horizontal(rel - dot(rel, axis)[:, None] * axis, fr.up)
    g.fail(_short(bulge) & g.ok, f"{side} knee bends straight up or down: no direction")
    knee_turnout, knee_reason = out["knee_turnout_deg"] = g.finish(_turn_angle(bulge, fr, sign))

    g = gates["forced_turnout_deg"]
    g.fail(np.isnan(foot_turnout), foot_reason)
    g.fail(np.isnan(knee_turnout), knee_reason)
    out["forced_turnout_deg"] = g.finish((foot_turnout - knee_turnout + 180.0) % 360.0 - 180.0)

    g = gates["knee_over_toe_offset_m"]
    g.need(status, (heel_i, toe_i), "feet")
    g.need(status, (knee_i,), f"{side} knee")
    g.fail(_short(foot), f"{side} foot has no length along the floor")
    inward = sign * cross(unit(foot), fr.up)
    out["knee_over_toe_offset_m"] = g.finish(dot(knee - heel, inward))

    g = gates["heel_height_m"]
    g.need(status, (heel_i,), f"{side} heel")
    k = 0 if side == "left" else 1
    others = np.asarray(fr.on_floor[:, _OTHER_FOOT_POINTS[k]].any(axis=1), dtype=np.bool_)
    g.fail(~others, "floor not visible (no other foot point on the floor)")
    out["heel_height_m"] = g.finish(dot(heel, fr.up) - fr.floor_height)

    # The heel above its toe in the picture (image y grows downwards), in metres: the hip-to-ankle height in
    # metres (world) over the same in the picture gives the scale, whatever the picture's aspect. Hip over
    # ankle stays upright through a plie, where the shank tilts towards the camera and would skew the scale.
    # A flat foot shows its heel above the toe by its perspective; lifting the heel adds the lift. MediaPipe's
    # 3D heel height flips by 4-8 cm from frame to frame on real footage; the heel's image point does not
    # (docs/measurements.md), so heel lift is judged from this.
    g = gates["heel_rise_m"]
    g.need(status, (hip_i, ankle_i, heel_i, toe_i), f"{side} leg and foot")
    if img is None:
        g.fail(np.ones(t, dtype=np.bool_), "no image landmarks: heel rise needs the picture")
        out["heel_rise_m"] = g.finish(np.full(t, np.nan))
        return out
    leg_img = img[:, ankle_i, 1] - img[:, hip_i, 1]
    leg_up = dot(hip - ankle, fr.up)
    g.fail(~(leg_img > MIN_LEG_IMAGE) | ~(leg_up >= MIN_SEGMENT_M), f"{side} leg not upright in the picture")
    out["heel_rise_m"] = g.finish((img[:, toe_i, 1] - img[:, heel_i, 1]) * leg_up / leg_img)
    return out


def _body(
    p: FloatArray, status: NDArray[np.int8], fr: FloorFrame, sides: dict[str, tuple[FloatArray, ReasonArray]]
) -> dict[str, tuple[FloatArray, ReasonArray]]:
    t = p.shape[0]
    out: dict[str, tuple[FloatArray, ReasonArray]] = {}
    g = _Gate(t)
    for side in SIDES:
        value, reason = sides[f"{side}_foot_turnout_deg"]
        g.fail(np.isnan(value), reason)
    out["total_foot_turnout_deg"] = g.finish(sides["left_foot_turnout_deg"][0] + sides["right_foot_turnout_deg"][0])

    mid_hip = (p[:, lm.LEFT_HIP] + p[:, lm.RIGHT_HIP]) / 2
    g = _Gate(t)
    g.need(status, _HIPS, "hips")
    out["pelvis_level_m"] = g.finish(dot(p[:, lm.LEFT_HIP] - p[:, lm.RIGHT_HIP], fr.up))

    g = _Gate(t)
    g.need(status, _HIPS + _SHOULDERS, "torso")
    spine = (p[:, lm.LEFT_SHOULDER] + p[:, lm.RIGHT_SHOULDER]) / 2 - mid_hip
    g.fail(_short(spine), "shoulders and hips coincide: torso has no direction")
    out["torso_lean_deg"] = g.finish(angle_between_deg(spine, fr.up))

    g = _Gate(t)
    g.need(status, _HIPS + _ANKLES, "hips and ankles")
    g.fail(~_finite_rows(fr.left), "hips coincide: sideways direction unknown")
    mid_ankle = (p[:, lm.LEFT_ANKLE] + p[:, lm.RIGHT_ANKLE]) / 2
    out["weight_shift_m"] = g.finish(dot(mid_hip - mid_ankle, fr.left))
    return out


def measure_series(
    world: ArrayLike,
    image: ArrayLike | None = None,
    visibility: ArrayLike | None = None,
    *,
    image_margin: float | None = None,
) -> SeriesMeasurement:
    """Measure T frames at once.

    ``world`` (T, 33, 3): MediaPipe world landmarks in metres. ``image`` (T, 33, 3): normalised image
    landmarks, or None; with ``image_margin`` (e.g. :data:`IMAGE_MARGIN`) landmarks that far outside the
    picture are not used. ``visibility`` (T, 33), or None for all visible. A single frame without the T axis
    is accepted too.
    """
    w = _as_stack(world, (0, lm.NUM_LANDMARKS, 3), "world landmarks")
    img = None if image is None else _as_stack(image, (0, lm.NUM_LANDMARKS, 3), "image landmarks")
    vis = None if visibility is None else _as_stack(visibility, (0, lm.NUM_LANDMARKS), "visibility")
    for name, arr in (("image landmarks", img), ("visibility", vis)):
        if arr is not None and arr.shape[0] != w.shape[0]:
            raise ValueError(f"{name} has {arr.shape[0]} frames but world landmarks have {w.shape[0]}")
    status = _landmark_status(w, img, vis, image_margin)
    points = np.where((status == 0)[..., None], w, 0.0)
    with np.errstate(all="ignore"):
        fr = floor_frame(points, status == 0)
        per_side: dict[str, tuple[FloatArray, ReasonArray]] = {}
        for side in SIDES:
            for name, pair in _side(side, points, status, fr, img).items():
                per_side[f"{side}_{name}"] = pair
        body = _body(points, status, fr, per_side)
    merged = per_side | body
    names = geometry_names()
    return SeriesMeasurement(data={n: merged[n][0] for n in names}, reasons={n: merged[n][1] for n in names}, floor=fr)


def measure_frame(
    world: ArrayLike,
    image: ArrayLike | None = None,
    visibility: ArrayLike | None = None,
    *,
    image_margin: float | None = None,
) -> FrameMeasurement:
    """Measure one frame: ``world`` and ``image`` (33, 3), optional ``visibility`` (33,); see measure_series."""
    w = _as_stack(world, (0, lm.NUM_LANDMARKS, 3), "world landmarks")
    if w.shape[0] != 1:
        raise ValueError(f"measure_frame takes one frame of shape (33, 3), got shape={np.shape(world)}")
    if image is not None and visibility is not None and image_margin is None:  # the pipeline's call, every frame
        img = _as_stack(image, (0, lm.NUM_LANDMARKS, 3), "image landmarks")
        vis = _as_stack(visibility, (0, lm.NUM_LANDMARKS), "visibility")
        if img.shape[0] == 1 and vis.shape[0] == 1:
            one = _measure_one(w, img, vis)
            if one is not None:
                return one
    return measure_series(w, image, visibility, image_margin=image_margin).frame(0)


# -- one frame, without the series code's per-call overhead ------------------------------------------------------------
#: How numpy's einsum adds up a 3-vector dot product on this machine (its SIMD kernels pair the terms their own way):
#: found once (:func:`_dot_order`) among the orders below, so that one frame measured on Python floats gives the
#: series code's values to the bit. None: no order matched, one frame goes through the series code.
_DOT_ORDERS: Final = (
    lambda a, b: 0.0 + ((a[0] * b[0] + a[2] * b[2]) + a[1] * b[1]),
    lambda a, b: (a[0] * b[0] + a[2] * b[2]) + a[1] * b[1],
    lambda a, b: 0.0 + ((a[0] * b[0] + a[1] * b[1]) + a[2] * b[2]),
    lambda a, b: (a[0] * b[0] + a[1] * b[1]) + a[2] * b[2],
    lambda a, b: 0.0 + (a[0] * b[0] + (a[1] * b[1] + a[2] * b[2])),
    lambda a, b: a[0] * b[0] + (a[1] * b[1] + a[2] * b[2]),
)
_dot_found: list[Any] = []


def _dot_order() -> Any:
    """The order of :data:`_DOT_ORDERS` that gives ``floorframe.dot``'s (einsum's) value on (1, 3) rows, contiguous
    or strided, for 500 random pairs (None if none does)."""
    if not _dot_found:
        rng = np.random.default_rng(20261206)
        a = rng.normal(size=(500, 1, 3)) * rng.choice([1e-3, 1.0, 10.0], size=(500, 1, 1))
        b = rng.normal(size=(500, 1, 3))
        a[:8] = 0.0  # a zero vector: the sign of a zero sum
        b[:8] = np.sign(rng.normal(size=(8, 1, 3)))
        a[8:16] = -0.0
        wide = np.zeros((500, 1, 33, 3))
        wide[:, :, 7] = a
        pairs = [
            (a[i].tolist()[0], b[i].tolist()[0], float(dot(a[i], b[i])[0]), float(dot(wide[i][:, 7], b[i])[0]),
             float(dot(a[i], a[i])[0]))
            for i in range(500)
        ]  # fmt: skip
        found = None
        for order in _DOT_ORDERS:
            if all(order(x, y) == d == s and order(x, x) == sq for x, y, d, s, sq in pairs):
                found = order
                break
        _dot_found.append(found)
    return _dot_found[0]


def _deg_atan2(y: float, x: float) -> float:
    """``np.degrees(np.arctan2(y, x))`` as the series code computes it: numpy's arctan2 on one-element arrays (the
    C library's may differ in the last bit)."""
    return float(np.degrees(np.arctan2(np.array([y]), np.array([x])))[0])


class _One:
    """One measurement's gate on one frame: the first reason it failed (``_Gate`` for T = 1, on Python values)."""

    __slots__ = ("ok", "reason")

    def __init__(self) -> None:
        self.ok = True
        self.reason = ""

    def fail(self, where: bool, reason: str) -> None:
        if where and self.ok:
            self.ok, self.reason = False, reason

    def need(self, status: list[int], indices: tuple[int, ...], subject: str) -> None:
        for i in indices:
            c = status[i]
            if c > 0:
                self.fail(True, f"{subject} not visible ({_LANDMARK_NAMES[i]} {_WHY.get(c, '')})")

    def finish(self, v: float) -> tuple[float, str]:
        """The value (worked out by the caller only while the gate is open: ``nan`` otherwise), and the reason."""
        if not math.isfinite(v):  # an infinite value stays (with its reason), as the series code leaves it
            self.fail(True, "could not be computed from these landmarks")
            return v, self.reason
        return v, ""


Vec = tuple[float, float, float]
NAN: Final = math.nan


def _measure_one(w: FloatArray, img: FloatArray, vis: FloatArray) -> FrameMeasurement | None:
    """:func:`measure_series` of one frame (``w`` (1, 33, 3) world, ``img`` (1, 33, 3) normalised image, ``vis``
    (1, 33), no image margin), on Python floats: the landmarks' status and the floor frame as the series code works
    them out (the same calls), then each measurement's arithmetic in the series code's order, with numpy's arctan2.
    None where einsum's order is not known (:func:`_dot_order`)."""
    order = _dot_order()
    if order is None:
        return None
    dotp: Callable[[Vec, Vec], float] = order
    status_a = _landmark_status(w, img, vis, None)
    points_a = np.where((status_a == 0)[..., None], w, 0.0)
    status: list[int] = status_a[0].tolist()
    p: list[Vec] = [tuple(r) for r in points_a[0].tolist()]
    im: list[list[float]] = img[0].tolist()

    def sub(a: Vec, b: Vec) -> Vec:
        return (a[0] - b[0], a[1] - b[1], a[2] - b[2])

    def norm(v: Vec) -> float:
        return math.sqrt(dotp(v, v))

    def short(v: Vec) -> bool:
        return not norm(v) >= MIN_SEGMENT_M

    def cross(a: Vec, b: Vec) -> Vec:
        return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])

    def unit(v: Vec) -> Vec:
        n = norm(v)
        if n >= EPS_M:
            return (v[0] / n, v[1] / n, v[2] / n)
        return (math.nan, math.nan, math.nan)

    up, forward, left, floor_height, on_floor = _floor_one(p, [c == 0 for c in status], dotp, norm, cross, unit)
    forward_ok = all(map(math.isfinite, forward))
    left_ok = all(map(math.isfinite, left))

    def horizontal(v: Vec) -> Vec:
        d = dotp(v, up)
        return (v[0] - d * up[0], v[1] - d * up[1], v[2] - d * up[2])

    def angle_between(a: Vec, b: Vec) -> float:
        return _deg_atan2(norm(cross(a, b)), dotp(a, b))

    def turn(v: Vec, sign: float) -> float:
        return _deg_atan2(sign * dotp(v, left), dotp(v, forward))

    sides: dict[str, dict[str, tuple[float, str]]] = {}
    for k, side in enumerate(SIDES):
        sign = 1.0 if side == "left" else -1.0
        hip_i, knee_i, ankle_i, heel_i, toe_i = lm.LEG[side]
        hip, knee, ankle, heel, toe = p[hip_i], p[knee_i], p[ankle_i], p[heel_i], p[toe_i]
        out: dict[str, tuple[float, str]] = {}
        g = _One()
        g.need(status, (hip_i, knee_i, ankle_i), f"{side} leg")
        thigh, shank = sub(knee, hip), sub(ankle, knee)
        g.fail(short(thigh) or short(shank), f"{side} thigh or shank has no length")
        flexion, flexion_why = out["knee_flexion_deg"] = g.finish(angle_between(thigh, shank) if g.ok else NAN)

        g = _One()
        g.need(status, (heel_i, toe_i), "feet")
        g.need(status, _HIPS, "hips")
        g.fail(not forward_ok, "hips coincide: facing direction unknown")
        foot = horizontal(sub(toe, heel))
        g.fail(short(foot), f"{side} foot has no length along the floor")
        foot_turnout, foot_why = out["foot_turnout_deg"] = g.finish(turn(foot, sign) if g.ok else NAN)

        g = _One()
        g.fail(math.isnan(flexion), flexion_why)
        g.need(status, _HIPS, "hips")
        g.fail(not forward_ok, "hips coincide: facing direction unknown")
        g.fail(
            flexion < KNEE_DIRECTION_MIN_FLEXION_DEG,
            f"{side} knee too straight to have a direction (flexion below {KNEE_DIRECTION_MIN_FLEXION_DEG:g}°)",
        )
        if g.ok:
            axis = unit(sub(ankle, hip))
            rel = sub(knee, hip)
            d = dotp(rel, axis)
            bulge = horizontal((rel[0] - d * axis[0], rel[1] - d * axis[1], rel[2] - d * axis[2]))
            g.fail(short(bulge), f"{side} knee bends straight up or down: no direction")
            knee_turnout, knee_why = out["knee_turnout_deg"] = g.finish(turn(bulge, sign) if g.ok else NAN)
        else:
            knee_turnout, knee_why = out["knee_turnout_deg"] = g.finish(NAN)

        g = _One()
        g.fail(math.isnan(foot_turnout), foot_why)
        g.fail(math.isnan(knee_turnout), knee_why)
        out["forced_turnout_deg"] = g.finish((foot_turnout - knee_turnout + 180.0) % 360.0 - 180.0 if g.ok else NAN)

        g = _One()
        g.need(status, (heel_i, toe_i), "feet")
        g.need(status, (knee_i,), f"{side} knee")
        g.fail(short(foot), f"{side} foot has no length along the floor")

        def over_toe() -> float:
            c = cross(unit(foot), up)  # noqa: B023 (called at once)
            return dotp(sub(knee, heel), (sign * c[0], sign * c[1], sign * c[2]))  # noqa: B023

        out["knee_over_toe_offset_m"] = g.finish(over_toe() if g.ok else NAN)

        g = _One()
        g.need(status, (heel_i,), f"{side} heel")
        g.fail(
            not any(on_floor[j] for j in _OTHER_FOOT_POINTS[k]), "floor not visible (no other foot point on the floor)"
        )
        out["heel_height_m"] = g.finish(dotp(heel, up) - floor_height if g.ok else NAN)

        g = _One()
        g.need(status, (hip_i, ankle_i, heel_i, toe_i), f"{side} leg and foot")
        leg_img = im[ankle_i][1] - im[hip_i][1]
        leg_up = dotp(sub(hip, ankle), up)
        g.fail(not (leg_img > MIN_LEG_IMAGE) or not (leg_up >= MIN_SEGMENT_M), f"{side} leg not upright in the picture")
        out["heel_rise_m"] = g.finish((im[toe_i][1] - im[heel_i][1]) * leg_up / leg_img if g.ok else NAN)
        sides[side] = out

    body: dict[str, tuple[float, str]] = {}
    g = _One()
    for side in SIDES:
        value, reason = sides[side]["foot_turnout_deg"]
        g.fail(math.isnan(value), reason)
    body["total_foot_turnout_deg"] = g.finish(
        sides["left"]["foot_turnout_deg"][0] + sides["right"]["foot_turnout_deg"][0] if g.ok else NAN
    )

    lh, rh = p[lm.LEFT_HIP], p[lm.RIGHT_HIP]
    mid_hip = ((lh[0] + rh[0]) / 2, (lh[1] + rh[1]) / 2, (lh[2] + rh[2]) / 2)
    g = _One()
    g.need(status, _HIPS, "hips")
    body["pelvis_level_m"] = g.finish(dotp(sub(lh, rh), up) if g.ok else NAN)

    g = _One()
    g.need(status, _HIPS + _SHOULDERS, "torso")
    ls, rs = p[lm.LEFT_SHOULDER], p[lm.RIGHT_SHOULDER]
    spine = sub(((ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2, (ls[2] + rs[2]) / 2), mid_hip)
    g.fail(short(spine), "shoulders and hips coincide: torso has no direction")
    body["torso_lean_deg"] = g.finish(angle_between(spine, up) if g.ok else NAN)

    g = _One()
    g.need(status, _HIPS + _ANKLES, "hips and ankles")
    g.fail(not left_ok, "hips coincide: sideways direction unknown")
    la, ra = p[lm.LEFT_ANKLE], p[lm.RIGHT_ANKLE]
    mid_ankle = ((la[0] + ra[0]) / 2, (la[1] + ra[1]) / 2, (la[2] + ra[2]) / 2)
    body["weight_shift_m"] = g.finish(dotp(sub(mid_hip, mid_ankle), left) if g.ok else NAN)

    measured = []
    for side in SIDES:
        got = sides[side]
        measured.append(SideMeasurement(
            **{n: got[n][0] for n, _ in SIDE_FIELDS}, reasons={n: got[n][1] for n, _ in SIDE_FIELDS if got[n][1]}
        ))  # fmt: skip
    return FrameMeasurement(
        left=measured[0], right=measured[1], total_foot_turnout_deg=body["total_foot_turnout_deg"][0],
        pelvis_level_m=body["pelvis_level_m"][0], torso_lean_deg=body["torso_lean_deg"][0],
        weight_shift_m=body["weight_shift_m"][0], mode=Mode.UNCALIBRATED_3D,
        reasons={n: body[n][1] for n, _ in BODY_FIELDS if body[n][1]},
    )  # fmt: skip


_COS_BODY_AXIS: Final = float(np.cos(np.radians(BODY_AXIS_MAX_DEG)))
_NAN3: Final = (math.nan, math.nan, math.nan)


def _floor_one(
    p: list[Vec],
    valid: list[bool],
    dotp: Callable[[Vec, Vec], float],
    norm: Callable[[Vec], float],
    cross: Callable[[Vec, Vec], Vec],
    unit: Callable[[Vec], Vec],
) -> tuple[Vec, Vec, Vec, float, list[bool]]:
    """:func:`turnout.measure.floorframe.floor_frame` of one frame (``p`` its points, zero where not ``valid``) on
    Python floats, its four floor fits through its own ``_fit`` on the same arrays (numpy's eigen solver): up,
    forward, left, the floor's height and which foot points it rests on."""
    legs: list[Vec] = []
    reach: list[float] = []
    for name in SIDES:
        hip_i, knee_i, ankle_i, _, _ = lm.LEG[name]
        ok = valid[hip_i] and valid[knee_i] and valid[ankle_i]
        axis = sub3(p[ankle_i], p[hip_i])
        length = norm(axis)
        n = cross(axis, sub3(p[knee_i], p[hip_i]))
        scale = length if length >= EPS_M else EPS_M  # np.maximum(length, EPS_M): length is finite
        legs.append((n[0] / scale, n[1] / scale, n[2] / scale) if ok and length > EPS_M else (0.0, 0.0, 0.0))
        reach.append(length if ok else math.nan)
    usable = [r > EPS_M for r in reach]
    count = usable[0] + usable[1]
    total = 0.0 + (reach[0] if usable[0] else 0.0) + (reach[1] if usable[1] else 0.0)
    leg_length = total / max(count, 1) if count > 0 else 0.8  # metres: a typical leg when none is seen
    prior = (PRIOR_FRACTION * leg_length) * (PRIOR_FRACTION * leg_length)
    leg_fade = (LEG_FADE_FRACTION * leg_length) * (LEG_FADE_FRACTION * leg_length)
    lh, rh, la, ra = p[lm.LEFT_HIP], p[lm.RIGHT_HIP], p[lm.LEFT_ANKLE], p[lm.RIGHT_ANKLE]
    body = unit(tuple(0.0 + lh[i] + rh[i] - (0.0 + la[i] + ra[i]) for i in range(3)))  # type: ignore[arg-type]
    body_ok = valid[lm.LEFT_HIP] and valid[lm.RIGHT_HIP] and valid[lm.LEFT_ANKLE] and valid[lm.RIGHT_ANKLE]
    body_ok = body_ok and all(map(math.isfinite, body)) and dotp(body, _WORLD_UP) > _COS_BODY_AXIS
    prior_up = body if body_ok else _WORLD_UP
    feet = [p[i] for i in FOOT_POINTS]
    w_feet = [1.0 if valid[i] else 0.0 for i in FOOT_POINTS]
    ups_a, centroids_a, mids_a = _fit(
        np.array([feet] * 4),
        _HEELS_OFF * np.array(w_feet),
        np.array([legs] * 4),
        np.array([prior_up] * 4),
        np.array([prior] * 4),
        np.array([leg_fade] * 4),
    )
    ups: list[Vec] = [tuple(u) for u in ups_a.tolist()]
    centroids: list[Vec] = [tuple(c) for c in centroids_a.tolist()]

    def height(fit: int, point: int) -> float:
        return dotp(sub3(feet[point], centroids[fit]), ups[fit])

    heel_ok = (w_feet[0] > 0, w_feet[1] > 0)
    lift_l = heel_ok[0] and height(1, 0) > HEEL_LIFT_TOL_M
    lift_r = heel_ok[1] and height(2, 1) > HEEL_LIFT_TOL_M
    toes_ok = w_feet[2] + w_feet[3] > 0
    both = (
        heel_ok[0] and heel_ok[1] and toes_ok
        and (_deg_atan2(norm(cross(ups[0], ups[3])), dotp(ups[0], ups[3])) > HEEL_TILT_TOL_DEG
             or float(mids_a[3]) >= TOES_FIT_FIRM_M**2)
        and height(3, 0) > HEEL_LIFT_TOL_M and height(3, 1) > HEEL_LIFT_TOL_M
    )  # fmt: skip
    both = both or (lift_l and lift_r and toes_ok)
    choice = 3 if both else 1 if lift_l and not lift_r else 2 if lift_r and not lift_l else 0
    up, centroid = ups[choice], centroids[choice]
    on_floor = [w * h > 0 for w, h in zip(w_feet, _HEELS_OFF[choice].tolist(), strict=True)]
    hip_line = sub3(lh, rh)
    if valid[lm.LEFT_HIP] and valid[lm.RIGHT_HIP]:
        d = dotp(hip_line, up)
        left = unit((hip_line[0] - d * up[0], hip_line[1] - d * up[1], hip_line[2] - d * up[2]))
    else:
        left = _NAN3
    return up, cross(left, up), left, dotp(centroid, up), on_floor


def sub3(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


_WORLD_UP: Final = (0.0, -1.0, 0.0)
