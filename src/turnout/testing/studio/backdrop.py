"""The room: a plank (or grey dance) floor, a wall with a skirting board, rectangles lying on the floor, and
the dancer's soft contact shadow. Everything is ray-cast per pixel once per clip (the camera stands still)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import cv2
import numpy as np

from .camera import Camera

#: floor references: (width, length) in metres and colour
REFERENCES: Final = MappingProxyType({
    "A4": ((0.210, 0.297), (0.95, 0.95, 0.94)),
    "letter": ((0.2159, 0.2794), (0.95, 0.95, 0.94)),
    "yoga-mat": ((0.61, 1.83), (0.45, 0.30, 0.62)),
})  # fmt: skip
FLOORS: Final = ("wood", "dark-wood", "marley")
WALL_Y = 1.6  # the wall stands this far behind the point between her heels


@dataclass(frozen=True, slots=True)
class FloorRef:
    """A rectangle on the floor: centre (x, y) in metres, its length turned ``angle_deg`` from the y axis."""

    kind: str
    x: float
    y: float
    angle_deg: float = 0.0

    def corners(self) -> np.ndarray:
        (w, length), _ = REFERENCES[self.kind]
        a = np.radians(self.angle_deg)
        ex, ey = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
        c = np.array([self.x, self.y])
        pts = [c + sx * w / 2 * ex + sy * length / 2 * ey for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        return np.array([[p[0], p[1], 0.0] for p in pts])


def _wood(x: np.ndarray, y: np.ndarray, seed: int, dark: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    plank_w = 0.14
    k = np.floor(x / plank_w).astype(np.int64)
    tone = rng.uniform(0.86, 1.1, 512)
    phase = rng.uniform(0, 6.3, 512)
    shift = rng.uniform(0, 1.9, 512)
    kk = k % 512
    base = np.array((0.40, 0.27, 0.16) if dark else (0.66, 0.49, 0.32))
    grain = 1.0 + 0.05 * np.sin(y * 9.0 + phase[kk] + 2.0 * np.sin(x * 40.0 + y * 2.0)) + 0.025 * np.sin(y * 57.0)
    col = base[None, :] * (tone[kk] * grain)[:, None]
    fx = x / plank_w - k
    end = ((y + shift[kk]) % 1.9) < 0.004
    seam = (fx < 0.02) | (fx > 0.98) | end
    col[seam] *= 0.55
    return col


def _marley(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    k = np.floor(x / 1.5).astype(np.int64)
    col = np.tile(np.array([0.30, 0.31, 0.33]), (len(x), 1)) * (1.0 + 0.02 * np.sin(y * 3.1 + k))[:, None]
    seam = (x / 1.5 - k) < 0.003
    col[seam] *= 0.7
    return col


def room(cam: Camera, floor: str = "wood", refs: tuple[FloorRef, ...] = (), seed: int = 0) -> np.ndarray:
    """The empty room as the camera sees it: (H, W, 3) float32 RGB 0..1."""
    if floor not in FLOORS:
        raise KeyError(f"unknown floor {floor!r}: {', '.join(FLOORS)}")
    v, u = np.mgrid[0 : cam.height, 0 : cam.width]
    d = cam.rays(np.stack([u, v], -1).reshape(-1, 2).astype(float))
    pos = cam.position
    with np.errstate(divide="ignore", invalid="ignore"):
        s_floor = np.where(d[:, 2] < 0, -pos[2] / d[:, 2], np.inf)
        s_wall = np.where(d[:, 1] > 0, (WALL_Y - pos[1]) / d[:, 1], np.inf)
    on_floor = s_floor < s_wall
    out = np.empty((len(d), 3))
    fp = pos + s_floor[on_floor, None] * d[on_floor]
    if floor == "marley":
        out[on_floor] = _marley(fp[:, 0], fp[:, 1], seed)
    else:
        out[on_floor] = _wood(fp[:, 0], fp[:, 1], seed, floor == "dark-wood")
    for ref in refs:
        (w, length), colour = REFERENCES[ref.kind]
        a = np.radians(ref.angle_deg)
        rx, ry = fp[:, 0] - ref.x, fp[:, 1] - ref.y
        lx, ly = rx * np.cos(a) + ry * np.sin(a), -rx * np.sin(a) + ry * np.cos(a)
        inside = (np.abs(lx) <= w / 2) & (np.abs(ly) <= length / 2)
        idx = np.flatnonzero(on_floor)[inside]
        out[idx] = colour
    # light falls off away from the dancer
    dist = np.hypot(fp[:, 0], fp[:, 1])
    out[on_floor] *= (1.05 - 0.12 * np.clip(dist / 3.0, 0, 1))[:, None]
    wall = ~on_floor
    wp = pos + np.where(np.isfinite(s_wall[wall]), s_wall[wall], 50.0)[:, None] * d[wall]
    z = wp[:, 2]
    col = np.tile(np.array([0.83, 0.82, 0.78]), (len(z), 1)) * (1.0 - 0.08 * np.clip(z / 3.0, 0, 1))[:, None]
    col[z < 0.10] = (0.93, 0.93, 0.91)
    col[(z >= 0.10) & (z < 0.115)] = (0.6, 0.6, 0.58)
    out[wall] = col
    return out.reshape(cam.height, cam.width, 3).astype(np.float32)


def contact_shadow(
    cam: Camera, vertices: np.ndarray, box: tuple[int, int, int, int], strength: float = 0.45
) -> np.ndarray:
    """A multiplier (h, w) over ``box`` = (x0, y0, x1, y1): dark where the body nears the floor."""
    x0, y0, x1, y1 = box
    mult = np.ones((y1 - y0, x1 - x0), np.float32)
    shade = np.zeros_like(mult)
    near = vertices[vertices[:, 2] < 0.05]
    if len(near):
        pts = cam.project(np.column_stack([near[:, :2], np.zeros(len(near))])) - (x0, y0)
        left = near[:, 0] > np.median(near[:, 0])
        for part in (pts[left], pts[~left]):
            if len(part) >= 3:
                hull = cv2.convexHull(part.astype(np.float32)).astype(np.int32)
                cv2.fillConvexPoly(shade, hull, 1.0)
    low = vertices[vertices[:, 2] < 0.6]
    if len(low):  # a faint ambient shadow under the whole body
        c = low[:, :2].mean(0)
        ring = np.array([[c[0] + 0.3 * np.cos(a), c[1] + 0.22 * np.sin(a), 0.0] for a in np.linspace(0, 6.28, 24)])
        poly = (cam.project(ring) - (x0, y0)).astype(np.int32)
        amb = np.zeros_like(mult)
        cv2.fillConvexPoly(amb, poly, 0.35)
        shade = np.maximum(shade, amb)
    sigma = max(2.0, cam.fx * 0.012 / max(float(np.mean(cam.to_camera(vertices[:1])[:, 2])), 0.5))
    mult -= strength * np.asarray(cv2.GaussianBlur(shade, (0, 0), sigma), np.float32)
    return mult
