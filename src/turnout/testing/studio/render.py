"""Rendering a scene into a video with its truth, and the cache of rendered clips."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .backdrop import contact_shadow, room
from .body import load_model
from .camera import webcam
from .garments import dress
from .looks import vertex_colours
from .posing import Posed, Poser
from .raster import Mesh, bounds, paint
from .scenes import GENERATOR_VERSION, Person, Scene
from .script import Stance, Timeline
from .truth import FORMAT, VERSION, TruthRecorder

FOURCC = "mp4v"
SUFFIX = ".mp4"


@dataclass(frozen=True, slots=True)
class Rendered:
    video: Path
    truth: Path
    frames: int
    seconds: float  # time spent rendering (0 when read from the cache)
    cached: bool


class _Actor:
    """One posed person of a scene."""

    def __init__(self, person: Person) -> None:
        model = load_model()
        self.sk = model.skeleton
        self.shape = model.shape(person.body)
        self.poser = Poser(self.sk, self.shape)
        stance = Stance(person.position, person.feet_deg, person.hips_deg, person.pelvis_deg)
        self.timeline = Timeline(self.poser, stance, person.items())
        self.colours = vertex_colours(
            person.look, person.skin, self.sk.groups, self.sk.group_names, self.shape.vertices
        )
        self.offset = np.array([person.at_xy[0], person.at_xy[1], 0.0])
        self.look = person.look

    def pose(self, t: float) -> tuple[Any, Posed]:
        state = self.timeline.at(min(t, self.timeline.duration - 1e-9) if t > 0 else 0.0)
        posed = self.poser.pose(state.pose)
        if np.any(self.offset):
            posed = Posed(posed.vertices + self.offset, {k: v + self.offset for k, v in posed.joints.items()})
        return state, posed

    def mesh(self, posed: Posed) -> Mesh:
        """The posed body with its look's garments (flared trousers' legs; none for the other looks)."""
        return dress(Mesh(posed.vertices, self.sk.faces, self.colours), posed, self.look, self.shape.height_m)


class SceneRenderer:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.dancer = _Actor(scene.dancer)
        self.second = _Actor(scene.second) if scene.second is not None else None
        c = scene.camera
        self.camera = webcam(scene.width, scene.height, c.hfov_deg, c.height_m, c.distance_m, c.yaw_deg,
                             body_height_m=self.dancer.shape.height_m, aim_m=c.aim_m,
                             keep=np.array([r.corners() for r in scene.refs]).reshape(-1, 3))  # fmt: skip
        self.ss = max(1, int(scene.supersample))
        self.cam_ss = self.camera.scaled(self.ss)
        self.room_ss = room(self.cam_ss, scene.floor, scene.refs, scene.seed)
        self.room = cv2.resize(self.room_ss, (scene.width, scene.height), interpolation=cv2.INTER_AREA)
        self.frames = max(1, int(round(self.dancer.timeline.duration * scene.fps)))

    def frame(self, i: int) -> tuple[np.ndarray, Any, Posed]:
        """Frame ``i`` as written (BGR uint8, mirrored if the scene is) with the dancer's state and pose."""
        t = i / self.scene.fps
        state, posed = self.dancer.pose(t)
        meshes = [self.dancer.mesh(posed)]
        if self.second is not None:
            meshes.append(self.second.mesh(self.second.pose(t)[1]))
        img = self._compose(meshes)
        rng = np.random.default_rng((self.scene.seed, i))
        out = img * 255.0
        if self.scene.noise > 0:
            out += rng.standard_normal(out.shape, dtype=np.float32) * self.scene.noise
        bgr = np.clip(out, 0, 255).astype(np.uint8)[..., ::-1]
        if self.scene.jpeg:
            _ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(self.scene.jpeg)])
            bgr = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8)
        if self.scene.mirrored:
            bgr = bgr[:, ::-1]
        return np.ascontiguousarray(bgr), state, posed

    def _compose(self, meshes: list[Mesh]) -> np.ndarray:
        img = self.room.copy()
        box = bounds(self.cam_ss, meshes)
        if box is None:
            return img
        ss, W, H = self.ss, self.cam_ss.width, self.cam_ss.height
        m = 24 * ss
        x0, y0 = (max(0, (int(math.floor(v)) - m) // ss * ss) for v in box[:2])
        x1 = min(W, -(-(int(math.ceil(box[2])) + m) // ss) * ss)
        y1 = min(H, -(-(int(math.ceil(box[3])) + m) // ss) * ss)
        if x1 <= x0 or y1 <= y0:
            return img
        crop = self.room_ss[y0:y1, x0:x1].copy()
        for mesh in meshes:
            crop *= contact_shadow(self.cam_ss, mesh.vertices, (x0, y0, x1, y1))[..., None]
        paint(crop, (x0, y0), self.cam_ss, meshes)
        small = cv2.resize(crop, ((x1 - x0) // ss, (y1 - y0) // ss), interpolation=cv2.INTER_AREA)
        img[y0 // ss : y1 // ss, x0 // ss : x1 // ss] = small
        return cv2.GaussianBlur(img, (0, 0), 0.55)

    def render(self, out_dir: Path) -> Rendered:
        """Write ``out_dir/<name>.mp4`` and ``out_dir/<name>.truth.json``."""
        start = time.perf_counter()
        out_dir.mkdir(parents=True, exist_ok=True)
        video = out_dir / f"{self.scene.name}{SUFFIX}"
        sc = self.scene
        writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*FOURCC), sc.fps, (sc.width, sc.height))
        if not writer.isOpened():
            raise RuntimeError(f"OpenCV cannot write {video} with the {FOURCC} codec")
        sh = self.dancer.shape
        rec = TruthRecorder(self.camera, sc.mirrored, (float(sh.vertices[sh.heel_vertex[0], 2]),
                                                       float(sh.vertices[sh.heel_vertex[1], 2])))  # fmt: skip
        try:
            for i in range(self.frames):
                bgr, state, posed = self.frame(i)
                writer.write(bgr)
                rec.add(state, posed)
        finally:
            writer.release()
        truth = out_dir / f"{sc.name}.truth.json"
        doc = self._truth_doc(rec.finish(), video.name)
        truth.write_text(json.dumps(doc, allow_nan=False, separators=(",", ":")))
        return Rendered(video, truth, self.frames, time.perf_counter() - start, False)

    def _truth_doc(self, frames: dict[str, Any], video_name: str) -> dict[str, Any]:
        sc, cam = self.scene, self.camera
        refs = []
        for ref in sc.refs:
            px = cam.project(ref.corners())
            if sc.mirrored:
                px[:, 0] = (cam.width - 1) - px[:, 0]
            refs.append(
                {"kind": ref.kind, "corners_m": ref.corners().round(5).tolist(), "corners_px": px.round(3).tolist()}
            )
        poser = self.dancer.poser
        shank = float(np.linalg.norm(poser.leg["left"]["ankle"] - poser.leg["left"]["knee"]))
        return {
            "format": FORMAT, "version": VERSION, "generator": GENERATOR_VERSION, "key": sc.key(),
            "scene": asdict(sc),
            "video": {"file": video_name, "fps": sc.fps, "width": sc.width, "height": sc.height,
                      "frames": self.frames, "mirrored": sc.mirrored, "duration_s": round(self.frames / sc.fps, 4)},
            "camera": {"K": cam.matrix(), "position_m": cam.position.round(5).tolist(),
                       "rotation": cam.rotation.round(8).tolist(), "hfov_deg": sc.camera.hfov_deg,
                       "height_m": sc.camera.height_m, "distance_m": sc.camera.distance_m,
                       "yaw_deg": sc.camera.yaw_deg},
            "body": {"shape": sc.dancer.body, "height_m": round(self.dancer.shape.height_m, 4),
                     "shank_m": round(shank, 4)},
            "floor": {"references": refs},
            "expected": expected_doc(self.dancer.timeline),
            "frames": frames,
        }  # fmt: skip


def expected_doc(timeline: Timeline) -> dict[str, Any]:
    """The truth's ``expected`` object (docs/studio-format.md)."""
    exp = timeline.expected()
    return {"reps": list(exp.reps), "holds": list(exp.holds), "rep_count": len(exp.reps),
            "releves": list(exp.releves), "releve_count": len(exp.releves), "tendus": list(exp.tendus),
            "tendu_count": len(exp.tendus), "position_holds": list(exp.position_holds),
            "stretches": list(exp.stretches)}  # fmt: skip


def upgrade_truth(scene: Scene, path: Path) -> None:
    """Bring a cached truth of an older version up to date: only ``expected`` and ``version`` change between
    versions (the pictures and the frames stay), so they are rewritten in place (atomically)."""
    doc = json.loads(path.read_text())
    if int(doc.get("version", 1)) >= VERSION:
        return
    model = load_model()
    person = scene.dancer
    poser = Poser(model.skeleton, model.shape(person.body))
    stance = Stance(person.position, person.feet_deg, person.hips_deg, person.pelvis_deg)
    timeline = Timeline(poser, stance, person.items())
    doc["expected"], doc["version"] = expected_doc(timeline), VERSION
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, allow_nan=False, separators=(",", ":")))
    tmp.replace(path)


# -- the cache -------------------------------------------------------------------------------------------------
def cache_root() -> Path:
    """``$TURNOUT_STUDIO_CACHE``, else ``build/studio`` in the repository (or the working folder)."""
    env = os.environ.get("TURNOUT_STUDIO_CACHE")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "src").is_dir():
            return parent / "build" / "studio"
    return Path.cwd() / "build" / "studio"


def cached(scene: Scene, root: Path | None = None, *, refresh: bool = False) -> Rendered:
    """The scene's clip and truth from the cache (keyed by its parameters and the generator's version),
    rendered first if missing; a cached truth of an older format version is brought up to date."""
    folder = (root or cache_root()) / f"{scene.name}-{scene.key()}"
    video, truth = folder / f"{scene.name}{SUFFIX}", folder / f"{scene.name}.truth.json"
    if not refresh and video.exists() and truth.exists():
        upgrade_truth(scene, truth)
        frames = int(json.loads(truth.read_text())["video"]["frames"])
        return Rendered(video, truth, frames, 0.0, True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{scene.name}-", dir=folder.parent))
    try:
        result = SceneRenderer(scene).render(tmp)
        if folder.exists() and (refresh or not (video.exists() and truth.exists())):
            shutil.rmtree(folder, ignore_errors=True)
        try:
            tmp.rename(folder)
        except OSError:
            # another process (a parallel test worker) rendered the same scene meanwhile: its folder is as good as
            # ours and may be being read, so ours is dropped
            if not (video.exists() and truth.exists()):
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return Rendered(video, truth, result.frames, result.seconds, False)


def seconds_per_frame(result: Rendered) -> float:
    return result.seconds / result.frames if result.frames and not result.cached else math.nan
