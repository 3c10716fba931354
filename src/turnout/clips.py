"""Video clips of flagged reps: a bounded in-memory ring of recent frames, and an .mp4 writer.

The ring keeps the last ``buffer_s`` seconds of frames, downscaled to ``max_width`` and JPEG-encoded (about
30-60 kB a frame at 640 px), so memory stays bounded whatever the camera. When a rep ends with a flag, a clip
from ``pre_s`` before it to ``post_s`` after it is requested; once the post-roll has arrived
:meth:`ClipRecorder.push` hands out a :class:`ClipJob` (a snapshot of the frames). Writing one takes tens of
milliseconds, so the session recorder does it on its writer thread, never on the GUI's.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from turnout.errors import TurnoutError
from turnout.flags import severity_rank
from turnout.settings import ClipSettings


class ClipError(TurnoutError):
    """A clip could not be written (disk full, no codec); what was stored before is intact."""


@dataclass(frozen=True, slots=True)
class BufferedFrame:
    t_s: float
    jpeg: bytes


class FrameRing:
    """The last ``seconds`` of frames as JPEG bytes, at most ``max_frames`` of them."""

    def __init__(self, seconds: float = 20.0, max_width: int = 640, jpeg_quality: int = 80, max_frames: int = 0):
        self.seconds = seconds
        self.max_width = max_width
        self.jpeg_quality = jpeg_quality
        self._frames: deque[BufferedFrame] = deque(maxlen=max_frames or math.ceil(seconds * 60) + 1)

    @classmethod
    def from_settings(cls, settings: ClipSettings) -> FrameRing:
        return cls(settings.buffer_s, settings.max_width, settings.jpeg_quality)

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def nbytes(self) -> int:
        return sum(len(f.jpeg) for f in self._frames)

    def push(self, t_s: float, frame_bgr: np.ndarray) -> None:
        h, w = frame_bgr.shape[:2]
        if w > self.max_width:
            size = (self.max_width, max(2, round(h * self.max_width / w / 2) * 2))
            frame_bgr = cv2.resize(frame_bgr, size, interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise ClipError("cannot JPEG-encode a frame for the clip buffer")
        self._frames.append(BufferedFrame(t_s, buf.tobytes()))
        while self._frames and t_s - self._frames[0].t_s > self.seconds:
            self._frames.popleft()

    def window(self, t_start_s: float, t_end_s: float) -> list[BufferedFrame]:
        return [f for f in self._frames if t_start_s <= f.t_s <= t_end_s]


def _decode(jpeg: bytes) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ClipError("a buffered frame could not be decoded")
    return np.asarray(img)


def write_clip(frames: Sequence[BufferedFrame], path: Path, fps: float | None = None) -> int:
    """Write ``frames`` to ``path`` as MPEG-4 ('mp4v'). Returns the frame count; raises :class:`ClipError`.

    Written to a temporary name and renamed, so a failed write never leaves a half clip under ``path``.
    """
    if not frames:
        raise ClipError(f"{path.name}: no frames to write")
    if fps is None:
        span = frames[-1].t_s - frames[0].t_s
        fps = (len(frames) - 1) / span if span > 0 else 30.0
    h, w = _decode(frames[0].jpeg).shape[:2]
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), float(fps), (w, h))
        if not writer.isOpened():
            raise ClipError(f"{path}: cannot open an mp4v video writer")
        try:
            for f in frames:
                img = _decode(f.jpeg)
                writer.write(img if img.shape[:2] == (h, w) else cv2.resize(img, (w, h)))
        finally:
            writer.release()
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise ClipError(f"{path}: the video writer produced nothing (disk full?)")
        os.replace(tmp, path)
    except OSError as exc:
        raise ClipError(f"{path}: cannot write the clip ({exc})") from None
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
    return len(frames)


@dataclass(frozen=True, slots=True)
class ClipRequest:
    key: int
    path: Path
    t_start_s: float
    t_end_s: float


@dataclass(frozen=True, slots=True)
class ClipResult:
    """A written clip (``error`` is None) or why it could not be written."""

    key: int
    path: Path | None
    t_start_s: float
    t_end_s: float
    n_frames: int
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ClipJob:
    """A clip ready to write: its request and a snapshot of its frames (safe to hand to another thread)."""

    request: ClipRequest
    frames: tuple[BufferedFrame, ...]

    def write(self) -> ClipResult:
        req = self.request
        try:
            n = write_clip(self.frames, req.path)
        except ClipError as exc:
            return ClipResult(req.key, None, req.t_start_s, req.t_end_s, 0, str(exc))
        return ClipResult(req.key, req.path, self.frames[0].t_s, self.frames[-1].t_s, n)


class ClipRecorder:
    """Buffers frames and hands out the clips asked for once their post-roll is in; writing a job is up to
    the caller (the session recorder does it on its writer thread)."""

    def __init__(self, settings: ClipSettings, out_dir: Path, ring: FrameRing | None = None) -> None:
        self.settings = settings
        self.out_dir = out_dir
        self.ring = ring or FrameRing.from_settings(settings)
        self._pending: list[ClipRequest] = []

    def wants(self, worst_severity: str | None) -> bool:
        """Whether a rep with this worst flag severity gets a clip."""
        s = self.settings
        return s.enabled and severity_rank(worst_severity) >= severity_rank(s.min_severity)

    def request(self, key: int, t_start_s: float, t_end_s: float, name: str | None = None) -> None:
        """Ask for the video from ``pre_s`` before ``t_start_s`` to ``post_s`` after ``t_end_s``."""
        path = self.out_dir / (name or f"rep-{key:03d}.mp4")
        req = ClipRequest(key, path, t_start_s - self.settings.pre_s, t_end_s + self.settings.post_s)
        self._pending.append(req)

    def push(self, t_s: float, frame_bgr: np.ndarray | None) -> list[ClipJob]:
        """Add a frame (``None`` when there is none); returns the clips whose window has passed."""
        if frame_bgr is not None:
            self.ring.push(t_s, frame_bgr)
        return self._take([r for r in self._pending if t_s >= r.t_end_s])

    def flush(self) -> list[ClipJob]:
        """Every pending clip with the frames there are (end of the session)."""
        return self._take(list(self._pending))

    def _take(self, due: list[ClipRequest]) -> list[ClipJob]:
        for req in due:
            self._pending.remove(req)
        return [ClipJob(r, tuple(self.ring.window(r.t_start_s, r.t_end_s))) for r in due]
