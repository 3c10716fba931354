"""The foot itself in the picture: its toe tip found in the pixels around the pose model's foot points.

A study (scripts/shoe_study.py): MediaPipe's toe point (foot_index) sits mid-foot and, on a dark shoe under
trousers, well short of the tip; the tip seen in the picture is where the foot ends. This module separates both feet
from the floor around the pose model's points (OpenCV's GrabCut, seeded by those points), takes the lower outline
of each foot (the edge that touches the floor, nearest the camera) and returns the point of that outline furthest
along the foot's provisional direction on the floor, in picture pixels.

Lengths on the floor are in "legs" (her standing hip height), through a pinhole camera given as any object with
``f`` (px), ``height`` (legs) and ``pitch`` (radians, down) attributes, principal point at the picture's centre and
no roll (``turnout.practice.picture.Camera``). Pixel positions here are absolute (0, 0 = top-left corner); the
caller converts from the centre-relative positions of ``turnout.measure.image``.

Not used by the product (the study's result, 2026-12-06): on the studio's standing first, second and parallel frames
the heel point to this tip reads each foot 3.4 median / 17.5 p95 degrees off, against 4.0 / 15.4 for the product's
MediaPipe points (parallel feet 1.0 / 2.8 against 3.0 / 4.2; grey leggings with white socks seen small from 1.3 m
17.6 / 20.5 against 11.9 / 16.7); on the real teacher in black shoes under trousers (ballet_plie, tendu_tutorial,
feet 60-75 by eye) 51-61 against the product's 33-41. About 70-170 ms a frame on one core (GrabCut).

Nor as a fallback where the product shows no number (scripts/flared_study.py, 2026-12-06): on the studio's "flared"
look (trousers whose hem hides the heel, eight scenes, standing and demi-pliés, 1011 feet) the heel point to this tip
reads 20.4 median / 37.3 p95, bias -19.4 (too straight), and 26.4 / 31.9 on the feet the product's fit gate refuses:
MediaPipe's heel point lies on the cloth 1-10 px above the hidden heel, which puts it far back on the floor; with the
true heel the same tips read 5.4 / 17.7 (2.6 / 3.6 on the refused feet).

Qt-free: numpy and OpenCV only.
"""

from __future__ import annotations

import math
from typing import Final, NamedTuple, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

#: A foot's ankle-to-tip length on the floor is about 0.21 legs (foot 0.28 legs long: a foot is 15 % of stature,
#: a leg 53 %; the ankle joint a quarter of the foot in front of the heel's back). Floor further than this from
#: both ankle points and not behind them is taken for certain floor: twice the ankle-to-tip length, which holds
#: a foot read through a camera prior whose scale is off by up to 40 % (heights 0.7-1.65 legs).
FLOOR_SURE_LEGS: Final = 0.42
#: A tip closer to the ankle point than this (legs, on the floor) or further than this is not a foot's tip: 0.21
#: legs halved or doubled (a short or long foot, and the camera prior's scale: depths on the floor go about as
#: the inverse of the camera's height, which the prior knows within a factor of 1.6 either way).
TIP_MIN_LEGS: Final = 0.10
TIP_MAX_LEGS: Final = 0.42
#: Outline points within this of the outline's furthest point along the foot (legs) make the tip, averaged: a
#: foot's front is its toes' tips, the big and second toes within about 2 cm (0.02 legs) of each other along the
#: foot; the furthest single pixel is one toe, off the foot's axis, and jitters by a pixel.
TIP_BAND_LEGS: Final = 0.02
#: The seeds' half-width around the segments ankle-to-toe and heel-to-toe (legs in the picture: the ankle-to-toe
#: segment of a foot crosses its middle; a foot is about 0.04 legs across at the instep seen from the front).
SEED_HALF_LEGS: Final = 0.012
#: The probably-foot band around the seeds (legs in the picture): half a foot's width beyond them.
MAYBE_HALF_LEGS: Final = 0.02
#: How far behind the ankle point (legs, away from the camera on the floor) the outline may still give the tip:
#: a foot turned out beyond 90 degrees (a forced second) points slightly backwards.
BEHIND_LEGS: Final = 0.04
#: GrabCut iterations (OpenCV's examples use 5; 3 change nothing seen on the studio's feet and cost less).
GRABCUT_ITERS: Final = 3

Point = tuple[float, float]
BoolArray = NDArray[np.bool_]


class CameraLike(Protocol):
    @property
    def f(self) -> float: ...
    @property
    def height(self) -> float: ...
    @property
    def pitch(self) -> float: ...


class Tip(NamedTuple):
    """The foot's tip in absolute picture pixels; ``outline`` the lower outline used (N, 2) for drawing."""

    u: float
    v: float
    outline: NDArray[np.float64]


def to_floor(
    cam: CameraLike, u: NDArray[np.float64], v: NDArray[np.float64], z: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``Camera.to_plane`` over arrays: picture points (px from the centre) to (X right, Y away) on the plane ``z``
    legs up; ``nan`` above the horizon."""
    rx, ry = u / cam.f, v / cam.f
    cp, sp = math.cos(cam.pitch), math.sin(cam.pitch)
    fwd = cp - ry * sp
    up = -(ry * cp + sp)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(up < 0, (z - cam.height) / up, np.nan)
    return lam * rx, lam * fwd


def _segment_distance(px: NDArray[np.float64], a: Point, b: Point) -> NDArray[np.float64]:
    """Distance of each pixel (N, 2) to the segment a-b."""
    pa = px - np.asarray(a)
    ab = np.asarray(b) - np.asarray(a)
    n2 = float(ab @ ab)
    t = np.clip((pa @ ab) / n2, 0.0, 1.0) if n2 > 0 else np.zeros(len(px))
    return np.asarray(np.linalg.norm(pa - t[:, None] * ab, axis=1))


def _ok(p: Point | None) -> bool:
    return p is not None and all(map(math.isfinite, p))


def feet_mask(
    image: NDArray[np.uint8],
    cam: CameraLike,
    feet: dict[str, tuple[Point, Point, Point | None]],
    ankle_z: float,
) -> tuple[BoolArray, tuple[int, int]] | None:
    """Both feet (and the legs above them) against the floor: a boolean mask of the crop around the feet and the
    crop's top-left corner (x0, y0). ``feet``: side -> (ankle, toe, heel or None), absolute px. ``ankle_z``: the
    ankle point's height (legs). ``None`` when the crop is empty or the camera sees no floor there."""
    h, w = image.shape[:2]
    cx, cy = w / 2.0, h / 2.0
    ankles = [a for a, _, _ in feet.values()]
    pts = np.array([p for a, t, hl in feet.values() for p in (a, t, hl) if _ok(p)])
    # the picture's length of a leg at the feet: a leg on the floor seen at the ankles' distance
    ax, ay = (float(np.mean([a[0] for a in ankles])), float(np.mean([a[1] for a in ankles])))
    gx, gy = to_floor(cam, np.array([ax - cx]), np.array([ay - cy]), ankle_z)
    dist = float(math.hypot(gx[0], gy[0]))
    if not math.isfinite(dist) or dist <= 0:
        return None
    leg_px = cam.f / math.hypot(dist, cam.height)
    pad = FLOOR_SURE_LEGS * leg_px * 1.3
    x0, x1 = int(max(0, pts[:, 0].min() - pad)), int(min(w, pts[:, 0].max() + pad))
    y0, y1 = int(max(0, pts[:, 1].min() - 0.15 * leg_px)), int(min(h, pts[:, 1].max() + pad))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    crop = np.ascontiguousarray(image[y0:y1, x0:x1])
    yy, xx = np.mgrid[y0:y1, x0:x1]
    px = np.column_stack([xx.ravel() + 0.5, yy.ravel() + 0.5]).astype(np.float64)
    fx, fy = to_floor(cam, px[:, 0] - cx, px[:, 1] - cy, 0.0)
    near = np.full(len(px), np.inf)
    front = np.full(len(px), False)
    for a in ankles:
        bx, by = to_floor(cam, np.array([a[0] - cx]), np.array([a[1] - cy]), ankle_z)
        near = np.minimum(near, np.hypot(fx - bx[0], fy - by[0]))
        front |= fy < by[0] + BEHIND_LEGS
    low = px[:, 1] > max(a[1] for a in ankles)  # below both ankle points: floor or feet, not legs
    mask = np.full(len(px), cv2.GC_PR_BGD, np.uint8)
    with np.errstate(invalid="ignore"):
        mask[low & front & (near > FLOOR_SURE_LEGS)] = cv2.GC_BGD
    for a, t, hl in feet.values():
        for base in (a, hl):
            if _ok(base) and base is not None:
                d = _segment_distance(px, base, t)
                mask[(d < MAYBE_HALF_LEGS * leg_px) & (mask != cv2.GC_BGD)] = cv2.GC_PR_FGD
        for base in (a, hl):
            if _ok(base) and base is not None:
                d = _segment_distance(px, base, t)
                mask[d < max(1.0, SEED_HALF_LEGS * leg_px)] = cv2.GC_FGD
    m = mask.reshape(crop.shape[:2])
    if not (m == cv2.GC_BGD).any() or not (m == cv2.GC_FGD).any():
        return None
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(crop, m, (0, 0, 0, 0), bgd, fgd, GRABCUT_ITERS, cv2.GC_INIT_WITH_MASK)  # the rectangle: unused
    fg = ((m == cv2.GC_FGD) | (m == cv2.GC_PR_FGD)).astype(np.uint8)
    # the pieces joined to the seeds only
    _, labels = cv2.connectedComponents(fg, connectivity=8)
    keep = np.unique(labels[mask.reshape(m.shape) == cv2.GC_FGD])
    keep = keep[keep > 0]
    return np.isin(labels, keep), (x0, y0)


def toe_tip(
    fg: BoolArray,
    origin: tuple[int, int],
    frame_size: tuple[int, int],
    cam: CameraLike,
    side: str,
    ankle: Point,
    other_ankle: Point,
    toe: Point,
    ankle_z: float,
    band: float = TIP_BAND_LEGS,
) -> Tip | None:
    """The foot's tip from the feet's mask (:func:`feet_mask`): the foot's lower outline (each column's lowest
    foot pixel, on this foot's side of the line halfway between the ankle points), put on the floor, and of it the
    points within :data:`TIP_BAND_LEGS` of the furthest along the foot's direction (ankle point to toe point
    first, then ankle point to the tip, twice), averaged. ``side``: the dancer's own (her left is the picture's
    right). ``None`` when the tip is not as far from the ankle as a foot's (:data:`TIP_MIN_LEGS`,
    :data:`TIP_MAX_LEGS`)."""
    w, h = frame_size
    cx, cy = w / 2.0, h / 2.0
    x0, y0 = origin
    mid = (ankle[0] + other_ankle[0]) / 2.0
    cols = np.flatnonzero(fg.any(axis=0))
    xs = cols + x0 + 0.5
    mine = xs >= mid if ankle[0] >= other_ankle[0] else xs < mid
    cols, xs = cols[mine], xs[mine]
    if cols.size == 0:
        return None
    lowest = fg.shape[0] - 1 - np.argmax(fg[::-1, cols], axis=0)
    ys = lowest + y0 + 1.0  # the bottom edge of the lowest foot pixel
    keep = ys > ankle[1]
    xs, ys = xs[keep], ys[keep]
    if xs.size == 0:
        return None
    fx, fy = to_floor(cam, xs - cx, ys - cy, 0.0)
    ax, ay = to_floor(cam, np.array([ankle[0] - cx]), np.array([ankle[1] - cy]), ankle_z)
    tx, ty = to_floor(cam, np.array([toe[0] - cx]), np.array([toe[1] - cy]), 0.0)
    dx, dy = fx - ax[0], fy - ay[0]
    ok = np.isfinite(dx) & np.isfinite(dy) & (dy < BEHIND_LEGS)
    if not ok.any():
        return None
    d = np.array([tx[0] - ax[0], ty[0] - ay[0]])
    u = v = math.nan
    for _ in range(3):
        n = float(np.hypot(*d))
        if not (math.isfinite(n) and n > 0):
            return None
        along = np.where(ok, (dx * d[0] + dy * d[1]) / n, -np.inf)
        near = along >= along.max() - band
        u, v = float(xs[near].mean()), float(ys[near].mean())
        d = np.array([float(dx[near].mean()), float(dy[near].mean())])
    length = float(np.hypot(*d))
    if not TIP_MIN_LEGS <= length <= TIP_MAX_LEGS:
        return None
    if v >= h - 1.5 or not 1.5 <= u <= w - 1.5:  # the foot runs out of the picture: its tip is not seen
        return None
    return Tip(u, v, np.column_stack([xs, ys]))
