"""Offline analysis of recordings: video -> landmarks -> pose track + per-frame CSV.

This drives the same frame source and pose estimator as the live window; only the loop differs.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from turnout.capture import FrameSource, open_source, prefetch
from turnout.landmarks import CSV_LANDMARKS, NAMES
from turnout.model import sha256_file
from turnout.pose import PoseEstimator, PoseFrame
from turnout.track import SUFFIX, PoseTrack, TrackBuilder, save_track

#: progress(done_frames, total_frames_or_None, elapsed_s)
Progress = Callable[[int, int | None, float], None]


@dataclass(slots=True)
class AnalysisResult:
    source: str
    frames: int
    frames_with_person: int
    seconds: float
    track: PoseTrack
    track_path: Path | None = None
    csv_path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def processing_fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def csv_header() -> list[str]:
    cols = ["frame", "timestamp_ms", "people"]
    for i in CSV_LANDMARKS:
        n = NAMES[i]
        cols += [
            f"{n}_x_px",
            f"{n}_y_px",
            f"{n}_visibility",
            f"{n}_world_x_m",
            f"{n}_world_y_m",
            f"{n}_world_z_m",
        ]
    return cols


def csv_row(pose: PoseFrame, width: int, height: int) -> list[object]:
    row: list[object] = [pose.index, pose.timestamp_ms, pose.people]
    for i in CSV_LANDMARKS:
        if pose.image is None or pose.world is None:
            row += [""] * 6
            continue
        x, y, _z, vis, _pres = (float(v) for v in pose.image[i])
        wx, wy, wz = (float(v) for v in pose.world[i])
        row += [f"{x * width:.2f}", f"{y * height:.2f}", f"{vis:.3f}", f"{wx:.4f}", f"{wy:.4f}", f"{wz:.4f}"]
    return row


def run_pose(
    source: FrameSource, estimator: PoseEstimator, model_variant: str, progress: Progress | None = None
) -> tuple[PoseTrack, float]:
    """Run ``estimator`` over every frame of ``source`` (decoding on a second thread)."""
    info = source.info
    builder = TrackBuilder(
        source=info.name, fps=info.fps, width=info.width, height=info.height, mirrored=info.mirrored,
        model_variant=model_variant, model_sha256=sha256_file(estimator.model_path),
    )  # fmt: skip
    t0 = time.perf_counter()
    for frame in prefetch(iter(source)):
        builder.add(estimator.process(frame.bgr, frame.timestamp_ms, frame.index))
        if progress is not None:
            progress(frame.index + 1, info.frame_count, time.perf_counter() - t0)
    return builder.build(), time.perf_counter() - t0


def analyze_file(
    path: str | os.PathLike[str],
    model_path: Path,
    out_dir: Path | None = None,
    *,
    model_variant: str = "full",
    mirrored: bool = False,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Analyse one recording. Raises :class:`turnout.errors.TurnoutError` (one line) on bad input."""
    with open_source(path, mirrored=mirrored) as source, PoseEstimator(model_path) as estimator:
        track, seconds = run_pose(source, estimator, model_variant, progress)
        warnings = list(source.info.warnings)
    result = AnalysisResult(
        source=str(path), frames=len(track), frames_with_person=int(np.count_nonzero(track.detected)),
        seconds=seconds, track=track, warnings=warnings,
    )  # fmt: skip
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = Path(path).stem
        result.track_path = save_track(track, out_dir / f"{stem}{SUFFIX}")
        result.csv_path = write_csv(track, out_dir / f"{stem}.frames.csv")
    return result


def write_csv(track: PoseTrack, path: Path) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(csv_header())
        for i in range(len(track)):
            w.writerow(csv_row(track.frame(i), track.width, track.height))
    tmp.replace(path)
    return path
