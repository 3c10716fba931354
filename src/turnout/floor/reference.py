"""Floor calibration: the homography between image pixels and metres on the floor.

Floor frame of a calibration: metres, origin at the centre of the reference rectangle, y along its length
pointing away from the camera, x along its width to the camera's right, z up. Only angles and distances
measured in this frame are used downstream, so where the origin sits does not matter.

Canonical corner order (``FloorCalibration.corners_px``): near-left, near-right, far-right, far-left as the
camera sees them, i.e. floor points (-w/2, -l/2), (w/2, -l/2), (w/2, l/2), (-w/2, l/2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]

#: Known references: name -> (width_m, length_m). "-pair": two sheets laid end to end (short edges touching).
REFERENCES: Final[dict[str, tuple[float, float]]] = {
    "A4": (0.210, 0.297),
    "letter": (0.2159, 0.2794),
    "A4-pair": (0.210, 0.594),
    "letter-pair": (0.2159, 0.5588),
    "yoga-mat": (0.61, 1.73),
}

#: Plausible webcam horizontal fields of view, degrees (used only to judge whether a quad can be the floor).
HFOV_RANGE_DEG: Final = (45.0, 100.0)

#: Beyond this angle between the reference's length and the camera's forward direction on the floor, the
#: reading "length across the view" is penalised: users are told to point the length at the camera, and in
#: views where the image cannot tell the two readings apart (a symmetric trapezoid) this decides.
AXIS_ANGLE_PRIOR_DEG: Final = 45.0


def reference_corners_m(width_m: float, length_m: float) -> F64:
    """Floor corners of a reference in canonical order."""
    return np.array([[-width_m, -length_m], [width_m, -length_m], [width_m, length_m], [-width_m, length_m]]) / 2


def homography(src: ArrayLike, dst: ArrayLike) -> F64:
    """Homography mapping src points (N >= 4, 2) onto dst points (least squares, normalised DLT)."""
    s, d = np.asarray(src, float), np.asarray(dst, float)

    def norm(p: F64) -> F64:
        c = p.mean(axis=0)
        k = math.sqrt(2) / max(float(np.mean(np.linalg.norm(p - c, axis=1))), 1e-12)
        return np.array([[k, 0, -k * c[0]], [0, k, -k * c[1]], [0, 0, 1]])

    ts, td = norm(s), norm(d)
    sh = np.c_[s, np.ones(len(s))] @ ts.T
    dh = np.c_[d, np.ones(len(d))] @ td.T
    rows = []
    for (x, y, _), (u, v, _) in zip(sh, dh, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    h = np.linalg.svd(np.asarray(rows))[2][-1].reshape(3, 3)
    out = np.linalg.inv(td) @ h @ ts
    return out / out[2, 2]


def apply_homography(h: F64, points: ArrayLike) -> F64:
    p = np.asarray(points, float)
    if p.ndim != 2 or p.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {p.shape}; pass one (x, y) row per point")
    q = np.c_[p, np.ones(len(p))] @ h.T
    return q[:, :2] / q[:, 2:]


def _square_to_quad(q: F64) -> F64:
    """Projective maps (..., 3, 3) taking the unit square (0,0), (1,0), (1,1), (0,1) onto quads (..., 4, 2)
    (Heckbert's closed form; vectorised so that perturbed copies of a quad cost one call)."""
    x0, x1, x2, x3 = (q[..., i, 0] for i in range(4))
    y0, y1, y2, y3 = (q[..., i, 1] for i in range(4))
    sx, sy = x0 - x1 + x2 - x3, y0 - y1 + y2 - y3
    dx1, dx2, dy1, dy2 = x1 - x2, x3 - x2, y1 - y2, y3 - y2
    den = dx1 * dy2 - dx2 * dy1
    g = (sx * dy2 - dx2 * sy) / den
    h = (dx1 * sy - sx * dy1) / den
    rows = [[x1 - x0 + g * x1, x3 - x0 + h * x3, x0], [y1 - y0 + g * y1, y3 - y0 + h * y3, y0], [g, h, np.ones_like(g)]]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


@dataclass(frozen=True, slots=True)
class FocalCheck:
    """What a quad says about the focal length, if it is a width x length rectangle on the floor with its
    corners in canonical order, seen by a camera with square pixels and its principal point at the centre.

    Write the floor-to-image homography as H = K [r1 r2 t] (K = diag(f, f, 1) after centring). The floor's
    axes r1, r2 are perpendicular and of equal length: two equations, each giving f. For the right reading
    of the corners they agree and f is real; read the other way round (length taken for width) they do not,
    except in views where a symmetric trapezoid could be any rectangle (one equation then says nothing)."""

    focal_px: float  # both equations combined (inverse-variance), nan when they imply no real focal length
    focal_orth_px: float  # from r1 . r2 = 0 alone; nan when not real or when this view makes it uninformative
    focal_norm_px: float  # from |r1| = |r2| alone; likewise
    focal_sd_px: float  # standard error of focal_px per pixel of corner noise (first order)
    mismatch_px: float  # how far (px, first order, all 8 coordinates together) the corners are from agreeing


def focal_check(corners_px: ArrayLike, width_m: float, length_m: float, image_size: tuple[int, int]) -> FocalCheck:
    """The focal-length consistency of a quad read as the given rectangle (corners in canonical order)."""
    c = np.asarray(corners_px, float).reshape(4, 2)
    scale = image_size[0] / 2  # work in half-widths: f is then about 1
    centre = np.array([(image_size[0] - 1) / 2, (image_size[1] - 1) / 2])
    step = 1e-3  # px, central differences for the first-order error propagation
    batch = np.repeat(((c - centre) / scale)[None], 17, axis=0)
    for k in range(8):
        batch[1 + 2 * k, k // 2, k % 2] += step / scale
        batch[2 + 2 * k, k // 2, k % 2] -= step / scale
    s = _square_to_quad(batch)
    h1, h2 = s[:, :, 0] / width_m, s[:, :, 1] / length_m
    a1, b1 = h1[:, 0] * h2[:, 0] + h1[:, 1] * h2[:, 1], h1[:, 2] * h2[:, 2]
    a2, b2 = h1[:, 0] ** 2 + h1[:, 1] ** 2 - h2[:, 0] ** 2 - h2[:, 1] ** 2, h1[:, 2] ** 2 - h2[:, 2] ** 2

    def grad(v: F64) -> F64:
        return np.asarray((v[1::2] - v[2::2]) / (2 * step), float)

    d = a1 * b2 - a2 * b1  # zero exactly when the two equations a u + b = 0 (u = 1 / f^2) share a root
    mismatch = abs(float(d[0])) / max(float(np.linalg.norm(grad(d))), 1e-300)
    # weighted least squares for u over both equations, each weighted by its sensitivity to corner noise
    u = 0.5  # start: a 70-degree webcam
    info = 0.0
    sds = [math.inf, math.inf]
    for _ in range(3):
        num = info = 0.0
        for i, (a, b) in enumerate(((a1, b1), (a2, b2))):
            g = max(float(np.linalg.norm(grad(a * u + b))), 1e-300)
            num += float(a[0] * b[0]) / g**2
            info += float(a[0]) ** 2 / g**2
            sds[i] = g / abs(float(a[0])) if a[0] != 0 else math.inf
        if info <= 0:
            break
        u = -num / info

    def focal(v: float) -> float:
        return scale / math.sqrt(v) if v > 0 and math.isfinite(v) else math.nan

    def alone(a: F64, b: F64, sd: float) -> float:  # one equation's own answer, nan where this view makes it
        v = -float(b[0]) / float(a[0]) if a[0] != 0 else math.nan  # say nothing (its error per px is huge)
        return focal(v) if sd < 1e3 * abs(v) else math.nan

    f = focal(u) if info > 0 else math.nan
    return FocalCheck(
        focal_px=f,
        focal_orth_px=alone(a1, b1, sds[0]),
        focal_norm_px=alone(a2, b2, sds[1]),
        focal_sd_px=0.5 * f / (u * math.sqrt(info)) if math.isfinite(f) else math.inf,  # f = s u^-1/2
        mismatch_px=mismatch,
    )


def _focal_limits(image_width: int, hfov_range_deg: tuple[float, float]) -> tuple[float, float]:
    lo, hi = hfov_range_deg
    return image_width / 2 / math.tan(math.radians(hi) / 2), image_width / 2 / math.tan(math.radians(lo) / 2)


def _pose(corners_px: F64, width_m: float, length_m: float, image_size: tuple[int, int], f: float) -> F64:
    """[r1 r2 r3 t] (3x4, floor to camera) from the homography, t in front of the camera; r3 = r1 x r2 points
    up out of the floor when the corners are not mirrored."""
    centre = np.array([(image_size[0] - 1) / 2, (image_size[1] - 1) / 2])
    to_square = np.array([[1 / width_m, 0, 0.5], [0, 1 / length_m, 0.5], [0, 0, 1.0]])  # canonical corners
    h = _square_to_quad(corners_px - centre) @ to_square  # exact through 4 points: no least squares needed
    m = np.diag([1 / f, 1 / f, 1.0]) @ h
    lam = math.sqrt(float(np.linalg.norm(m[:, 0]) * np.linalg.norm(m[:, 1])))
    m = m / lam if m[2, 2] > 0 else -m / lam
    r1, r2 = m[:, 0] / np.linalg.norm(m[:, 0]), m[:, 1] / np.linalg.norm(m[:, 1])
    r3 = np.array([r1[1] * r2[2] - r1[2] * r2[1], r1[2] * r2[0] - r1[0] * r2[2], r1[0] * r2[1] - r1[1] * r2[0]])
    return np.column_stack([r1, r2, r3 / np.linalg.norm(r3), m[:, 2]])


@dataclass(frozen=True, slots=True)
class CameraFit:
    """The pinhole camera (square pixels, centred principal point) that best explains a quad as the floor."""

    residual: float  # RMS reprojection error, px: 0 when a camera sees exactly this rectangle there
    focal_px: float
    height_m: float  # camera above the floor (negative: corners go round the wrong way)
    distance_m: float  # camera to reference centre
    pitch_deg: float
    roll_deg: float
    view_angle_deg: float  # between the reference's +y and the camera's line of sight; > 90: labelled backwards
    focal_mismatch_px: float = 0.0  # FocalCheck.mismatch_px: ~ corner noise for the right rectangle
    axis_angle_deg: float = 0.0  # between the reference's length and the camera's forward direction, 0..90


def fit_camera(
    corners_px: ArrayLike,
    width_m: float,
    length_m: float,
    image_size: tuple[int, int],
    hfov_range_deg: tuple[float, float] = HFOV_RANGE_DEG,
) -> CameraFit:
    """The pinhole camera (square pixels, centred principal point) that sees a width x length rectangle
    where ``corners_px`` (canonical order) are, with its pose. The focal length is the closed-form estimate
    of :func:`focal_check`, kept within ``hfov_range_deg``; the pose is then solved for that focal length.

    ``residual`` is the RMS reprojection error in pixels: small when the quad can be this rectangle."""
    c = np.ascontiguousarray(np.asarray(corners_px, float).reshape(4, 1, 2))
    obj = np.c_[reference_corners_m(width_m, length_m), np.zeros(4)]
    pp = ((image_size[0] - 1) / 2, (image_size[1] - 1) / 2)

    def solve(f: float) -> tuple[float, F64, F64]:
        k = np.array([[f, 0, pp[0]], [0, f, pp[1]], [0, 0, 1.0]])
        n, rvecs, tvecs, errs = cv2.solvePnPGeneric(obj, c, k, None, flags=cv2.SOLVEPNP_IPPE)
        if not n:
            return math.inf, np.zeros(3), np.zeros(3)
        i = int(np.argmin(np.ravel(errs)))
        return float(np.ravel(errs)[i]), np.ravel(rvecs[i]), np.ravel(tvecs[i])

    check = focal_check(c.reshape(4, 2), width_m, length_m, image_size)
    f_lo, f_hi = _focal_limits(image_size[0], hfov_range_deg)
    if math.isfinite(check.focal_px):
        f = float(np.clip(check.focal_px, f_lo, f_hi))
    else:  # no real focal length: report the least bad plausible one
        f = min(np.geomspace(f_lo, f_hi, 7), key=lambda g: solve(float(g))[0])
    err, rvec, tvec = solve(f)
    rot = cv2.Rodrigues(rvec)[0]
    centre = -rot.T @ tvec  # camera in the floor frame
    up = rot[:, 2]  # floor normal in camera coordinates
    sight = -centre[:2] / max(float(np.linalg.norm(centre[:2])), 1e-12)
    return CameraFit(
        residual=err,
        focal_px=float(f),
        height_m=float(centre[2]),
        distance_m=float(np.linalg.norm(tvec)),
        pitch_deg=float(-math.degrees(math.asin(np.clip(up[2], -1, 1)))),
        roll_deg=float(math.degrees(math.atan2(up[0], -up[1]))),
        view_angle_deg=float(math.degrees(math.acos(float(np.clip(sight[1], -1.0, 1.0))))),
        focal_mismatch_px=check.mismatch_px,
        axis_angle_deg=float(math.degrees(math.atan2(abs(rot[2, 0]), abs(rot[2, 1])))),
    )


def reading_penalty(
    check: FocalCheck,
    axis_angle_deg: float,
    corner_sigma_px: float,
    image_width: int,
    hfov_range_deg: tuple[float, float],
) -> float:
    """How hard it is to believe one reading of a quad as the rectangle (0: fully consistent), in squared
    standard errors: focal-length disagreement over corner noise, a focal length outside the plausible
    range, and a length pointing across the view (see ``AXIS_ANGLE_PRIOR_DEG``)."""
    if not math.isfinite(check.focal_px):
        return math.inf
    f_lo, f_hi = _focal_limits(image_width, hfov_range_deg)
    f_sd = max(check.focal_sd_px * corner_sigma_px, 1e-3 * f_lo)
    outside = max(f_lo - check.focal_px, check.focal_px - f_hi, 0.0) / f_sd
    axis = max(axis_angle_deg - AXIS_ANGLE_PRIOR_DEG, 0.0) / 5.0
    return (check.mismatch_px / max(corner_sigma_px, 1e-6)) ** 2 + outside**2 + axis**2


def order_corners(
    corners_px: ArrayLike,
    width_m: float,
    length_m: float,
    image_size: tuple[int, int],
    hfov_range_deg: tuple[float, float] = HFOV_RANGE_DEG,
    corner_sigma_px: float = 1.0,
) -> tuple[F64, CameraFit]:
    """Put four corners that go round a rectangle (either way, any start) into canonical order.

    Both readings (which edges are the long ones) are tried; each is judged by whether its two focal-length
    estimates agree within the corner noise ``corner_sigma_px`` (:func:`focal_check`), whether that focal
    length is a plausible webcam's, and, only when the image cannot tell (a symmetric trapezoid), by the
    length pointing roughly along the view, as users are told to lay it. Of the four orderings of the chosen
    reading, the one with the camera above the floor and the near end nearest is returned."""
    c = np.asarray(corners_px, float)
    if c.shape != (4, 2) or not np.all(np.isfinite(c)):
        raise ValueError(f"corners must be 4 finite (x, y) pixel points, got shape {c.shape}")
    turns = [cross2(c[(i + 1) % 4] - c[i], c[(i + 2) % 4] - c[(i + 1) % 4]) for i in range(4)]
    if abs(turns[0]) < 1e-6 or not (all(t > 0 for t in turns) or all(t < 0 for t in turns)):
        raise ValueError("corners must go round a convex quadrilateral (in order, clockwise or anticlockwise)")
    options: list[tuple[float, F64]] = []
    # The focal check depends only on the reading (which pair of opposite edges is the width), that is on
    # the shift's parity, up to the noise of the corners: computed once per reading.
    checks = [focal_check(np.roll(c, -k, axis=0), width_m, length_m, image_size) for k in (0, 1)]
    for cyc in (c, c[::-1]):
        for shift in range(4):
            cand = np.roll(cyc, -shift, axis=0)
            check = checks[shift % 2]
            f = check.focal_px
            if not math.isfinite(f):  # no real focal length: any will do to tell the orderings apart
                f = float(np.mean(_focal_limits(image_size[0], hfov_range_deg)))
            rt = _pose(cand, width_m, length_m, image_size, f)
            camera = -rt[:, :3].T @ rt[:, 3]  # in the floor frame
            if camera[2] <= 0 or camera[1] >= 0:
                continue  # mirrored (camera under the floor) or near and far swapped
            axis = math.degrees(math.atan2(abs(rt[2, 0]), abs(rt[2, 1])))
            options.append((reading_penalty(check, axis, corner_sigma_px, image_size[0], hfov_range_deg), cand))
    if not options:
        raise ValueError("these corners cannot be a rectangle lying on the floor in front of the camera")
    _, best = min(options, key=lambda o: o[0])
    return best, fit_camera(best, width_m, length_m, image_size, hfov_range_deg)


@dataclass(frozen=True, slots=True, eq=False)
class FloorCalibration:
    """Image-to-floor homography from a reference rectangle of known size. Floor frame: see module doc."""

    homography: F64  # 3x3, image pixels -> floor metres
    image_size: tuple[int, int]  # (width, height) in pixels
    reference: str
    reference_size_m: tuple[float, float]  # (width, length)
    corners_px: F64  # (4, 2), canonical order
    corner_sigma_px: float = 0.2  # estimated standard error of each refined corner

    def image_to_floor(self, points_px: ArrayLike) -> F64:
        """(N, 2) pixel coordinates -> (N, 2) metres on the floor."""
        return apply_homography(self.homography, points_px)

    def floor_to_image(self, points_m: ArrayLike) -> F64:
        """(N, 2) floor metres -> (N, 2) pixel coordinates."""
        return apply_homography(np.asarray(np.linalg.inv(self.homography), np.float64), points_m)

    @classmethod
    def from_corners(
        cls,
        corners_px: ArrayLike,
        width_m: float,
        length_m: float,
        image_size: tuple[int, int],
        reference: str = "custom",
        corner_sigma_px: float = 1.0,
    ) -> FloorCalibration:
        """Calibrate from four corners of a flat rectangle of known size, clicked or given by the user.

        The corners must go round the rectangle (clockwise or anticlockwise, starting anywhere); which edges
        are the long ones is worked out from the image (:func:`order_corners`: the reading whose two
        focal-length estimates agree; where a view cannot tell, the length is taken to point at the camera).
        ``corner_sigma_px`` is how exact the corners are (about 1 px for clicks, less after
        ``turnout.floor.refine_corners``)."""
        if not (width_m > 0 and length_m > 0):
            raise ValueError(f"rectangle size must be positive metres, got {width_m} x {length_m}")
        w_m, l_m = sorted((float(width_m), float(length_m)))
        ordered, _ = order_corners(corners_px, w_m, l_m, image_size, corner_sigma_px=max(corner_sigma_px, 0.05))
        h = homography(ordered, reference_corners_m(w_m, l_m))
        return cls(h, (int(image_size[0]), int(image_size[1])), reference, (w_m, l_m), ordered, corner_sigma_px)

    def camera(self) -> CameraFit:
        """The pinhole camera implied by this calibration (focal length, height, pitch, roll)."""
        return fit_camera(self.corners_px, *self.reference_size_m, self.image_size)

    def expected_turnout_error_deg(self, behind_m: float = 0.6, samples: int = 400) -> tuple[float, float]:
        """(median, 95th percentile) error of total turnout in degrees, for feet ``behind_m`` beyond the far
        edge of the reference, when every corner is off by ``corner_sigma_px`` (Monte Carlo, fixed seed)."""
        return turnout_error_deg(self.corners_px, self.reference_size_m, self.corner_sigma_px, behind_m, samples)

    def to_dict(self) -> dict[str, Any]:
        return {
            "homography": self.homography.tolist(),
            "image_size": list(self.image_size),
            "reference": self.reference,
            "reference_size_m": list(self.reference_size_m),
            "corners_px": self.corners_px.tolist(),
            "corner_sigma_px": self.corner_sigma_px,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FloorCalibration:
        try:
            h = np.asarray(data["homography"], float)
            corners = np.asarray(data["corners_px"], float)
            size = (int(data["image_size"][0]), int(data["image_size"][1]))
            ref_size = (float(data["reference_size_m"][0]), float(data["reference_size_m"][1]))
            out = cls(h, size, str(data["reference"]), ref_size, corners, float(data["corner_sigma_px"]))
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"not a saved floor calibration (missing or malformed {exc}); recalibrate") from exc
        if h.shape != (3, 3) or corners.shape != (4, 2):
            raise ValueError(f"saved calibration has homography {h.shape} and corners {corners.shape}; recalibrate")
        return out


def turnout_error_deg(
    corners_px: ArrayLike,
    size_m: tuple[float, float],
    sigma_px: float,
    behind_m: float = 0.6,
    samples: int = 400,
) -> tuple[float, float]:
    """Monte Carlo (median, p95) of the total-turnout error caused by corner noise of ``sigma_px``, for feet
    turned out 15..90 degrees each and standing ``behind_m`` beyond the far edge of the reference."""
    c = np.asarray(corners_px, float)
    ref = reference_corners_m(*size_m)
    true_h = homography(ref, c)
    rng = np.random.default_rng(0)
    errs = np.empty(samples)
    y = size_m[1] / 2 + behind_m
    for i in range(samples):
        out = np.radians(rng.uniform(15, 90, 2))
        face = np.radians(rng.uniform(-20, 20))
        dirs = np.array([-np.pi / 2 + face - out[0], -np.pi / 2 + face + out[1]])
        heels = np.array([[-0.03, y], [0.03, y]])
        toes = heels + 0.24 * np.c_[np.cos(dirs), np.sin(dirs)]
        noisy = homography(c + rng.normal(0, sigma_px, c.shape), ref)
        hf = apply_homography(noisy, apply_homography(true_h, heels))
        tf = apply_homography(noisy, apply_homography(true_h, toes))
        errs[i] = abs(angle_between_deg(tf[0] - hf[0], tf[1] - hf[1]) - math.degrees(out.sum()))
    return float(np.median(errs)), float(np.percentile(errs, 95))


#: The set-up behind the accuracy figures offered before calibrating: the middle of the issue-4 envelope (webcam
#: 69 degrees wide, lens 1 m up, dancer 2.75 m away, sheet far edge 0.6 m in front of her feet, mat under them).
TYPICAL_SETUP: Final = {"hfov_deg": 69.0, "lens_m": 1.0, "dancer_m": 2.75, "gap_m": 0.6}


def typical_turnout_error_deg(
    reference: str, corner_sigma_px: float = 0.2, image_size: tuple[int, int] = (1280, 720)
) -> tuple[float, float]:
    """(median, p95) total-turnout error, degrees, that a reference gives in the typical set-up
    (``TYPICAL_SETUP``) when its corners are located to ``corner_sigma_px``: about 0.2 px for a detected or
    refined sheet, 1 px or more for unrefined clicks. For the app to say what each reference is worth."""
    if reference not in REFERENCES:
        raise ValueError(f"unknown reference {reference!r}; use one of {sorted(REFERENCES)}")
    width_m, length_m = REFERENCES[reference]
    setup = TYPICAL_SETUP
    far_edge = setup["dancer_m"] + 0.3 if reference == "yoga-mat" else setup["dancer_m"] - setup["gap_m"]
    f = image_size[0] / 2 / math.tan(math.radians(setup["hfov_deg"]) / 2)
    pitch = math.atan2(setup["lens_m"], setup["dancer_m"])  # feet in the middle of the view
    k = np.array([[f, 0, (image_size[0] - 1) / 2], [0, f, (image_size[1] - 1) / 2], [0, 0, 1.0]])
    c, s = math.cos(pitch), math.sin(pitch)
    rot = np.array([[1.0, 0, 0], [0, -s, -c], [0, c, -s]])  # floor (x right, y ahead, z up) -> camera
    floor = reference_corners_m(width_m, length_m) + np.array([0.0, far_edge - length_m / 2])
    cam = (np.c_[floor, np.zeros(4)] - [0, 0, setup["lens_m"]]) @ rot.T @ k.T
    corners = cam[:, :2] / cam[:, 2:]
    return turnout_error_deg(corners, (width_m, length_m), corner_sigma_px, setup["dancer_m"] - far_edge)


def cross2(a: ArrayLike, b: ArrayLike) -> float:
    """z component of the cross product of two 2-D vectors."""
    va, vb = np.asarray(a, float), np.asarray(b, float)
    return float(va[0] * vb[1] - va[1] * vb[0])


def angle_between_deg(a: ArrayLike, b: ArrayLike) -> float:
    """Unsigned angle between two 2-D vectors, degrees in [0, 180]."""
    va, vb = np.asarray(a, float), np.asarray(b, float)
    return float(np.degrees(abs(math.atan2(va[0] * vb[1] - va[1] * vb[0], float(va @ vb)))))
