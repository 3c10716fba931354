"""The profile view: her posture from the side, and holds timed side-on (issue 17, item 4; docs/measurements.md,
"From the side"; the constants and what they were checked on: docs/thresholds.md, "Profile view").

Fed the per-frame rows (``FrameMeasurement.as_row()``: the ``profile_*`` fields of ``turnout.measure.image``, which
are measured on side-on frames only). From the side the picture shows her torso's line and where her ear, shoulder,
hip and knee points stand over her ankles (the plumb line); turnout is not judged from the side. Nor is her pelvis
(tucked, neutral, arched): the one reading the points allow (:func:`pelvis_tilt_deg`, from where MediaPipe puts its one
hip point) read the studio's ten profile scenes within 7 degrees but other bodies and views up to 46 degrees off
(:data:`PELVIS_ERR_DEG`), more than the tilts it would tell apart; the window says so (:data:`PELVIS_NOT_JUDGED`).

Qt-free; one instance per session, fed in time order.
"""

from __future__ import annotations

import math
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Final

import numpy as np

from turnout.measure.image import SIDE
from turnout.pose.guidance import FACE_CAMERA, FEET_IN_VIEW

#: Said whenever she is side-on.
NOT_JUDGED: Final = "turnout is not judged from the side: face the camera for turnout"
#: The figures are the medians of her side-on frames over this last stretch (a frame's points jitter by about 1 % of
#: a leg).
WINDOW_S: Final = 0.5
#: Her standing size from the side (the hip point above the ankle point, pixels) is this quantile of the last
#: :data:`SIZE_WINDOW_S` seconds of side-on frames: standing is the tallest she is.
SIZE_QUANTILE: Final = 0.9
SIZE_WINDOW_S: Final = 10.0
#: Fewer side-on frames than this in the window: no figures.
MIN_FRAMES: Final = 3
#: Her torso's line is the hip point -> shoulder point against the vertical (forward positive) less this: from the
#: side MediaPipe puts its hip point 4 % of a leg ahead of the hip joint (3-4 cm), so the points' line leans 4 degrees
#: further back than the joints' (studio, ten profile scenes, four bodies, both sides: bias -4.0; each side's within
#: 0.1 of it).
TORSO_POINTS_DEG: Final = -4.0
#: The torso's line's stated error: its 95th percentile against the joints' line per frame was 1.43 over the ten
#: scenes (1.63 on the worst), and 2.95 over the frames she stands still in 16 side-on renders outside them (the
#: first 16 of scripts/side_on_study.py; a man's read 2-3 degrees forward): 3 since session 15 (2 before).
TORSO_P95_DEG: Final = 3.0
#: The plumb line: each joint's forward offset from the ankle, in legs (her standing hip height above the ankle), is
#: its point's offset from the ankle point less where MediaPipe puts that point from the side: the hip point 4 % of a
#: leg ahead of the hip joint, the knee point 2 % ahead of the knee joint (the kneecap), the shoulder point on the
#: shoulder joint (studio, the first six profile scenes, standing; after it each camera side's bias within 0.01).
POINT_AHEAD_LEGS: Final = {"shoulder": 0.0, "hip": 0.04, "knee": 0.02}
#: The plumb line's error end to end: the 95th percentile of the absolute error against the true joints per standing
#: frame, the worst of the three points: 0.017 on the ten scenes (scripts/profile_study.py), 0.034 (the hip; a man's
#: hip point stands 0.03 further ahead) over the frames she stands still in 16 side-on renders outside them (the
#: first 16 of scripts/side_on_study.py): 0.035 since session 15 (0.02 before), shown as "±4" % of a leg.
PLUMB_P95_LEGS: Final = 0.035
#: The pelvis from the side. MediaPipe gives one point for the hip; on the studio that point follows the front of her
#: pelvis: with the hip joints still, an arched pelvis (anterior tilt) moves it forward and a tucked one back, about
#: 1 % of a leg for 12-15 degrees, so the thigh's line in the picture (knee point -> hip point) turns by
#: :data:`THIGH_PER_TILT` degrees per degree of tilt from :data:`THIGH_NEUTRAL_DEG` (legs straight; fitted on the
#: ten profile scenes, four bodies, scripts/profile_study.py --fit). Her tilt is read back from it
#: (:func:`pelvis_tilt_deg`): with each body left out of the fit its error's 95th percentile was 8.1 over 2 s windows
#: of those scenes, and until session 15 the window said "tucked" or "arched" beyond 9 degrees. On 20 side-on renders
#: outside them (scripts/side_on_study.py: other bodies, a man, leggings, trousers, bare legs, cameras 0.7-1.3 m up
#: and 80-95 degrees to her side, first, second, fifth and parallel; the pelvis level in all), over the frames she
#: stands still, it read -29 to +46 degrees (median 12 off; 13 of the 20 beyond 9, the man "arched" 33-46 in all four
#: of his views): the thigh's line against the picture's vertical changes with the body, the legs' position and the
#: view by more than a 15-degree tilt turns it (1.4 degrees). :data:`PELVIS_ERR_DEG`, the 95th percentile over all 30
#: side-on scenes (36), is more than twice the tilts it would tell apart: the pelvis is not judged.
THIGH_NEUTRAL_DEG: Final = 2.92
THIGH_PER_TILT: Final = 0.094
PELVIS_ERR_DEG: Final = 36.0
PELVIS_NOT_JUDGED: Final = "pelvis not judged from the side"
#: Legs straight enough for the pelvis reading: the thigh's and the shank's lines in the picture within this.
STRAIGHT_LEGS_DEG: Final = 8.0
#: Holds from the side: the shortest stillness reported (as the front's ``holds.min_duration_s``), how far each
#: point may wander from where the hold began (legs; as the front's ``holds.still``), the longest gap in side-on
#: frames bridged, and the movement that marks when a breaking move began (legs: above the points' jitter).
HOLD_MIN_S: Final = 3.0
HOLD_STILL_LEGS: Final = 0.04
HOLD_MAX_GAP_S: Final = 0.5
HOLD_ONSET_LEGS: Final = 0.01
#: Where a hold began is the median of its first this many seconds (a single frame's points jitter, and the pose
#: model's first frames settle: on the studio the hip point rose 4 % of a leg over the first 0.3 s).
HOLD_ANCHOR_S: Final = 0.5
#: A hold keeps its frames of this last stretch (its figures are her posture over it; a long hold grows no further).
HOLD_KEEP_S: Final = 30.0
_HOLD_POINTS: Final = ("shoulder", "hip", "knee")
_PLUMB: Final = ("shoulder", "hip", "knee")
#: What a frame keeps of its row (the rows carry every measurement; the profile needs these).
_KEEP: Final = ("facing_code", "profile_facing", "profile_ear_fwd_px", "profile_shoulder_fwd_px", "profile_hip_fwd_px",
                "profile_knee_fwd_px", "profile_hip_up_px", "profile_torso_deg", "profile_neck_deg",
                "profile_thigh_deg", "profile_shank_deg")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Profile:
    """Her posture from the side over some frames (medians)."""

    facing: str  # "right" or "left": the picture's side she faces
    torso_deg: float  # hip -> shoulder against the vertical, forward positive
    neck_deg: float  # shoulder -> ear against the vertical, forward positive
    #: each joint's forward offset from her ankles, in legs (her standing hip height above the ankle); the ear's is
    #: its point's (no true ear was checked)
    ear_legs: float
    shoulder_legs: float
    hip_legs: float
    knee_legs: float
    n_frames: int
    #: her pelvis is not judged from the side (:data:`PELVIS_ERR_DEG`): always None, ``pelvis_note`` says so (kept so
    #: that what was stored or exported before still reads)
    pelvis: str | None = None
    pelvis_note: str = PELVIS_NOT_JUDGED
    torso_band_deg: float = TORSO_P95_DEG
    plumb_band_legs: float = PLUMB_P95_LEGS

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def lines(self) -> tuple[str, str]:
        """What the window says, in two short lines (each figure with its 95 % error): the torso and the pelvis; the
        plumb line."""
        band = f"±{self.torso_band_deg:.0f}°"
        if not math.isfinite(self.torso_deg):
            torso = "Torso –"
        elif abs(self.torso_deg) < self.torso_band_deg:
            torso = f"Torso upright ({band})"
        else:
            torso = f"Torso {abs(self.torso_deg):.0f}° {'forward' if self.torso_deg > 0 else 'back'} ({band})"
        plumb = f"Over the ankles (% of a leg, ±{100 * self.plumb_band_legs:.0f}): " + ", ".join(
            f"{name} {_percent(getattr(self, f'{name}_legs'))}" for name in _PLUMB
        )
        return (f"{torso} · {self.pelvis_note}", plumb)


@dataclass(frozen=True, slots=True)
class ProfileHold:
    """A stillness held side-on."""

    index: int
    t_start_s: float
    t_end_s: float
    ended: str  # why it ended ("moved", "turned from the side", "end of the video", "lost sight of her")
    profile: Profile | None

    @property
    def duration_s(self) -> float:
        return self.t_end_s - self.t_start_s


def _percent(legs: float) -> str:
    return f"{round(100 * legs):+d}" if math.isfinite(legs) else "–"


def torso_deg(row: Mapping[str, float]) -> float:
    """Her torso's line in one row: the points' line less :data:`TORSO_POINTS_DEG` (forward positive)."""
    return row.get("profile_torso_deg", math.nan) - TORSO_POINTS_DEG


def side_on(row: Mapping[str, float]) -> bool:
    return row.get("facing_code") == SIDE and math.isfinite(row.get("profile_facing", math.nan))


def _med(values: Sequence[float]) -> float:
    """The median of the finite values (``nan`` without any); plain Python: numpy's costs 0.1 ms a call on a few
    dozen values, and a side-on frame takes a dozen."""
    return _quantile(values, 0.5)


def pelvis_tilt_deg(
    rows: Sequence[Mapping[str, float]], neutral_deg: float = THIGH_NEUTRAL_DEG, per_tilt: float = THIGH_PER_TILT
) -> float:
    """Her pelvis's tilt read from side-on rows with straight legs (arched positive; ``nan`` with fewer than
    :data:`MIN_FRAMES` of them): the thigh line's median against its neutral (:data:`THIGH_NEUTRAL_DEG`). A study's
    measure (scripts/profile_study.py, scripts/side_on_study.py), not shown: its error is :data:`PELVIS_ERR_DEG`."""
    thigh = [r.get("profile_thigh_deg", math.nan) for r in rows if straight_legs(r)]
    if sum(math.isfinite(v) for v in thigh) < MIN_FRAMES:
        return math.nan
    return (_med(thigh) - neutral_deg) / per_tilt


def straight_legs(row: Mapping[str, float]) -> bool:
    return abs(row.get("profile_thigh_deg", math.nan) - row.get("profile_shank_deg", math.nan)) <= STRAIGHT_LEGS_DEG


def read_profile(rows: Sequence[Mapping[str, float]], size_px: float | None = None) -> Profile | None:
    """Her posture over the side-on rows given (medians), ``None`` with fewer than :data:`MIN_FRAMES`. ``size_px``:
    her standing hip height above the ankle in pixels (default: the :data:`SIZE_QUANTILE` of these rows)."""
    side = [r for r in rows if side_on(r)]
    if len(side) < MIN_FRAMES:
        return None
    size = size_px if size_px is not None else _quantile([r.get("profile_hip_up_px", math.nan) for r in side])
    if not (math.isfinite(size) and size > 0):
        return None
    facing = _med([r["profile_facing"] for r in side])

    def legs(name: str) -> float:
        return _med([r.get(f"profile_{name}_fwd_px", math.nan) for r in side]) / size - POINT_AHEAD_LEGS.get(name, 0.0)

    return Profile(
        facing="right" if facing > 0 else "left",
        torso_deg=_med([torso_deg(r) for r in side]),
        neck_deg=_med([r.get("profile_neck_deg", math.nan) for r in side]),
        ear_legs=legs("ear"), shoulder_legs=legs("shoulder"), hip_legs=legs("hip"), knee_legs=legs("knee"),
        n_frames=len(side),
    )  # fmt: skip


def _quantile(values: Sequence[float], q: float = SIZE_QUANTILE) -> float:
    """numpy's default (linear) quantile of the finite values, ``nan`` without any."""
    a = sorted(v for v in values if math.isfinite(v))
    if not a:
        return math.nan
    pos = q * (len(a) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(a) - 1)
    return float(a[lo] + (a[hi] - a[lo]) * (pos - lo))


@dataclass(slots=True)
class _Frame:
    t: float
    row: Mapping[str, float]

    def point(self, name: str) -> tuple[float, float]:
        """A point's place (forward of the ankle, height above it; pixels)."""
        up = self.row.get("profile_hip_up_px", math.nan) if name == "hip" else math.nan
        return (self.row.get(f"profile_{name}_fwd_px", math.nan), up)


@dataclass(slots=True)
class ProfileTracker:
    """Side-on frames in, the latest :class:`Profile` and holds out (one per session, in time order)."""

    holds: list[ProfileHold] = field(default_factory=list)
    _recent: deque[_Frame] = field(default_factory=deque)
    _sizes: deque[tuple[float, float]] = field(default_factory=deque)
    #: the hold in progress: its start, and its frames of the last :data:`HOLD_KEEP_S` (a long hold keeps no more)
    _hold: deque[_Frame] = field(default_factory=deque)
    _hold_t0: float = math.nan
    _anchor: dict[str, tuple[float, float]] = field(default_factory=dict)
    _last_side_t: float = -math.inf
    _size: float = math.nan
    #: :meth:`current` worked out once per side-on frame (the window asks for it more than once)
    _current: tuple[int, Profile | None] = (-1, None)
    _frames_seen: int = 0

    def update(self, t_s: float, row: Mapping[str, float]) -> list[ProfileHold]:
        """One frame; returns the holds this frame ended (long enough to count)."""
        ended: list[ProfileHold] = []
        if not side_on(row):
            if self._hold and t_s - self._last_side_t > HOLD_MAX_GAP_S:
                ended += self._close("turned from the side")
            return ended
        self._last_side_t = t_s
        self._frames_seen += 1
        fr = _Frame(t_s, {k: row[k] for k in _KEEP if k in row})
        self._recent.append(fr)
        while self._recent and self._recent[0].t <= t_s - WINDOW_S:
            self._recent.popleft()
        up = row.get("profile_hip_up_px", math.nan)
        if math.isfinite(up):
            self._sizes.append((t_s, up))
        while self._sizes and self._sizes[0][0] <= t_s - SIZE_WINDOW_S:
            self._sizes.popleft()
        self._size = _quantile([s for _, s in self._sizes])
        if self._hold and self._hold[-1].t < t_s - HOLD_MAX_GAP_S:
            ended += self._close("lost sight of her")
        if self._hold and self._still(fr):
            self._hold.append(fr)
            while self._hold[0].t <= t_s - HOLD_KEEP_S:
                self._hold.popleft()
            if fr.t - self._hold_t0 <= HOLD_ANCHOR_S:
                self._set_anchor()
            return ended
        if self._hold:
            ended += self._close("moved", fr)
        self._hold, self._hold_t0 = deque([fr]), fr.t
        self._set_anchor()
        return ended

    def _set_anchor(self) -> None:
        """Where the hold began: the median of its points over its first :data:`HOLD_ANCHOR_S`."""
        first = [f for f in self._hold if f.t - self._hold_t0 <= HOLD_ANCHOR_S]
        self._anchor = {}
        for n in _HOLD_POINTS:
            pts = [f.point(n) for f in first]
            self._anchor[n] = (_med([p[0] for p in pts]), _med([p[1] for p in pts]))

    def finish(self) -> list[ProfileHold]:
        """End of the stream: close a hold in progress."""
        return self._close("end of the video") if self._hold else []

    @property
    def hold_s(self) -> float | None:
        """How long the current stillness has lasted, once it counts as a hold."""
        if not self._hold:
            return None
        held = self._hold[-1].t - self._hold_t0
        return held if held >= HOLD_MIN_S else None

    def current(self) -> Profile | None:
        """Her posture over the last :data:`WINDOW_S` of side-on frames."""
        if self._current[0] != self._frames_seen:
            prof = None
            if self._recent:
                prof = read_profile([f.row for f in self._recent], self._size)
            self._current = (self._frames_seen, prof)
        return self._current[1]

    def lines(self) -> tuple[str, ...]:
        """What to say now that she is side-on, in at most three short lines: that turnout is not judged; the hold's
        time, the torso and the pelvis; the plumb line."""
        out = [NOT_JUDGED[0].upper() + NOT_JUDGED[1:]]
        held = self.hold_s
        hold = f"Hold {held:.0f} s · " if held is not None else ""
        prof = self.current()
        if prof is not None:
            first, plumb = prof.lines()
            out += [hold + first, plumb]
        elif hold:
            out.append(hold.removesuffix(" · "))
        return tuple(out)

    def guidance(self, others: tuple[str, ...]) -> tuple[str, ...]:
        """The window's words side-on: :meth:`lines`, then the other guidance less what the side view makes moot ("Face
        the camera"; "Step back until your feet are in view" while her profile's points are seen: from the side the
        far leg is hidden behind the near one)."""
        moot = {FACE_CAMERA, FEET_IN_VIEW} if self.current() is not None else {FACE_CAMERA}
        return (*self.lines(), *(g for g in others if g not in moot))

    # ---- holds -----------------------------------------------------------------------------------------
    def _deviation(self, fr: _Frame) -> float:
        """The furthest any hold point has moved from where the hold began, in legs."""
        size = self._size
        worst = 0.0
        for name, (x0, y0) in self._anchor.items():
            x, y = fr.point(name)
            for a, b in ((x, x0), (y, y0)):
                if math.isfinite(a) and math.isfinite(b):
                    worst = max(worst, abs(a - b) / size)
        return worst if math.isfinite(size) and size > 0 else math.inf

    def _still(self, fr: _Frame) -> bool:
        return self._deviation(fr) <= HOLD_STILL_LEGS

    def _close(self, why: str, breaking: _Frame | None = None) -> list[ProfileHold]:
        frames, t0, self._hold = list(self._hold), self._hold_t0, deque()
        if breaking is not None:  # the hold ended where the breaking move began: above the points' jitter
            while len(frames) > 1 and self._deviation(frames[-1]) > HOLD_ONSET_LEGS:
                frames.pop()
        if not frames or frames[-1].t - t0 < HOLD_MIN_S:
            return []
        period = float(np.median(np.diff([f.t for f in frames]))) if len(frames) > 1 else 0.0
        prof = read_profile([f.row for f in frames], self._size)
        hold = ProfileHold(len(self.holds) + 1, t0, frames[-1].t + period, why, prof)
        self.holds.append(hold)
        return [hold]


def summary(times: Sequence[float], rows: Sequence[Mapping[str, float]]) -> list[str]:
    """What a recording showed side-on, for the command line: how much of it was side-on and that turnout is not
    judged there, each hold timed side-on with her posture over it, and her posture over all her side-on frames."""
    tracker = ProfileTracker()
    for t, r in zip(times, rows, strict=True):
        tracker.update(t, r)
    tracker.finish()
    side = [r for r in rows if side_on(r)]
    if not side:
        return ["never side-on: no profile"]
    out = [f"side-on on {len(side)} of {len(rows)} frames: {NOT_JUDGED}"]
    for h in tracker.holds:
        posture = " · ".join(h.profile.lines()) if h.profile is not None else "no figures"
        out.append(f"hold {h.index} side-on: {h.t_start_s:.1f}-{h.t_end_s:.1f} s ({h.duration_s:.1f} s, {h.ended}): "
                   f"{posture}")  # fmt: skip
    size = _quantile([r.get("profile_hip_up_px", math.nan) for r in side])
    straight = [r for r in side if straight_legs(r)]
    whole = read_profile(straight, size)
    if whole is not None:
        out.append(f"standing side-on ({len(straight)} frames, legs straight): " + " · ".join(whole.lines()))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m turnout.practice.profile FRAMES.csv...``: the profile of each ``turnout analyze`` frames CSV."""
    import argparse
    import csv

    parser = argparse.ArgumentParser(prog="python -m turnout.practice.profile", description=main.__doc__)
    parser.add_argument("csv", nargs="+", help="a frames CSV written by `turnout analyze --out DIR`")
    args = parser.parse_args(argv)
    status = 0
    for path in args.csv:
        try:
            with open(path, newline="") as f:
                reader = csv.reader(f)
                head = next(reader)
                rows = [{k: _number(v) for k, v in reversed(list(zip(head, line, strict=False)))} for line in reader]
        except (OSError, StopIteration) as exc:
            print(f"{path}: cannot read it ({exc or 'empty'})", file=sys.stderr)
            status = 2
            continue
        print(f"{path}:")
        for line in summary([r.get("timestamp_ms", math.nan) / 1000.0 for r in rows], rows):
            print(f"  {line}")
    return status


def _number(text: str) -> float:
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


if __name__ == "__main__":
    sys.exit(main())
