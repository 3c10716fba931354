"""The exported body model (``data/bodies.npz``) and numpy linear blend skinning.

Frame of every array here: metres, z up, the floor at z = 0, the body facing -y, her left toward +x (anny's
frame moved up by its sole height). Posing follows anny's ``world-orient`` parameterisation: each bone gets a
world rotation ``G`` (rest -> posed) about its head, and its head follows its parent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).with_name("data") / "bodies.npz"


@dataclass(frozen=True, slots=True)
class Skeleton:
    """What every body shape shares: topology, skinning and bones."""

    faces: np.ndarray  # (F, 3) int32
    weights: np.ndarray  # (V, B) float32 dense skinning weights (rows sum to 1)
    parents: np.ndarray  # (B,) int, -1 for the root; parents come before children
    bones: tuple[str, ...]
    groups: np.ndarray  # (V,) uint8 colour group per vertex
    group_names: tuple[str, ...]

    def bone(self, name: str) -> int:
        try:
            return self.bones.index(name)
        except ValueError:
            raise KeyError(f"no bone {name!r} in the studio body") from None


@dataclass(frozen=True, slots=True)
class Shape:
    """One body shape at rest."""

    name: str
    vertices: np.ndarray  # (V, 3) float64, rest, floor at z = 0
    heads: np.ndarray  # (B, 3) rest bone heads
    heel_vertex: tuple[int, int]  # (left, right): the rearmost heel vertex
    toe_vertex: tuple[int, int]  # (left, right): the tip of the second toe
    height_m: float


@dataclass(frozen=True, slots=True)
class BodyModel:
    skeleton: Skeleton
    shapes: dict[str, Shape]
    meta: dict[str, Any]

    def shape(self, name: str) -> Shape:
        if name not in self.shapes:
            raise KeyError(f"unknown body {name!r}; the studio has {', '.join(sorted(self.shapes))}")
        return self.shapes[name]


@cache
def load_model(path: Path = DATA) -> BodyModel:
    """The exported bodies (read once per process)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make studio` (needs torch and anny) to export it")
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != "turnout-studio-bodies" or int(meta.get("version", 0)) != 1:
            raise ValueError(f"{path}: not a version-1 studio body file")
        bones = tuple(meta["bones"])
        w = z["weights"].astype(np.float32)
        idx = z["weight_bones"].astype(np.intp)
        dense = np.zeros((w.shape[0], len(bones)), np.float32)
        np.add.at(dense, (np.arange(w.shape[0])[:, None], idx), w)
        dense /= dense.sum(1, keepdims=True)
        skeleton = Skeleton(
            faces=z["faces"].astype(np.int32), weights=dense, parents=z["parents"].astype(np.intp),
            bones=bones, groups=z["groups"], group_names=tuple(meta["groups"]),
        )  # fmt: skip
        shapes = {}
        for name, info in meta["shapes"].items():
            lift = -float(info["sole_z_m"])
            verts = z[f"{name}__vertices"].astype(np.float64) + np.array([0.0, 0.0, lift])
            heads = z[f"{name}__bone_poses"][:, :3, 3].astype(np.float64) + np.array([0.0, 0.0, lift])
            truth = z[f"{name}__truth"]
            shapes[name] = Shape(name, verts, heads, (int(truth[0, 0]), int(truth[0, 1])),
                                 (int(truth[1, 0]), int(truth[1, 1])), float(info["height_m"]))  # fmt: skip
    return BodyModel(skeleton, shapes, meta)


def forward_kinematics(skeleton: Skeleton, heads: np.ndarray, rotations: np.ndarray, root: np.ndarray) -> np.ndarray:
    """Bone transforms (B, 3, 4), rest -> posed, for world rotations ``rotations`` (B, 3, 3).

    The root's head goes to ``root``; every other head follows its parent (anny's ``world-orient``).
    """
    n = len(skeleton.bones)
    T = np.zeros((n, 3, 4))
    for b in range(n):
        p = skeleton.parents[b]
        head = root if p < 0 else T[p, :, :3] @ heads[b] + T[p, :, 3]
        T[b, :, :3] = rotations[b]
        T[b, :, 3] = head - rotations[b] @ heads[b]
    return T


def skin(skeleton: Skeleton, rest: np.ndarray, transforms: np.ndarray) -> np.ndarray:
    """Linear blend skinning: posed vertices (V, 3) for bone transforms (B, 3, 4)."""
    blend = (skeleton.weights @ transforms.reshape(len(transforms), 12).astype(np.float32)).reshape(-1, 3, 4)
    return np.einsum("vij,vj->vi", blend[:, :, :3], rest) + blend[:, :, 3]


def apply(transform: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A (3, 4) rigid transform applied to points (..., 3)."""
    return points @ transform[:, :3].T + transform[:, 3]
