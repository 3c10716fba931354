"""Clothes with their own geometry: flared trousers whose legs hang from the knee to just above the floor.

The colour looks (``looks.LOOKS``) paint the body's own skin; flared trousers are not the body's shape: each leg is
a truncated cone that widens from the knee to a hem a couple of centimetres above the floor and hangs over the heel
and the back half of the foot, as a teacher's flared practice trousers do (the real clip ``ballet_plie``: the pose
model puts her heel point on the hem). Each frame the cone is posed from that leg's knee and ankle joints: its top
ring round the knee joint, square to the knee -> hem line, its hem ring level, centred under the ankle joint. It is
drawn with the body by the same painter's algorithm (both faces, so the inside never shows as a hole).

Only the looks named in :data:`GARMENTS` get one; every other look renders exactly as before (same pixels, same
cache keys: a scene's key holds its look's name, and no other look's name changed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import cv2
import numpy as np

from .looks import FLARED_CLOTH
from .posing import SIDES, Posed
from .raster import Mesh


@dataclass(frozen=True, slots=True)
class Flare:
    """One trouser leg's cone, in fractions of the wearer's height (trousers are cut to her size)."""

    colour: tuple[float, float, float]
    #: the hem's radius: 6 % of her height (9.4 cm for the studio's average woman, 1.57 m: a hem 59 cm round,
    #: 30 cm wide laid flat, a flared leg's; the heel's back is 4-6 cm behind the ankle joint, the toes' tips 16-19 cm
    #: in front of it, so the hem hides the heel and about the back half of the foot)
    hem_radius: float = 0.060
    #: the top ring's radius round the knee joint: 4.5 % of her height (7 cm; a knee is about 6 cm in radius there)
    knee_radius: float = 0.045
    #: the hem's height above the floor, metres: trousers to the floor just clear it (2.5 cm)
    hem_z_m: float = 0.025
    segments: int = 40  # round the leg
    rings: int = 10  # knee to hem: short triangles, so that the painter's depth order holds near the foot


#: look -> the trouser legs it adds
GARMENTS: Final = MappingProxyType({"flared": Flare(FLARED_CLOTH)})
#: Joins the cache key of scenes whose looks have garments (scenes.Scene.key; no other scene's key): changed when the
#: garments' geometry or colours change, so those scenes render again. 2: the cloth and shoes as light as ballet_plie's
GARMENT_REVISION: Final = "garments-2"


def _ring(centre: np.ndarray, e1: np.ndarray, e2: np.ndarray, r: float, n: int) -> np.ndarray:
    a = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return centre + r * (np.cos(a)[:, None] * e1 + np.sin(a)[:, None] * e2)


def leg_cone(knee: np.ndarray, ankle: np.ndarray, height_m: float, flare: Flare) -> tuple[np.ndarray, np.ndarray]:
    """One trouser leg: vertices (R * S, 3) and faces wound as the body's (cross(b - a, c - a) points out) of the
    cone from the knee joint to the hem under the ankle joint."""
    n, k = flare.segments, flare.rings
    hem_c = np.array([ankle[0], ankle[1], flare.hem_z_m])
    axis = hem_c - knee
    axis = axis / np.linalg.norm(axis)
    x = np.array([1.0, 0.0, 0.0])
    e1 = x - (x @ axis) * axis
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(axis, e1)  # the top ring's frame turns into the hem's (x, -y) frame as the axis comes upright
    top = _ring(knee, e1, e2, flare.knee_radius * height_m, n)
    # level at the hem: the same angular frame as the top's, laid flat (axis straight down: e1 = x, e2 = -y)
    h1 = np.array([e1[0], e1[1], 0.0])
    h1 /= np.linalg.norm(h1)
    h2 = np.array([h1[1], -h1[0], 0.0])  # straight down x h1
    hem = _ring(hem_c, h1, h2, flare.hem_radius * height_m, n)
    s = np.linspace(0.0, 1.0, k + 1)[:, None, None]
    verts = ((1.0 - s) * top[None] + s * hem[None]).reshape(-1, 3)
    faces = []
    for r in range(k):
        for j in range(n):
            a, b = r * n + j, r * n + (j + 1) % n
            c, d = a + n, b + n
            faces += [(a, b, c), (b, d, c)]
    f = np.array(faces, np.int32)
    # outward: the first face's normal must point away from the axis
    p = verts[f[0]]
    normal = np.cross(p[1] - p[0], p[2] - p[0])
    centre_line = knee + ((p.mean(0) - knee) @ axis) * axis
    if normal @ (p.mean(0) - centre_line) < 0:  # cross(b - a, c - a) points out, as anny's faces do
        f = f[:, ::-1]
    return verts, np.ascontiguousarray(f)


def dress(mesh: Mesh, posed: Posed, look: str, height_m: float) -> Mesh:
    """The body's mesh with the look's garments added (the same mesh when the look has none)."""
    flare = GARMENTS.get(look)
    if flare is None:
        return mesh
    verts, faces, cols = [mesh.vertices], [mesh.faces], [mesh.colours]
    base = len(mesh.vertices)
    for side in SIDES:
        v, f = leg_cone(posed.joints[f"{side}_knee"], posed.joints[f"{side}_ankle"], height_m, flare)
        # both faces: the outside, and the inside on its own vertices (its normals point inward)
        for ff in (f, f[:, ::-1]):
            verts.append(v)
            faces.append(ff + base)
            cols.append(np.tile(np.asarray(flare.colour, float), (len(v), 1)))
            base += len(v)
    return Mesh(np.concatenate(verts), np.concatenate(faces).astype(np.int32), np.concatenate(cols))


def garment_silhouette(
    posed: Posed, look: str, height_m: float, project: Callable[[np.ndarray], np.ndarray], size: tuple[int, int]
) -> np.ndarray | None:
    """A boolean (h, w) mask of the look's garments in the picture (``project``: world (N, 3) -> pixels (N, 2),
    e.g. ``Camera.project``); ``None`` when the look has none. For tests and studies: does the hem hide a point?"""
    flare = GARMENTS.get(look)
    if flare is None:
        return None
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    for side in SIDES:
        v, f = leg_cone(posed.joints[f"{side}_knee"], posed.joints[f"{side}_ankle"], height_m, flare)
        px = project(v)
        for tri in np.asarray(px)[f]:
            cv2.fillConvexPoly(mask, np.round(tri * 16).astype(np.int32), 1, cv2.LINE_8, 4)
    return mask.astype(bool)
