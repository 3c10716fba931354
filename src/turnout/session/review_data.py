"""A stored session loaded for review: its frames, landmarks, reps and clips, and the numbers the plots show.

Qt-free. :meth:`SessionData.result_at` rebuilds a :class:`~turnout.session.pipeline.FrameResult` for any moment of
the session from the stored landmarks and measurements, so a clip is replayed with the same overlay as live.
:class:`VideoFrames` places the stored frames on the frames of the video file the session came from (analysed, or
played in Live and recorded: maybe only a part of it), so the whole file plays with its overlay where it was recorded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from turnout.measure.measures import (
    BODY_FIELDS,
    SIDE_FIELDS,
    FrameMeasurement,
    ImageMeasurement,
    SideMeasurement,
    image_names,
)
from turnout.pose.estimator import PoseFrame
from turnout.practice.flags import severity_rank
from turnout.practice.reps import RepSummary
from turnout.session import display
from turnout.session.pipeline import FrameResult
from turnout.storage.store import SessionRow, Store, StoredClip, StoredRep, stores_picture_feet

#: Curves of the angles-over-time plot: (key, label); :meth:`SessionData.series` gives each. Knee bends are from her
#: standing (straight knees read 0; MediaPipe's 3D reads a straight knee about 15 degrees bent); each foot is the
#: picture's reading with its 95 % range (:meth:`SessionData.band`), or 3D for sessions stored before it. Forced
#: turnout per frame is not plotted: it reads 51-100 degrees off (95 %) on the studio (turnout.session.display).
PLOT_SERIES: Final = (
    ("left_knee_flexion_deg", "Knee bend L"),
    ("right_knee_flexion_deg", "Knee bend R"),
    ("left_foot_turnout_deg", "Foot L"),
    ("right_foot_turnout_deg", "Foot R"),
)
#: Without a standing baseline, knee bends are measured from this percentile of the session's own (her straightest).
STRAIGHTEST_PERCENTILE: Final = 10.0


def measurement_from_row(row: dict[str, float]) -> FrameMeasurement:
    """A stored flat row (``FrameMeasurement.as_row``) back as a measurement."""
    per_side: dict[str, dict[str, Any]] = {
        s: {n: float(row.get(f"{s}_{n}", math.nan)) for n, _ in SIDE_FIELDS} for s in ("left", "right")
    }
    body: dict[str, Any] = {n: float(row.get(n, math.nan)) for n, _ in BODY_FIELDS}
    image = ImageMeasurement(**{n: float(row.get(n, math.nan)) for n in image_names()})  # type: ignore[arg-type]
    return FrameMeasurement(SideMeasurement(**per_side["left"]), SideMeasurement(**per_side["right"]), **body,
                            image=image)  # fmt: skip


def reps_flagged_first(reps: Sequence[StoredRep]) -> list[StoredRep]:
    """Flagged reps first (worst severity first), then the rest, each in rep order."""
    return sorted(reps, key=lambda s: (-severity_rank(s.rep.worst_severity), s.rep.index))


@dataclass(slots=True)
class SessionData:
    session: SessionRow
    reps: list[StoredRep]
    clips: list[StoredClip]
    folder: Path
    t_s: np.ndarray
    reliable: np.ndarray
    values: dict[str, np.ndarray]
    #: frame index of every stored frame, and the landmarks of those that have them
    idx: np.ndarray
    pose_idx: np.ndarray
    image: np.ndarray | None
    world: np.ndarray | None

    @classmethod
    def load(cls, store: Store, session_id: int) -> SessionData:
        session = store.get_session(session_id)
        table = store.frames(session_id)
        poses = store.poses(session_id)
        return cls(
            session=session, reps=store.reps(session_id), clips=store.clips(session_id), folder=store.folder,
            t_s=table.t_s, reliable=table.reliable, values=table.values, idx=table.idx,
            pose_idx=poses.idx if poses is not None else np.zeros(0, np.int64),
            image=poses.image if poses is not None else None, world=poses.world if poses is not None else None,
        )  # fmt: skip

    def rep(self, index: int) -> RepSummary | None:
        return next((s.rep for s in self.reps if s.rep.index == index), None)

    def clip_for(self, rep_id: int) -> StoredClip | None:
        return next((c for c in self.clips if c.rep_id == rep_id), None)

    def clip_path(self, clip: StoredClip) -> Path:
        return self.folder / clip.path

    def flags_at(self, t_s: float) -> tuple[Any, ...]:
        """The flags of the rep that spans ``t_s`` (shown on the replayed overlay)."""
        for s in self.reps:
            if s.rep.t_start_s <= t_s <= s.rep.t_end_s:
                return s.rep.flags
        return ()

    def feet_hidden_at(self, t_s: float) -> frozenset[str]:
        """The feet whose figures are not shown at ``t_s`` (``display.hidden_foot_spans``: around a rep that found
        them hidden)."""
        reps = [s.rep for s in self.reps]
        return frozenset(
            side for side in ("left", "right") if any(a < t_s < b for a, b in display.hidden_foot_spans(reps, side))
        )

    def _shown(self, side: str, name: str) -> np.ndarray | None:
        """Stored column ``name`` of foot ``side`` with its hidden spans blanked (``display.hidden_foot_spans``);
        None where the session has no such column."""
        if name not in self.values:
            return None
        return display.blank_spans(
            self.t_s, self.values[name], display.hidden_foot_spans([s.rep for s in self.reps], side)
        )

    def nearest(self, t_s: float) -> int:
        """Position (in the stored frames) of the frame nearest ``t_s``; -1 when nothing is stored."""
        if len(self.t_s) == 0:
            return -1
        i = int(np.clip(np.searchsorted(self.t_s, t_s), 0, len(self.t_s) - 1))
        if i > 0 and abs(self.t_s[i - 1] - t_s) < abs(self.t_s[i] - t_s):
            i -= 1
        return i

    def result_at(self, t_s: float, bgr: np.ndarray) -> FrameResult:
        """The stored frame nearest ``t_s`` as a FrameResult over ``bgr`` (a clip's frame)."""
        i = self.nearest(t_s)
        if i < 0:
            return FrameResult(0, round(t_s * 1000), bgr, PoseFrame(0, round(t_s * 1000)), None, False)
        return self.stored_result(i, bgr)

    def on_video(self, fps: float) -> VideoFrames:
        """The session's frames on its video file's frames (the file read at ``fps``)."""
        return VideoFrames(self, fps)

    def stored_result(self, i: int, bgr: np.ndarray) -> FrameResult:
        """Stored frame ``i`` (a position in :attr:`idx`) as a FrameResult over ``bgr``."""
        t_s = float(self.t_s[i])
        frame_idx = int(self.idx[i])
        ts = round(float(self.t_s[i]) * 1000)
        pose = PoseFrame(frame_idx, ts)
        j = int(np.searchsorted(self.pose_idx, frame_idx))
        if (
            self.image is not None
            and self.world is not None
            and j < len(self.pose_idx)
            and self.pose_idx[j] == frame_idx
        ):
            pose = PoseFrame(frame_idx, ts, self.image[j], self.world[j], 1)
        row = {k: float(v[i]) for k, v in self.values.items()}
        reliable = bool(self.reliable[i])
        feet = {}
        hidden = self.feet_hidden_at(t_s)
        for side in ("left", "right"):
            deg, low, high = (row.get(f"{side}_foot_picture{k}_deg", math.nan) for k in ("", "_low", "_high"))
            if math.isfinite(deg) and math.isfinite(low) and math.isfinite(high) and side not in hidden:
                feet[side] = (deg, low, high)
        return FrameResult(
            index=frame_idx, timestamp_ms=ts, bgr=bgr, pose=pose, measurement=measurement_from_row(row),
            reliable=reliable, active_flags=self.flags_at(t_s) if reliable else (), feet_picture=feet,
            feet_hidden=hidden,
        )  # fmt: skip

    def has_picture_feet(self) -> bool:
        """The session stored each foot's picture reading (sessions since issue 16, item 6): its columns, even where
        no frame had a reading (turned three-quarter from the camera throughout: then no foot is plotted, rather than
        MediaPipe's 3D feet, which read 17-23 degrees low)."""
        return stores_picture_feet(self.values)

    def series(self, key: str) -> np.ndarray:
        """A curve of :data:`PLOT_SERIES` (or any stored column): knee bends from her standing, feet from the
        picture when stored."""
        nan = np.full(len(self.t_s), math.nan)
        side = key.split("_", 1)[0]
        if key.endswith("_knee_flexion_deg") and key in self.values:
            flex = np.asarray(self.values[key], dtype=np.float64)
            b = self.session.baseline
            standing = float(b.knee_flexion_deg(side)) if b is not None else math.nan
            if not math.isfinite(standing) and np.isfinite(flex).any():
                standing = float(np.nanpercentile(flex, STRAIGHTEST_PERCENTILE))
            return flex - standing if math.isfinite(standing) else nan
        if key.endswith("_foot_turnout_deg") and self.has_picture_feet():
            shown = self._shown(side, f"{side}_foot_picture_deg")
            return nan if shown is None else shown
        return self.values.get(key, nan)

    def band(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The 95 % range of a foot's curve (the picture's), None where there is none."""
        side = key.split("_", 1)[0]
        if not (key.endswith("_foot_turnout_deg") and self.has_picture_feet()):
            return None
        low, high = (self._shown(side, f"{side}_foot_picture{k}_deg") for k in ("_low", "_high"))
        return (low, high) if low is not None and high is not None else None


@dataclass(frozen=True, slots=True)
class VideoFrames:
    """A session's stored frames on the frames of the video file it came from: the file's frame ``n`` is the stored
    frame whose index is ``n`` (the analysis and Live both number a file's frames as they read them, from 0). Frames
    the session does not hold (before and after a recording made in Live while the file played, or one dropped) show
    without an overlay; their times go on from the nearest stored frame at the file's frame rate ``fps``."""

    data: SessionData
    fps: float

    def position(self, frame: int) -> int:
        """Where the file's frame ``frame`` is among the stored frames; -1 when the session does not hold it."""
        idx = self.data.idx
        j = int(np.searchsorted(idx, frame))
        return j if j < len(idx) and int(idx[j]) == frame else -1

    def _near_frame(self, frame: int) -> int:
        idx = self.data.idx
        j = int(np.clip(np.searchsorted(idx, frame), 0, len(idx) - 1))
        if j > 0 and abs(int(idx[j - 1]) - frame) < abs(int(idx[j]) - frame):
            j -= 1
        return j

    def time_of(self, frame: int) -> float:
        """Session seconds of the file's frame ``frame`` (the reps' and the plot's time axis)."""
        if len(self.data.idx) == 0:
            return frame / self.fps
        j = self._near_frame(frame)
        return float(self.data.t_s[j]) + (frame - int(self.data.idx[j])) / self.fps

    def frame_of(self, t_s: float) -> int:
        """The file's frame shown at session time ``t_s`` (the stored frame nearest it, within what was stored)."""
        i = self.data.nearest(t_s)
        if i < 0:
            return int(round(t_s * self.fps))
        return int(self.data.idx[i]) + int(round((t_s - float(self.data.t_s[i])) * self.fps))

    def result(self, frame: int, bgr: np.ndarray) -> FrameResult | None:
        """The file's frame ``frame`` (its picture ``bgr``) with what was stored for it; None when the session does
        not hold that frame."""
        i = self.position(frame)
        return None if i < 0 else self.data.stored_result(i, bgr)

    def span(self) -> tuple[int, int] | None:
        """The first and last of the file's frames the session holds (None: no frame stored)."""
        idx = self.data.idx
        return (int(idx[0]), int(idx[-1])) if len(idx) else None
