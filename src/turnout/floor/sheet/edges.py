"""Sub-pixel edges and corners of a bright rectangle on the floor: each edge fitted as a blurred straight step, the
corners where the fitted lines meet, with their uncertainty."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from turnout.floor.reference import (
    cross2,
)

F64 = NDArray[np.float64]


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
