"""The studio: rendered ballet practice clips with exact truth (numpy + cv2 only; no torch, no Qt).

``python -m turnout.testing.studio list`` shows the catalogue (``scenes.toml``);
``python -m turnout.testing.studio render SCENE --out DIR`` writes ``DIR/SCENE.mp4`` and
``DIR/SCENE.truth.json`` (format: ``docs/studio-format.md``). This package imports nothing else from Turnout.
"""

from __future__ import annotations

from .render import Rendered, SceneRenderer, cache_root, cached
from .scenes import CATALOGUE, GENERATOR_VERSION, CameraSetup, Person, Scene, get_scene, load_catalogue

__all__ = [
    "CATALOGUE", "GENERATOR_VERSION", "CameraSetup", "Person", "Rendered", "Scene", "SceneRenderer", "cache_root",
    "cached", "get_scene", "load_catalogue",
]  # fmt: skip
