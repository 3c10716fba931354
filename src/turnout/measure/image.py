"""Image-plane measurements: what the picture itself shows, in pixels (``docs/measurements.md``, "In the picture").

Pure, vectorised numpy over image landmarks in **pixels**: ``(33, 5)`` or ``(T, 33, 5)`` with columns x (to the
picture's right), y (down), z, visibility, presence. Positions are given relative to the picture's centre (the
principal point of a webcam), so that a camera model needs only the focal length, and in pixels, so that
practice can normalise them by the dancer's own standing size in the picture ("legs"). A value that cannot be
measured is ``nan`` with a reason a person can read.

Nothing here assumes the dancer faces the camera except ``knee_side_px`` (outward = toward the picture side of
her own leg, true in a front view); :func:`facing` says whether she does, and nothing of the front's is measured from
behind or the side (:func:`measure_image` gives ``nan`` with the reason "not facing the camera"). Side-on, the
``profile_*`` fields are measured instead (her posture from the side; ``nan`` on every other frame).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from turnout.measure.measures import IMAGE_BODY_FIELDS, IMAGE_SIDE_FIELDS, SIDES, ImageMeasurement, image_names
from turnout.pose import landmarks as lm

FloatArray = NDArray[np.float64]
ReasonArray = NDArray[np.object_]

#: A landmark whose visibility is below this is not used (MediaPipe's own default threshold).
VISIBILITY_MIN: Final = 0.5
#: Facing codes (``facing_code``): what the picture shows of the dancer.
FRONT: Final = 1.0
THREE_QUARTER: Final = 2.0
SIDE: Final = 3.0
BACK: Final = 4.0
FACING_NAMES: Final = {FRONT: "front", THREE_QUARTER: "three-quarter", SIDE: "side", BACK: "back"}
#: Facing: the wider of shoulder and hip width over the torso's height (mid-shoulders to mid-hips), in the
#: picture. Facing the camera (or with her back to it) it is 0.7-0.9 for adult proportions; it shrinks about as
#: cos(yaw): below 0.55 she is turned more than about 45 degrees (three-quarter), below 0.30 more than about 65
#: (side), where a leg hides the other and left/right cannot be told apart.
FACING_FRONT_MIN: Final = 0.55
FACING_SIDE_MAX: Final = 0.30
#: Face landmarks (nose, eyes, mouth): visible from the front and at three-quarter, not from behind.
FACE: Final = (0, 2, 5, 9, 10)
#: Her face's turn from the nose against the ears: seen from above, a head turned by ``a`` puts the nose
#: ``n sin a`` sideways of the ears' middle and the ears ``2 r cos a`` apart, so tan a = (r / n) * 2 * offset / apart.
#: An adult's ears are about 7-8 cm either side of the head's middle (r) and the tip of the nose about 10-11 cm in front
#: of the line between them (n): 2 r / n = 1.5. On the studio (camera square to her, 45 scenes) the reading is
#: -6.6 to +5.0 degrees; with the camera 15-20 degrees to her side it reads 13.7-20.3 (docs/thresholds.md).
NOSE_AHEAD: Final = 1.5
#: A torso shorter than this in the picture is no person (pixels).
MIN_TORSO_PX: Final = 4.0

_POINTS: Final = {"knee": 1, "ankle": 2, "heel": 3, "toe": 4}  # index into lm.LEG[side]


def _stack(image: ArrayLike) -> FloatArray:
    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or a.shape[1:] != (lm.NUM_LANDMARKS, 5):
        raise ValueError(f"image landmarks must have shape (T, 33, 5) or (33, 5), got shape={np.shape(image)}")
    return a


def facing(px: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Per frame the facing code (:data:`FRONT`, :data:`THREE_QUARTER`, :data:`SIDE`, :data:`BACK`; ``nan`` with
    no torso) and the width ratio, from pixel landmarks (T, 33, 5).

    From the front her left shoulder and hip appear on the picture's right and her face is visible; from behind
    the order reverses and the face points lose their visibility. Both must say "front" for front or
    three-quarter; a turned torso (small width ratio) is side whichever way it faces.
    """
    p = _stack(px)
    with np.errstate(all="ignore"):
        ls, rs, lh, rh = (p[:, i, :2] for i in (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP))
        sh_w = ls[:, 0] - rs[:, 0]
        hip_w = lh[:, 0] - rh[:, 0]
        torso = np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2, axis=1)
        ratio = np.maximum(np.abs(sh_w), np.abs(hip_w)) / torso
        face_vis = np.nanmean(np.nan_to_num(p[:, FACE, 3], nan=0.0), axis=1)
        front = ((sh_w + hip_w) > 0) & (face_vis >= VISIBILITY_MIN)
        code = np.where(ratio < FACING_SIDE_MAX, SIDE, np.where(~front, BACK, np.where(ratio < FACING_FRONT_MIN,
                        THREE_QUARTER, FRONT)))  # fmt: skip
        bad = ~(torso >= MIN_TORSO_PX) | ~np.isfinite(ratio)
    code = np.where(bad, np.nan, code)
    return code.astype(float), np.where(bad, np.nan, ratio).astype(float)


def measure_image_series(
    image_px: ArrayLike, frame_size: tuple[float, float]
) -> tuple[dict[str, FloatArray], dict[str, ReasonArray]]:
    """Every image-plane measurement of T frames: ``image_names() -> (T,)`` values and reasons (``""`` where
    finite). ``image_px`` (T, 33, 5) in pixels; ``frame_size`` (width, height) in pixels."""
    p = _stack(image_px)
    t = p.shape[0]
    width, height = float(frame_size[0]), float(frame_size[1])
    centre = np.array([width / 2.0, height / 2.0])
    vis = np.nan_to_num(p[:, :, 3], nan=0.0)
    xy = p[:, :, :2] - centre
    finite = np.isfinite(xy).all(axis=2)
    usable = finite & (vis >= VISIBILITY_MIN)
    pts = np.where(usable[..., None], xy, np.nan)
    values: dict[str, FloatArray] = {}
    reasons: dict[str, ReasonArray] = {}
    code, ratio = facing(p)
    away = np.isin(code, (SIDE, BACK))
    away_reason = np.array(
        ["", "", "", "not facing the camera (side view: turn to face it)", "not facing the camera (seen from behind)"],
        dtype=object,
    )

    def why(points: tuple[int, ...], subject: str) -> ReasonArray:
        out = np.full(t, "", dtype=object)
        for i in points:
            miss = ~usable[:, i] & (out == "")
            out[miss] = f"{subject} not visible enough (visibility below {VISIBILITY_MIN:g})"
        face_away = away & (out == "")
        out[face_away] = away_reason[np.nan_to_num(code, nan=0).astype(int)][face_away]
        return out

    def put(name: str, value: FloatArray, reason: ReasonArray) -> None:
        value = np.where(reason == "", value, np.nan).astype(float)
        reason = np.where(np.isfinite(value), "", np.where(reason == "", "could not be computed", reason))
        values[name], reasons[name] = value, reason.astype(object)

    with np.errstate(all="ignore"):
        hip = (pts[:, lm.LEFT_HIP] + pts[:, lm.RIGHT_HIP]) / 2
        toes_y = pts[:, [lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX], 1]
        any_toe = np.isfinite(toes_y).any(axis=1)
        floor_y = np.where(any_toe, np.nanmax(np.where(np.isfinite(toes_y), toes_y, -np.inf), axis=1), np.nan)
        hips_why = why((lm.LEFT_HIP, lm.RIGHT_HIP), "hips")
        toes_why = np.where(any_toe, "", "toes not visible enough").astype(object)
        toes_why = np.where((toes_why == "") & away, why((), "toes"), toes_why).astype(object)
        # side-on her hips and her floor line are still read (her pliés are counted from them): the hip point is the
        # mean of the hip points seen (the far one may hide), the floor the lower toe point seen
        side_on = code == SIDE
        hips_seen = usable[:, [lm.LEFT_HIP, lm.RIGHT_HIP]].any(axis=1)
        seen_hips = pts[:, [lm.LEFT_HIP, lm.RIGHT_HIP]]  # numpy's nanmean, without its warning on no hip seen
        seen_mean = np.nansum(seen_hips, axis=1) / np.isfinite(seen_hips).sum(axis=1)
        hip = np.where(side_on[:, None], seen_mean, hip)
        line_why = np.where(side_on, np.where(hips_seen, "", "hips" + _NOT_VISIBLE), hips_why).astype(object)
        floor_why = np.where(side_on & any_toe, "", toes_why).astype(object)
        put("hip_x_px", hip[:, 0], line_why)
        put("hip_y_px", hip[:, 1], line_why)
        put("floor_y_px", floor_y, floor_why)
        put("hip_height_px", floor_y - hip[:, 1], np.where(line_why != "", line_why, floor_why).astype(object))
        torso_why = why((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP), "torso")
        put("facing_code", code, np.where(np.isfinite(code), "", "no torso in the picture").astype(object))
        put("facing_ratio", ratio, np.where(np.isfinite(ratio), "", "no torso in the picture").astype(object))
        put("frame_width_px", np.full(t, width), np.full(t, "", dtype=object))
        put("frame_height_px", np.full(t, height), np.full(t, "", dtype=object))
        # the hip line's tilt (positive: her left hip higher in the picture) and the torso's sideways lean
        # (positive: toward the picture's right), both in degrees from the picture's horizontal / vertical
        dh = pts[:, lm.LEFT_HIP] - pts[:, lm.RIGHT_HIP]
        put("hip_tilt_img_deg", np.degrees(np.arctan2(-dh[:, 1], np.abs(dh[:, 0]))), hips_why)
        spine = (pts[:, lm.LEFT_SHOULDER] + pts[:, lm.RIGHT_SHOULDER]) / 2 - hip
        put("torso_lean_img_deg", np.degrees(np.arctan2(spine[:, 0], -spine[:, 1])), torso_why)
        # which way she is turned from the camera, toward her left positive (docs/measurements.md, "Her facing"):
        # the face from the nose against the ears, the shoulder line from the pose model's image depth
        ears = pts[:, lm.LEFT_EAR, 0] - pts[:, lm.RIGHT_EAR, 0]
        nose_off = pts[:, lm.NOSE, 0] - (pts[:, lm.LEFT_EAR, 0] + pts[:, lm.RIGHT_EAR, 0]) / 2
        face_why = why((lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR), "face")
        face_why = np.where((face_why == "") & ~(ears > 0), "ears not apart in the picture", face_why).astype(object)
        put("face_yaw_deg", np.degrees(np.arctan2(NOSE_AHEAD * nose_off, np.abs(ears))), face_why)
        sh_idx = [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]
        depth = np.where(usable[:, sh_idx], p[:, sh_idx, 2], np.nan) * width  # the pose model's z: x's scale
        shoulders = pts[:, lm.LEFT_SHOULDER, 0] - pts[:, lm.RIGHT_SHOULDER, 0]
        sh_why = why((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), "shoulders")
        put("shoulders_yaw_deg", np.degrees(np.arctan2(depth[:, 0] - depth[:, 1], shoulders)), sh_why)
        mid_sh = (pts[:, lm.LEFT_SHOULDER] + pts[:, lm.RIGHT_SHOULDER]) / 2
        put("shoulder_x_px", mid_sh[:, 0], sh_why)
        put("shoulder_y_px", mid_sh[:, 1], sh_why)
        _profile(pts, usable, code, put)
        for side in SIDES:
            sign = 1.0 if side == "left" else -1.0  # her left leg is on the picture's right in a front view
            chain = lm.LEG[side]
            hip_i = chain[0]
            for point, k in _POINTS.items():
                i = chain[k]
                r = why((i,), f"{side} {point}")
                put(f"{side}_{point}_x_px", pts[:, i, 0], r)
                put(f"{side}_{point}_y_px", pts[:, i, 1], r)
            leg_why = why((hip_i, chain[2]), f"{side} leg")
            put(f"{side}_leg_px", np.linalg.norm(pts[:, hip_i] - pts[:, chain[2]], axis=1), leg_why)
            shank_why = why((chain[1], chain[2]), f"{side} shank")
            put(f"{side}_shank_px", np.linalg.norm(pts[:, chain[1]] - pts[:, chain[2]], axis=1), shank_why)
            put(f"{side}_knee_side_px", sign * (pts[:, chain[1], 0] - pts[:, chain[2], 0]), shank_why)
            thigh, shank = pts[:, hip_i, :2] - pts[:, chain[1], :2], pts[:, chain[2], :2] - pts[:, chain[1], :2]
            norms = np.linalg.norm(thigh, axis=1) * np.linalg.norm(shank, axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                cos = np.clip(np.einsum("ij,ij->i", thigh, shank) / norms, -1.0, 1.0)
            put(
                f"{side}_knee_bend_img_deg",
                180.0 - np.degrees(np.arccos(cos)),
                why((hip_i, chain[1], chain[2]), f"{side} leg"),
            )
    names = image_names()
    return {n: values[n] for n in names}, {n: reasons[n] for n in names}


#: The profile view's points: each the mean of her two sides' points where both are seen, else the one seen (from
#: the side her two ears, shoulders and hips are at about the same place along her facing; a point the near leg hides
#: is often placed on it anyway, and which of the two MediaPipe calls "left" can swap).
_PROFILE_POINTS: Final = {"ear": (lm.LEFT_EAR, lm.RIGHT_EAR), "shoulder": (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER),
                          "hip": (lm.LEFT_HIP, lm.RIGHT_HIP), "knee": (lm.LEFT_KNEE, lm.RIGHT_KNEE),
                          "ankle": (lm.LEFT_ANKLE, lm.RIGHT_ANKLE), "heel": (lm.LEFT_HEEL, lm.RIGHT_HEEL),
                          "toe": (lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX)}  # fmt: skip
NOT_SIDE_ON: Final = "not side-on to the camera (the profile is read from the side only)"
_PROFILE_FIELDS: Final = ("profile_facing", "profile_ear_fwd_px", "profile_shoulder_fwd_px", "profile_hip_fwd_px",
                          "profile_knee_fwd_px", "profile_hip_up_px", "profile_torso_deg", "profile_neck_deg",
                          "profile_thigh_deg", "profile_shank_deg", "profile_left_toe_fwd_px",
                          "profile_right_toe_fwd_px")  # fmt: skip


def _profile(pts: FloatArray, usable: NDArray[np.bool_], code: FloatArray, put) -> None:  # type: ignore[no-untyped-def]
    """The profile view's fields (``profile_*``, docs/measurements.md "From the side"), on side-on frames only."""
    t = pts.shape[0]
    side_on = np.asarray(code == SIDE, dtype=bool)
    if not side_on.any():  # facing the camera (live, every frame): nothing to read, half a millisecond saved
        nothing, reason = np.full(t, np.nan), np.full(t, NOT_SIDE_ON, dtype=object)
        for name in _PROFILE_FIELDS:
            put(name, nothing, reason)
        return
    mean: dict[str, FloatArray] = {}
    seen: dict[str, NDArray[np.bool_]] = {}
    for name, ij in _PROFILE_POINTS.items():
        ok = usable[:, list(ij)]
        total = np.where(ok[..., None], pts[:, list(ij)], 0.0).sum(axis=1)
        n = ok.sum(axis=1)[:, None]
        mean[name] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        seen[name] = np.asarray(ok.any(axis=1), dtype=bool)
    # where she faces: her nose ahead of her ears, else her toes ahead of her heels
    nose = np.where(usable[:, lm.NOSE], pts[:, lm.NOSE, 0], np.nan)
    by_face = np.sign(nose - mean["ear"][:, 0])
    by_feet = np.sign(mean["toe"][:, 0] - mean["heel"][:, 0])
    d = np.where(np.isfinite(by_face) & (by_face != 0), by_face, by_feet)
    d = np.where(d == 0, np.nan, d)

    def why(*names: str) -> ReasonArray:
        out = np.full(t, "", dtype=object)
        for n in names:
            out[~seen[n] & (out == "")] = f"{n} not visible enough (visibility below {VISIBILITY_MIN:g})"
        out[~np.isfinite(d) & (out == "")] = "her facing cannot be told (no nose, ears, toes or heels seen)"
        out[~side_on] = NOT_SIDE_ON
        return out

    put("profile_facing", d, why())
    ankle = mean["ankle"]
    for name in ("ear", "shoulder", "hip", "knee"):
        put(f"profile_{name}_fwd_px", d * (mean[name][:, 0] - ankle[:, 0]), why(name, "ankle"))
    put("profile_hip_up_px", ankle[:, 1] - mean["hip"][:, 1], why("hip", "ankle"))

    def lean(lower: str, upper: str) -> FloatArray:
        v = mean[upper] - mean[lower]
        return np.degrees(np.arctan2(d * v[:, 0], -v[:, 1]))

    put("profile_torso_deg", lean("hip", "shoulder"), why("hip", "shoulder"))
    put("profile_neck_deg", lean("shoulder", "ear"), why("shoulder", "ear"))
    put("profile_thigh_deg", lean("knee", "hip"), why("knee", "hip"))
    put("profile_shank_deg", lean("ankle", "knee"), why("ankle", "knee"))
    for side, i in (("left", lm.LEFT_FOOT_INDEX), ("right", lm.RIGHT_FOOT_INDEX)):
        reason = why("hip")
        reason[~usable[:, i] & (reason == "")] = f"{side} toe{_NOT_VISIBLE}"
        put(f"profile_{side}_toe_fwd_px", d * (pts[:, i, 0] - mean["hip"][:, 0]), reason)


def measure_image(image_px: ArrayLike, frame_size: tuple[float, float]) -> ImageMeasurement:
    """One frame's image-plane measurements (``image_px`` (33, 5) in pixels).

    Measured by :func:`_measure_one` (what the live pipeline does every frame): the same arithmetic as
    :func:`measure_image_series` on Python floats, in the same order, with the same numpy calls on one-element arrays
    for the angles, so it gives the same values and reasons (``tests/test_image_one_frame.py``) at a fifth of the series
    code's cost on one frame."""
    p = np.asarray(image_px, dtype=np.float64)
    if p.shape == (lm.NUM_LANDMARKS, 5):
        return _measure_one(p, float(frame_size[0]), float(frame_size[1]))
    values, reasons = measure_image_series(image_px, frame_size)
    return image_measurement({n: float(v[0]) for n, v in values.items()}, {n: str(r[0]) for n, r in reasons.items()})


_NAN: Final = math.nan
_NOT_VISIBLE: Final = f" not visible enough (visibility below {VISIBILITY_MIN:g})"
_AWAY: Final = {
    SIDE: "not facing the camera (side view: turn to face it)",
    BACK: "not facing the camera (seen from behind)",
}
_NOT_COMPUTED: Final = "could not be computed"
_NO_TORSO: Final = "no torso in the picture"
_IMAGE_NAMES: Final = image_names()
_PROFILE_REASONS: Final = {name: NOT_SIDE_ON for name in _PROFILE_FIELDS}


def _deg_atan2(y: float, x: float) -> float:
    """``np.degrees(np.arctan2(y, x))`` as the series code computes it (numpy's own arctan2 on a one-element array,
    not the C library's: the two may differ in the last bit)."""
    return float(np.degrees(np.arctan2(np.array([y]), np.array([x])))[0])


def _face_visibility(p: FloatArray) -> float:
    """:func:`facing`'s mean visibility of the face points, computed as it does (numpy's summation order)."""
    face = p[None, FACE, 3]
    if np.isfinite(face).all():
        return float(np.nanmean(face, axis=1)[0])  # nan_to_num changes nothing here
    with np.errstate(all="ignore"):  # an infinite visibility overflows the sum, as it does there
        return float(np.nanmean(np.nan_to_num(face, nan=0.0), axis=1)[0])


def _measure_one(p: FloatArray, width: float, height: float) -> ImageMeasurement:
    """One frame of :func:`measure_image_series` (``p`` (33, 5) in pixels) on Python floats."""
    rows = p.tolist()
    # facing (turnout.measure.image.facing): the raw points, not the usable ones
    lsx, lsy = rows[lm.LEFT_SHOULDER][0], rows[lm.LEFT_SHOULDER][1]
    rsx, rsy = rows[lm.RIGHT_SHOULDER][0], rows[lm.RIGHT_SHOULDER][1]
    lhx, lhy = rows[lm.LEFT_HIP][0], rows[lm.LEFT_HIP][1]
    rhx, rhy = rows[lm.RIGHT_HIP][0], rows[lm.RIGHT_HIP][1]
    sh_w = lsx - rsx
    hip_w = lhx - rhx
    dx = (lsx + rsx) / 2 - (lhx + rhx) / 2
    dy = (lsy + rsy) / 2 - (lhy + rhy) / 2
    torso = math.sqrt(dx * dx + dy * dy)  # nan stays nan
    code = ratio = _NAN
    if torso >= MIN_TORSO_PX:
        a, b = abs(sh_w), abs(hip_w)
        wider = _NAN if math.isnan(a) or math.isnan(b) else (a if a >= b else b)  # np.maximum: nan wins
        ratio = wider / torso
        if math.isfinite(ratio):
            if ratio < FACING_SIDE_MAX:
                code = SIDE
            else:
                vis = _face_visibility(p)
                front = (sh_w + hip_w) > 0 and vis >= VISIBILITY_MIN
                code = BACK if not front else (THREE_QUARTER if ratio < FACING_FRONT_MIN else FRONT)
        else:
            ratio = _NAN
    away_why = _AWAY.get(code, "")  # side-on or from behind: nothing of the front's is measured
    cx, cy = width / 2.0, height / 2.0
    # the usable points, relative to the picture's centre (nan where not finite or not visible enough)
    xs: list[float] = []
    ys: list[float] = []
    usable: list[bool] = []
    for x, y, _z, v, _pr in rows:
        x, y = x - cx, y - cy
        ok = math.isfinite(x) and math.isfinite(y) and v >= VISIBILITY_MIN  # a nan visibility is not
        usable.append(ok)
        xs.append(x if ok else _NAN)
        ys.append(y if ok else _NAN)
    values: dict[str, float] = {}
    reasons: dict[str, str] = {}

    def why(points: tuple[int, ...], subject: str) -> str:
        for i in points:
            if not usable[i]:
                return subject + _NOT_VISIBLE
        return away_why

    def put(name: str, value: float, reason: str) -> None:
        if reason:
            value = _NAN
        if math.isfinite(value):
            values[name] = value
        else:
            values[name] = _NAN
            reasons[name] = reason or _NOT_COMPUTED

    LH, RH, LS, RS = lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER
    hip_x, hip_y = (xs[LH] + xs[RH]) / 2, (ys[LH] + ys[RH]) / 2
    toes = [y for y in (ys[lm.LEFT_FOOT_INDEX], ys[lm.RIGHT_FOOT_INDEX]) if math.isfinite(y)]
    floor_y = (toes[0] if len(toes) == 1 or toes[0] >= toes[1] else toes[1]) if toes else _NAN
    hips_why = why((LH, RH), "hips")
    toes_why = away_why if toes else "toes not visible enough"
    line_why, floor_why = hips_why, toes_why
    if code == SIDE:  # side-on: the hip points seen (their mean, as numpy's nanmean sums them) and the lower toe
        seen = [i for i in (LH, RH) if usable[i]]
        if seen:
            hip_x = (0.0 + xs[seen[0]] + xs[seen[1]]) / 2 if len(seen) == 2 else xs[seen[0]] / 1
            hip_y = (0.0 + ys[seen[0]] + ys[seen[1]]) / 2 if len(seen) == 2 else ys[seen[0]] / 1
        line_why = "" if seen else "hips" + _NOT_VISIBLE
        floor_why = "" if toes else toes_why
    put("hip_x_px", hip_x, line_why)
    put("hip_y_px", hip_y, line_why)
    put("floor_y_px", floor_y, floor_why)
    put("hip_height_px", floor_y - hip_y, line_why or floor_why)
    torso_why = why((LS, RS, LH, RH), "torso")
    put("facing_code", code, "" if math.isfinite(code) else _NO_TORSO)
    put("facing_ratio", ratio, "" if math.isfinite(ratio) else _NO_TORSO)
    put("frame_width_px", width, "")
    put("frame_height_px", height, "")
    dhx, dhy = xs[LH] - xs[RH], ys[LH] - ys[RH]
    put("hip_tilt_img_deg", _deg_atan2(-dhy, abs(dhx)), hips_why)
    mid_sh_x, mid_sh_y = (xs[LS] + xs[RS]) / 2, (ys[LS] + ys[RS]) / 2
    put("torso_lean_img_deg", _deg_atan2(mid_sh_x - hip_x, -(mid_sh_y - hip_y)), torso_why)
    ears = xs[lm.LEFT_EAR] - xs[lm.RIGHT_EAR]
    nose_off = xs[lm.NOSE] - (xs[lm.LEFT_EAR] + xs[lm.RIGHT_EAR]) / 2
    face_why = why((lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR), "face")
    if not face_why and not ears > 0:
        face_why = "ears not apart in the picture"
    put("face_yaw_deg", _deg_atan2(NOSE_AHEAD * nose_off, abs(ears)), face_why)
    d0 = (rows[LS][2] if usable[LS] else _NAN) * width  # the pose model's z: x's scale
    d1 = (rows[RS][2] if usable[RS] else _NAN) * width
    sh_why = why((LS, RS), "shoulders")
    put("shoulders_yaw_deg", _deg_atan2(d0 - d1, xs[LS] - xs[RS]), sh_why)
    put("shoulder_x_px", mid_sh_x, sh_why)
    put("shoulder_y_px", mid_sh_y, sh_why)
    if code == SIDE:
        _profile_one(xs, ys, usable, put)
    else:  # facing the camera (live, nearly every frame): nothing to read
        values.update(dict.fromkeys(_PROFILE_FIELDS, _NAN))
        reasons.update(_PROFILE_REASONS)
    for side in SIDES:
        sign = 1.0 if side == "left" else -1.0
        hip_i, knee_i, ankle_i = lm.LEG[side][:3]
        for point, k in _POINTS.items():
            i = lm.LEG[side][k]
            r = why((i,), f"{side} {point}")
            put(f"{side}_{point}_x_px", xs[i], r)
            put(f"{side}_{point}_y_px", ys[i], r)
        lx, ly = xs[hip_i] - xs[ankle_i], ys[hip_i] - ys[ankle_i]
        put(f"{side}_leg_px", math.sqrt(lx * lx + ly * ly), why((hip_i, ankle_i), f"{side} leg"))
        sx, sy = xs[knee_i] - xs[ankle_i], ys[knee_i] - ys[ankle_i]
        shank_why = why((knee_i, ankle_i), f"{side} shank")
        put(f"{side}_shank_px", math.sqrt(sx * sx + sy * sy), shank_why)
        put(f"{side}_knee_side_px", sign * sx, shank_why)
        bend_why = why((hip_i, knee_i, ankle_i), f"{side} leg")
        put(f"{side}_knee_bend_img_deg", _NAN if bend_why else _knee_bend(xs, ys, hip_i, knee_i, ankle_i), bend_why)
    ordered = {n: reasons[n] for n in _IMAGE_NAMES if n in reasons}  # in the series code's order
    return ImageMeasurement(**{n: values[n] for n in _IMAGE_NAMES}, reasons=ordered)


def _profile_one(xs: list[float], ys: list[float], usable: list[bool], put: Callable[[str, float, str], None]) -> None:
    """:func:`_profile` on one side-on frame (``xs``, ``ys`` the usable points, nan elsewhere), on Python floats in its
    order."""
    mean: dict[str, tuple[float, float]] = {}
    seen: dict[str, bool] = {}
    for name, (i, j) in _PROFILE_POINTS.items():
        n = usable[i] + usable[j]
        if n:
            tx = 0.0 + (xs[i] if usable[i] else 0.0) + (xs[j] if usable[j] else 0.0)
            ty = 0.0 + (ys[i] if usable[i] else 0.0) + (ys[j] if usable[j] else 0.0)
            mean[name] = (tx / n, ty / n)
        else:
            mean[name] = (_NAN, _NAN)
        seen[name] = n > 0
    # where she faces: her nose ahead of her ears, else her toes ahead of her heels
    by_face = _sign(xs[lm.NOSE] - mean["ear"][0])
    d = by_face if math.isfinite(by_face) and by_face != 0 else _sign(mean["toe"][0] - mean["heel"][0])
    if d == 0:
        d = _NAN

    def why(*names: str) -> str:
        for n in names:
            if not seen[n]:
                return f"{n}{_NOT_VISIBLE}"
        return "" if math.isfinite(d) else "her facing cannot be told (no nose, ears, toes or heels seen)"

    put("profile_facing", d, why())
    ankle = mean["ankle"]
    for name in ("ear", "shoulder", "hip", "knee"):
        put(f"profile_{name}_fwd_px", d * (mean[name][0] - ankle[0]), why(name, "ankle"))
    put("profile_hip_up_px", ankle[1] - mean["hip"][1], why("hip", "ankle"))

    def lean(lower: str, upper: str) -> float:
        vx, vy = mean[upper][0] - mean[lower][0], mean[upper][1] - mean[lower][1]
        return _deg_atan2(d * vx, -vy)

    put("profile_torso_deg", lean("hip", "shoulder"), why("hip", "shoulder"))
    put("profile_neck_deg", lean("shoulder", "ear"), why("shoulder", "ear"))
    put("profile_thigh_deg", lean("knee", "hip"), why("knee", "hip"))
    put("profile_shank_deg", lean("ankle", "knee"), why("ankle", "knee"))
    for side, i in (("left", lm.LEFT_FOOT_INDEX), ("right", lm.RIGHT_FOOT_INDEX)):
        reason = why("hip") or ("" if usable[i] else f"{side} toe{_NOT_VISIBLE}")
        put(f"profile_{side}_toe_fwd_px", d * (xs[i] - mean["hip"][0]), reason)


def _sign(x: float) -> float:
    """``np.sign`` of one float (nan stays nan)."""
    return 1.0 if x > 0 else -1.0 if x < 0 else x if math.isnan(x) else 0.0


def _knee_bend(xs: list[float], ys: list[float], hip_i: int, knee_i: int, ankle_i: int) -> float:
    """The series code's knee bend on one frame, with its numpy calls (einsum, clip, arccos) on the same shapes."""
    thigh = np.array([[xs[hip_i] - xs[knee_i], ys[hip_i] - ys[knee_i]]])
    shank = np.array([[xs[ankle_i] - xs[knee_i], ys[ankle_i] - ys[knee_i]]])
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(thigh, axis=1) * np.linalg.norm(shank, axis=1)
        cos = np.clip(np.einsum("ij,ij->i", thigh, shank) / norms, -1.0, 1.0)
        return float((180.0 - np.degrees(np.arccos(cos)))[0])


def image_measurement(values: Mapping[str, float], reasons: Mapping[str, str] | None = None) -> ImageMeasurement:
    """An :class:`ImageMeasurement` from flat values (``nan`` where missing); reasons only for ``nan`` fields."""
    kwargs = {n: float(values.get(n, math.nan)) for n in image_names()}
    why = {n: r for n, r in (reasons or {}).items() if r and not math.isfinite(kwargs.get(n, math.nan))}
    return ImageMeasurement(**kwargs, reasons=why)


def to_pixels(image_normalised: ArrayLike, frame_size: tuple[float, float]) -> FloatArray:
    """MediaPipe's normalised image landmarks (x, y in [0, 1] of the width and height) in pixels."""
    a = np.array(image_normalised, dtype=np.float64)
    a[..., 0] *= float(frame_size[0])
    a[..., 1] *= float(frame_size[1])
    return a


__all__ = [
    "BACK",
    "FACING_NAMES",
    "FRONT",
    "IMAGE_BODY_FIELDS",
    "IMAGE_SIDE_FIELDS",
    "SIDE",
    "THREE_QUARTER",
    "facing",
    "image_measurement",
    "measure_image",
    "measure_image_series",
    "to_pixels",
]
