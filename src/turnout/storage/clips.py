"""Video clips of flagged reps: a bounded in-memory ring of recent frames, and an .mp4 writer.

The ring keeps the last ``buffer_s`` seconds of frames, downscaled to ``max_width`` and JPEG-encoded (about
30-60 kB a frame at 640 px), so memory stays bounded whatever the camera. Downscaling and encoding take about
1 ms a frame, so a session's ring does them on its own encoder thread (``background=True``): the processing
thread only hands the frame over (a bounded queue: it waits only if the encoder is more than
``ENCODE_QUEUE_FRAMES`` behind, which keeps memory bounded) and waits for the encoding only when a clip is
taken (the last few frames). When a rep ends with a flag, a clip
from ``pre_s`` before it to ``post_s`` after it is requested; once the post-roll has arrived
:meth:`ClipRecorder.push` hands out a :class:`ClipJob` (a snapshot of the frames). Writing one takes tens of
milliseconds, so the session recorder does it on its writer thread, never on the GUI's.
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np

from turnout.capture import cores
from turnout.capture.sources import display_name, opencv_path
from turnout.errors import TurnoutError
from turnout.practice.flags import severity_rank
from turnout.settings import ClipSettings


class ClipError(TurnoutError):
    """A clip could not be written (disk full, no codec); what was stored before is intact."""


@dataclass(frozen=True, slots=True)
class BufferedFrame:
    t_s: float
    jpeg: bytes


#: Frames waiting for the encoder thread at most (about half a second of camera: ~45 MB at 1280x720).
ENCODE_QUEUE_FRAMES: Final = 16
#: The encoder thread ends after this many seconds without frames (the next push starts another).
ENCODER_IDLE_S: Final = 2.0


class FrameRing:
    """The last ``seconds`` of frames as JPEG bytes, at most ``max_frames`` of them.

    ``background=True``: :meth:`push` only queues the frame; an encoder thread (started by a push, ending
    after ``ENCODER_IDLE_S`` without frames or at :meth:`close`) downscales and encodes it. Reading the ring
    (:meth:`window`, ``len``, :attr:`nbytes`) first waits until the queued frames are in.
    """

    def __init__(self, seconds: float = 20.0, max_width: int = 640, jpeg_quality: int = 80, max_frames: int = 0,
                 *, background: bool = False) -> None:  # fmt: skip
        self.seconds = seconds
        self.max_width = max_width
        self.jpeg_quality = jpeg_quality
        self.background = background
        self._frames: deque[BufferedFrame] = deque(maxlen=max_frames or math.ceil(seconds * 60) + 1)
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[float, np.ndarray] | None] = queue.Queue(maxsize=ENCODE_QUEUE_FRAMES)
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()  # starting and ending the encoder thread
        #: frames that could not be encoded (background only)
        self.dropped = 0
        #: why frames could not be encoded (background only; the foreground raises ClipError)
        self.errors: list[str] = []

    @classmethod
    def from_settings(cls, settings: ClipSettings, *, background: bool = False) -> FrameRing:
        return cls(settings.buffer_s, settings.max_width, settings.jpeg_quality, background=background)

    def __len__(self) -> int:
        self.sync()
        return len(self._frames)

    @property
    def nbytes(self) -> int:
        self.sync()
        with self._lock:
            return sum(len(f.jpeg) for f in self._frames)

    def push(self, t_s: float, frame_bgr: np.ndarray) -> None:
        if not self.background:
            self._append(t_s, self._encode(frame_bgr))
            return
        with self._thread_lock:  # the encoder cannot decide to end between the check and the put
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="turnout-clip-encoder", daemon=True)
                self._thread.start()
            self._queue.put((t_s, frame_bgr))

    def sync(self) -> None:
        """Wait until every frame pushed so far is encoded into the ring."""
        if self.background:
            self._queue.join()

    def close(self) -> None:
        """Encode what is queued and stop the encoder thread."""
        with self._thread_lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()

    def window(self, t_start_s: float, t_end_s: float) -> list[BufferedFrame]:
        self.sync()
        with self._lock:
            return [f for f in self._frames if t_start_s <= f.t_s <= t_end_s]

    def _encode(self, frame_bgr: np.ndarray) -> bytes:
        h, w = frame_bgr.shape[:2]
        if w > self.max_width:
            size = (self.max_width, max(2, round(h * self.max_width / w / 2) * 2))
            frame_bgr = cv2.resize(frame_bgr, size, interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise ClipError("cannot JPEG-encode a frame for the clip buffer")
        return buf.tobytes()

    def _append(self, t_s: float, jpeg: bytes) -> None:
        with self._lock:
            self._frames.append(BufferedFrame(t_s, jpeg))
            while self._frames and t_s - self._frames[0].t_s > self.seconds:
                self._frames.popleft()

    def _run(self) -> None:
        cores.background_thread()  # started by the live runner's second stage, on the model's core
        while True:
            try:
                item = self._queue.get(timeout=ENCODER_IDLE_S)
            except queue.Empty:
                with self._thread_lock:
                    if self._queue.empty():  # nothing came meanwhile: end (a push starts a new thread)
                        self._thread = None
                        return
                continue
            if item is None:
                self._queue.task_done()
                return
            try:
                self._append(item[0], self._encode(item[1]))
            except (ClipError, cv2.error) as exc:
                self.dropped += 1
                if len(self.errors) < 10:
                    self.errors.append(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
            finally:
                self._queue.task_done()


def _decode(jpeg: bytes) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ClipError("a buffered frame could not be decoded")
    return np.asarray(img)


def _frames_readable(path: Path) -> int:
    """Frames a written video says it holds (0 when it cannot be opened: its index was never written)."""
    with opencv_path(path) as name:
        cap = cv2.VideoCapture(name, cv2.CAP_FFMPEG)
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if cap.isOpened() else 0
    finally:
        cap.release()


def write_clip(frames: Sequence[BufferedFrame], path: Path, fps: float | None = None) -> int:
    """Write ``frames`` to ``path`` as MPEG-4 ('mp4v'). Returns the frame count; raises :class:`ClipError`.

    Written to a temporary name, checked to open with every frame, then renamed: a failed write (a full
    disk, which the video writer does not report) never leaves a half clip under ``path``.
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
        with opencv_path(tmp, folder_only=True) as name:  # any bytes in the database's folder name
            writer = cv2.VideoWriter(name, cv2.VideoWriter.fourcc(*"mp4v"), float(fps), (w, h))
            if not writer.isOpened():
                raise ClipError(f"{display_name(path)}: cannot open an mp4v video writer")
            try:
                for f in frames:
                    img = _decode(f.jpeg)
                    writer.write(img if img.shape[:2] == (h, w) else cv2.resize(img, (w, h)))
            finally:
                writer.release()
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise ClipError(f"{display_name(path)}: the video writer produced nothing (disk full?)")
        if _frames_readable(tmp) != len(frames):  # the writer reports no error when the disk fills up
            raise ClipError(f"{display_name(path)}: the clip came out incomplete (disk full?); it was not kept")
        os.replace(tmp, path)
    except OSError as exc:
        raise ClipError(f"{display_name(path)}: cannot write the clip ({exc})") from None
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
        #: encoded on its own thread: buffering a frame costs the caller (the processing thread) a queue put
        self.ring = ring or FrameRing.from_settings(settings, background=True)
        self._pending: list[ClipRequest] = []

    def wants(self, worst_severity: str | None) -> bool:
        """Whether a rep with this worst flag severity gets a clip."""
        s = self.settings
        if s.min_severity == "any":
            return s.enabled
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
        """Every pending clip with the frames there are (end of the session); stops the ring's encoder."""
        jobs = self._take(list(self._pending))
        self.ring.close()
        return jobs

    def _take(self, due: list[ClipRequest]) -> list[ClipJob]:
        for req in due:
            self._pending.remove(req)
        return [ClipJob(r, tuple(self.ring.window(r.t_start_s, r.t_end_s))) for r in due]
