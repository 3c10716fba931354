"""Scenes as data: ``scenes.toml`` holds named scenes over a ``[defaults]`` table."""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .backdrop import FLOORS, REFERENCES, FloorRef
from .garments import GARMENT_REVISION, GARMENTS
from .looks import LOOKS, SKIN
from .script import Item, check_items, parse_item, revisions

CATALOGUE = Path(__file__).with_name("scenes.toml")
GENERATOR_VERSION = "studio-1"
POSITIONS = ("first", "second", "fifth", "parallel")


@dataclass(frozen=True, slots=True)
class CameraSetup:
    height_m: float = 1.0
    distance_m: float = 2.8
    yaw_deg: float = 0.0  # positive: the camera stands toward her left (90: at her left side, a profile view)
    hfov_deg: float = 70.0
    aim_m: float | None = None  # height it aims at on her axis; None: her middle, lowered to keep her feet in

    def __post_init__(self) -> None:
        for name, lo, hi in (("height_m", 0.2, 3.0), ("distance_m", 1.0, 8.0), ("yaw_deg", -180.0, 180.0),
                             ("hfov_deg", 30.0, 120.0)):  # fmt: skip
            v = getattr(self, name)
            if not lo <= v <= hi:
                raise ValueError(f"camera {name} = {v:g} is outside {lo:g}..{hi:g}")


@dataclass(frozen=True, slots=True)
class Person:
    """A posed body: shape, clothes, where she stands and what she does."""

    body: str = "f_avg"
    look: str = "leotard"
    skin: str = "light"
    position: str = "first"
    feet_deg: tuple[float, float] = (45.0, 45.0)
    hips_deg: tuple[float, float] = (45.0, 45.0)
    script: tuple[str, ...] = ("stand 1",)
    at_xy: tuple[float, float] = (0.0, 0.0)  # where the point between her heels stands on the floor
    #: pelvic tilt about the hip joints, arched (anterior) positive, tucked (posterior) negative; her lumbar spine
    #: takes it back so that she stays upright. TOML: ``pelvis = "tuck 12"``, ``"arch 12"``, ``"neutral"`` or degrees
    pelvis_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.look not in LOOKS:
            raise ValueError(f"unknown look {self.look!r}: {', '.join(LOOKS)}")
        if self.skin not in SKIN:
            raise ValueError(f"unknown skin {self.skin!r}: {', '.join(SKIN)}")
        if self.position not in POSITIONS:
            raise ValueError(f"unknown position {self.position!r}: {', '.join(POSITIONS)}")
        if not -30.0 <= self.pelvis_deg <= 30.0:
            raise ValueError(f"pelvis tilt {self.pelvis_deg:g} is outside -30..30 degrees (tuck 30 .. arch 30)")
        check_items(self.items())  # validates the script

    def items(self) -> list[Item]:
        return [parse_item(s) for s in self.script]


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    dancer: Person
    camera: CameraSetup = field(default_factory=CameraSetup)
    fps: float = 15.0
    width: int = 960
    height: int = 540
    floor: str = "wood"
    refs: tuple[FloorRef, ...] = ()
    second: Person | None = None
    mirrored: bool = False  # written as a selfie camera shows it (flipped left to right)
    noise: float = 2.0  # sensor noise, grey levels (sigma)
    jpeg: int = 88  # quality of the camera's JPEG step; 0 = none
    supersample: int = 2
    seed: int = 1
    description: str = ""
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.floor not in FLOORS:
            raise ValueError(f"scene {self.name}: unknown floor {self.floor!r}")
        if not 1.0 <= self.fps <= 60.0:
            raise ValueError(f"scene {self.name}: fps {self.fps:g} is outside 1..60")
        for ref in self.refs:
            if ref.kind not in REFERENCES:
                raise ValueError(f"scene {self.name}: unknown floor reference {ref.kind!r}: {', '.join(REFERENCES)}")

    def key(self) -> str:
        """A hash of everything that changes the pictures or the truth (and of the generator's version, and of
        any behaviour changed since that the scene uses: ``script.REVISIONS``; other scenes keep their keys)."""
        params = asdict(self)
        for k in ("name", "description", "tags"):
            params.pop(k)
        for person in (params["dancer"], params["second"]):  # added after studio-1: a level pelvis keeps old keys
            if person is not None and not person["pelvis_deg"]:
                person.pop("pelvis_deg")
        people = [self.dancer] + ([self.second] if self.second is not None else [])
        revs = revisions([it for p in people for it in p.items()])
        revs += [GARMENT_REVISION] if any(p.look in GARMENTS for p in people) else []  # only scenes that wear them
        blob = json.dumps([GENERATOR_VERSION, params] + ([revs] if revs else []), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _pair(value: Any, what: str) -> tuple[float, float]:
    if isinstance(value, int | float):
        return float(value), float(value)
    if isinstance(value, list) and len(value) == 2:
        return float(value[0]), float(value[1])
    raise ValueError(f"{what}: give one number or [left, right]")


def _person(d: dict[str, Any], what: str) -> Person:
    known = {f.name for f in fields(Person)} | {"feet", "hips", "at", "pelvis"}
    unknown = set(d) - known
    if unknown:
        raise ValueError(f"{what}: unknown keys {', '.join(sorted(unknown))}")
    feet = _pair(d.get("feet", 45.0), f"{what}.feet")
    hips = _pair(d.get("hips", list(feet)), f"{what}.hips")
    return Person(
        body=str(d.get("body", "f_avg")), look=str(d.get("look", "leotard")), skin=str(d.get("skin", "light")),
        position=str(d.get("position", "first")), feet_deg=feet, hips_deg=hips,
        script=tuple(d.get("script", ["stand 1"])), at_xy=_pair(d.get("at", [0.0, 0.0]), f"{what}.at"),
        pelvis_deg=_pelvis(d.get("pelvis", 0.0), f"{what}.pelvis"),
    )  # fmt: skip


def _pelvis(value: Any, what: str) -> float:
    """``"tuck DEG"`` (posterior tilt, negative), ``"arch DEG"`` (anterior, positive), ``"neutral"`` or degrees."""
    if isinstance(value, int | float):
        return float(value)
    words = str(value).split()
    if words == ["neutral"]:
        return 0.0
    if len(words) == 2 and words[0] in ("tuck", "arch"):
        try:
            deg = float(words[1])
        except ValueError:
            deg = math.nan
        if deg >= 0:
            return -deg if words[0] == "tuck" else deg
    raise ValueError(f"{what}: give 'tuck DEG', 'arch DEG' (DEG >= 0), 'neutral' or signed degrees, not {value!r}")


def scene_from_dict(name: str, d: dict[str, Any], defaults: dict[str, Any] | None = None) -> Scene:
    """A scene from its TOML table laid over ``defaults`` (camera tables merge key by key)."""
    merged: dict[str, Any] = dict(defaults or {})
    for k, v in d.items():
        merged[k] = {**merged.get(k, {}), **v} if k == "camera" and isinstance(v, dict) else v
    person_keys = {f.name for f in fields(Person)} | {"feet", "hips", "at", "pelvis"}
    dancer = {k: v for k, v in merged.items() if k in person_keys}
    cam = merged.get("camera", {})
    scene_keys = {f.name for f in fields(Scene)} - {"name", "dancer", "camera", "refs", "second"}
    unknown = set(merged) - person_keys - scene_keys - {"camera", "refs", "second"}
    if unknown:
        raise ValueError(f"scene {name}: unknown keys {', '.join(sorted(unknown))}")
    refs = tuple(FloorRef(str(r["kind"]), float(r["x"]), float(r["y"]), float(r.get("angle", 0.0)))
                 for r in merged.get("refs", []))  # fmt: skip
    second = _person(merged["second"], f"scene {name}.second") if "second" in merged else None
    kwargs = {k: merged[k] for k in scene_keys if k in merged}
    for k in ("tags",):
        if k in kwargs:
            kwargs[k] = tuple(kwargs[k])
    camera = CameraSetup(**_camera_keys(cam))
    return Scene(name=name, dancer=_person(dancer, f"scene {name}"), camera=camera, refs=refs, second=second,
                 **kwargs)  # fmt: skip


def _camera_keys(cam: dict[str, Any]) -> dict[str, Any]:
    names = {"height": "height_m", "distance": "distance_m", "yaw": "yaw_deg", "hfov": "hfov_deg", "aim": "aim_m"}
    unknown = set(cam) - set(names)
    if unknown:
        raise ValueError(f"camera: unknown keys {', '.join(sorted(unknown))} (height, distance, yaw, hfov, aim)")
    return {names[k]: float(v) for k, v in cam.items()}


def load_catalogue(path: Path = CATALOGUE) -> dict[str, Scene]:
    """Every scene of a catalogue file, by name, in file order."""
    with path.open("rb") as f:
        doc = tomllib.load(f)
    defaults = doc.get("defaults", {})
    return {name: scene_from_dict(name, table, defaults) for name, table in doc.get("scenes", {}).items()}


def get_scene(name: str, path: Path = CATALOGUE) -> Scene:
    scenes = load_catalogue(path)
    if name not in scenes:
        raise KeyError(f"no scene {name!r} in {path.name}; `python -m turnout.testing.studio list` shows them")
    return scenes[name]


def with_changes(scene: Scene, **changes: Any) -> Scene:
    return replace(scene, **changes)
