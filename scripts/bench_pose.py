#!/usr/bin/env python3
"""Bare `PoseLandmarker.detect_for_video` ms/frame versus `turnout analyze` frames/s on the same clip.

    .venv/bin/python scripts/bench_pose.py [VIDEO] [--repeat N]

Both run in this one process, one after the other, on the same decoded frames (bare) and the same file
(analyze: decoding on a second thread, landmarks into a pose track).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "media" / "commons" / "ballet_plie.mp4"


def bare(frames: list[Any], model: Path) -> float:
    import cv2
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import pose_landmarker as pl
    from mediapipe.tasks.python.vision.core.image import Image, ImageFormat
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

    from turnout.pose.estimator import captured_native_stderr

    opts = pl.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)), running_mode=VisionTaskRunningMode.VIDEO
    )
    images = [Image(ImageFormat.SRGB, cv2.cvtColor(f, cv2.COLOR_BGR2RGB)) for f in frames]
    with captured_native_stderr():  # set-up chatter, and the once-per-process warning on a first person
        lm = pl.PoseLandmarker.create_from_options(opts)
        for i, img in enumerate(images):
            lm.detect_for_video(img, 40 * (i + 1))
    lm.close()
    with captured_native_stderr():
        lm = pl.PoseLandmarker.create_from_options(opts)
    t0 = time.perf_counter()
    for i, img in enumerate(images):
        lm.detect_for_video(img, 40 * (i + 1))
    dt = time.perf_counter() - t0
    lm.close()
    return dt / len(images) * 1000.0


def main() -> int:
    from turnout.capture.sources import VideoFileSource
    from turnout.pose.model import resolve_model_path
    from turnout.session.analysis import analyze_file

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("video", nargs="?", type=Path, default=DEFAULT)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    model = resolve_model_path()
    with VideoFileSource(args.video) as src:
        frames = [f.bgr for f in src]
    bare_ms = min(bare(frames, model) for _ in range(args.repeat))
    analyze_fps = max(analyze_file(args.video, model).processing_fps for _ in range(args.repeat))
    bare_fps = 1000.0 / bare_ms
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    print(
        f"clip: {args.video.name}, {len(frames)} frames {frames[0].shape[1]}x{frames[0].shape[0]}, "
        f"best of {args.repeat}"
    )
    print(f"bare detect_for_video: {bare_ms:6.2f} ms/frame = {bare_fps:6.1f} frames/s (pre-decoded frames)")
    print(
        f"turnout analyze:       {1000.0 / analyze_fps:6.2f} ms/frame = {analyze_fps:6.1f} frames/s (decode included)"
    )
    print(f"analyze / bare throughput: {analyze_fps / bare_fps:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
