"""Frame sources: video file, image folder, camera (through the same cv2.VideoCapture path), bad input."""

from __future__ import annotations

import itertools
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from turnout.capture.sources import CameraSource, Frame, ImageFolderSource, VideoFileSource, open_source, prefetch
from turnout.errors import SourceError

W, H = 160, 120


def _frame(i: int) -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    img[:, : W // 4] = (0, 0, 255)  # a red band on the left edge: shows mirroring
    cv2.putText(img, str(i), (60, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
    return img


def make_video(path: Path, n: int, fps: float = 25.0) -> Path:
    w = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (W, H))
    assert w.isOpened()
    for i in range(n):
        w.write(_frame(i))
    w.release()
    return path


def test_video_file_frames_timestamps_fps_size(tmp_path: Path) -> None:
    with VideoFileSource(make_video(tmp_path / "v.mp4", 20)) as src:
        assert src.fps == pytest.approx(25.0)
        assert src.size == (W, H)
        frames = list(src)
    assert [f.index for f in frames] == list(range(20))
    assert [f.timestamp_ms for f in frames] == [round(i * 40) for i in range(20)]
    assert frames[0].bgr.shape == (H, W, 3)
    assert src.info.warnings == []


def test_files_up_to_1080p_are_decoded_on_one_thread(tmp_path: Path) -> None:
    """FFmpeg's thread per core slowed the pose model beside it on 2 cores; larger files keep them (one thread
    would fall behind the model), and every frame still arrives."""
    small = make_video(tmp_path / "small.mp4", 3)
    big = tmp_path / "big.mp4"
    w = cv2.VideoWriter(str(big), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (2560, 1440))
    for i in range(3):
        w.write(cv2.resize(_frame(i), (2560, 1440)))
    w.release()
    default = cv2.VideoCapture(str(big), cv2.CAP_FFMPEG)
    default_threads = default.get(cv2.CAP_PROP_N_THREADS)
    default.release()
    with VideoFileSource(small) as src:
        assert src._cap.get(cv2.CAP_PROP_N_THREADS) == 1
        assert len(list(src)) == 3
    with VideoFileSource(big) as src:
        assert src._cap.get(cv2.CAP_PROP_N_THREADS) == default_threads
        assert [f.bgr.shape for f in src] == [(1440, 2560, 3)] * 3


def test_one_frame_video(tmp_path: Path) -> None:
    with VideoFileSource(make_video(tmp_path / "one.mp4", 1)) as src:
        assert len(list(src)) == 1


def test_mirrored_source_is_flipped_back(tmp_path: Path) -> None:
    path = make_video(tmp_path / "v.mp4", 3)
    plain = next(iter(VideoFileSource(path)))
    unmirrored = next(iter(VideoFileSource(path, mirrored=True)))
    assert plain.bgr[:, :10, 2].mean() > 200  # red band on the left
    assert unmirrored.bgr[:, -10:, 2].mean() > 200 and unmirrored.bgr[:, :10, 2].mean() < 50


def test_truncated_video_keeps_frames_before_the_break(tmp_path: Path) -> None:
    path = make_video(tmp_path / "cut.avi", 60)
    # an AVI with MJPG keeps frames in order, so cutting the file loses only the tail
    w = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (W, H))
    for i in range(60):
        w.write(_frame(i))
    w.release()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with VideoFileSource(path) as src:
        frames = list(src)
    assert 5 < len(frames) < 60
    assert len(src.info.warnings) == 1
    assert "truncated" in src.info.warnings[0] and f"frame {len(frames)} of 60" in src.info.warnings[0]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.mp4", b"", "is empty"),
        ("noise.mp4", bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8)), "not a video"),
        ("zero.mp4", None, "no readable video frames|not a video"),
    ],
)
def test_bad_video_files(tmp_path: Path, name: str, content: bytes | None, expected: str) -> None:
    path = tmp_path / name
    if content is None:
        make_video(path, 0)
    else:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=expected) as err:
        VideoFileSource(path)
    assert "\n" not in str(err.value)


def test_image_given_as_video(tmp_path: Path) -> None:
    path = tmp_path / "still.mp4"
    _, png = cv2.imencode(".png", _frame(0))
    path.write_bytes(png.tobytes())
    with pytest.raises(SourceError, match="still image"):
        VideoFileSource(path)


def test_missing_path_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        VideoFileSource(tmp_path / "nope.mp4")
    with pytest.raises(SourceError, match="is a folder"):
        VideoFileSource(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_video(tmp_path / "v.mp4", 2)
    # root can read anything, so ask os.access the way an ordinary user's file system would answer
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path else real_access(p, mode))
    with pytest.raises(SourceError, match="permission denied"):
        VideoFileSource(path)


def test_image_folder(tmp_path: Path) -> None:
    for i in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"f{i:03d}.png"), _frame(i))
    (tmp_path / "f003.png").write_bytes(b"broken")
    (tmp_path / "notes.txt").write_text("ignored")
    with ImageFolderSource(tmp_path, fps=10) as src:
        frames = list(src)
    assert [f.timestamp_ms for f in frames] == [0, 100, 200]
    assert src.size == (W, H)
    assert src.info.warnings == ["f003.png: not a readable image, skipped"]


def test_empty_image_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="holds no images"):
        ImageFolderSource(tmp_path)


def test_open_source_dispatch(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", 2)
    assert isinstance(open_source(video), VideoFileSource)
    cv2.imwrite(str(tmp_path / "a.png"), _frame(0))
    assert isinstance(open_source(tmp_path), ImageFolderSource)


def test_camera_path_with_a_video_file(tmp_path: Path) -> None:
    video = make_video(tmp_path / "cam.mp4", 10)
    with CameraSource(str(video)) as cam:
        frames = list(cam)
    assert len(frames) == 10
    ts = [f.timestamp_ms for f in frames]
    assert ts == sorted(ts)
    assert cam.lost  # the "camera" stopped delivering frames by itself


class FakeCapture:
    """A camera that delivers ``good`` frames and then fails (unplugged)."""

    def __init__(self, good: int, opened: bool = True) -> None:
        self.good, self.opened, self.reads = good, opened, 0

    def isOpened(self) -> bool:
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        self.reads += 1
        return (True, _frame(self.reads)) if self.reads <= self.good else (False, None)

    def get(self, prop: int) -> float:
        return 30.0

    def set(self, prop: int, value: float) -> bool:
        return True

    def release(self) -> None:
        self.opened = False


def test_camera_unplugged_midway_reports_lost() -> None:
    cam = CameraSource(0, opener=lambda d: FakeCapture(good=5))
    frames = list(cam)
    assert len(frames) == 5 and cam.lost


def test_camera_that_cannot_open() -> None:
    with pytest.raises(SourceError, match="could not be opened"):
        CameraSource(3, opener=lambda d: FakeCapture(good=0, opened=False))


_NO_CAMERA = """
from turnout.capture.sources import CameraSource
from turnout.errors import SourceError
try:
    CameraSource(97)
except SourceError as exc:
    print(exc)
"""


def test_a_missing_camera_is_one_line_of_ours_without_opencvs_own() -> None:
    """Through the real ``cv2.VideoCapture``: index 97 exists nowhere. OpenCV's backends print their own error
    line for it ("... getStreamChannelGroup Camera index out of range"); only ours may reach the terminal."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENCV_LOG_LEVEL"}
    run = subprocess.run([sys.executable, "-c", _NO_CAMERA], capture_output=True, text=True, timeout=60, env=env)
    assert run.stdout.startswith("camera 97 could not be opened") and run.stderr == "", run.stderr


def test_camera_that_gives_no_picture() -> None:
    with pytest.raises(SourceError, match="gives no picture"):
        CameraSource(0, opener=lambda d: FakeCapture(good=0))


def test_camera_stop_from_another_thread() -> None:
    cam = CameraSource(0, opener=lambda d: FakeCapture(good=1000))
    seen = 0
    for _ in cam:
        seen += 1
        if seen == 3:
            cam.stop()
    assert seen == 3 and not cam.lost


def test_prefetch_keeps_order_and_passes_errors(tmp_path: Path) -> None:
    with VideoFileSource(make_video(tmp_path / "v.mp4", 15)) as src:
        assert [f.index for f in prefetch(iter(src), depth=2)] == list(range(15))

    def broken():  # type: ignore[no-untyped-def]
        yield from ()
        raise SourceError("boom")

    with pytest.raises(SourceError, match="boom"):
        list(prefetch(broken()))


# ---- issue 19: real frame times (variable frame rate) and damage in the middle ------------------------------


def _make_vfr(path: Path, n: int, ticks: Callable[[int], int]) -> Path:
    """An MP4 written by OpenCV at 25 fps (timescale 12800: 512 ticks a frame) whose time-to-sample table (stts)
    is rewritten so that frame i lasts ``ticks(i)``: a variable-frame-rate recording, as phones make them. The
    total duration is kept (the container's other durations stay true); the index (moov) follows the frames, so
    growing it moves no frame."""
    make_video(path, n)
    data = bytearray(path.read_bytes())
    containers = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}

    def walk(start: int, end: int, parents: list[int]) -> tuple[int, int, list[int]] | None:
        pos = start
        while pos < end:
            size, kind = struct.unpack(">I4s", data[pos : pos + 8])
            if kind == b"stts":
                return pos, size, parents
            if kind in containers and (found := walk(pos + 8, pos + size, [*parents, pos])) is not None:
                return found
            pos += size
        return None

    found = walk(0, len(data), [])
    assert found is not None and data.find(b"moov") > data.find(b"mdat")
    pos, size, parents = found
    body = struct.pack(">I4sII", 16 + 8 * n, b"stts", 0, n) + b"".join(
        struct.pack(">II", 1, ticks(i)) for i in range(n)
    )
    for p in parents:
        data[p : p + 4] = struct.pack(">I", struct.unpack(">I", data[p : p + 4])[0] + len(body) - size)
    data[pos : pos + size] = body
    path.write_bytes(bytes(data))
    return path


def test_variable_frame_rate_keeps_the_files_own_times_and_says_so(tmp_path: Path) -> None:
    """Before: frame i was at i x 40 ms, so the 50th frame of this file (really at 2.94 s) was said to be at
    1.96 s, with no warning."""
    path = _make_vfr(tmp_path / "phone.mp4", 100, lambda i: 768 if i < 50 else 256)  # 60 ms, then 20 ms frames
    with VideoFileSource(path) as src:
        frames = list(src)
    times = [f.timestamp_ms for f in frames]
    assert len(times) == 100
    assert times[:3] == [0, 60, 120] and times[49] == 2940 and times[50:52] == [3000, 3020] and times[-1] == 3980
    (warning,) = src.info.warnings
    assert warning.startswith("phone.mp4: variable frame rate") and "the file's own frame times are used" in warning


def test_constant_frame_rate_gives_no_warning(tmp_path: Path) -> None:
    with VideoFileSource(make_video(tmp_path / "cfr.mp4", 60)) as src:
        times = [f.timestamp_ms for f in src]
    assert times == [round(i * 40) for i in range(60)] and src.info.warnings == []


def test_damage_in_the_middle_skips_the_bad_frames_and_reads_on(tmp_path: Path) -> None:
    """Before: the analysis ended at the first bad frame (86 of 174 kept) and said the file may be truncated."""
    from conftest import media_file

    data = bytearray(media_file("commons/ballet_plie.mp4").read_bytes())
    start = int(len(data) * 0.45)
    data[start : start + 40_000] = bytes(40_000)  # 40 kB of zeros over some frames in the middle
    path = tmp_path / "damaged.mp4"
    path.write_bytes(bytes(data))
    with VideoFileSource(path) as src:
        frames = list(src)
    assert len(frames) > 130  # 143 here: every readable frame, not the 86 before the damage
    times = [f.timestamp_ms for f in frames]
    assert all(b > a for a, b in itertools.pairwise(times)) and times[-1] > 6000
    assert any(b - a > 500 for a, b in itertools.pairwise(times))  # the gap is kept in time
    assert any(w.startswith("damaged.mp4: ") and "damaged frames in the middle skipped" in w for w in src.info.warnings)


def test_the_playback_gate_pauses_steps_jumps_and_slows_down() -> None:
    import threading

    from turnout.capture.pacing import PlaybackGate

    now = [0.0]
    gate = PlaybackGate(clock=lambda: now[0])
    frames = [Frame(i, i * 40, np.zeros((1, 1, 3), np.uint8)) for i in range(200)]
    released: list[int] = []
    stop = threading.Event()

    def capture() -> None:
        for f in frames:
            if not gate.wait(f, stop):
                return
            released.append(f.index)

    gate.pause()
    t = threading.Thread(target=capture, daemon=True)
    t.start()
    time.sleep(0.3)
    assert released == [], "paused: nothing goes"
    gate.step()
    deadline = time.monotonic() + 2
    while len(released) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert released == [0], "a frame step lets exactly one frame through"
    gate.release_until(50)  # a seek forward while paused: every frame up to 50 at once, then paused again
    deadline = time.monotonic() + 2
    while len(released) < 51 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert released == list(range(51))
    gate.set_rate(0.5)
    gate.play()  # frame 51 sets the clock; frame 52 (40 ms later in the file) is due 80 ms later at half speed
    deadline = time.monotonic() + 2
    while len(released) < 52 and time.monotonic() < deadline:
        time.sleep(0.01)
    now[0] = 0.079
    time.sleep(0.3)
    assert released[-1] == 51
    now[0] = 0.081
    deadline = time.monotonic() + 2
    while len(released) < 53 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert released[-1] == 52
    stop.set()
    t.join(2)
    assert not t.is_alive()
