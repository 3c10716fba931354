"""Find a sheet of paper (or another reference rectangle) lying on the floor and locate its corners to a
small fraction of a pixel.

Candidates: bright, compact regions of the least of the three colour channels (paper is white, so it stays
bright there, while a wooden or coloured floor drops to its darkest channel), found by thresholding the
brightness above the local floor level at several levels, at half size (also after removing thin bright
lines such as tile grout); their outlines that are convex quadrilaterals become candidates, straightened by
lines fitted to the middle of each side, and those not brighter than the floor around them are dropped at
once.

Corners: each candidate's four EDGES are fitted, one by one, with a model of a blurred straight step
(``floor[k] + (c0 + c1 t) * Phi(s / sigma)``: the floor level free in short stretches along the edge, the
sheet's brightness drifting smoothly, robust weights, saturated pixels treated as censored) to every pixel in
a band around the edge, in the channel (or grey) where the quad stands out most from the floor around it.
The corners are the intersections of the four fitted lines; their uncertainty combines the fits' own
standard errors with how far a line fitted to the half of an edge next to a corner misses it.

Checks, in order: four sharp steps up into a neutral, brighter region, steps and not thin dark lines (a
floor tile framed by grout); a plausible webcam (focal length, height, distance, roll, pitch) sees the quad
as the reference, with its two focal-length estimates in agreement (``turnout.floor.reference.focal_check``);
the set-up this implies is ordinary (``setup_cost``, which for the reference also asks that it lie where the
dancer is told to lay it: ``TYPICAL_SHEET_DISTANCE_M``); no square or rectangle of other proportions explains
the quad with a more ordinary set-up; and for two sheets end to end, their join shows (or, on paper too
bright to show one, the sheets lie no further than she lays them). The shape check is
what keeps a square card seen straight on, or a small card far away, from passing for a sheet: such views
fit an A4 sheet exactly, but only for a camera of another focal length or roll. Of several candidates that
pass, the one the reference explains best against the other shapes wins.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from turnout.floor.reference import (
    AXIS_ANGLE_PRIOR_DEG,
    REFERENCES,
    CameraFit,
    FloorCalibration,
    FocalCheck,
    cross2,
    focal_check,
    order_corners,
)

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


def _edge_band(
    gray: F64, a: F64, b: F64, inside: F64, margin: float, band: float, outer: float
) -> tuple[F64, F64, F64]:
    """Pixel centres (N, 2), their values and along-edge coordinate in a band around segment a-b, reaching
    ``band`` px into the reference and ``outer`` px out onto the floor."""
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
    keep = (t > margin) & (t < length - margin) & (s < band) & (s > -outer)
    return pts[keep], gray[ys.ravel()[keep], xs.ravel()[keep]], t[keep]


_OUTER = [1.5, 2.0]
_MAX_IT = 8  # Gauss-Newton steps per edge fit; a clean step converges in 4-6
_BIN_PX = 6.0  # the floor level beside an edge is fitted separately in stretches this long


def _fit_edge(
    gray: F64, a: F64, b: F64, inside: F64, sigma0: float = 1.0, part: tuple[float, float] | None = None
) -> EdgeFit | None:
    """Fit a blurred straight step to the pixels around the segment a-b (see module doc). ``part``: fit only
    the stretch between these fractions of the way from a to b (a half edge, :func:`_split_half_sd`), kept
    as clear of the corners at a and b as the whole edge's fit is.

    Model: value = floor[k] + (c0 + c1 t) * Phi(d / sigma), d the signed distance to the line, t the position
    along it, k the stretch of ``_BIN_PX`` that the pixel lies beside: the floor level may change abruptly
    along the edge (planks, tiles, shadows crossing it), the sheet's brightness only smoothly."""
    length = float(np.hypot(*(b - a)))
    margin = min(3.0 + 2 * sigma0, 0.3 * length)
    band = 2.0 + 3.0 * sigma0
    pts, val, t = _edge_band(gray, a, b, inside, margin, band, _OUTER[0] + _OUTER[1] * sigma0)
    t_lo, span, half_len = margin, length - 2 * margin, length / 2  # the stretch fitted, along a-b
    if part is not None:
        t_lo, t_hi = max(margin, part[0] * length), min(length - margin, part[1] * length)
        span, half_len = t_hi - t_lo, (part[1] - part[0]) * length / 2
        keep = (t >= t_lo) & (t <= t_hi)
        pts, val, t = pts[keep], val[keep], t[keep]
    if len(pts) < 12:
        return None
    u = (b - a) / length
    n = np.array([-u[1], u[0]]) if np.array([-u[1], u[0]]) @ (inside - a) >= 0 else np.array([u[1], -u[0]])
    centre = (a + b) / 2 if part is None else a + u * (t_lo + span / 2)
    tc = (t - t.mean()) / max(half_len, 1.0)
    s = (pts - centre) @ n
    out, inn = s < -0.8, s > 0.8
    if out.sum() < 3 or inn.sum() < 3:
        return None
    nbins = max(1, round(span / _BIN_PX))
    bins = np.clip(((t - t_lo) / max(span, 1e-9) * nbins).astype(int), 0, nbins - 1)
    level = float(np.median(val[out]))
    n_out = np.bincount(bins[out], minlength=nbins)
    floor0 = np.where(n_out > 0, np.bincount(bins[out], val[out], nbins) / np.maximum(n_out, 1), level)
    # parameters: q = (angle change, offset, log sigma, contrast c0, c1) and the floor level of each stretch.
    # The floor levels enter linearly, one per stretch, so the normal equations are solved by eliminating
    # them (a diagonal block) rather than as one dense system.
    q = np.array([0.0, 0.0, math.log(sigma0), float(np.median(val[inn])) - level, 0.0])
    floor = floor0.astype(float)
    npar = 5 + nbins
    rel = pts - centre
    weights = np.ones(len(val))
    res = np.zeros(len(val))
    schur = np.eye(5)
    for it in range(_MAX_IT):
        c, sn = math.cos(q[0]), math.sin(q[0])
        nn = np.array([c * n[0] - sn * n[1], sn * n[0] + c * n[1]])
        along = np.array([-nn[1], nn[0]])
        dist = rel @ nn - q[1]
        sig = math.exp(q[2])
        z = dist / sig
        phi = 0.5 * (1 + _erf(z / math.sqrt(2)))
        dens = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        contrast = q[3] + q[4] * tc
        model = floor[bins] + contrast * phi
        censored = val >= _SAT
        res = np.where(censored, np.minimum(model - val, 0.0), model - val)
        active = ~(censored & (model >= val))
        if active.sum() < npar + 4:
            return None  # all but clipped pixels: nothing to fit
        if it >= 2:  # robust (Tukey) weights once the fit is close
            scale = 1.4826 * _median(np.abs(res[active])) + 1e-6
            r = res / (4.685 * scale)
            weights = np.where(np.abs(r) < 1, (1 - r * r) ** 2, 0.0)
        k = contrast * dens / sig
        jq = np.stack([k * (rel @ along), -k, -k * z, phi, tc * phi], axis=1)
        w = weights * active
        jw = jq * w[:, None]
        a_qq = jw.T @ jq
        b_qf = np.stack([np.bincount(bins, jw[:, j], nbins) for j in range(5)])  # (5, nbins)
        d_ff = np.bincount(bins, w, nbins)
        g_q, g_f = jw.T @ res, np.bincount(bins, w * res, nbins)
        damp_ff = d_ff * 1.001 + 1e-6
        damped = a_qq + 1e-3 * np.diag(np.diag(a_qq)) + 1e-6 * np.eye(5) - (b_qf / damp_ff) @ b_qf.T
        try:
            step_q = -np.linalg.solve(damped, g_q - b_qf @ (g_f / damp_ff))
        except np.linalg.LinAlgError:
            return None
        step_f = -(g_f + b_qf.T @ step_q) / damp_ff
        step_q[2] = float(np.clip(step_q[2], -0.7, 0.7))
        step_q[1] = float(np.clip(step_q[1], -1.5, 1.5))
        q += step_q
        floor += step_f
        schur = a_qq + 1e-6 * np.eye(5) - (b_qf / (d_ff + 1e-6)) @ b_qf.T
        if abs(step_q[1]) < 2e-3 and abs(step_q[0]) < 2e-5 and it >= 3:
            break
    c, sn = math.cos(q[0]), math.sin(q[0])
    nn = np.array([c * n[0] - sn * n[1], sn * n[0] + c * n[1]])
    w_sum = float(weights.sum())
    if w_sum < 8 + npar or not (np.all(np.isfinite(q)) and np.all(np.isfinite(floor))):
        return None
    rms = math.sqrt(float(np.sum(weights * res * res)) / (w_sum - npar))
    try:
        cov = np.linalg.inv(schur) * rms * rms  # of q, the floor levels integrated out
    except np.linalg.LinAlgError:
        return None
    return EdgeFit(
        normal=nn,
        offset=float(nn @ centre + q[1]),
        sigma_px=math.exp(q[2]),
        contrast=float(q[3]),
        rms=rms,
        offset_sd=math.sqrt(max(cov[1, 1], 0.0)),
        angle_sd=math.sqrt(max(cov[0, 0], 0.0)),
        centre=centre + q[1] * nn,
    )


def _median(x: F64) -> float:
    """Median of a non-empty 1-D array (upper median for even sizes): np.median's overhead without its checks."""
    k = len(x) // 2
    return float(np.partition(x, k)[k])


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
    when an edge cannot be fitted (no step there, or the quad is too small).

    In a colour image the edges are fitted in the colour channel (or grey) where the quad stands out most
    from the floor around it (:func:`_edge_plane`): a white sheet on a warm wooden or beige floor steps up
    two or three times more in blue than in grey, while the floor's texture does not."""
    c = np.asarray(corners_px, float).copy()
    if c.shape != (4, 2):
        raise ValueError(f"corners must have shape (4, 2), got {c.shape}")
    refined = _refine(_edge_plane(np.asarray(image), c), c, rounds)
    if refined is None or any(abs(e.contrast) < MIN_CLICKED_EDGE_SNR * e.rms for e in refined[2]):
        return None  # an edge with no step standing out of the noise: the lines fitted there mean nothing
    return refined


#: refine_corners gives up on an edge whose step is less than this many times its fit's residual (a dark mat on
#: a dark carpet): the line fitted there would be anywhere. Detected sheets must pass ``MIN_EDGE_SNR``.
MIN_CLICKED_EDGE_SNR = 2.0


def _refine(
    gray: F64, corners_px: F64, rounds: int = 3, hopeless: Callable[[F64, list[EdgeFit]], bool] | None = None
) -> tuple[F64, F64, list[EdgeFit]] | None:
    """refine_corners on one image plane. ``hopeless(corners, edges)``, called after the first round if it
    moved no corner by more than 1.5 px, may stop a candidate early (None) when its edges already show it is
    not what is sought: most candidates
    on a tiled or planked floor are not sheets, and the later rounds cost twice the first."""
    c = np.asarray(corners_px, float).copy()
    sigma = 1.0
    edges: list[EdgeFit] = []
    for round_ in range(rounds):
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
        if round_ == 0 and moved < 1.5 and hopeless is not None and hopeless(c, edges):
            return None  # judged only when the first round hardly moved the corners: else its fits are rough
        if moved < 0.01:
            break
    sd = np.empty(4)
    for i in range(4):
        e1, e2 = edges[i - 1], edges[i]
        err = [math.hypot(e.offset_sd, float(np.hypot(*(c[i] - e.centre))) * e.angle_sd) for e in (e1, e2)]
        sin = abs(cross2(e1.normal, e2.normal))
        sd[i] = math.hypot(*err) / max(sin, 0.2)
    return c, sd, edges


def _split_half_sd(gray: F64, corners: F64, edges: list[EdgeFit]) -> tuple[F64, F64]:
    """Corner errors that the edge fits' own standard errors miss (a grout line or a plank edge running into a
    sheet's edge tilts the fitted line): each edge is fitted again on each half (as part of the whole edge,
    as clear of the corners as its fit: on a short edge, halves fitted as edges of their own lose a margin in
    the middle and come nearer the corner, leaving a few pixels to fit), and a corner is taken to be
    uncertain by as much as the half-edge line next to it misses it, beyond that half fit's own standard error
    there (the noise of a fit to half the pixels is no bias). Halves that cannot be fitted count as 0.5 px.

    Returns (near, either): ``near`` from the half next to each corner, what a local disturbance does there,
    which the checks judge by; ``either`` from whichever half misses more, the far one extrapolated over its
    own length, so that the floor's texture weighs in too: a conservative figure for the accuracy reported."""
    centroid = corners.mean(axis=0)
    sigma = float(np.clip(np.median([e.sigma_px for e in edges]), 0.5, 3.0))
    miss = np.zeros((2, 4, 2))  # [near/either, edge, end]: how far half lines pass from the edge's corners
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        halves = [_fit_edge(gray, a, b, centroid, sigma, part) for part in ((0.0, 0.5), (0.5, 1.0))]
        for end, p in enumerate((a, b)):
            excess = [  # how far each half line passes from the corner, beyond what its own noise explains
                math.sqrt(
                    max(
                        (float(h.normal @ p) - h.offset) ** 2
                        - h.offset_sd**2
                        - (float(np.hypot(*(p - h.centre))) * h.angle_sd) ** 2,
                        0.0,
                    )
                )
                if h is not None
                else 0.5
                for h in halves
            ]
            miss[0, i, end] = excess[end]
            miss[1, i, end] = max(excess)
    out = np.empty((2, 4))
    for i in range(4):  # corner i joins edge i-1 (at its end) and edge i (at its start)
        sin = max(abs(cross2(edges[i - 1].normal, edges[i].normal)), 0.2)
        out[:, i] = np.hypot(miss[:, i - 1, 1], miss[:, i, 0]) / sin
    return out[0], out[1]


def _edge_plane(image: NDArray[np.generic], corners: F64) -> F64:
    """The image plane to fit a quad's edges in: grey, or the colour channel where the inside of the quad
    differs most from a ring of floor around it, in units of the floor's own spread (median absolute
    deviation) there. Grey wins on neutral floors (it averages three channels' noise); a single channel wins
    where the floor is coloured and the reference is not (or the other way round: a coloured mat)."""
    gray = _gray(image)
    if image.ndim != 3:
        return gray
    roi, inner, ring = _masks(gray.shape, corners, gap=3.0, grow_min=6.0, inner_gap=4.0)
    if not inner.any() or not ring.any():
        return gray
    best, best_score = -1, -1.0
    for k in range(-1, 3):  # -1: grey, else the B, G, R channel
        part = np.asarray((gray if k < 0 else image[..., k])[roi], np.float64)
        out = part[ring]
        level = float(np.median(out))
        spread = 1.4826 * float(np.median(np.abs(out - level))) + 1.0
        score = abs(float(np.median(part[inner])) - level) / spread
        if score > best_score:
            best, best_score = k, score
    return gray if best < 0 else np.asarray(image[..., best], np.float64)


def _masks(
    shape: tuple[int, ...], corners: F64, gap: float, grow_min: float, inner_gap: float
) -> tuple[tuple[slice, slice], NDArray[np.bool_], NDArray[np.bool_]]:
    """(box, inside, ring) over the box around a quad: the inside from ``inner_gap`` px in, the ring from
    ``gap`` px out to ``max(grow_min, 0.15 * size)`` px beyond that."""
    centre = corners.mean(axis=0)
    scale = max(math.sqrt(abs(cv2.contourArea(corners.astype(np.float32)))), 1.0)
    grow = max(grow_min, 0.15 * scale)
    outer = centre + (corners - centre) * (1 + 2 * (gap + grow) / scale)
    lo = np.floor(outer.min(axis=0)).astype(int).clip(0, [shape[1] - 1, shape[0] - 1])
    hi = np.ceil(outer.max(axis=0) + 1).astype(int).clip(1, [shape[1], shape[0]])

    def poly(factor: float) -> NDArray[np.int32]:
        return np.asarray(np.rint(centre + (corners - centre) * factor - lo), np.int32)

    box = (int(hi[1] - lo[1]), int(hi[0] - lo[0]))
    inner, ring = np.zeros(box, np.uint8), np.zeros(box, np.uint8)
    cv2.fillConvexPoly(ring, poly(1 + 2 * (gap + grow) / scale), 1)
    cv2.fillConvexPoly(ring, poly(1 + 2 * gap / scale), 0)
    cv2.fillConvexPoly(inner, poly(max(1 - 2 * inner_gap / scale, 0.3)), 1)
    return (slice(lo[1], hi[1]), slice(lo[0], hi[0])), inner > 0, ring > 0


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


def _quad(cnt: NDArray[np.int32], w: int, h: int, min_area: float = 80.0) -> F64 | None:
    """A convex quadrilateral that fits the contour closely, or None."""
    area = cv2.contourArea(cnt)
    if area < min_area or area > 0.2 * w * h:
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


def _straighten(quad: F64, outline: F64) -> F64:
    """The quad's corners as the intersections of lines fitted to the middle of each side of the outline: the
    polygon approximation puts a corner on an outline point, often a few pixels off where a grout line or
    the blur rounds it, and the edge fits that follow reach only a few pixels. ``outline``: the contour's
    points (runs compressed to their ends, as OpenCV's simple chain gives them: filled in again here)."""
    closed = np.vstack([outline, outline[:1]])
    steps = np.maximum(np.ceil(np.abs(np.diff(closed, axis=0)).max(axis=1)).astype(int), 1)
    frac = np.concatenate([np.arange(k) / k for k in steps])
    start = np.repeat(closed[:-1], steps, axis=0)
    outline = start + np.repeat(np.diff(closed, axis=0), steps, axis=0) * frac[:, None]
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(*d))
        if length < 4:
            return quad
        u = d / length
        t = (outline - a) @ u / length
        off = np.abs((outline - a) @ np.array([-u[1], u[0]]))
        pts = outline[(t > 0.2) & (t < 0.8) & (off < 3.0)]
        if len(pts) < 4:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        normal = np.array([-vy, vx], float)
        lines.append((normal, float(normal @ np.array([x0, y0], float))))
    out = np.empty((4, 2))
    for i in range(4):  # corner i joins side i-1 and side i
        m = np.array([lines[i - 1][0], lines[i][0]])
        if abs(np.linalg.det(m)) < 0.2:
            return quad
        out[i] = np.linalg.solve(m, [lines[i - 1][1], lines[i][1]])
    sides = np.hypot(*(np.roll(quad, -1, axis=0) - quad).T)
    return out if float(np.abs(out - quad).max()) < 0.25 * float(sides.min()) else quad


_LEVELS = (12.0, 20.0, 30.0, 50.0, 80.0)  # thresholds above the local floor level, grey levels
#: Candidates judged at most, most contrasted first. On rendered scenes (seed 11, 60 with a sheet) the sheet's
#: first candidate ranked 0 in 48 and at most 5; a floor of bright tiles gives dozens, each costing edge fits.
_MAX_CANDIDATES = 25


def _candidates(gray: F64, max_candidates: int = _MAX_CANDIDATES) -> list[tuple[F64, F64]]:
    """Rough quads of regions brighter than their surroundings, most contrasted first.

    Masks: brightness above the local floor level (two scales of floor-level estimate) at several levels,
    each also opened with a small and a larger disc, which cut off thin bright lines (tile grout, plank edges
    catching the light) that join a sheet's outline at low contrast; and the same on the image itself opened
    by a small disc (thin bright lines gone before thresholding, so a faint sheet need not survive a binary
    opening). The masks are cut at half size: the quads are only a start for the edge fits, which reach a
    few pixels, and a sheet of the smallest size still covers some 20 half-size pixels.

    Returns (rough quad, outline points) pairs, full-size pixels; :func:`_straighten` makes the quad better."""
    h, w = gray.shape
    found: list[tuple[float, F64, F64]] = []
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    small_discs = [cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)) for k in (3, 5)]
    thin_gone = cv2.morphologyEx(gray.astype(np.float32), cv2.MORPH_OPEN, disc).astype(np.float64)
    half = (w // 2, h // 2)
    for image, shrink in ((gray, 4), (gray, 8), (thin_gone, 4)):
        top = cv2.resize(_tophat(image, shrink).astype(np.float32), half, interpolation=cv2.INTER_AREA)
        # thresholding commutes with a flat opening: open the grey image once, cut it at every level
        for plane in (top, *(cv2.morphologyEx(top, cv2.MORPH_OPEN, k) for k in small_discs)):
            for level in _LEVELS:
                mask = (plane > level).astype(np.uint8)
                for cnt in cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]:
                    quad = _quad(np.asarray(cnt, np.int32), half[0], half[1], min_area=20)
                    if quad is not None:
                        score = float(np.mean(top[cnt[:, 0, 1], cnt[:, 0, 0]])) + level
                        # half-size pixel centres to full size
                        found.append((score, 2 * quad + 0.5, 2 * cnt[:, 0, :].astype(float) + 0.5))
    found.sort(key=lambda f: -f[0])
    unique: list[tuple[F64, F64]] = []
    kept = np.empty((0, 4, 2))  # the unique quads' corners, sorted per coordinate
    for _, q, outline in found:  # the same region at several levels gives near-identical quads: keep one
        key = np.sort(q, axis=0)
        if len(kept) == 0 or bool(np.all(np.abs(kept - key).max(axis=(1, 2)) > 2)):
            unique.append((q, outline))
            kept = np.concatenate([kept, key[None]])
            if len(unique) == max_candidates:
                break
    return unique


@dataclass(frozen=True, slots=True)
class Detection:
    corners_px: F64  # canonical order (see turnout.floor.reference)
    corner_sd_px: F64
    camera: CameraFit
    contrast: float
    setup_cost: float  # see setup_cost: lower is a more ordinary webcam set-up
    margin: float = 0.0  # how much worse (setup_cost) the best other shape explains the quad, capped


def detect_reference(
    image: ArrayLike, width_m: float, length_m: float, white: bool = True, sheets: int = 1
) -> Detection | None:
    """The rectangle of the given size on the floor that best passes the checks (see module doc), or None.
    ``white``: the reference is paper, so it must be nearly neutral in colour and brighter than the floor.
    ``sheets``: 2 for two sheets laid end to end, whose join must show (:func:`_join_visible`).

    Of several candidates that pass, the one the reference explains best against the other shapes
    (``Detection.margin``) is taken: a square card can pass for a US-letter sheet (aspect 1.29) with an
    ordinary set-up, but the real sheet beside it is explained far better as a sheet than as anything else."""
    img = np.asarray(image)
    gray = _gray(img)
    best: Detection | None = None
    found: list[Detection] = []
    refined: list[F64] = []  # corners of the candidates judged so far
    # candidates from the least of the three channels: paper is white, so it stays bright in it, while wooden
    # and coloured floors (and their bright planks) drop to their darkest channel
    if img.ndim == 3:  # channel by channel: numpy's reduction across the last axis is slow
        whiteness = np.minimum(np.minimum(img[..., 0], img[..., 1]), img[..., 2]).astype(np.float64)
    else:
        whiteness = gray
    for rough, outline in _candidates(whiteness):
        if white and not _looks_like_paper(img, gray, rough, gap=4.0):
            continue  # cheap test on the rough outline before the costly edge fits
        centre = (float(rough[:, 0].mean()), float(rough[:, 1].mean()))
        if any(cv2.pointPolygonTest(d.corners_px.astype(np.float32), centre, False) > 0 for d in found):
            continue  # the same reference again, outlined at another level
        quad = _straighten(rough, outline)
        if any(np.abs(np.sort(quad, axis=0) - np.sort(r, axis=0)).max() < _SAME_QUAD_PX for r in refined):
            continue  # its edges would be fitted to the same lines again
        _, det = _judge(img, gray, quad, width_m, length_m, white, refined, sheets)
        if det is not None:
            found.append(det)
            if best is None or det.margin > best.margin:
                best = det
            if best.margin >= _MARGIN_CAP:
                break  # no later candidate can beat a capped margin: the answer cannot change
    return best


#: A rough quad this close (every corner, px) to the refined corners of a candidate already judged is the same
#: candidate: the edge fits would converge to the same lines.
_SAME_QUAD_PX = 3.0


def _judge(
    image: NDArray[np.generic],
    gray: F64,
    quad: F64,
    width_m: float,
    length_m: float,
    white: bool,
    refined_out: list[F64] | None = None,
    sheets: int = 1,
) -> tuple[str, Detection | None]:
    """Refine one candidate and run every check: ("ok", detection) or (the first check it failed, None).
    The refined corners are appended to ``refined_out`` when given."""
    size = (gray.shape[1], gray.shape[0])
    plane = _edge_plane(image, quad)
    verdict: list[str] = []

    def hopeless(corners: F64, edges: list[EdgeFit]) -> bool:
        if not _edges_plausible(edges, slack=2.0):
            verdict.append("edges")
        elif white and not _steps_not_lines(plane, edges, corners):
            verdict.append("lines")
        else:  # the camera checks with twice the corner noise: the corners will still move a little
            try:
                ordered, fit = order_corners(corners, width_m, length_m, size, PLAUSIBLE_HFOV_DEG, 2 * _noise_px(0.2))
                focal = focal_check(ordered, width_m, length_m, size)
                reason = _camera_implausible(fit, focal, 2 * _noise_px(0.2), size[0])
            except ValueError:
                reason = "order"
            if reason:
                verdict.append(reason)
        return bool(verdict)

    refined = _refine(plane, quad, rounds=2, hopeless=hopeless)
    if refined is None:
        return (verdict[0] if verdict else "no edges"), None
    corners, sd, edges = refined
    if refined_out is not None:
        refined_out.append(corners)
    scale = math.sqrt(abs(cv2.contourArea(corners.astype(np.float32))))
    if np.abs(corners.mean(axis=0) - quad.mean(axis=0)).max() > 0.3 * scale:
        return "drifted", None
    if not _edges_plausible(edges):
        return "edges", None
    if white and not _looks_like_paper(image, gray, corners):
        return "not paper", None
    if not _steps_not_lines(plane, edges, corners):
        return "lines", None
    corner_sd = float(np.sqrt(np.mean(sd**2)))
    noise = _noise_px(corner_sd)
    try:
        ordered, fit = order_corners(corners, width_m, length_m, size, PLAUSIBLE_HFOV_DEG, noise)
    except ValueError:
        return "order", None
    reason = _camera_implausible(fit, focal_check(ordered, width_m, length_m, size), noise, size[0])
    if reason:
        return reason, None
    near, either = _split_half_sd(plane, corners, edges)
    reported = np.hypot(sd, either)
    sd = np.hypot(sd, near)
    noise = _noise_px(float(np.sqrt(np.mean(sd**2))))
    cost = setup_cost(corners, width_m, length_m, size, noise, laid=True)
    if cost > MAX_SETUP_COST:
        return "unusual set-up", None
    other = _best_other_shape_cost(corners, width_m, length_m, size, noise)
    if other < cost - OTHER_SHAPE_TOLERANCE:
        return "another shape fits", None
    if sheets == 2 and image.ndim == 3:
        join = _join_visible(image, ordered, width_m, length_m)
        if join is False:
            return "no join", None
        if join is None and _along_floor_m(fit.distance_m, fit.height_m) > UNSEEN_JOIN_MAX_DISTANCE * (
            TYPICAL_SHEET_DISTANCE_M[1] - length_m / 2
        ):
            return "no join, far", None
    if float(reported.max()) > MAX_CORNER_SD_PX:
        return "uncertain corner", None
    order = [int(np.argmin(np.abs(corners - p).sum(axis=1))) for p in ordered]
    contrast = float(np.median([e.contrast for e in edges]))
    return "ok", Detection(ordered, reported[order], fit, contrast, cost, min(other - cost, _MARGIN_CAP))


#: Margins beyond this (squared standard errors) all mean "certainly not another shape"; capped so that among
#: such candidates the more ordinary set-up is not outweighed by an infinite margin.
_MARGIN_CAP = 50.0


#: Paper so bright that it is clipped in every channel shows no join between two sheets, whether there is one
#: or not (:func:`_join_visible` cannot tell). Then only the geometry says "two sheets", and a white strip of the
#: same proportions at about two thirds of the size is what two sheets further away look like: the reading must
#: then put the sheets no further than this times the far end of where the dancer lays them
#: (``TYPICAL_SHEET_DISTANCE_M``). On rendered scenes 11-12 % of true pairs were clipped, their readings at most
#: 2.6 m along the floor (limit 3.3 m), the two strips read as pairs 3.8 and 4.0 m.
UNSEEN_JOIN_MAX_DISTANCE = 1.1


def _along_floor_m(distance_m: float, height_m: float) -> float:
    """Distance along the floor from the point below the camera to the reference's centre, metres, from the
    camera's distance to that centre and its height."""
    return math.sqrt(max(distance_m**2 - height_m**2, 0.0))


def _join_visible(image: NDArray[np.generic], ordered: F64, width_m: float, length_m: float) -> bool | None:
    """Two sheets laid end to end show where they meet: two papers are never quite the same white (a step in
    colour or brightness across the middle), and the end of one sheet makes a line across the other. A single
    strip of card of the same proportions shows neither, and from far away such a strip half the size is
    otherwise exactly what two sheets twice as far look like. None: the paper is clipped in every channel, so
    no join could show (see ``UNSEEN_JOIN_MAX_DISTANCE``).

    The sheet is resampled to a rectangle (``ordered``: canonical corners), each cross-section averaged, and a
    trend plus a step at the middle fitted to the log colour ratios and the log brightness along it."""
    cols, rows = 16, 64
    rect = np.array([[0, 0], [cols, 0], [cols, rows], [0, rows]], np.float32)  # canonical order: width, then length
    warp = cv2.getPerspectiveTransform(rect, ordered.astype(np.float32))
    patch = cv2.warpPerspective(
        np.asarray(image, np.float32), warp, (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    )
    inner = patch[:, 3:-3].astype(np.float64)  # away from the long edges
    u = (np.arange(rows) + 0.5) / rows
    clipped = np.mean(inner[(u > 0.1) & (u < 0.9)] >= _SAT, axis=(0, 1))  # per channel
    usable = [k for k in range(3) if clipped[k] <= JOIN_MAX_CLIPPED]
    if not usable:
        return None  # white clipped in every channel shows no join, whether there is one or not: cannot tell
    prof = np.log(inner.mean(axis=1) + 1.0)  # (rows, 3)
    keep = ((u > 0.1) & (u < 0.44)) | ((u > 0.56) & (u < 0.9))  # away from the ends and the join itself
    signals = [(prof[:, k], JOIN_MIN_STEP[0]) for k in usable]  # each channel's brightness
    signals += [(prof[:, j] - prof[:, k], JOIN_MIN_STEP[1]) for j in usable for k in usable if j < k]  # colour
    design = np.stack([np.ones(rows), u - 0.5, (u > 0.5).astype(float)], axis=1)[keep]
    for sig, least in signals:
        coef, res, *_ = np.linalg.lstsq(design, sig[keep], rcond=None)
        dof = int(keep.sum()) - 3
        scale = math.sqrt(float(res[0]) / dof) if len(res) and dof > 0 else 0.0
        se = scale * math.sqrt(float(np.linalg.inv(design.T @ design)[2, 2]))
        step = abs(float(coef[2]))
        if step >= least and step > JOIN_MIN_T * se:
            return True
    line = prof[:, usable].mean(axis=1)
    middle = line[(u > 0.47) & (u < 0.53)]
    around = line[((u > 0.38) & (u < 0.45)) | ((u > 0.55) & (u < 0.62))]
    return bool(len(middle) and abs(float(middle.mean()) - float(around.mean())) >= JOIN_MIN_LINE)


#: Smallest step across the middle of two sheets end to end, in log units: in one channel's brightness, and in
#: the ratio of two channels (two papers' whites differ by a few per cent in one channel or another; 1 % steps
#: are within what light and compression do to one sheet). Channels clipped on more than ``JOIN_MAX_CLIPPED``
#: of the sheet are left out.
JOIN_MIN_STEP = (0.02, 0.015)
JOIN_MIN_LINE = 0.03  # a line across the middle (the end of one sheet on the other), log brightness
JOIN_MIN_T = 5.0  # and that many standard errors of the profile's scatter
JOIN_MAX_CLIPPED = 0.1


def _steps_not_lines(plane: F64, edges: list[EdgeFit], corners: F64) -> bool:
    """Each edge must be a step, not a thin dark line: a few pixels further out the floor must still be well
    below the inside (by at least half the fitted step). A floor tile framed by dark grout is "brighter than
    the floor just beside it" on all four sides, but beyond the grout lies another tile as bright as itself."""
    centroid = corners.mean(axis=0)
    for i, e in enumerate(edges):
        a, b = corners[i], corners[(i + 1) % 4]
        reach = 2 * e.sigma_px + 7.0
        length = float(np.hypot(*(b - a)))
        pts, val, _ = _edge_band(plane, a, b, centroid, min(3.0, 0.3 * length), reach, reach)
        s = pts @ e.normal - e.offset  # > 0 inside
        far = val[(s < -(2 * e.sigma_px + 3.0)) & (s > -reach)]
        near = val[(s > 2 * e.sigma_px + 1.0) & (s < 2 * e.sigma_px + 4.0)]
        if len(far) < 4 or len(near) < 4:
            continue
        if float(np.median(near)) - float(np.median(far)) < 0.5 * e.contrast:
            return False
    return True


def _looks_like_paper(image: NDArray[np.generic], gray: F64, corners: F64, gap: float = 2.0) -> bool:
    """Paper is close to neutral grey and clearly brighter than the floor just around it (a ring from ``gap``
    px outside the outline; the inside from ``2 * gap`` px in)."""
    if math.sqrt(abs(cv2.contourArea(corners.astype(np.float32)))) < 4:
        return False
    roi, inner, ring = _masks(gray.shape, corners, gap, 2 * gap, 2 * gap)
    if not inner.any() or not ring.any():
        return False
    g = gray[roi]
    if float(np.median(g[inner])) < 1.08 * float(np.median(g[ring])):
        return False
    if image.ndim == 3:
        bgr = np.median(image[roi][inner].astype(np.float64), axis=0)
        if (bgr.max() - bgr.min()) > 0.2 * max(float(bgr.max()), 1.0):
            return False
    return True


def _edges_plausible(edges: list[EdgeFit], slack: float = 1.0) -> bool:
    """Four sharp steps up into the region, of similar height, that straight lines fit well: each step at least
    ``MIN_EDGE_CONTRAST`` grey levels and ``MIN_EDGE_SNR`` times the fit's residual (a faint sheet on light tiles
    has steps of only 7-15 levels, but they stand out of a clean fit). ``slack`` > 1 loosens every bound by
    that factor (for the first, rough round of fits)."""
    contrast = np.array([e.contrast for e in edges])
    if np.any(contrast < MIN_EDGE_CONTRAST / slack) or contrast.max() > 3 * slack * contrast.min():
        return False
    if any(not (0.25 / slack < e.sigma_px < 3.0 * slack) for e in edges):
        return False
    return all(e.rms * MIN_EDGE_SNR < slack * e.contrast for e in edges)


MIN_EDGE_CONTRAST = 6.0
MIN_EDGE_SNR = 4.0


#: The set-ups a detected reference may imply (a webcam filming a dancer 2-3.5 m away, sheet in front of her;
#: issue 4: 60-78 degree webcams, lens 0.5-1.5 m up), with room for the estimates' own errors: horizontal
#: field of view (degrees), camera height (m), camera-to-sheet distance (m), roll and pitch (degrees)
PLAUSIBLE_HFOV_DEG = (56.0, 84.0)
PLAUSIBLE_HEIGHT_M = (0.45, 1.8)
PLAUSIBLE_DISTANCE_M = (0.9, 4.5)
PLAUSIBLE_PITCH_DEG = (-8.0, 65.0)
MAX_AXIS_ANGLE_DEG = 50.0  # the length must point roughly along the view, as the dancer is told
MAX_ROLL_DEG = 10.0
#: the two focal-length estimates must agree within this many standard errors of the corners
MAX_FOCAL_MISMATCH_SD = 4.0
FOCAL_RANGE_SD = 2.0
#: A corner whose (conservative) uncertainty is beyond this is no calibration: half edges there disagree by
#: pixels (a shadow's edge or a plank running into it), and a few pixels give errors of ten degrees and more.
MAX_CORNER_SD_PX = 3.0
#: What an ordinary set-up looks like (issue 4): a 60-78 degree webcam, lens 0.5-1.5 m up, held level (roll
#: within a couple of degrees). ``setup_cost`` measures how far outside this a reading of a quad puts the camera.
TYPICAL_HFOV_DEG = (60.0, 78.0)
TYPICAL_HEIGHT_M = (0.5, 1.5)
TYPICAL_ROLL_DEG = 2.0  # one standard deviation
MAX_SETUP_COST = 16.0  # a sum of squared standard errors; beyond it the set-up is too unusual to trust
#: Where the dancer is told to lay the sheet (``SHEET_INSTRUCTIONS``; issue 4: she stands 2-3.5 m from the
#: camera, the sheet 0.2-1 m in front of her feet): the distance along the floor from the camera to the sheet's
#: end nearest her feet, metres (its centre lies half its length nearer). A card of another shape may lie
#: anywhere, so only the reference is held to this (``setup_cost(laid=True)``).
TYPICAL_SHEET_DISTANCE_M = (1.0, 3.3)
#: Other shapes a white card on the floor may have (length / width): squares, A4, two A4 end to end, strips.
#: A quad is taken for the reference only if the reference explains it better than each of these.
OTHER_SHAPES = (1.0, math.sqrt(2), 2.0, 2 * math.sqrt(2), 4.0)
#: A quad is given up for another shape only when that shape's set-up is more ordinary by more than this
#: (squared standard errors). Seen small and from far, a sheet and a strip half as long again differ only by
#: the focal length and roll they imply, both inside the typical ranges: a near tie, which the sheet the
#: dancer was asked to lay down wins.
OTHER_SHAPE_TOLERANCE = 0.0


def _noise_px(corner_sd: float) -> float:
    """Corner error to judge consistency by: the edge fits' own estimate, plus what they do not see (blur
    asymmetry, JPEG, floor texture at the edge; about 0.2 px on rendered scenes)."""
    return math.hypot(corner_sd, 0.2)


def _camera_implausible(fit: CameraFit, check: FocalCheck, noise_px: float, image_width: int) -> str:
    """Why a webcam set up to film a dancer could not see this quad as the reference ("" if it could).
    ``check``: the quad's own focal-length estimate (``fit`` holds it kept within the plausible range); it
    counts as plausible when within ``FOCAL_RANGE_SD`` standard errors of the plausible range (from far away
    and low down a sheet's focal length is poorly determined)."""
    f_lo, f_hi = (image_width / 2 / math.tan(math.radians(a) / 2) for a in PLAUSIBLE_HFOV_DEG[::-1])
    f, f_sd = check.focal_px, FOCAL_RANGE_SD * check.focal_sd_px * noise_px
    checks = (
        ("focal mismatch", fit.focal_mismatch_px < MAX_FOCAL_MISMATCH_SD * noise_px),
        ("focal range", math.isfinite(f) and f_lo - f_sd <= f <= f_hi + f_sd),
        ("height", PLAUSIBLE_HEIGHT_M[0] < fit.height_m < PLAUSIBLE_HEIGHT_M[1]),
        ("distance", PLAUSIBLE_DISTANCE_M[0] < fit.distance_m < PLAUSIBLE_DISTANCE_M[1]),
        ("roll", abs(fit.roll_deg) < MAX_ROLL_DEG),
        ("pitch", PLAUSIBLE_PITCH_DEG[0] < fit.pitch_deg < PLAUSIBLE_PITCH_DEG[1]),
        ("axis", fit.axis_angle_deg < MAX_AXIS_ANGLE_DEG),
    )
    return next((name for name, ok in checks if not ok), "")


def setup_cost(
    corners_px: F64,
    width_m: float,
    length_m: float,
    image_size: tuple[int, int],
    noise_px: float,
    laid: bool = False,
) -> float:
    """How unusual a set-up it takes to see ``corners_px`` as a width x length rectangle on the floor, as a sum
    of squared standard errors: the disagreement of the two focal-length estimates over the corner noise
    ``noise_px``, the focal length and camera height outside the typical ranges over their own errors, the
    roll over ``TYPICAL_ROLL_DEG``, and a length pointing across the view. 0: a perfectly ordinary set-up.

    ``laid``: the rectangle is the sheet the dancer was told where to lay, so it should lie at a typical
    distance (``TYPICAL_SHEET_DISTANCE_M``); ``-2 ln`` of the probability that it does is added
    (:func:`_distance_cost`). Seen square-on, a white square card 2.3 m away is exactly what a sheet 3.7 m away
    looks like to a camera of another focal length (issue 4, rendered negatives): focal length, height, roll
    and the focal-length agreement cannot tell them apart, the distance the sheet reading implies can."""
    try:
        ordered, fit = order_corners(corners_px, width_m, length_m, image_size, (30.0, 120.0), noise_px)
    except ValueError:
        return math.inf
    check = focal_check(ordered, width_m, length_m, image_size)
    f = check.focal_px
    if not math.isfinite(f):
        return math.inf
    f_lo, f_hi = (image_size[0] / 2 / math.tan(math.radians(a) / 2) for a in TYPICAL_HFOV_DEG[::-1])
    f_sd = max(check.focal_sd_px * noise_px, 0.02 * f)
    z_focal = max(f_lo - f, f - f_hi, 0.0) / f_sd
    height = fit.height_m * f / fit.focal_px  # the pose scales with the focal length
    h_sd = height * math.hypot(f_sd / f, 0.05)
    z_height = max(TYPICAL_HEIGHT_M[0] - height, height - TYPICAL_HEIGHT_M[1], 0.0) / max(h_sd, 1e-6)
    z_axis = max(fit.axis_angle_deg - AXIS_ANGLE_PRIOR_DEG, 0.0) / 5.0
    placed = 0.0
    if laid:
        distance = fit.distance_m * f / fit.focal_px  # camera to the sheet's centre, like the height
        along = _along_floor_m(distance, height)
        near, far = (d - length_m / 2 for d in TYPICAL_SHEET_DISTANCE_M)
        placed = _distance_cost(along, math.hypot(f_sd / f, 0.05), near, far)
    return (
        (check.mismatch_px / noise_px) ** 2
        + z_focal**2
        + z_height**2
        + (fit.roll_deg / TYPICAL_ROLL_DEG) ** 2
        + z_axis**2
        + placed
    )


def _distance_cost(distance_m: float, rel_sd: float, near_m: float, far_m: float) -> float:
    """``-2 ln P(near < true distance < far)`` for a distance estimated with a relative standard error
    ``rel_sd`` (log-normal): 0 well inside the range, 2 ln 2 (1.4) on its edge, about z^2 far outside it.

    A probability rather than the squared standard errors beyond the edge (as for the focal length and the
    height): the distance is known only as well as the focal length (the whole set-up scales with it, 10-30 %
    for a sheet far away), and a reading that needs the sheet at the far edge of where it was laid is only
    half as likely as one that puts it well inside; the squared excess would count it as fully ordinary."""
    if distance_m <= 0 or rel_sd <= 0:
        return math.inf
    lo = math.log(near_m / distance_m) / (rel_sd * math.sqrt(2))
    hi = math.log(far_m / distance_m) / (rel_sd * math.sqrt(2))
    if lo > 0:  # both bounds above the estimate: the difference of two upper tails, without cancellation
        mass = 0.5 * (math.erfc(lo) - math.erfc(hi))
    elif hi < 0:
        mass = 0.5 * (math.erfc(-hi) - math.erfc(-lo))
    else:
        mass = 1.0 - 0.5 * (math.erfc(-lo) + math.erfc(hi))
    return -2.0 * math.log(max(mass, 1e-300))


def _best_other_shape_cost(
    corners: F64, width_m: float, length_m: float, size: tuple[int, int], noise_px: float
) -> float:
    """The lowest ``setup_cost`` of a square or a rectangle of clearly other proportions (``OTHER_SHAPES``)
    for the quad. If it is no higher than the reference's, another shape explains the quad with a set-up at
    least as ordinary: far away, or seen square-on, a white card can look exactly like a sheet to a camera of
    another focal length; only a view that favours the reference counts."""
    ratio = length_m / width_m
    return min(
        (
            setup_cost(corners, width_m, width_m * other, size, noise_px)
            for other in OTHER_SHAPES
            if abs(math.log(other / ratio)) >= 0.2
        ),
        default=math.inf,
    )


def find_sheet(bgr_image: ArrayLike, sheet: str = "A4") -> FloorCalibration | None:
    """Detect a sheet of paper (``"A4"``, ``"letter"``, or another name in ``REFERENCES``) lying on the floor
    and return the floor calibration it gives, or None when no sheet is found."""
    if sheet not in REFERENCES:
        raise ValueError(f"unknown sheet {sheet!r}; use one of {sorted(REFERENCES)}")
    img = np.asarray(bgr_image)
    if img.ndim not in (2, 3) or img.shape[0] < 32 or img.shape[1] < 32:
        raise ValueError(f"expected a BGR image (H, W, 3), got an array of shape {img.shape}")
    width_m, length_m = REFERENCES[sheet]
    det = detect_reference(img, width_m, length_m, sheets=2 if sheet.endswith("-pair") else 1)
    if det is None:
        return None
    size = (img.shape[1], img.shape[0])
    cal = FloorCalibration.from_corners(det.corners_px, width_m, length_m, size, reference=sheet)
    return FloorCalibration(
        cal.homography, size, sheet, (width_m, length_m), cal.corners_px, float(np.sqrt(np.mean(det.corner_sd_px**2)))
    )
