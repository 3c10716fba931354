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


def fit_camera(
    corners_px: ArrayLike,
    width_m: float,
    length_m: float,
    image_size: tuple[int, int],
    hfov_range_deg: tuple[float, float] = HFOV_RANGE_DEG,
) -> CameraFit:
    """The pinhole camera (square pixels, centred principal point, focal length searched over plausible
    webcams) that sees a width x length rectangle where ``corners_px`` (canonical order) are, with its pose.

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

    lo, hi = hfov_range_deg
    grid = image_size[0] / 2 / np.tan(np.radians(np.linspace(lo, hi, 23)) / 2)
    errs = [solve(float(f))[0] for f in grid]
    k = int(np.argmin(errs))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    for _ in range(12):  # golden-section search between the neighbours of the best grid focal length
        m1, m2 = b - 0.618 * (b - a), a + 0.618 * (b - a)
        if solve(m1)[0] < solve(m2)[0]:
            b = m2
        else:
            a = m1
    f = (a + b) / 2
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
    )


def order_corners(
    corners_px: ArrayLike,
    width_m: float,
    length_m: float,
    image_size: tuple[int, int],
    hfov_range_deg: tuple[float, float] = HFOV_RANGE_DEG,
) -> tuple[F64, CameraFit]:
    """Put four corners that go round a rectangle (either way, any start) into canonical order.

    Of the two ways to say which edges are the long ones, the one a floor camera explains better wins; when
    both explain it about equally (a sheet seen straight on is ambiguous), the one whose length points
    more toward the camera wins, as the user was told to lay it."""
    c = np.asarray(corners_px, float)
    if c.shape != (4, 2) or not np.all(np.isfinite(c)):
        raise ValueError(f"corners must be 4 finite (x, y) pixel points, got shape {c.shape}")
    turns = [cross2(c[(i + 1) % 4] - c[i], c[(i + 2) % 4] - c[(i + 1) % 4]) for i in range(4)]
    area2 = turns[0]
    if abs(area2) < 1e-6 or not (all(t > 0 for t in turns) or all(t < 0 for t in turns)):
        raise ValueError("corners must go round a convex quadrilateral (in order, clockwise or anticlockwise)")
    options: list[tuple[float, F64, CameraFit]] = []
    for cyc in (c, c[::-1]):
        for shift in range(4):
            cand = np.roll(cyc, -shift, axis=0)
            fit = fit_camera(cand, width_m, length_m, image_size, hfov_range_deg)
            if fit.height_m <= 0 or fit.view_angle_deg > 90:
                continue  # mirrored (camera under the floor) or near and far swapped
            score = fit.residual + 0.001 * abs(fit.roll_deg) + 0.1 * min(max(fit.view_angle_deg - 45, 0) / 10, 1)
            options.append((score, cand, fit))
    if not options:
        raise ValueError("these corners cannot be a rectangle lying on the floor in front of the camera")
    _, best, fit = min(options, key=lambda o: o[0])
    return best, fit


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
        are the long ones is worked out from the image. ``corner_sigma_px`` is how exact the corners are
        (about 1 px for clicks, less after ``turnout.calibration.refine_corners``)."""
        if not (width_m > 0 and length_m > 0):
            raise ValueError(f"rectangle size must be positive metres, got {width_m} x {length_m}")
        w_m, l_m = sorted((float(width_m), float(length_m)))
        ordered, _ = order_corners(corners_px, w_m, l_m, image_size)
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


def cross2(a: ArrayLike, b: ArrayLike) -> float:
    """z component of the cross product of two 2-D vectors."""
    va, vb = np.asarray(a, float), np.asarray(b, float)
    return float(va[0] * vb[1] - va[1] * vb[0])


def angle_between_deg(a: ArrayLike, b: ArrayLike) -> float:
    """Unsigned angle between two 2-D vectors, degrees in [0, 180]."""
    va, vb = np.asarray(a, float), np.asarray(b, float)
    return float(np.degrees(abs(math.atan2(va[0] * vb[1] - va[1] * vb[0], float(va @ vb)))))
