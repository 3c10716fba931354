"""Candidate quadrilaterals for a sheet on the floor: bright, compact regions of the least colour channel, thresholded
above the local floor level at several levels, whose outlines are convex quadrilaterals."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


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
