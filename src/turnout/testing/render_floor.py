"""Synthetic floor scenes seen by a pinhole webcam, for tests and the calibration report.

World frame: metres, x to the camera's right, y forward along the floor (away from the camera), z up; the
floor is z = 0 and the camera stands at (0, 0, height). Pixel coordinates put integer values at pixel
centres (OpenCV's convention). A scene is a frozen description (:class:`Scene`); :func:`render` turns it
into a BGR uint8 image plus the exact projections of the reference corners and of the feet.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from numpy.typing import NDArray

from turnout.floor.reference import REFERENCES, cross2

F64 = NDArray[np.float64]
FLOOR_KINDS = ("wood", "parquet", "carpet", "tiles", "marley")
SIZES = ((1280, 720), (960, 540))  # webcam frame sizes the scene sets alternate between


@dataclass(frozen=True, slots=True)
class Camera:
    """A pinhole camera without distortion, principal point at the image centre, looking along +y."""

    width: int
    height: int
    hfov_deg: float
    height_m: float
    pitch_deg: float  # positive looks down
    yaw_deg: float = 0.0
    roll_deg: float = 0.0

    @property
    def focal_px(self) -> float:
        return (self.width / 2) / math.tan(math.radians(self.hfov_deg) / 2)

    def intrinsics(self) -> F64:
        f = self.focal_px
        return np.array([[f, 0, (self.width - 1) / 2], [0, f, (self.height - 1) / 2], [0, 0, 1.0]])

    def rotation(self) -> F64:
        """World-to-camera rotation (camera axes: x right, y down, z forward)."""
        th, ps, ro = (math.radians(a) for a in (self.pitch_deg, self.yaw_deg, self.roll_deg))
        z = np.array([0.0, math.cos(th), -math.sin(th)])
        x = np.array([1.0, 0.0, 0.0])
        base = np.stack([x, np.cross(z, x), z])
        yaw = np.array([[math.cos(ps), math.sin(ps), 0], [-math.sin(ps), math.cos(ps), 0], [0, 0, 1]])
        roll = np.array([[math.cos(ro), -math.sin(ro), 0], [math.sin(ro), math.cos(ro), 0], [0, 0, 1]])
        return roll @ base @ yaw

    def floor_to_image(self) -> F64:
        r = self.rotation()
        t = -r @ np.array([0.0, 0.0, self.height_m])
        return self.intrinsics() @ np.column_stack([r[:, 0], r[:, 1], t])

    def project(self, floor_xy: F64) -> F64:
        q = np.c_[np.asarray(floor_xy, float), np.ones(len(floor_xy))] @ self.floor_to_image().T
        return q[:, :2] / q[:, 2:]


@dataclass(frozen=True, slots=True)
class Patch:
    """A flat convex polygon lying on the floor (a sheet, a mat, a distracting card or sock)."""

    polygon_m: F64  # (N, 2) floor points, going round
    colour: tuple[float, float, float]  # BGR reflectance 0..1


@dataclass(frozen=True, slots=True)
class Scene:
    camera: Camera
    floor_kind: str
    seed: int
    patches: tuple[Patch, ...] = ()
    reference_corners_m: F64 | None = None  # (4, 2) the reference rectangle, None in negatives
    heels_m: F64 = field(default_factory=lambda: np.zeros((2, 2)))
    toes_m: F64 = field(default_factory=lambda: np.zeros((2, 2)))
    total_turnout_deg: float = 0.0
    light: float = 1.0  # exposure: paper of reflectance 0.9 renders near 230 * light
    shadow: bool = False
    shadow_shift_m: tuple[float, float] = (0.0, 0.0)  # move the shadow on the floor (a dancer shifting her weight)
    blur_px: float = 0.7
    noise: float = 2.0
    jpeg_quality: int = 0  # 0: no JPEG round trip
    noise_seed: int = 0  # sensor noise differs from frame to frame: change this for another frame


@dataclass(frozen=True, slots=True)
class Rendered:
    image: NDArray[np.uint8]
    scene: Scene
    corners_px: F64 | None  # exact projections of reference_corners_m
    heels_px: F64
    toes_px: F64


def rect_polygon(centre: tuple[float, float], width: float, length: float, rotation_deg: float) -> F64:
    """Corners of a width x length rectangle (length along +y before turning by rotation_deg about z)."""
    c, s = math.cos(math.radians(rotation_deg)), math.sin(math.radians(rotation_deg))
    local = np.array([[-width, -length], [width, -length], [width, length], [-width, length]]) / 2
    return local @ np.array([[c, s], [-s, c]]) + np.asarray(centre)


def _noise(x: F64, y: F64, scale: float, seed: int) -> F64:
    """Smooth value noise in [-1, 1] on a lattice of ``scale`` metres."""
    table = np.random.default_rng(seed).uniform(-1, 1, 4096)
    gx, gy = x / scale, y / scale
    ix, iy = np.floor(gx).astype(np.int64), np.floor(gy).astype(np.int64)
    fx, fy = gx - ix, gy - iy
    fx, fy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)

    def h(a: NDArray[np.int64], b: NDArray[np.int64]) -> F64:
        return table[(a * 73856093 ^ b * 19349663) & 4095]

    top = h(ix, iy) * (1 - fx) + h(ix + 1, iy) * fx
    bottom = h(ix, iy + 1) * (1 - fx) + h(ix + 1, iy + 1) * fx
    return top * (1 - fy) + bottom * fy


def _floor_texture(kind: str, x: F64, y: F64, rng: np.random.Generator) -> F64:
    """Floor reflectance (..., 3) BGR at floor points."""
    seed = int(rng.integers(1 << 30))
    ang = rng.choice([0.0, 90.0]) + rng.uniform(-8, 8)
    c, s = math.cos(math.radians(ang)), math.sin(math.radians(ang))
    u, w = c * x + s * y, -s * x + c * y
    if kind in ("wood", "parquet"):
        base = np.array(rng.choice([[0.25, 0.42, 0.62], [0.18, 0.30, 0.45], [0.45, 0.58, 0.70], [0.12, 0.2, 0.3]]))
        size = rng.uniform(0.08, 0.2)
        if kind == "parquet":  # basket weave: blocks of strips with alternating direction
            block = np.floor(u / (3 * size)) + np.floor(w / (3 * size))
            odd = (block % 2).astype(bool)
            u, w = np.where(odd, w, u), np.where(odd, u, w)
        plank = np.floor(u / size)
        joint = np.floor((w + 7.3 * plank) / rng.uniform(0.5, 1.5))
        tone = _noise(plank, joint, 1.0, seed) * 0.18
        grain = np.sin(2 * np.pi * (u * rng.uniform(40, 90) + 3 * _noise(u * 4, w * 0.5, 1, seed + 1)))
        val = 1 + tone + 0.07 * grain + 0.05 * _noise(u, w, 0.01, seed + 2)
        gap = np.abs(((u / size) % 1) - 0.5) > 0.5 - 0.003 / size
        val = np.where(gap, 0.5, val)
    elif kind == "tiles":
        base = np.array(rng.choice([[0.5, 0.5, 0.5], [0.6, 0.68, 0.72], [0.2, 0.3, 0.55], [0.25, 0.25, 0.27]]))
        size = rng.uniform(0.3, 0.6)
        tu, tw = np.floor(u / size), np.floor(w / size)
        val = 1 + 0.08 * _noise(tu, tw, 1.0, seed) + 0.06 * _noise(u, w, 0.03, seed + 1)
        grout = (np.abs(((u / size) % 1) - 0.5) > 0.49) | (np.abs(((w / size) % 1) - 0.5) > 0.49)
        val = np.where(grout, rng.choice([0.6, 1.3]), val)
    elif kind == "carpet":
        base = np.full(3, rng.uniform(0.2, 0.5))
        val = 1 + 0.12 * _noise(x, y, 0.004, seed) + 0.08 * _noise(x, y, 0.05, seed + 1)
    else:  # marley: smooth vinyl dance floor with scuffs
        base = np.full(3, rng.choice([0.08, 0.35, 0.55]))
        val = 1 + 0.05 * _noise(x, y, 0.2, seed) + 0.15 * np.clip(_noise(x, y, 0.05, seed + 1) - 0.6, 0, 1)
    return val[..., None] * base


def _coverage(poly_px: F64, x0: int, y0: int, w: int, h: int, n: int = 8) -> F64:
    """Fraction of each pixel of a box covered by a convex polygon, by n x n supersampling."""
    off = (np.arange(n) + 0.5) / n - 0.5
    sx = (x0 + np.arange(w)[:, None] + off[None, :]).ravel()
    sy = (y0 + np.arange(h)[:, None] + off[None, :]).ravel()
    px, py = np.meshgrid(sx, sy)
    inside = np.ones(px.shape, bool)
    sign = np.sign(cross2(poly_px[1] - poly_px[0], poly_px[2] - poly_px[1]))
    for a, b in zip(poly_px, np.roll(poly_px, -1, axis=0), strict=True):
        inside &= sign * ((b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0])) >= 0
    return inside.reshape(h, n, w, n).mean(axis=(1, 3))


def render(scene: Scene) -> Rendered:
    """Draw the scene: floor and back wall, patches with exact anti-aliased edges, light, blur, noise."""
    cam, rng = scene.camera, np.random.default_rng(scene.seed)
    w, h = cam.width, cam.height
    vs, us = np.mgrid[0:h, 0:w].astype(np.float64)
    rays = np.stack([us, vs, np.ones_like(us)], -1) @ np.linalg.inv(cam.intrinsics()).T @ cam.rotation()
    wall_y = float(np.max(scene.heels_m[:, 1])) + rng.uniform(1.0, 2.5)
    down = np.minimum(rays[..., 2], -1e-9)
    t = np.where(rays[..., 2] < 0, cam.height_m / -down, np.inf)
    fx, fy = t * rays[..., 0], t * rays[..., 1]
    floor = fy < wall_y
    tw = wall_y / np.maximum(rays[..., 1], 1e-9)
    wx, wz = tw * rays[..., 0], cam.height_m + tw * rays[..., 2]
    fx, fy = np.where(floor, fx, wx), np.where(floor, fy, wall_y)
    img = _floor_texture(scene.floor_kind, fx, fy, rng)
    wall = np.array(rng.choice([[0.75, 0.78, 0.8], [0.6, 0.7, 0.75], [0.45, 0.45, 0.5]]))
    wall_val = (1 + 0.04 * _noise(wx, wz, 0.5, 3))[..., None] * wall
    wall_val = np.where((wz < 0.1)[..., None], 0.15, wall_val)  # skirting board
    img = np.where(floor[..., None], img, wall_val)
    for patch in scene.patches:
        poly = cam.project(patch.polygon_m)
        x0, y0 = (max(int(np.floor(poly[:, i].min())) - 1, 0) for i in (0, 1))
        x1, y1 = min(int(np.ceil(poly[:, 0].max())) + 2, w), min(int(np.ceil(poly[:, 1].max())) + 2, h)
        if x1 <= x0 or y1 <= y0:
            continue
        cov = _coverage(poly, x0, y0, x1 - x0, y1 - y0)[..., None]
        tint = np.asarray(patch.colour) * (1 + 0.03 * _noise(fx[y0:y1, x0:x1], fy[y0:y1, x0:x1], 0.3, 5))[..., None]
        img[y0:y1, x0:x1] = cov * tint + (1 - cov) * img[y0:y1, x0:x1]
    # light: a smooth gradient, vignetting, a warm or cool cast and sometimes a soft shadow on the floor
    g = rng.uniform(-0.35, 0.35, 2)
    light = 1 + g[0] * (us / w - 0.5) + g[1] * (vs / h - 0.5)
    light *= 1 - 0.3 * (((us - w / 2) ** 2 + (vs - h / 2) ** 2) / (w * w / 4 + h * h / 4))
    if scene.shadow:
        cx, cy = scene.heels_m.mean(axis=0) + rng.uniform(-0.4, 0.4, 2) + np.asarray(scene.shadow_shift_m)
        r = np.hypot((fx - cx) / rng.uniform(0.2, 0.5), (fy - cy) / rng.uniform(0.4, 1.0))
        soft = rng.uniform(0.05, 0.3)
        light *= 1 - rng.uniform(0.2, 0.45) * np.clip((1 + soft - r) / (2 * soft), 0, 1) * floor
    cast = 1 + rng.uniform(-0.06, 0.06, 3)
    out = 255 * scene.light * light[..., None] * img * cast
    if scene.blur_px > 0:
        out = cv2.GaussianBlur(out, (0, 0), scene.blur_px)
    noise_rng = np.random.default_rng([scene.seed, scene.noise_seed])
    out = out + noise_rng.normal(0, 1, out.shape) * np.sqrt(scene.noise**2 + 0.02 * np.clip(out, 0, None))
    image = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    if scene.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, scene.jpeg_quality])
        image = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else image
    corners = None if scene.reference_corners_m is None else cam.project(scene.reference_corners_m)
    return Rendered(image, scene, corners, cam.project(scene.heels_m), cam.project(scene.toes_m))


def _distractors(rng: np.random.Generator, near: tuple[float, float], n: int, avoid: F64 | None) -> list[Patch]:
    """Bright cards of the wrong shape or size, and white sock-sized blobs, near a floor point and at least
    10 cm clear of the ``avoid`` polygon."""
    out: list[Patch] = []
    while len(out) < n:
        centre = (near[0] + rng.uniform(-1.2, 1.2), near[1] + rng.uniform(-0.6, 0.8))
        white = tuple(rng.uniform(0.75, 0.92) * np.array([1.0, 1.0, 1.0]))
        kind = rng.integers(4)
        if kind == 0:  # square card or tile
            side = rng.uniform(0.1, 0.4)
            poly = rect_polygon(centre, side, side, rng.uniform(-45, 45))
        elif kind == 1:  # long strip, aspect 2..4
            wd = rng.uniform(0.05, 0.15)
            poly = rect_polygon(centre, wd, wd * rng.uniform(2.0, 4.0), rng.uniform(-60, 60))
        elif kind == 2:  # far too big or far too small sheet-shaped board
            scale = rng.choice([0.2, 0.3, 4.0, 5.0])
            poly = rect_polygon(centre, 0.21 * scale, 0.297 * scale, rng.uniform(-40, 40))
        else:  # sock or shoe: an ellipse 9 x 25 cm
            a = np.linspace(0, 2 * np.pi, 40, endpoint=False)
            ell = np.c_[0.045 * np.cos(a), rng.uniform(0.1, 0.13) * np.sin(a)]
            poly = ell @ _rot(rng.uniform(0, 180)) + np.asarray(centre)
        if avoid is not None and _too_close(poly, avoid, 0.1):
            continue
        out.append(Patch(poly, white))
    return out


def _boundary(poly: F64, step: float = 0.01) -> F64:
    pts = [
        np.linspace(a, b, max(int(np.hypot(*(b - a)) / step), 2))
        for a, b in zip(poly, np.roll(poly, -1, 0), strict=True)
    ]
    return np.concatenate(pts)


def _inside(points: F64, poly: F64) -> NDArray[np.bool_]:
    d = np.roll(poly, -1, 0) - poly
    cross = d[None, :, 0] * (points[:, None, 1] - poly[None, :, 1]) - d[None, :, 1] * (
        points[:, None, 0] - poly[None, :, 0]
    )
    return np.all(cross >= 0, axis=1) | np.all(cross <= 0, axis=1)


def _too_close(a: F64, b: F64, gap: float) -> bool:
    """Do two convex floor polygons overlap or come closer than ``gap`` metres?"""
    ba, bb = _boundary(a), _boundary(b)
    near = float(np.sqrt(((ba[:, None] - bb[None]) ** 2).sum(-1)).min()) < gap
    return near or bool(_inside(ba, b).any() or _inside(bb, a).any())


def _rot(deg: float) -> F64:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, s], [-s, c]])


def random_scene(
    rng: np.random.Generator,
    image_size: tuple[int, int] = (1280, 720),
    reference: str | None = "A4",
    distractors: int = 0,
) -> Scene:
    """A random scene in the envelope of the issue (webcam 60-78 degrees, lens 0.5-1.5 m high, dancer
    2-3.5 m away, reference 0.2-1 m in front of her feet, turned up to 40 degrees). ``reference=None``
    draws a negative: no reference, but ``max(distractors, 1)`` distractors."""
    dist, cam_h = rng.uniform(2.0, 3.5), rng.uniform(0.5, 1.5)
    hfov = rng.uniform(60, 78)
    width_m, length_m = REFERENCES[reference] if reference else (0.21, 0.297)
    gap = rng.uniform(0.2, 1.0)
    sheet_y = dist - gap - length_m / 2
    if reference == "yoga-mat":  # too long to lie in front of her: she stands on its far end
        sheet_y = dist + 0.3 - length_m / 2
    dancer_x = rng.uniform(-0.3, 0.3)
    # aim so that the feet sit in the lower half and the near end of the reference stays in view
    f = (image_size[0] / 2) / math.tan(math.radians(hfov) / 2)
    near_dep = math.degrees(math.atan2(cam_h, sheet_y - length_m / 2 - 0.1))
    feet_dep = math.degrees(math.atan2(cam_h, dist))
    half_v = math.degrees(math.atan2(image_size[1] / 2, f))
    pitch = rng.uniform(feet_dep - half_v * 0.6, feet_dep + half_v * 0.2)
    pitch = max(pitch, near_dep - half_v * 0.85)  # keep the near end of the reference inside the frame
    cam = Camera(*image_size, hfov, cam_h, pitch, rng.uniform(-3, 3), rng.uniform(-2, 2))
    face = rng.uniform(-20, 20)
    heels = np.array([[dancer_x - 0.03, dist], [dancer_x + 0.03, dist]])
    outward = rng.uniform(15, 90, 2)
    dirs = np.radians([-90 + face - outward[0], -90 + face + outward[1]])
    toes = heels + rng.uniform(0.22, 0.26) * np.c_[np.cos(dirs), np.sin(dirs)]
    patches: list[Patch] = []
    corners = None
    if reference:
        rot = rng.uniform(-40, 40)
        centre = (dancer_x + rng.uniform(-0.25, 0.25), sheet_y)
        corners = rect_polygon(centre, width_m, length_m, rot)
        if reference == "yoga-mat":
            colour = tuple(rng.choice([[0.55, 0.2, 0.45], [0.6, 0.4, 0.15], [0.3, 0.55, 0.25], [0.2, 0.2, 0.2]]))
            patches.append(Patch(corners, colour))
        elif reference.endswith("-pair"):
            half = rect_polygon(centre, width_m, length_m / 2, rot)
            shift = (corners[3] - corners[0]) / 4
            for k, sgn in enumerate((-1, 1)):
                paper = rng.uniform(0.78, 0.92) * np.array([1.0 - 0.04 * k, 1.0, 1.0 + 0.02 * k])
                patches.append(Patch(half + sgn * shift, tuple(paper)))
        else:
            paper = rng.uniform(0.78, 0.92) * np.array([rng.uniform(0.9, 1.0), rng.uniform(0.97, 1.0), 1.0])
            patches.append(Patch(corners, tuple(paper)))
    n_dis = distractors if reference else max(distractors, 1)
    patches += _distractors(rng, (dancer_x, sheet_y), n_dis, corners)
    return Scene(
        camera=cam,
        floor_kind=str(rng.choice(FLOOR_KINDS)),
        seed=int(rng.integers(1 << 31)),
        patches=tuple(patches),
        reference_corners_m=corners,
        heels_m=heels,
        toes_m=toes,
        total_turnout_deg=float(outward.sum()),
        light=float(rng.uniform(0.55, 1.25)),
        shadow=bool(rng.random() < 0.3),
        blur_px=float(rng.uniform(0.5, 1.2)),
        noise=float(rng.uniform(1.0, 4.0)),
        jpeg_quality=int(rng.choice([0, 0, 75, 90])),
    )


def with_camera(scene: Scene, noise_seed: int = 1, **changes: float) -> Scene:
    """The same scene, another frame (fresh sensor noise), seen by a changed camera (e.g. ``pitch_deg=...``)."""
    return replace(scene, camera=replace(scene.camera, **changes), noise_seed=noise_seed)  # type: ignore[arg-type]


def scene_set(reference: str | None, n: int, seed: int = 0, start: int = 0) -> Iterator[Scene]:
    """Scenes ``start .. start + n - 1`` of a reproducible set: scene i depends only on (seed, reference, i),
    so any one can be drawn again alone. Sizes alternate between ``SIZES``; 0-2 distractors with a
    reference, 1-4 without (``reference=None``: a negative)."""
    tag = sorted(REFERENCES).index(reference) + 1 if reference else 0
    for i in range(start, start + n):
        rng = np.random.default_rng([seed, tag, i])
        distractors = int(rng.integers(1, 5)) if reference is None else int(rng.integers(0, 3))
        yield random_scene(rng, SIZES[i % 2], reference, distractors)
