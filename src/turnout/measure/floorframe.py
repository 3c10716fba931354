"""The floor frame: *up* (the floor normal), the floor's height, and the dancer's forward and left.

MediaPipe's world landmarks are in the camera's orientation, so their -y is only roughly vertical (off by
the camera's pitch, up to ~10 degrees here, plus the model's own error). Up is estimated per frame as the
unit vector ``u`` minimising ``u^T M u`` (the smallest eigenvector of ``M``), where ``M`` sums three kinds
of evidence, each weighed in metres so that they compare:

1. **Feet on the floor.** Heels and ``foot_index`` points that rest on the floor are coplanar: their
   scatter matrix about their centroid (a total-least-squares plane fit). It pins *up* exactly whenever
   the points are not collinear, and does not care how the legs are held.
2. **Legs in vertical planes.** In a plié done as taught each leg bends in a vertical plane, so that
   plane's normal is horizontal: ``n = (ankle - hip) x (knee - hip) / |ankle - hip|``, whose length is the
   knee's distance from the hip-ankle line (so a nearly straight leg says nearly nothing). Legs are only
   roughly in vertical planes (a weight shift tilts them), so they weigh ``LEG_PLANE_WEIGHT`` (like a floor
   point) only where the feet leave the tilt open, fading as the feet's spread across their main line
   grows past ``LEG_FADE_FRACTION`` of the leg length.
3. **A prior** toward the body axis (mid-ankles -> mid-hips; MediaPipe's -y when that axis is implausible),
   of strength ``PRIOR_FRACTION`` of the leg length, faded by how firmly 1 and 2 already pin the tilt
   (``prior * (prior / (prior + middle eigenvalue))^2``), so it only decides the direction the evidence leaves open:
   e.g. feet in one straight line (a 180-degree first position) with straight knees, where the tilt about
   that line is otherwise unknown. Turnout angles hardly suffer from a wrong tilt: tilting the floor by
   ``e`` changes a horizontal angle only by about ``e^2 / 4`` (0.4 degrees at 10 degrees of tilt).

A lifted heel is not on the floor. Four fits are made (all feet points; without the left heel; without
the right heel; toes only). A heel is taken as lifted when it stands more than ``HEEL_LIFT_TOL_M`` above
the floor fitted through the other points. Both heels are taken as lifted when both stand that far above
the toes-only floor and that floor can be trusted: it tilts more than ``HEEL_TILT_TOL_DEG`` from the
all-points floor, or bent knees pin it (``TOES_FIT_FIRM_M``). So a symmetric heel lift of less than about
5 cm with straight legs cannot be told from camera pitch; in a plié, 2 cm can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from turnout.pose import landmarks as lm

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: MediaPipe world up (its y axis points down): the prior for the floor normal.
WORLD_UP: Final = np.array([0.0, -1.0, 0.0])
#: The prior is the body axis (mid-ankles -> mid-hips) when it is within this angle of WORLD_UP, else
#: WORLD_UP. A balanced dancer's hips are over her feet within a few degrees; a camera may be pitched 10.
BODY_AXIS_MAX_DEG: Final = 30.0
#: Strength of the prior, as a fraction of the hip-to-ankle length (so it scales with the body).
PRIOR_FRACTION: Final = 0.08
#: Weight of a leg-plane normal relative to a floor point (both in metres).
LEG_PLANE_WEIGHT: Final = 1.0
#: Spread of the feet points (root of the fit's middle eigenvalue), as a fraction of the leg length, at
#: which the legs' weight halves (0.05 m for a 0.8 m leg).
LEG_FADE_FRACTION: Final = 0.06
#: A heel this far above the floor through the other foot points is lifted.
HEEL_LIFT_TOL_M: Final = 0.02
#: Tilt between the all-points floor and the toes-only floor beyond which both heels count as lifted.
HEEL_TILT_TOL_DEG: Final = 15.0
#: ... or when the toes-only fit is this firm (middle eigenvalue, m^2): bent legs in non-parallel planes.
TOES_FIT_FIRM_M: Final = 0.07
#: Order of the foot points in the fits.
FOOT_POINTS: Final = (lm.LEFT_HEEL, lm.RIGHT_HEEL, lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX)
#: Vectors shorter than this (metres) have no direction.
EPS_M: Final = 1e-6
#: Weight masks of the four floor fits over FOOT_POINTS: all points, no left heel, no right heel, toes only.
_HEELS_OFF: Final = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0], [1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])


@dataclass(frozen=True, slots=True, eq=False)
class FloorFrame:
    """Per frame: unit ``up``, ``forward``, ``left`` (``nan`` where unknown) and the floor's height."""

    up: FloatArray  # (T, 3)
    forward: FloatArray  # (T, 3) nan where the hips are not usable
    left: FloatArray  # (T, 3)
    floor_height: FloatArray  # (T,) floor plane is {x : x . up = floor_height}; nan with no floor point
    on_floor: BoolArray  # (T, 4) which of FOOT_POINTS the chosen floor rests on
    heel_lifted: BoolArray  # (T, 2) left, right


def dot(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row-wise dot product over the last axis."""
    return np.einsum("...i,...i->...", a, b)


def norm(v: FloatArray) -> FloatArray:
    """Row-wise length over the last axis (``np.linalg.norm(v, axis=-1)`` without its per-call overhead)."""
    return np.sqrt(np.einsum("...i,...i->...", v, v))


def cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row-wise cross product of 3-vectors: the same arithmetic as ``np.cross``, a fraction of its overhead on
    the few-row arrays of one live frame (the geometry's per-frame cost is numpy call overhead, not maths)."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return np.stack((a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0), axis=-1)


def unit(v: FloatArray, min_norm: float = EPS_M) -> FloatArray:
    """Row-wise unit vectors; ``nan`` where the vector is shorter than ``min_norm``."""
    n = norm(v)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n >= min_norm, v / np.where(n > 0, n, 1.0), np.nan)


def _fit(
    feet: FloatArray,
    weights: FloatArray,
    legs: FloatArray,
    prior_up: FloatArray,
    prior: FloatArray,
    leg_fade: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Up (T, 3), the weighted centroid (T, 3) of the floor points, and M's middle eigenvalue (T,).

    Inputs are finite. The middle eigenvalue (m^2) says how firmly the evidence pins the tilt of up.
    """
    total = weights.sum(axis=1, keepdims=True)
    centroid = (weights[..., None] * feet).sum(axis=1) / np.maximum(total, 1e-12)
    rel = (feet - centroid[:, None, :]) * np.sqrt(weights)[..., None]
    m = np.einsum("tki,tkj->tij", rel, rel)
    # Legs count fully where the feet leave the tilt open, and fade where the feet pin it.
    fade = leg_fade / (leg_fade + np.maximum(np.linalg.eigvalsh(m)[:, 1], 0.0))
    m = m + (LEG_PLANE_WEIGHT * fade)[:, None, None] * np.einsum("tki,tkj->tij", legs, legs)
    # Fade the prior where the evidence pins the tilt (middle eigenvalue well above the prior's): it then
    # barely biases an exact answer, yet still decides a direction the evidence leaves open.
    data_mid = np.linalg.eigvalsh(m)[:, 1]
    prior = prior * (prior / (prior + np.maximum(data_mid, 0.0))) ** 2
    m = m + prior[:, None, None] * (np.eye(3) - np.einsum("ti,tj->tij", prior_up, prior_up))
    vals, vecs = np.linalg.eigh(m)
    up = vecs[..., 0]
    up = np.where(dot(up, prior_up)[:, None] < 0, -up, up)
    centroid = np.where(total > 0, centroid, np.nan)
    return up, centroid, vals[:, 1]


def _angle_deg(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.degrees(np.arctan2(norm(cross(a, b)), dot(a, b)))


def floor_frame(points: FloatArray, valid: BoolArray) -> FloorFrame:
    """Estimate the floor frame from sanitised world landmarks.

    ``points`` is (T, 33, 3) and finite (unusable landmarks may hold anything finite); ``valid`` (T, 33)
    says which landmarks may be used. Never raises on any finite input.
    """
    t = points.shape[0]
    feet = points[:, FOOT_POINTS, :]
    w_feet = valid[:, FOOT_POINTS].astype(float)
    legs = np.zeros((t, 2, 3))
    reach = np.zeros((t, 2))
    for k, name in enumerate(("left", "right")):
        hip_i, knee_i, ankle_i, _, _ = lm.LEG[name]
        ok = valid[:, [hip_i, knee_i, ankle_i]].all(axis=1)
        axis = points[:, ankle_i] - points[:, hip_i]
        length = norm(axis)
        normal = cross(axis, points[:, knee_i] - points[:, hip_i]) / np.maximum(length, EPS_M)[:, None]
        legs[:, k] = np.where((ok & (length > EPS_M))[:, None], normal, 0.0)
        reach[:, k] = np.where(ok, length, np.nan)
    usable = reach > EPS_M  # nan compares False
    count = usable.sum(axis=1)
    leg_length = np.where(usable, reach, 0.0).sum(axis=1) / np.maximum(count, 1)
    leg_length = np.where(count > 0, leg_length, 0.8)  # metres: a typical leg when none is seen
    prior = (PRIOR_FRACTION * leg_length) ** 2
    leg_fade = (LEG_FADE_FRACTION * leg_length) ** 2
    body_ok = valid[:, [lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_ANKLE, lm.RIGHT_ANKLE]].all(axis=1)
    body = unit(
        points[:, [lm.LEFT_HIP, lm.RIGHT_HIP]].sum(axis=1) - points[:, [lm.LEFT_ANKLE, lm.RIGHT_ANKLE]].sum(axis=1)
    )
    body_ok &= np.isfinite(body).all(axis=1) & (dot(body, WORLD_UP) > np.cos(np.radians(BODY_AXIS_MAX_DEG)))
    prior_up = np.where(body_ok[:, None], body, WORLD_UP)

    # The four fits (all, no left heel, no right heel, toes only) run as one batch of 4T: the same
    # arithmetic per frame as four calls, a quarter of the numpy calls (what one live frame pays for).
    heels_off = _HEELS_OFF
    ups_f, centroids_f, mids_f = _fit(
        np.broadcast_to(feet, (4, *feet.shape)).reshape(4 * t, 4, 3),
        (heels_off[:, None, :] * w_feet[None]).reshape(4 * t, 4),
        np.broadcast_to(legs, (4, *legs.shape)).reshape(4 * t, 2, 3),
        np.broadcast_to(prior_up, (4, t, 3)).reshape(4 * t, 3),
        np.broadcast_to(prior, (4, t)).reshape(4 * t),
        np.broadcast_to(leg_fade, (4, t)).reshape(4 * t),
    )
    ups = ups_f.reshape(4, t, 3)  # (4, T, 3): all, no left heel, no right heel, toes only
    centroids = centroids_f.reshape(4, t, 3)
    toes_mid = mids_f.reshape(4, t)[3]

    def height(fit: int, point: int) -> FloatArray:
        return dot(feet[:, point] - centroids[fit], ups[fit])

    heel_ok = w_feet[:, :2] > 0
    with np.errstate(invalid="ignore"):
        lift_l = heel_ok[:, 0] & (height(1, 0) > HEEL_LIFT_TOL_M)
        lift_r = heel_ok[:, 1] & (height(2, 1) > HEEL_LIFT_TOL_M)
        toes_ok = w_feet[:, 2:].sum(axis=1) > 0
        both = (
            heel_ok.all(axis=1)
            & toes_ok
            & ((_angle_deg(ups[0], ups[3]) > HEEL_TILT_TOL_DEG) | (toes_mid >= TOES_FIT_FIRM_M**2))
            & (height(3, 0) > HEEL_LIFT_TOL_M)
            & (height(3, 1) > HEEL_LIFT_TOL_M)
        )
    both = both | (lift_l & lift_r & toes_ok)
    choice = np.where(both, 3, np.where(lift_l & ~lift_r, 1, np.where(lift_r & ~lift_l, 2, 0)))
    rows = np.arange(t)
    up = ups[choice, rows]
    centroid = centroids[choice, rows]
    on_floor = (w_feet * heels_off[choice]) > 0

    hip_line = points[:, lm.LEFT_HIP] - points[:, lm.RIGHT_HIP]
    hips_ok = np.asarray(valid[:, [lm.LEFT_HIP, lm.RIGHT_HIP]].all(axis=1), dtype=np.bool_)
    left = unit(hip_line - dot(hip_line, up)[:, None] * up)
    left = np.where(hips_ok[:, None], left, np.nan)
    forward = cross(left, up)
    heel_lifted = np.stack([choice == 1, choice == 2], axis=1) | (choice == 3)[:, None]
    return FloorFrame(
        up=up,
        forward=forward,
        left=left,
        floor_height=dot(centroid, up),
        on_floor=on_floor,
        heel_lifted=heel_lifted & heel_ok,
    )


def angle_between_deg(a: FloatArray, b: FloatArray) -> FloatArray:
    """Unsigned angle between row vectors, in degrees, via atan2 (accurate near 0 and 180)."""
    return _angle_deg(a, b)
