"""Her own hip turnout: a robust estimate over demi-pliés, kept per dancer across sessions."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from test_practice import Synth
from turnout.practice.hip import HipTurnout, estimate_hip_turnout
from turnout.settings import HipSettings, Settings
from turnout.storage.store import SessionInfo, SessionRecorder, Store


def test_median_resists_an_outlier_rep() -> None:
    rng = np.random.default_rng(0)
    samples = [(30.0 + rng.normal(0, 1), 26.0 + rng.normal(0, 1)) for _ in range(10)] + [(80.0, -20.0)]
    est = estimate_hip_turnout(samples, HipSettings())
    assert est is not None and est.trusted and est.n_reps == 11
    assert est.left_deg == pytest.approx(30.0, abs=1.0) and est.right_deg == pytest.approx(26.0, abs=1.0)
    assert 0.3 < est.spread_deg < 3.0


def test_trust_needs_enough_reps_and_agreement() -> None:
    hs = HipSettings(min_reps=3, max_spread_deg=8.0)
    few = estimate_hip_turnout([(30.0, 30.0), (31.0, 29.0)], hs)
    assert few is not None and not few.trusted and few.n_reps == 2
    scattered = estimate_hip_turnout([(10.0, 30.0), (30.0, 30.0), (50.0, 30.0), (20.0, 30.0)], hs)
    assert scattered is not None and not scattered.trusted and scattered.spread_deg > 8.0
    one_side = estimate_hip_turnout([(30.0, math.nan)] * 5, hs)
    assert one_side is not None and math.isnan(one_side.right_deg) and not one_side.trusted
    assert estimate_hip_turnout([], hs) is None
    assert estimate_hip_turnout([(math.nan, math.nan)] * 4, hs) is None


def test_only_the_most_recent_reps_count() -> None:
    recent_first = [(40.0, 40.0)] * 5 + [(20.0, 20.0)] * 50
    est = estimate_hip_turnout(recent_first, HipSettings(recent_reps=5))
    assert est is not None and est.left_deg == 40.0 and est.n_reps == 5


def test_dict_round_trip() -> None:
    hip = HipTurnout(31.5, math.nan, 7, 2.25, False)
    back = HipTurnout.from_dict(hip.to_dict())
    assert back.to_dict() == hip.to_dict() and math.isnan(back.right_deg)
    assert hip.side("left") == 31.5
    with pytest.raises(ValueError, match="side must be"):
        hip.side("middle")


def test_session_estimate_uses_demi_pliés_only() -> None:
    """Her knees' direction at the bottom of each demi-plié (from the picture) is a sample; grand pliés are not."""
    s = Synth().stand(3.0)
    for _ in range(3):
        s.plie(60, picture_foot_deg=30.0).stand(1.0)
    s.plie(130, down=3, up=3, picture_foot_deg=60.0).stand(1.0)
    from turnout.practice.tracker import PracticeTracker

    tracker = PracticeTracker(Settings())
    for t, row, ok in zip(s.t, s.rows, s.reliable, strict=True):
        tracker.update(t, row, ok)
    assert len(tracker.reps) == 4 and len(tracker.hip_samples) == 3
    est = tracker.session_hip_estimate()
    demis = [r.left.knee_direction_deg for r in tracker.reps if r.kind == "demi"]
    assert est is not None and est.trusted
    assert est.left_deg == pytest.approx(float(np.median(demis)), abs=0.01)
    assert est.left_deg == pytest.approx(30.0, abs=10.0) and est.right_deg == pytest.approx(30.0, abs=10.0)


def test_profile_kept_per_dancer_across_sessions(tmp_path: Path) -> None:
    settings = Settings()
    with Store.open(tmp_path / "s.sqlite3") as store:
        for knee in (20.0, 24.0):  # two sessions, two reps each
            s = Synth().stand(3.0).plie(60, picture_foot_deg=knee).stand(1.0).plie(60, picture_foot_deg=knee)
            s.stand(1.0)
            sid = store.create_session(SessionInfo(dancer="anna"))
            rec = SessionRecorder(store, sid, background=False)
            for ev in s.run(settings).events:
                rec.handle(ev)
            rec.close()
        anna = store.ensure_dancer("anna")
        est = estimate_hip_turnout(store.hip_samples(anna, settings.hip.recent_reps), settings.hip)
        assert est is not None and est.n_reps == 4 and est.trusted
        assert est.left_deg == pytest.approx(22.0, abs=10.0)  # the picture's knee direction: +-10 degrees
        store.save_hip_profile(anna, est)
    with Store.open(tmp_path / "s.sqlite3") as store:
        assert store.hip_profile(store.ensure_dancer("anna")) == est


def test_geometry_end_to_end_recovers_the_synthetic_hip_turnout() -> None:
    """Optional: the project's synthetic dancer, when present: her knees' direction from the picture gives back
    her hip turnout within the picture's uncertainty (docs/thresholds.md: about 10 degrees)."""
    synth = pytest.importorskip("turnout.testing.synth")
    from test_practice import synth_rows
    from turnout.practice.tracker import analyze_rows

    params = synth.DancerParams(
        hip_turnout_deg=(35.0, 31.0), forced_deg=(0.0, 0.0), heel_gap_m=0.06, mediapipe_points=True
    )  # heels a heel wide
    seq = synth.plie_sequence(stand_s=3.0, repetitions=3, params=params, max_flexion_deg=60.0)
    rows = synth_rows(seq, params.image_size)
    t = (seq.timestamps_ms / 1000.0).tolist()
    result = analyze_rows(t, rows, [True] * len(rows), Settings())
    assert len(result.reps) == 3
    est = estimate_hip_turnout(reversed(result.hip_samples), Settings().hip)
    assert est is not None and est.trusted
    assert est.left_deg == pytest.approx(35.0, abs=10.0) and est.right_deg == pytest.approx(31.0, abs=10.0)
    assert all(not {f.code for f in r.flags} - {"rushed"} for r in result.reps), [r.flags for r in result.reps]
