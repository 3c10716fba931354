"""Frame sources: a webcam by index, a video file, or a folder of images, all read the same way.

Every source is an iterator of :class:`Frame` (index, timestamp in ms, BGR image) and knows its fps and
size. A source whose images are mirrored (a selfie webcam) flips them back, so the pose model always
sees the true camera view and reports the dancer's own left and right; mirroring for display is the
window's business.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import numpy as np

from turnout.errors import SourceError

IMAGE_SUFFIXES: Final = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
DEFAULT_FPS: Final = 30.0


@dataclass(frozen=True, slots=True)
class Frame:
    index: int
    timestamp_ms: int
    bgr: np.ndarray
    #: the frame already converted for the pose model (``PoseEstimator.prepare``), or None
    prepared: Any = None


@dataclass(slots=True)
class SourceInfo:
    """What a source is: shown to the user and stored with a recording."""

    name: str
    kind: str  # "camera" | "video" | "images"
    fps: float
    width: int
    height: int
    mirrored: bool = False
    frame_count: int | None = None  # None for a live camera
    warnings: list[str] = field(default_factory=list)


class FrameSource:
    """Base class: iterate for frames; ``info`` describes the source; ``close`` releases it."""

    info: SourceInfo

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file."""

    @property
    def fps(self) -> float:
        return self.info.fps

    @property
    def size(self) -> tuple[int, int]:
        return self.info.width, self.info.height

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def quiet_video_backend() -> None:
    """Keep OpenCV's and FFmpeg's own log lines off the terminal ("[h264 @ 0x...] Invalid NAL unit size",
    "[ WARN:0] ... can't be used to capture by name"): a damaged or unreadable file is reported in one line of
    ours instead. ``OPENCV_FFMPEG_LOGLEVEL`` and ``OPENCV_LOG_LEVEL`` set by the user win."""
    global _QUIET
    if _QUIET:
        return
    _QUIET = True
    import cv2

    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET; read when FFmpeg is first used
    if "OPENCV_LOG_LEVEL" not in os.environ:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


_QUIET = False


def _silently(opener: Callable[[int | str], Any], device: int | str) -> Any:
    """Open a camera with OpenCV's log off: a missing camera makes its backends print error lines of their own
    ("[ERROR:0@0.557] global obsensor_uvc_stream_channel.cpp:163 getStreamChannelGroup Camera index out of range")
    before ours says it in one line. ``OPENCV_LOG_LEVEL`` set by the user wins."""
    import cv2

    if "OPENCV_LOG_LEVEL" in os.environ:
        return opener(device)
    logging = cv2.utils.logging
    before = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        return opener(device)
    finally:
        logging.setLogLevel(before)


def _utf8_clean(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a byte that is not UTF-8, kept by Python as a lone surrogate
        return False
    return True


def display_name(path: str | os.PathLike[str]) -> str:
    """``path`` as text that can be printed and stored: a byte that is not UTF-8 is shown as ``\\xff``."""
    text = os.fspath(path)
    return text if _utf8_clean(text) else os.fsencode(text).decode("utf-8", "backslashreplace")


@contextmanager
def opencv_path(path: str | os.PathLike[str], *, folder_only: bool = False) -> Iterator[str]:
    """A name of ``path`` that OpenCV can take, valid inside the ``with``.

    OpenCV converts a file name to UTF-8 in its own code and crashes the process (SIGSEGV, exit 139) on a name
    that is not valid UTF-8 (which Python hands over as lone surrogates). Such a path is named through a file
    descriptor instead: ``/proc/self/fd/N`` of the file (or, with ``folder_only`` or a clean file name, of its
    folder, so a file can also be created there). Without ``/proc``, a symbolic link with a clean name in a
    fresh temporary folder, removed at the end."""
    text = os.fspath(path)
    if _utf8_clean(text):
        yield text
        return
    parent, name = os.path.split(os.path.abspath(text))
    use_folder = folder_only or _utf8_clean(name)
    target = parent if use_folder else text
    if os.path.isdir("/proc/self/fd"):
        try:
            fd = os.open(target, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if use_folder else 0))
        except OSError:
            yield os.devnull + "/missing"  # OpenCV then fails to open it, and says so in the usual way
            return
        try:
            yield f"/proc/self/fd/{fd}/{name}" if use_folder else f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    import shutil
    import tempfile

    tmp = tempfile.mkdtemp(prefix="turnout-")
    try:
        link = os.path.join(tmp, "d" if use_folder else "f" + os.path.splitext(_clean(name))[1])
        os.symlink(target, link)
        yield os.path.join(link, name) if use_folder else link
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _clean(name: str) -> str:
    return name if _utf8_clean(name) else display_name(name).replace("\\", "_")


def imread(path: str | os.PathLike[str]) -> np.ndarray | None:
    """``cv2.imread`` for a path of any bytes (the file read by Python, decoded by OpenCV); None if unreadable."""
    import cv2

    try:
        data = np.fromfile(os.fspath(path), dtype=np.uint8)
    except (OSError, ValueError):
        return None
    if data.size == 0:
        return None
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return None if img is None else np.asarray(img)


def _unmirror(bgr: np.ndarray, mirrored: bool) -> np.ndarray:
    import cv2

    return cv2.flip(bgr, 1) if mirrored else bgr


def _check_readable_file(path: Path, what: str) -> None:
    quiet_video_backend()
    shown = display_name(path)
    if not path.exists():
        raise SourceError(f"{shown}: no such file; check the path")
    if path.is_dir():
        raise SourceError(f"{shown} is a folder; give a {what} file (a folder is read as a folder of images)")
    if not os.access(path, os.R_OK):
        raise SourceError(f"{shown}: permission denied; make the file readable")
    if path.stat().st_size == 0:
        raise SourceError(f"{shown} is empty (0 bytes); record or copy the {what} again")


class VideoFileSource(FrameSource):
    """A video file. Timestamps come from the frame index and the file's fps.

    A file that breaks midway yields the frames before the break and adds a warning to ``info``.
    """

    def __init__(self, path: str | os.PathLike[str], *, mirrored: bool = False) -> None:
        import cv2

        self.path = Path(path)
        _check_readable_file(self.path, "video")
        if self.path.suffix.lower() in IMAGE_SUFFIXES or _looks_like_image(self.path):
            raise SourceError(
                f"{display_name(self.path)} is a still image, not a video; give a video file or a folder of images"
            )
        cap = _open_file(self.path, threads=1)
        if not cap.isOpened():
            if _looks_like_video(self.path):  # a container without frames, or cut short before its index
                raise SourceError(
                    f"{display_name(self.path)} holds no readable video frames; it is empty, cut short or damaged"
                )
            raise SourceError(
                f"{display_name(self.path)} is not a video OpenCV can read; convert it to MP4 (H.264) and try again"
            )
        ok, first = cap.read()
        if ok and first is not None and first.shape[0] * first.shape[1] > ONE_DECODING_THREAD_MAX_PIXELS:
            cap.release()  # too large for one thread to keep ahead of the model: FFmpeg's own threads
            cap = _open_file(self.path, threads=0)
            ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise SourceError(f"{display_name(self.path)} holds no readable video frames; the file is empty or damaged")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if not np.isfinite(fps) or fps <= 0 or fps > 1000:
            fps = DEFAULT_FPS
        self._cap: Any = cap
        self._first: np.ndarray | None = first
        h, w = first.shape[:2]
        self.info = SourceInfo(
            name=display_name(self.path.name), kind="video", fps=fps, width=w, height=h, mirrored=mirrored,
            frame_count=count if count > 0 else None,
        )  # fmt: skip

    def __iter__(self) -> Iterator[Frame]:
        """Frames with the times the file gives them (``CAP_PROP_POS_MSEC``: a phone's variable frame rate is
        kept, not replaced by frame number x average fps). A frame that cannot be decoded in the middle of the
        file is skipped and counted; reading goes on after it."""
        import cv2

        if self._first is None:
            raise SourceError(f"{display_name(self.path)}: a video source can be read only once; open it again")
        frame: np.ndarray | None = self._first
        self._first = None
        index = 0
        period = 1000.0 / self.info.fps
        expected = self.info.frame_count
        #: consecutive failed reads tried before the file is taken to end there
        patience = max(50, int(2 * self.info.fps))
        previous = -1.0
        worst_drift = 0.0
        damaged = failures = odd_steps = since_damage = 0
        stamp = self._cap.get(cv2.CAP_PROP_POS_MSEC) if self._cap is not None else 0.0
        origin = float(stamp) if stamp is not None and math.isfinite(stamp) and stamp > 0 else 0.0  # the first is 0
        while frame is not None:
            ok_stamp = stamp is not None and math.isfinite(stamp) and stamp >= origin
            t = float(stamp) - origin if ok_stamp else previous + period
            if t <= previous:  # a missing or repeated time: the nominal step after the last frame
                t = previous + period
            worst_drift = max(worst_drift, abs(t - (index + damaged) * period))  # skipped frames took slots
            if index > 0 and abs(t - previous - period) > 0.25 * period:
                odd_steps += 1
            previous = t
            yield Frame(index, int(round(t)), _unmirror(frame, self.info.mirrored))
            index += 1
            frame = None
            while self._cap is not None:
                ok, got = self._cap.read()
                if ok and got is not None:
                    frame, stamp = got, self._cap.get(cv2.CAP_PROP_POS_MSEC)
                    if failures:
                        damaged, failures, since_damage = damaged + failures, 0, 0
                    since_damage += 1
                    break
                failures += 1
                ends_here = expected is None or index + damaged + failures >= expected
                if ends_here or failures >= patience:
                    break
        stopped_early = expected is not None and index + damaged < expected - 2
        if damaged and (since_damage >= 5 or not stopped_early):  # a bad frame just before a cut is the cut
            self.info.warnings.append(
                f"{display_name(self.path.name)}: {damaged} damaged frame{'s' if damaged != 1 else ''} in the middle "
                f"skipped (kept {index} frames, at the file's own times)"
            )
        if stopped_early:
            self.info.warnings.append(
                f"{display_name(self.path.name)}: video stopped at frame {index + damaged} of {expected}; the file "
                f"may be truncated (kept the {index} frames before the break)"
            )
        # variable frame rate: many steps off the nominal one (a single gap is damage, said above)
        if odd_steps >= max(3, 0.05 * (index - 1)) and worst_drift > max(2.0 * period, 50.0):
            self.info.warnings.append(
                f"{display_name(self.path.name)}: variable frame rate (frame times differ from {self.info.fps:g} fps "
                f"by up to {worst_drift / 1000.0:.2f} s); the file's own frame times are used"
            )
        self.close()

    def close(self) -> None:
        cap, self._cap = getattr(self, "_cap", None), None
        if cap is not None:
            cap.release()


#: Video files up to this size (1920 x 1080) are decoded on one thread. The decoding thread keeps ahead of the pose
#: model with room to spare (2-3 ms a 1280x720 frame against 11-14), while FFmpeg's default of a decoding thread
#: per core competes with the model for a 2-core machine: `scripts/bench.py`'s pipeline went from 1.18 to 1.11 of
#: the bare model, `turnout analyze` from 1.13 to 1.07 (medians of 4 paired rounds, docs/performance.md).
ONE_DECODING_THREAD_MAX_PIXELS: Final = 1920 * 1080


def _open_file(path: Path, threads: int) -> Any:
    """FFmpeg capture of a file; ``threads`` decoding threads (0: FFmpeg's default, one per core)."""
    import cv2

    params = [cv2.CAP_PROP_N_THREADS, threads] if threads > 0 else []
    with opencv_path(path) as name:  # FFmpeg keeps the file open itself: the name is needed only to open it
        return cv2.VideoCapture(name, cv2.CAP_FFMPEG, params)


def _looks_like_video(path: Path) -> bool:
    """An MP4/MOV, AVI or Matroska/WebM header."""
    with path.open("rb") as f:
        head = f.read(12)
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")
        or (head[:4] == b"RIFF" and head[8:12] == b"AVI ")
        or head.startswith(b"\x1a\x45\xdf\xa3")
    )


def _looks_like_image(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(12)
    return head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"BM", b"GIF8")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    )


class ImageFolderSource(FrameSource):
    """A folder of still images, sorted by name, played at ``fps``. Unreadable images are skipped."""

    def __init__(self, folder: str | os.PathLike[str], *, fps: float = DEFAULT_FPS, mirrored: bool = False) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise SourceError(f"{display_name(self.folder)} is not a folder; give a folder of images")
        self.files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(
                f"{display_name(self.folder)} holds no images ({', '.join(IMAGE_SUFFIXES)}); add some or pick another"
            )
        first = None
        for p in self.files:
            first = imread(p)
            if first is not None:
                break
        if first is None:
            raise SourceError(f"none of the {len(self.files)} images in {display_name(self.folder)} can be read")
        h, w = first.shape[:2]
        self.info = SourceInfo(
            name=display_name(self.folder.name), kind="images", fps=fps, width=w, height=h, mirrored=mirrored,
            frame_count=len(self.files),
        )  # fmt: skip

    def __iter__(self) -> Iterator[Frame]:
        import cv2

        period = 1000.0 / self.info.fps
        index = 0
        for p in self.files:
            img = imread(p)
            if img is None:
                self.info.warnings.append(f"{display_name(p.name)}: not a readable image, skipped")
                continue
            if img.shape[:2] != (self.info.height, self.info.width):
                img = cv2.resize(img, (self.info.width, self.info.height))
            yield Frame(index, int(round(index * period)), _unmirror(img, self.info.mirrored))
            index += 1


class CameraSource(FrameSource):
    """A live camera (``device`` is an index), read through ``cv2.VideoCapture``.

    Timestamps are milliseconds of a monotonic clock since the source opened. ``device`` may also be a
    video path so that the camera path can be exercised without a camera; ``realtime=True`` then paces it.
    Iteration ends when the camera stops delivering frames; ``lost`` tells that apart from a normal stop.
    """

    def __init__(
        self,
        device: int | str = 0,
        *,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
        mirrored: bool = False,
        realtime: bool = False,
        opener: Callable[[int | str], Any] | None = None,
    ) -> None:
        import cv2

        quiet_video_backend()
        self.device = device
        self._opener = opener or _open_camera
        cap = _silently(self._opener, device)
        if not cap.isOpened():
            raise SourceError(
                f"camera {display_name(str(device))} could not be opened; check it is connected and not used by "
                "another app"
            )
        if width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        if fps:
            cap.set(cv2.CAP_PROP_FPS, fps)
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise SourceError(
                f"camera {display_name(str(device))} opened but gives no picture; close other apps using it and retry"
            )
        reported = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        h, w = first.shape[:2]
        self._cap: Any = cap
        self._first: np.ndarray | None = first
        self._realtime = realtime
        self._stop = threading.Event()
        self.lost = False
        self.info = SourceInfo(
            name=f"camera {display_name(str(device))}", kind="camera",
            fps=reported if 0 < reported <= 240 else DEFAULT_FPS, width=w, height=h, mirrored=mirrored,
        )  # fmt: skip

    def stop(self) -> None:
        """Ask a running iteration to end after the current frame (safe from another thread)."""
        self._stop.set()

    def __iter__(self) -> Iterator[Frame]:
        t0 = time.monotonic()
        period = 1.0 / self.info.fps
        index = 0
        frame = self._first
        self._first = None
        while not self._stop.is_set() and self._cap is not None:
            if frame is None:
                ok, frame = self._cap.read()
                if not ok or frame is None:
                    self.lost = True
                    return
            if self._realtime:
                delay = t0 + index * period - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            ts = int(round((time.monotonic() - t0) * 1000.0))
            yield Frame(index, ts, _unmirror(frame, self.info.mirrored))
            frame = None
            index += 1

    def close(self) -> None:
        self._stop.set()
        cap, self._cap = getattr(self, "_cap", None), None
        if cap is not None:
            cap.release()


def _open_camera(device: int | str) -> Any:
    import cv2

    if isinstance(device, int):
        return cv2.VideoCapture(device)
    with opencv_path(device) as name:
        return cv2.VideoCapture(name)


def open_source(spec: str | int | os.PathLike[str], *, mirrored: bool = False, fps: float | None = None) -> FrameSource:
    """Open ``spec``: an integer (or digit string) is a camera index, a folder is images, else a video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec), mirrored=mirrored, fps=fps)
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path, fps=fps or DEFAULT_FPS, mirrored=mirrored)
    return VideoFileSource(path, mirrored=mirrored)


_END: Final = object()


def prefetch(
    frames: Iterator[Frame], depth: int = 4, prepare: Callable[[np.ndarray], Any] | None = None
) -> Iterator[Frame]:
    """Decode ahead on a background thread so decoding overlaps inference (bounded by ``depth`` frames).

    ``prepare`` (e.g. :meth:`turnout.pose.estimator.PoseEstimator.prepare`) converts each frame for the pose
    model on that thread too (``Frame.prepared``), off the thread that runs the model."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for f in frames:
                if prepare is not None:
                    f = Frame(f.index, f.timestamp_ms, f.bgr, prepare(f.bgr))
                while not stop.is_set():
                    try:
                        q.put(f, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            q.put(exc)
            return
        q.put(_END)

    t = threading.Thread(target=work, name="turnout-decode", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join(timeout=2.0)
