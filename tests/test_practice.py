"""Reps, holds and flags on synthetic measurement sequences with known reps, holds and faults.

``Synth`` builds per-frame rows of the measurement contract (raw, as the geometry gives them: straight knees
read ~18 degrees). Other test modules import it (``from test_practice import Synth``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pytest

from turnout.measure.measures import flat_names
from turnout.practice.baseline import Baseline
from turnout.practice.hip import HipTurnout
from turnout.practice.tracker import (
    BaselineCaptured,
    HoldEnded,
    HoldStarted,
    LiveFlag,
    PracticeTracker,
    RepDiscarded,
    RepEnded,
    RepPhase,
    RepStarted,
    analyze_rows,
)
from turnout.settings import Settings

STANDING_FLEX = 18.0  # what MediaPipe reads for straight knees
HEEL = 0.03


@dataclass
class Fault:
    """Per-rep fault sizes at the bottom of the plié (0 = clean)."""

    knees_in_m: float = 0.0
    rolling_deg: float = 0.0
    heel_lift_m: float = 0.0
    pelvis_m: float = 0.0
    torso_deg: float = 0.0
    foot_deg: float = 25.0  # standing foot turnout, each foot
    knee_deg: float = 25.0  # knee turnout near the bottom, each knee
    sides: tuple[str, ...] = ("left", "right")


@dataclass
class Synth:
    fps: float = 30.0
    seed: int = 0
    noise: float = 0.4
    t: list[float] = field(default_factory=list)
    rows: list[dict[str, float]] = field(default_factory=list)
    reliable: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)

    @property
    def now(self) -> float:
        return len(self.t) / self.fps

    def _frame(self, flex: tuple[float, float], f: float, fault: Fault, ok: bool = True) -> None:
        n = self.noise
        row = dict.fromkeys(flat_names(), math.nan)
        if ok:
            for i, side in enumerate(("left", "right")):
                hit = side in fault.sides
                row[f"{side}_knee_flexion_deg"] = STANDING_FLEX + flex[i] + self.rng.normal(0, n)
                foot = fault.foot_deg + (fault.rolling_deg * f if hit else 0.0) + self.rng.normal(0, n)
                row[f"{side}_foot_turnout_deg"] = foot
                knee = fault.knee_deg + self.rng.normal(0, n) if flex[i] > 10 else math.nan
                row[f"{side}_knee_turnout_deg"] = knee
                row[f"{side}_forced_turnout_deg"] = foot - knee
                row[f"{side}_knee_over_toe_offset_m"] = (fault.knees_in_m if hit else 0.0) * f + self.rng.normal(
                    0, 0.003
                )
                lift = (fault.heel_lift_m if hit else 0.0) * f * f
                row[f"{side}_heel_height_m"] = HEEL + lift + self.rng.normal(0, 0.002)
            row["total_foot_turnout_deg"] = row["left_foot_turnout_deg"] + row["right_foot_turnout_deg"]
            row["pelvis_level_m"] = fault.pelvis_m * f + self.rng.normal(0, 0.002)
            row["torso_lean_deg"] = abs(2.0 + fault.torso_deg * f + self.rng.normal(0, n))
            row["weight_shift_m"] = self.rng.normal(0, 0.002)
        self.t.append(self.now)
        self.rows.append(row)
        self.reliable.append(ok)

    def stand(self, secs: float, fault: Fault | None = None) -> Synth:
        for _ in range(round(secs * self.fps)):
            self._frame((0.0, 0.0), 0.0, fault or Fault())
        return self

    def plie(self, depth: float, down: float = 2.0, bottom: float = 0.3, up: float = 2.0, **faults: float) -> Synth:
        fault = Fault(**faults)  # type: ignore[arg-type]
        for secs, shape in ((down, "down"), (bottom, "hold"), (up, "up")):
            n = round(secs * self.fps)
            for i in range(n):
                x = (i + 1) / n
                f = {"down": 0.5 - 0.5 * math.cos(math.pi * x), "hold": 1.0, "up": 0.5 + 0.5 * math.cos(math.pi * x)}
                ff = f[shape]
                self._frame((depth * ff, depth * ff), ff, fault)
        return self

    def walk(self, secs: float) -> Synth:
        for _ in range(round(secs * self.fps)):
            phase = 2 * math.pi * self.now / 1.1
            left = 45.0 * max(0.0, math.sin(phase))
            right = 45.0 * max(0.0, -math.sin(phase))
            self._frame((left, right), 0.0, Fault(foot_deg=8.0))
        return self

    def gap(self, secs: float) -> Synth:
        for _ in range(round(secs * self.fps)):
            self._frame((0.0, 0.0), 0.0, Fault(), ok=False)
        return self

    def run(self, settings: Settings | None = None, **kw: object):  # type: ignore[no-untyped-def]
        return analyze_rows(self.t, self.rows, self.reliable, settings or Settings(), **kw)  # type: ignore[arg-type]


def codes(rep) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in rep.flags}


# ---- baseline and rep counting ---------------------------------------------------------------------------


def test_baseline_captured_then_standing_reads_near_zero() -> None:
    s = Synth().stand(3.0).plie(60).stand(2.0)
    res = s.run()
    base = res.baseline
    assert base is not None and base.method == "auto"
    assert abs(base.left_knee_flexion_deg - STANDING_FLEX) < 0.5
    assert abs(base.right_foot_turnout_deg - 25.0) < 0.5
    assert 1.9 <= base.t_end_s - base.t_start_s <= 2.1
    captured = [e for e in res.events if isinstance(e, BaselineCaptured)]
    assert len(captured) == 1 and captured[0].t_s == pytest.approx(2.0, abs=0.1)


def test_counts_clean_demi_pliés_with_phases_and_no_flags() -> None:
    s = Synth().stand(3.0)
    for _ in range(3):
        s.plie(60, down=2.0, bottom=0.3, up=2.0).stand(1.0)
    res = s.run()
    assert len(res.reps) == 3
    for i, rep in enumerate(res.reps, start=1):
        assert rep.index == i and rep.kind == "demi"
        assert rep.depth_deg == pytest.approx(60, abs=2)
        assert rep.left.max_flexion_deg == pytest.approx(60, abs=2)
        # measured from where the descent began to 90% of the depth: ~1.4 s of a 2 s cosine descent
        assert 1.2 < rep.descent_s < 1.7 and 1.2 < rep.ascent_s < 1.7
        assert rep.left.knee_turnout_bottom_deg == pytest.approx(25, abs=1)
        assert abs(rep.left.foot_turnout_change_deg) < 1.0
        assert abs(rep.asymmetry()["flexion_deg"]) < 2.0
        assert rep.flags == ()
    phases = [e.phase for e in res.events if isinstance(e, RepPhase) and e.index == 1]
    assert phases == ["descent", "bottom", "ascent"]
    kinds = [type(e) for e in res.events if isinstance(e, RepStarted | RepEnded)]
    assert kinds == [RepStarted, RepEnded] * 3


def test_grand_plié_classified_and_its_heel_lift_allowed() -> None:
    res = Synth().stand(3.0).plie(130, down=3.0, up=3.0, heel_lift_m=0.06).stand(1.0).run()
    (rep,) = res.reps
    assert rep.kind == "grand" and rep.depth_deg == pytest.approx(130, abs=2)
    assert rep.left.heel_lift_max_m > 0.05
    assert "heels_lift" not in codes(rep)
    assert not any(isinstance(e, LiveFlag) for e in res.events)


def test_ignores_partial_movements_walking_and_unreliable_frames() -> None:
    s = Synth().stand(3.0).plie(22).stand(1.0).walk(6.0).stand(1.0)
    s.gap(2.0).stand(1.0)
    res = s.run()
    assert res.reps == []
    discarded = [e for e in res.events if isinstance(e, RepDiscarded)]
    assert len(discarded) == 1 and "partial" in discarded[0].reason


def test_rep_interrupted_by_long_gap_is_discarded_short_gap_kept() -> None:
    s = Synth().stand(3.0).plie(60, down=1.5, bottom=0.0, up=0.0).gap(1.0).plie(60, down=0.0, up=1.5).stand(1.0)
    s.plie(60, down=1.5, bottom=0.0, up=0.0).gap(0.2).plie(60, down=0.0, up=1.5).stand(1.0)
    res = s.run()
    discarded = [e for e in res.events if isinstance(e, RepDiscarded)]
    assert len(discarded) == 1 and "pose lost" in discarded[0].reason
    assert len(res.reps) == 1 and res.reps[0].t_start_s > 8.0


def test_no_reps_before_a_baseline_and_stored_baseline_used_at_once() -> None:
    s = Synth().plie(60).stand(0.5)
    assert s.run().reps == []
    base = Baseline(STANDING_FLEX, STANDING_FLEX, 25.0, 25.0, HEEL, HEEL, method="stored")
    res = s.run(baseline=base)
    assert len(res.reps) == 1 and res.reps[0].depth_deg == pytest.approx(60, abs=2)


# ---- flags: each fires when it should, and not otherwise ---------------------------------------------------

FAULTS = [
    ("knees_inside_toes", {"knees_in_m": 0.05}, "warn"),
    ("knees_inside_toes", {"knees_in_m": 0.08}, "bad"),
    ("forced_turnout", {"foot_deg": 35.0, "knee_deg": 25.0}, "warn"),
    ("forced_turnout", {"foot_deg": 40.0, "knee_deg": 25.0}, "bad"),
    ("heels_lift", {"heel_lift_m": 0.03}, "warn"),
    ("feet_rolling_in", {"rolling_deg": 7.0}, "warn"),
    ("torso_tilt", {"torso_deg": 10.0}, "warn"),
    ("pelvis_tilt", {"pelvis_m": 0.06}, "bad"),
]


@pytest.mark.parametrize(("code", "fault", "severity"), FAULTS)
def test_each_flag_fires_alone_with_reason_and_cue(code: str, fault: dict[str, float], severity: str) -> None:
    res = Synth(seed=1).stand(3.0).plie(60, **fault).stand(1.0).run()
    (rep,) = res.reps
    assert codes(rep) == {code}
    (flag,) = rep.flags
    assert flag.severity == severity
    assert flag.cue and flag.reason and any(ch.isdigit() for ch in flag.reason)
    assert flag.side in ("both", None, "left")


@pytest.mark.parametrize(("code", "fault", "severity"), FAULTS)
def test_flags_stay_quiet_just_under_the_limit(code: str, fault: dict[str, float], severity: str) -> None:
    below = {
        "knees_in_m": 0.02,
        "heel_lift_m": 0.012,
        "rolling_deg": 3.0,
        "torso_deg": 4.0,
        "pelvis_m": 0.015,
        "foot_deg": 31.0,
    }
    quiet = {k: below[k] for k in fault if k in below}
    res = Synth(seed=2).stand(3.0).plie(60, **quiet).stand(1.0).run()
    assert res.reps[0].flags == ()


def test_one_sided_fault_names_the_side() -> None:
    s = Synth().stand(3.0)
    s.plie(60, knees_in_m=0.05, sides=("right",))  # type: ignore[arg-type]
    (rep,) = s.stand(1.0).run().reps
    (flag,) = rep.flags
    assert flag.code == "knees_inside_toes" and flag.side == "right"
    assert flag.value == pytest.approx(0.05, abs=0.006)
    assert "right" in flag.reason and "left" not in flag.reason


def test_rushed_rep_flagged_slow_rep_not() -> None:
    res = Synth().stand(3.0).plie(60, down=0.5, bottom=0.1, up=1.5).stand(1.0).plie(60).stand(1.0).run()
    rushed, slow = res.reps
    (flag,) = rushed.flags
    assert flag.code == "rushed" and flag.severity == "bad" and "descent" in flag.reason
    assert slow.flags == ()


def test_forced_turnout_against_her_hip_profile() -> None:
    hip = HipTurnout(20.0, 20.0, n_reps=10, spread_deg=2.0, trusted=True)
    # knees reach 25 in this rep, but her profile says 20: 30 - 20 = 10 beyond -> warn
    res = Synth().stand(3.0).plie(60, foot_deg=30.0).stand(1.0).run(hip=hip)
    (flag,) = res.reps[0].flags
    assert flag.code == "forced_turnout" and flag.severity == "warn" and flag.side == "both"
    assert flag.value == pytest.approx(10.0, abs=1.0)
    assert "10 demi-pliés" in flag.reason
    untrusted = replace(hip, trusted=False)
    assert Synth().stand(3.0).plie(60, foot_deg=30.0).stand(1.0).run(hip=untrusted).reps[0].flags == ()


def test_live_flag_fires_once_mid_rep_before_the_rep_ends() -> None:
    res = Synth().stand(3.0).plie(60, down=2.0, knees_in_m=0.06, torso_deg=12.0).stand(1.0).run()
    live = [e for e in res.events if isinstance(e, LiveFlag)]
    ended = next(e for e in res.events if isinstance(e, RepEnded))
    assert sorted(e.flag.code for e in live) == ["knees_inside_toes", "torso_tilt"]
    assert all(e.t_s < ended.t_s - 1.0 for e in live)


def test_settings_change_what_is_flagged() -> None:
    s = Synth().stand(3.0).plie(60, torso_deg=10.0).stand(1.0)
    assert codes(s.run().reps[0]) == {"torso_tilt"}
    lenient = Settings()
    lenient = replace(
        lenient, flags=replace(lenient.flags, torso_tilt=replace(lenient.flags.torso_tilt, warn=20.0, bad=30.0))
    )
    assert s.run(lenient).reps[0].flags == ()


def test_single_frame_glitch_does_not_flag() -> None:
    s = Synth().stand(3.0).plie(60).stand(1.0)
    mid = len(s.t) - 60
    s.rows[mid]["torso_lean_deg"] = 40.0
    s.rows[mid]["left_knee_over_toe_offset_m"] = 0.2
    assert s.run().reps[0].flags == ()


# ---- holds -----------------------------------------------------------------------------------------------


def test_hold_detected_with_duration_turnout_and_stability() -> None:
    s = Synth().stand(10.0).plie(60).stand(0.5)
    res = s.run()
    (hold,) = res.holds
    assert hold.t_start_s == pytest.approx(0.0, abs=0.1)
    assert hold.duration_s == pytest.approx(10.0, abs=0.3)
    assert hold.total_foot_turnout_mean_deg == pytest.approx(50.0, abs=0.5)
    assert 25.0 < hold.left_foot_turnout_worst_deg < 27.0
    assert hold.turnout_sd_deg < 1.0 and hold.flags == ()
    started = [e for e in res.events if isinstance(e, HoldStarted)]
    ended = [e for e in res.events if isinstance(e, HoldEnded)]
    assert len(started) == 1 and len(ended) == 1
    rep_start = next(e for e in res.events if isinstance(e, RepStarted))
    assert res.events.index(ended[0]) < res.events.index(rep_start)


def test_parallel_feet_or_short_stillness_is_not_a_hold() -> None:
    s = Synth().stand(2.0).plie(60).stand(5.0, Fault(foot_deg=8.0))
    res = s.run()
    assert len(res.reps) == 1
    assert res.holds == []  # 2 s of first position is too short; 5 s of parallel feet is not first position
    assert len(Synth().stand(2.0).plie(60).stand(5.0).run().holds) == 1


def test_hold_flags_forced_turnout_against_trusted_profile() -> None:
    hip = HipTurnout(18.0, 18.0, n_reps=8, spread_deg=2.0, trusted=True)
    res = Synth().stand(6.0, Fault(foot_deg=35.0)).run(hip=hip)
    (hold,) = res.holds
    assert [f.code for f in hold.flags] == ["forced_turnout"]
    assert hold.flags[0].severity == "bad"


def test_tracker_streaming_equals_offline_and_explicit_baseline() -> None:
    s = Synth().stand(3.0).plie(60).stand(1.0)
    settings = replace(Settings(), baseline=replace(Settings().baseline, auto=False))
    tracker = PracticeTracker(settings)
    events = []
    for i, (t, row, ok) in enumerate(zip(s.t, s.rows, s.reliable, strict=True)):
        if i == 15:
            tracker.request_baseline()
        events += tracker.update(t, row, ok)
    base = tracker.baseline
    assert base is not None and base.method == "explicit" and base.t_start_s == pytest.approx(0.5, abs=0.05)
    assert len(tracker.reps) == 1


@pytest.mark.parametrize(("forced", "expected"), [(0.0, set()), (15.0, {"knees_inside_toes", "forced_turnout"})])
def test_geometry_end_to_end_on_noisy_synthetic_dancer(forced: float, expected: set[str]) -> None:
    """Optional: the project's synthetic dancer and geometry (1 cm landmark noise) through the tracker."""
    synth = pytest.importorskip("turnout.testing.synth")
    geometry = pytest.importorskip("turnout.measure.geometry")
    params = synth.DancerParams(hip_turnout_deg=(35.0, 31.0), forced_deg=(forced, forced))
    seq = synth.plie_sequence(stand_s=3.0, repetitions=3, params=params, noise_m=0.01, end_stand_s=4.0)
    series = geometry.measure_series(seq.world, seq.image, seq.visibility)
    names = list(series)
    rows = [dict(zip(names, (float(series[n][i]) for n in names), strict=True)) for i in range(len(seq.world))]
    res = analyze_rows((seq.timestamps_ms / 1000.0).tolist(), rows, [True] * len(rows), Settings())
    assert res.baseline is not None and len(res.reps) == 3
    for rep in res.reps:
        assert rep.kind == "demi" and rep.depth_deg == pytest.approx(60.0, abs=4.0)
        assert codes(rep) == expected
        assert all(f.severity == "bad" for f in rep.flags)


def test_stream_ending_mid_rep_discards_it_but_not_once_back_up() -> None:
    s = Synth(noise=0.0).stand(3.0).plie(60, down=2.0, up=2.0)
    flex = [r["left_knee_flexion_deg"] - STANDING_FLEX for r in s.rows]
    bottom = int(np.argmax(flex))
    back_up = next(i for i in range(bottom, len(flex)) if flex[i] < 6.0)  # below the end threshold, not settled
    for cut, reps in ((bottom, 0), (back_up + 1, 1)):
        res = analyze_rows(s.t[:cut], s.rows[:cut], s.reliable[:cut], Settings())
        assert len(res.reps) == reps
    discarded = analyze_rows(s.t[:bottom], s.rows[:bottom], s.reliable[:bottom], Settings()).events[-1]
    assert isinstance(discarded, RepDiscarded) and discarded.reason == "the recording ended mid-rep"


@pytest.mark.e2e
def test_real_demi_plié_is_counted_with_default_thresholds(analysed) -> None:  # type: ignore[no-untyped-def]
    """ballet_plie.mp4: after the title card she stands ~2.6 s in first position, then one demi-plié, deepest
    near frame 118 (4.7 s at 25 fps). The default baseline stillness must cope with MediaPipe's drift there."""
    geometry = pytest.importorskip("turnout.measure.geometry")
    track = analysed("commons/ballet_plie.mp4").track
    image = track.image.astype(np.float64)
    series = geometry.measure_series(track.world.astype(np.float64), image[:, :, :3], image[:, :, 3])
    names = list(series)
    rows = [{n: float(series[n][i]) for n in names} for i in range(len(track))]
    res = analyze_rows((track.timestamp_ms / 1000.0).tolist(), rows, track.detected.tolist(), Settings())
    assert res.baseline is not None and 1.5 < res.baseline.t_start_s < 2.5
    assert 13.0 < res.baseline.left_knee_flexion_deg < 23.0  # what MediaPipe reads for straight knees
    (rep,) = res.reps
    assert rep.kind == "demi" and 40.0 < rep.depth_deg < 70.0
    assert 100 / 25 < rep.t_bottom_start_s < 118 / 25 < rep.t_bottom_end_s < 135 / 25
    assert {f.code for f in rep.flags} >= {"rushed"}  # a demonstration plié, down and up in about a second


def test_a_stream_that_starts_again_from_an_earlier_time_goes_on_counting() -> None:
    """The same plié fed twice with its times starting again at 0 (a video played again on one pipeline):
    the first pass's rep is kept, the second is counted as a new one, and nothing raises."""
    s = Synth().stand(3.0).plie(60).stand(1.5)
    tracker = PracticeTracker(Settings())
    events = []
    for _ in range(2):
        for t, row, ok in zip(s.t, s.rows, s.reliable, strict=True):
            events += tracker.update(t, row, ok)
    events += tracker.finish()
    assert len(tracker.reps) == 2
    assert [type(e).__name__ for e in events].count("RepEnded") == 2
    assert tracker.reps[1].t_start_s < tracker.reps[0].t_end_s  # the second pass's times, not shifted
