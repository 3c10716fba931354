"""The pose track file: a recording's landmarks, readable without the model (format in docs/track-format.md).

A ``.track.npz`` file (a NumPy zip, loaded with ``allow_pickle=False``) holding:

* ``header``: a JSON string: ``format`` ("turnout-pose-track"), ``version`` (1), ``source``, ``fps``,
  ``width``, ``height``, ``mirrored``, ``model_variant``, ``model_sha256``, ``turnout_version``, ``created``,
  ``landmarks`` ("raw": the pose model's own output, before any smoothing or plausibility check).
* ``frame_index`` (T,) int64, ``timestamp_ms`` (T,) int64, ``people`` (T,) int16 (0 = no person),
* ``image`` (T, 33, 5) float32: x, y (normalised), z, visibility, presence; NaN where no person,
* ``world`` (T, 33, 3) float32: metres, origin between the hips; NaN where no person.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np

from turnout.errors import TrackError
from turnout.pose.estimator import PoseFrame
from turnout.pose.landmarks import NUM_LANDMARKS

FORMAT: Final = "turnout-pose-track"
VERSION: Final = 1
#: What the track holds: the model's raw landmarks (the session store keeps the smoothed, checked ones:
#: docs/storage.md).
LANDMARKS: Final = "raw"
SUFFIX: Final = ".track.npz"


@dataclass(slots=True)
class PoseTrack:
    """All frames of one recording, as arrays. ``people[i] == 0`` marks a frame with no person."""

    source: str
    fps: float
    width: int
    height: int
    mirrored: bool
    model_variant: str
    model_sha256: str
    frame_index: np.ndarray
    timestamp_ms: np.ndarray
    people: np.ndarray
    image: np.ndarray
    world: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.frame_index.shape[0])

    @property
    def detected(self) -> np.ndarray:
        return np.asarray(self.people > 0)

    def frame(self, i: int) -> PoseFrame:
        if self.people[i] == 0:
            return PoseFrame(int(self.frame_index[i]), int(self.timestamp_ms[i]))
        return PoseFrame(
            int(self.frame_index[i]),
            int(self.timestamp_ms[i]),
            self.image[i],
            self.world[i],
            int(self.people[i]),
        )

    def header(self) -> dict[str, Any]:
        from turnout import __version__

        return {
            "format": FORMAT, "version": VERSION, "source": self.source, "fps": self.fps,
            "width": self.width, "height": self.height, "mirrored": self.mirrored,
            "model_variant": self.model_variant, "model_sha256": self.model_sha256,
            "turnout_version": __version__, "frames": len(self), "landmarks": LANDMARKS,
            "created": datetime.now(UTC).isoformat(timespec="seconds"), **self.extra,
        }  # fmt: skip


class TrackBuilder:
    """Collects :class:`PoseFrame` objects as they come and makes a :class:`PoseTrack`."""

    def __init__(self, **meta: Any) -> None:
        self.meta = meta
        self._idx: list[int] = []
        self._ts: list[int] = []
        self._people: list[int] = []
        self._image: list[np.ndarray] = []
        self._world: list[np.ndarray] = []

    _NAN_IMAGE: Final = np.full((NUM_LANDMARKS, 5), np.nan, np.float32)
    _NAN_WORLD: Final = np.full((NUM_LANDMARKS, 3), np.nan, np.float32)

    def add(self, pose: PoseFrame) -> None:
        self._idx.append(pose.index)
        self._ts.append(pose.timestamp_ms)
        self._people.append(pose.people if pose.detected else 0)
        self._image.append(pose.image if pose.image is not None else self._NAN_IMAGE)
        self._world.append(pose.world if pose.world is not None else self._NAN_WORLD)

    def build(self) -> PoseTrack:
        n = len(self._idx)
        return PoseTrack(
            frame_index=np.asarray(self._idx, np.int64),
            timestamp_ms=np.asarray(self._ts, np.int64),
            people=np.asarray(self._people, np.int16),
            image=np.stack(self._image) if n else np.zeros((0, NUM_LANDMARKS, 5), np.float32),
            world=np.stack(self._world) if n else np.zeros((0, NUM_LANDMARKS, 3), np.float32),
            **self.meta,
        )


def save_track(track: PoseTrack, path: str | os.PathLike[str]) -> Path:
    """Write ``track`` atomically (a temporary file renamed into place)."""
    out = Path(path)
    tmp = out.with_name(out.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            np.savez_compressed(
                f,
                header=np.array(json.dumps(track.header())),
                frame_index=track.frame_index,
                timestamp_ms=track.timestamp_ms,
                people=track.people,
                image=track.image.astype(np.float32),
                world=track.world.astype(np.float32),
            )
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TrackWriteError(out, exc.strerror or str(exc)) from None
    return out


class TrackWriteError(TrackError):
    """A pose track could not be written (a full disk): ``reason`` is the system's word for it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"could not write pose track {path}: {reason}; check free space")
        self.path = path
        self.reason = reason


def load_track(path: str | os.PathLike[str]) -> PoseTrack:
    """Read a pose track file; one-line :class:`TrackError` if it is not one or is damaged."""
    p = Path(path)
    if not p.is_file():
        raise TrackError(f"{p}: no such pose track file")
    try:
        with np.load(p, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            arrays = {k: z[k] for k in ("frame_index", "timestamp_ms", "people", "image", "world")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError, EOFError) as exc:
        raise TrackError(
            f"{p} is not a readable Turnout pose track ({type(exc).__name__}); re-run `turnout analyze`"
        ) from None
    if header.get("format") != FORMAT:
        raise TrackError(f"{p} is not a Turnout pose track (format {header.get('format')!r})")
    if int(header.get("version", 0)) > VERSION:
        raise TrackError(
            f"{p} is pose track version {header.get('version')}, newer than this Turnout reads ({VERSION}); "
            "update Turnout"
        )
    n = arrays["frame_index"].shape[0]
    if arrays["image"].shape != (n, NUM_LANDMARKS, 5) or arrays["world"].shape != (n, NUM_LANDMARKS, 3):
        raise TrackError(f"{p}: landmark arrays have the wrong shape; the file is damaged")
    known = {"format", "version", "source", "fps", "width", "height", "mirrored", "model_variant", "model_sha256",
             "frames", "created", "turnout_version", "landmarks"}  # fmt: skip
    return PoseTrack(
        source=str(header["source"]), fps=float(header["fps"]), width=int(header["width"]),
        height=int(header["height"]), mirrored=bool(header["mirrored"]),
        model_variant=str(header["model_variant"]), model_sha256=str(header["model_sha256"]),
        extra={k: v for k, v in header.items() if k not in known}, **arrays,
    )  # fmt: skip
