"""Is this quad paper, and are two sheets end to end really two? The join between them, steps not lines, a neutral
bright surface, plausible edges."""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from turnout.floor.sheet.edges import _SAT, EdgeFit, _edge_band, _masks

F64 = NDArray[np.float64]


#: Paper so bright that it is clipped in every channel shows no join between two sheets, whether there is one
#: or not (:func:`_join_visible` cannot tell). Then only the geometry says "two sheets", and a white strip of the
#: same proportions at about two thirds of the size is what two sheets further away look like: the reading must
#: then put the sheets no further than this times the far end of where the dancer lays them
#: (``TYPICAL_SHEET_DISTANCE_M``). On rendered scenes 11-12 % of true pairs were clipped, their readings at most
#: 2.6 m along the floor (limit 3.3 m), the two strips read as pairs 3.8 and 4.0 m.
UNSEEN_JOIN_MAX_DISTANCE = 1.1


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
