"""Find a sheet of paper (or another reference rectangle) lying on the floor and locate its corners to a
small fraction of a pixel.

Method: bright, compact regions are found by thresholding the image above a local background at several
levels; their outlines that are convex quadrilaterals become candidates. Each candidate's four EDGES are
then fitted, one by one, with a model of a blurred straight step (``a + b * Phi(s / sigma)``, with floor
level and contrast allowed to drift along the edge, robust weights, saturated pixels treated as censored)
to every pixel in a band around the edge. The corners are the intersections of the four fitted lines.
A candidate is accepted when all four edges are sharp steps of the same sign, its outline is straight,
and a plausible webcam looking at the floor sees that quad as a rectangle of the reference's shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from turnout.calibration.floor import REFERENCES, CameraFit, FloorCalibration, cross2, order_corners

F64 = NDArray[np.float64]

#: What to tell the dancer before calibrating.
SHEET_INSTRUCTIONS = (
    "Lay a sheet of A4 or US-letter paper flat on the floor about half a metre in front of your feet, "
    "long edge pointing at the camera. Keep all of it in view, smooth and uncovered, with nothing on it "
    "and no shadow across it, then stand still behind it."
)

_SAT = 252.0  # pixel values at or above this are treated as clipped


@dataclass(frozen=True, slots=True)
class EdgeFit:
    normal: F64  # unit normal pointing into the reference
    offset: float  # normal @ x == offset on the edge
    sigma_px: float  # blur of the step
    contrast: float  # inside minus outside, grey levels
    rms: float  # residual of the fit, grey levels
    offset_sd: float  # standard error of the edge position at its middle, pixels
    angle_sd: float  # standard error of its direction, radians
    centre: F64  # middle of the fitted stretch


def _edge_band(gray: F64, a: F64, b: F64, inside: F64, margin: float, band: float) -> tuple[F64, F64, F64]:
    """Pixel centres (N, 2), their values and along-edge coordinate in a band around segment a-b."""
    h, w = gray.shape
    lo = np.floor(np.minimum(a, b) - band - 1).astype(int).clip(0, [w - 1, h - 1])
    hi = np.ceil(np.maximum(a, b) + band + 2).astype(int).clip(1, [w, h])
    ys, xs = np.mgrid[lo[1] : hi[1], lo[0] : hi[0]]
    pts = np.c_[xs.ravel(), ys.ravel()].astype(float)
    d = b - a
    length = float(np.hypot(*d))
    u = d / length
    n = np.array([-u[1], u[0]])
    if n @ (inside - a) < 0:
        n = -n
    t = (pts - a) @ u
    s = (pts - a) @ n
    keep = (t > margin) & (t < length - margin) & (np.abs(s) < band)
    return pts[keep], gray[ys.ravel()[keep], xs.ravel()[keep]], t[keep]


def _fit_edge(gray: F64, a: F64, b: F64, inside: F64, sigma0: float = 1.0) -> EdgeFit | None:
    """Fit a blurred straight step to the pixels around the segment a-b (see module doc)."""
    length = float(np.hypot(*(b - a)))
    margin = min(3.0 + 2 * sigma0, 0.3 * length)
    band = 2.0 + 3.0 * sigma0
    pts, val, t = _edge_band(gray, a, b, inside, margin, band)
    if len(pts) < 12:
        return None
    u = (b - a) / length
    n = np.array([-u[1], u[0]]) if np.array([-u[1], u[0]]) @ (inside - a) >= 0 else np.array([u[1], -u[0]])
    centre = (a + b) / 2
    tc = (t - t.mean()) / max(length / 2, 1.0)
    s = (pts - centre) @ n
    out, inn = val[s < -0.8], val[s > 0.8]
    if len(out) < 3 or len(inn) < 3:
        return None
    # parameters: angle change, offset, log sigma, a0, a1, b0, b1
    p = np.array([0.0, 0.0, math.log(sigma0), np.median(out), 0.0, np.median(inn) - np.median(out), 0.0])
    rel = pts - centre
    weights = np.ones(len(val))
    jtj = np.eye(7)
    res = np.zeros(len(val))
    for it in range(12):
        c, sn = math.cos(p[0]), math.sin(p[0])
        nn = np.array([c * n[0] - sn * n[1], sn * n[0] + c * n[1]])
        along = np.array([-nn[1], nn[0]])
        dist = rel @ nn - p[1]
        sig = math.exp(p[2])
        z = dist / sig
        phi = 0.5 * (1 + _erf(z / math.sqrt(2)))
        dens = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        base, contrast = p[3] + p[4] * tc, p[5] + p[6] * tc
        model = base + contrast * phi
        censored = val >= _SAT
        res = np.where(censored, np.minimum(model - val, 0.0), model - val)
        active = ~(censored & (model >= val))
        k = contrast * dens / sig
        jac = np.stack([k * (rel @ along), -k, -k * z, np.ones_like(z), tc, phi, tc * phi], axis=1)
        jac *= active[:, None]
        if it >= 2:  # robust (Tukey) weights once the fit is close
            scale = 1.4826 * np.median(np.abs(res[active])) + 1e-6
            r = res / (4.685 * scale)
            weights = np.where(np.abs(r) < 1, (1 - r * r) ** 2, 0.0)
        jw = jac * weights[:, None]
        jtj = jw.T @ jac + 1e-9 * np.eye(7)
        try:
            step = -np.linalg.solve(jtj + 1e-3 * np.diag(np.diag(jtj)), jw.T @ res)
        except np.linalg.LinAlgError:
            return None
        step[2] = float(np.clip(step[2], -0.7, 0.7))
        step[1] = float(np.clip(step[1], -1.5, 1.5))
        p += step
        if abs(step[1]) < 1e-4 and abs(step[0]) < 1e-6 and it >= 4:
            break
    c, sn = math.cos(p[0]), math.sin(p[0])
    nn = np.array([c * n[0] - sn * n[1], sn * n[0] + c * n[1]])
    w_sum = float(weights.sum())
    if w_sum < 8 or not np.all(np.isfinite(p)):
        return None
    rms = math.sqrt(float(np.sum(weights * res * res)) / w_sum)
    try:
        cov = np.linalg.inv(jtj) * rms * rms
    except np.linalg.LinAlgError:
        return None
    return EdgeFit(
        normal=nn,
        offset=float(nn @ centre + p[1]),
        sigma_px=math.exp(p[2]),
        contrast=float(p[5]),
        rms=rms,
        offset_sd=math.sqrt(max(cov[1, 1], 0.0)),
        angle_sd=math.sqrt(max(cov[0, 0], 0.0)),
        centre=centre + p[1] * nn,
    )


def _erf(x: F64) -> F64:
    """Vectorised error function (Numerical Recipes' erfc approximation, |error| < 1.2e-7)."""
    z = np.abs(x)
    t = 1 / (1 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))
                    )
                )
            )
        )
    )
    r = 1 - t * np.exp(poly)
    return np.where(x >= 0, r, -r)


def _intersect(e1: EdgeFit, e2: EdgeFit) -> F64 | None:
    m = np.array([e1.normal, e2.normal])
    if abs(np.linalg.det(m)) < 1e-3:
        return None
    return np.asarray(np.linalg.solve(m, [e1.offset, e2.offset]), float)


def refine_corners(image: ArrayLike, corners_px: ArrayLike, rounds: int = 3) -> tuple[F64, F64, list[EdgeFit]] | None:
    """Refine four rough corners (going round a quad; e.g. clicked, or from a contour) by fitting its edges.

    Returns (corners, corner standard errors in px, edge fits), corners in the same order as given, or None
    when an edge cannot be fitted (no step there, or the quad is too small)."""
    gray = _gray(image)
    c = np.asarray(corners_px, float).copy()
    if c.shape != (4, 2):
        raise ValueError(f"corners must have shape (4, 2), got {c.shape}")
    sigma = 1.0
    edges: list[EdgeFit] = []
    for _ in range(rounds):
        centroid = c.mean(axis=0)
        edges = []
        for i in range(4):
            e = _fit_edge(gray, c[i], c[(i + 1) % 4], centroid, sigma)
            if e is None:
                return None
            edges.append(e)
        new = [_intersect(edges[i - 1], edges[i]) for i in range(4)]
        if any(p is None for p in new):
            return None
        moved = float(np.max(np.abs(np.array(new) - c)))
        c = np.array(new, float)
        sigma = float(np.clip(np.median([e.sigma_px for e in edges]), 0.5, 3.0))
        if moved < 0.01:
            break
    sd = np.empty(4)
    for i in range(4):
        e1, e2 = edges[i - 1], edges[i]
        err = [math.hypot(e.offset_sd, float(np.hypot(*(c[i] - e.centre))) * e.angle_sd) for e in (e1, e2)]
        sin = abs(cross2(e1.normal, e2.normal))
        sd[i] = math.hypot(*err) / max(sin, 0.2)
    return c, sd, edges


def _gray(image: ArrayLike) -> F64:
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    elif img.ndim != 2:
        raise ValueError(f"image must be BGR (H, W, 3) or grey (H, W), got shape {img.shape}")
    return img.astype(np.float64)


def _tophat(gray: F64, shrink: int) -> F64:
    """Brightness above the local floor level: the image minus a grey opening at 1/shrink scale."""
    h, w = gray.shape
    small = cv2.resize(np.clip(gray, 0, 255).astype(np.uint8), (w // shrink, h // shrink), interpolation=cv2.INTER_AREA)
    bg = cv2.morphologyEx(small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (31, 31)))
    return gray - cv2.resize(cv2.blur(bg, (9, 9)), (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float64)


def _quad(cnt: NDArray[np.int32], w: int, h: int) -> F64 | None:
    """A convex quadrilateral that fits the contour closely, or None."""
    area = cv2.contourArea(cnt)
    if area < 80 or area > 0.2 * w * h:
        return None
    x, y, bw, bh = cv2.boundingRect(cnt)
    if x <= 1 or y <= 1 or x + bw >= w - 1 or y + bh >= h - 1:
        return None  # touches the border: not fully visible
    hull = cv2.convexHull(cnt)
    hull_area = cv2.contourArea(hull)
    if area < 0.8 * hull_area:
        return None
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.035, 0.05, 0.07):
        quad = cv2.approxPolyDP(hull, eps * peri, True)
        if len(quad) <= 4:
            break
    if len(quad) != 4 or cv2.contourArea(quad) < 0.85 * hull_area:
        return None
    return np.asarray(quad[:, 0, :], float)


def _candidates(gray: F64, max_candidates: int = 30) -> list[F64]:
    """Rough quads of regions brighter than their surroundings, most contrasted first."""
    h, w = gray.shape
    found: list[tuple[float, F64]] = []
    opener = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    for shrink in (4, 8):
        top = _tophat(gray, shrink)
        for level in (12.0, 20.0, 30.0, 50.0, 80.0):
            mask = (top > level).astype(np.uint8)
            for m in (mask, cv2.morphologyEx(mask, cv2.MORPH_OPEN, opener)):
                for cnt in cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]:
                    quad = _quad(np.asarray(cnt, np.int32), w, h)
                    if quad is not None:
                        found.append((float(np.mean(top[cnt[:, 0, 1], cnt[:, 0, 0]])) + level, quad))
    found.sort(key=lambda f: -f[0])
    unique: list[F64] = []
    for _, q in found:  # the same region at several levels gives near-identical quads: keep one
        if all(np.abs(np.sort(q, axis=0) - np.sort(u, axis=0)).max() > 2 for u in unique):
            unique.append(q)
    return unique[:max_candidates]


@dataclass(frozen=True, slots=True)
class Detection:
    corners_px: F64  # canonical order (see turnout.calibration.floor)
    corner_sd_px: F64
    camera: CameraFit
    contrast: float


def detect_reference(image: ArrayLike, width_m: float, length_m: float, white: bool = True) -> Detection | None:
    """The rectangle of the given size on the floor that best passes the checks (see module doc), or None.
    ``white``: the reference is paper, so it must be nearly neutral in colour and brighter than the floor."""
    gray = _gray(image)
    size = (gray.shape[1], gray.shape[0])
    best: tuple[float, Detection] | None = None
    for quad in _candidates(gray):
        refined = refine_corners(gray, quad)
        if refined is None:
            continue
        corners, sd, edges = refined
        scale = math.sqrt(abs(cv2.contourArea(corners.astype(np.float32))))
        if np.abs(corners.mean(axis=0) - quad.mean(axis=0)).max() > 0.3 * scale or not _edges_plausible(edges):
            continue
        if white and not _looks_like_paper(np.asarray(image), gray, corners):
            continue
        try:
            ordered, fit = order_corners(corners, width_m, length_m, size, PLAUSIBLE_HFOV_DEG)
        except ValueError:
            continue
        corner_sd = float(np.sqrt(np.mean(sd**2)))
        if not _camera_plausible(fit, corner_sd) or _other_shape_fits_better(corners, fit, width_m, length_m, size):
            continue
        order = [int(np.argmin(np.abs(corners - p).sum(axis=1))) for p in ordered]
        det = Detection(ordered, sd[order], fit, float(np.median([e.contrast for e in edges])))
        score = _implausibility(fit, corner_sd, size[0])
        if best is None or score < best[0]:
            best = (score, det)
    return None if best is None else best[1]


def _looks_like_paper(image: NDArray[np.generic], gray: F64, corners: F64) -> bool:
    """Paper is close to neutral grey and clearly brighter than the floor just around it."""
    centre = corners.mean(axis=0)
    inner = np.zeros(gray.shape, np.uint8)
    ring = np.zeros(gray.shape, np.uint8)
    scale = math.sqrt(abs(cv2.contourArea(corners.astype(np.float32))))
    grow = max(4.0, 0.15 * scale)
    cv2.fillConvexPoly(ring, np.rint(centre + (corners - centre) * (1 + grow / scale * 2)).astype(np.int32), 1)
    cv2.fillConvexPoly(ring, np.rint(centre + (corners - centre) * (1 + 2 / scale * 2)).astype(np.int32), 0)
    cv2.fillConvexPoly(inner, np.rint(centre + (corners - centre) * max(1 - 4 / scale * 2, 0.3)).astype(np.int32), 1)
    if not inner.any() or not ring.any():
        return False
    if float(np.median(gray[inner > 0])) < 1.08 * float(np.median(gray[ring > 0])):
        return False
    if image.ndim == 3:
        bgr = np.median(image[inner > 0].astype(np.float64), axis=0)
        if (bgr.max() - bgr.min()) > 0.2 * max(float(bgr.max()), 1.0):
            return False
    return True


def _edges_plausible(edges: list[EdgeFit]) -> bool:
    """Four sharp steps up into the region, of similar height, that straight lines fit well."""
    contrast = np.array([e.contrast for e in edges])
    if np.any(contrast < 12) or contrast.max() > 3 * contrast.min():
        return False
    if any(not (0.25 < e.sigma_px < 3.0) for e in edges):
        return False
    return all(e.rms < 0.2 * e.contrast for e in edges)


#: The set-ups a detected reference may imply (a webcam filming a dancer 2-3.5 m away, sheet in front of her):
#: horizontal field of view (degrees), camera height (m), camera-to-sheet distance (m), roll and pitch (degrees)
PLAUSIBLE_HFOV_DEG = (56.0, 84.0)
PLAUSIBLE_HEIGHT_M = (0.35, 2.2)
PLAUSIBLE_DISTANCE_M = (0.7, 4.5)
PLAUSIBLE_PITCH_DEG = (-8.0, 65.0)
MAX_VIEW_ANGLE_DEG = 50.0  # the long edge must point roughly at the camera, as the dancer is told


def _hfov(fit: CameraFit, image_width: int) -> float:
    return math.degrees(2 * math.atan(image_width / 2 / fit.focal_px))


def _camera_plausible(fit: CameraFit, corner_sd: float) -> bool:
    """Could a webcam set up to film a dancer see this quad as the reference? (focal length already limited)"""
    return (
        fit.residual < max(0.12, 2.5 * corner_sd)
        and PLAUSIBLE_HEIGHT_M[0] < fit.height_m < PLAUSIBLE_HEIGHT_M[1]
        and PLAUSIBLE_DISTANCE_M[0] < fit.distance_m < PLAUSIBLE_DISTANCE_M[1]
        and abs(fit.roll_deg) < 10
        and PLAUSIBLE_PITCH_DEG[0] < fit.pitch_deg < PLAUSIBLE_PITCH_DEG[1]
        and fit.view_angle_deg < MAX_VIEW_ANGLE_DEG
    )


def _other_shape_fits_better(
    corners: F64, fit: CameraFit, width_m: float, length_m: float, size: tuple[int, int]
) -> bool:
    """Would a square or a clearly longer rectangle explain the quad much better than the reference?"""
    if fit.residual < 0.04:
        return False
    ratio = length_m / width_m
    for alt in (1.0, 2.0, 3.0):
        if abs(math.log(alt / ratio)) < 0.25:
            continue
        try:
            _, other = order_corners(corners, width_m, width_m * alt, size, PLAUSIBLE_HFOV_DEG)
        except ValueError:
            continue
        if other.residual < 0.5 * fit.residual:
            return True
    return False


def _implausibility(fit: CameraFit, corner_sd: float, image_width: int) -> float:
    """Lower is better: misfit in units of the corner noise, plus how unusual the implied set-up is."""
    misfit = fit.residual / (corner_sd + 0.03)
    setup = ((_hfov(fit, image_width) - 69) / 8) ** 2 + (math.log(fit.height_m) / 0.45) ** 2
    return misfit**2 + setup + ((fit.distance_m - 2.2) / 1.2) ** 2


def find_sheet(bgr_image: ArrayLike, sheet: str = "A4") -> FloorCalibration | None:
    """Detect a sheet of paper (``"A4"``, ``"letter"``, or another name in ``REFERENCES``) lying on the floor
    and return the floor calibration it gives, or None when no sheet is found."""
    if sheet not in REFERENCES:
        raise ValueError(f"unknown sheet {sheet!r}; use one of {sorted(REFERENCES)}")
    img = np.asarray(bgr_image)
    if img.ndim not in (2, 3) or img.shape[0] < 32 or img.shape[1] < 32:
        raise ValueError(f"expected a BGR image (H, W, 3), got an array of shape {img.shape}")
    width_m, length_m = REFERENCES[sheet]
    det = detect_reference(img, width_m, length_m)
    if det is None:
        return None
    size = (img.shape[1], img.shape[0])
    cal = FloorCalibration.from_corners(det.corners_px, width_m, length_m, size, reference=sheet)
    return FloorCalibration(
        cal.homography, size, sheet, (width_m, length_m), cal.corners_px, float(np.sqrt(np.mean(det.corner_sd_px**2)))
    )
