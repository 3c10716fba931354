"""A labelled real plié practised as a set (``scripts/real_sequences.py``): the teacher's plié of ballet_plie spliced
frame for frame into five, after 0.8 s of standing and with 1.5 s of standing between them (issue 16's first
failure: such a dancer lost her first two pliés), through the real pose model and `turnout analyze`, scored against
the clip's own labels (../shared/media/labels.toml) shifted to where each plié now is."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import cv2
import pytest

from conftest import MEDIA, load_script, media_file


def _sequences() -> Any:
    return load_script("real_sequences")


def _plie(rs: Any) -> Any:
    return rs.ExpectedPlie(start_s=104 / 25, bottom_s=120 / 25, end_s=137 / 25, kind="demi",
                           knees={"left": "over", "right": "over"}, flags=frozenset())  # fmt: skip


def test_the_set_is_the_plie_and_the_standing_before_it_in_order() -> None:
    """0.8 s of the standing just before the plié, then the plié (its labelled frames) and 1.5 s of that standing,
    five times; the answers move with each plié, the kind, knees and flags kept, no hold."""
    rs = _sequences()
    frames, starts = rs.plan(25.0, _plie(rs), 5, 0.8, 1.5)
    assert frames[:20] == list(range(84, 104))
    one = list(range(104, 138)) + list(range(66, 104))
    assert frames[20:] == one * 5 and starts == [20 + 72 * k for k in range(5)]
    case = rs.Case("ballet_plie", "shared", Path("x.mp4"), (_plie(rs),), 0, frozenset())
    got = rs.expected(case, 25.0, starts, "set", Path("set.mp4"))
    assert [round(p.start_s * 25) for p in got.plies] == starts
    assert [round(p.bottom_s * 25) for p in got.plies] == [s + 16 for s in starts]
    assert [round(p.end_s * 25) for p in got.plies] == [s + 33 for s in starts]
    assert {(p.kind, tuple(sorted(p.knees.items())), p.flags) for p in got.plies} == {
        ("demi", (("left", "over"), ("right", "over")), frozenset())}  # fmt: skip
    assert got.holds == 0 and got.video == Path("set.mp4")


def test_a_held_stand_is_the_standing_before_the_plie_back_and_forth_ending_at_the_plie() -> None:
    """6 s of standing from the 2 s just before the plié (frames 54-103), back and forth without a jump, its last frame
    the one before the plié; one hold expected (3 s or more), none for a 2-s stand."""
    rs = _sequences()
    frames, starts = rs.plan(25.0, _plie(rs), 1, 0.8, 1.5, hold_s=6.0)
    held = frames[: starts[0]]
    assert len(held) == 150 and held[-1] == 103 and min(held) == 54 and max(held) == 103
    assert all(abs(a - b) <= 1 for a, b in pairwise(held))  # no cut: a still stand played back
    assert frames[starts[0] :] == list(range(104, 138)) + list(range(66, 104))
    case = rs.Case("ballet_plie", "shared", Path("x.mp4"), (_plie(rs),), 0, frozenset())
    assert rs.expected(case, 25.0, starts, "held", Path("h.mp4"), hold_s=6.0).holds == 1
    assert rs.expected(case, 25.0, starts, "held", Path("h.mp4"), hold_s=2.0).holds == 0


def test_a_slowed_plie_shows_each_frame_k_times_and_its_answers_move_with_them() -> None:
    """At half speed the plié's 34 frames are 68, each twice; its start is the start frame's first copy, its bottom
    the middle of the bottom frame's two copies, its end the end frame's last copy; the standing is not slowed."""
    rs = _sequences()
    frames, starts = rs.plan(25.0, _plie(rs), 2, 0.8, 1.5, slow=2)
    one = [k for k in range(104, 138) for _ in range(2)] + list(range(66, 104))
    assert frames[:20] == list(range(84, 104)) and frames[20:] == one * 2 and starts == [20, 20 + 68 + 38]
    case = rs.Case("ballet_plie", "shared", Path("x.mp4"), (_plie(rs),), 0, frozenset())
    got = rs.expected(case, 25.0, starts, "slow", Path("s.mp4"), slow=2)
    assert [p.start_s * 25 for p in got.plies] == pytest.approx(starts)
    assert [p.bottom_s * 25 for p in got.plies] == pytest.approx([s + 32.5 for s in starts])
    assert [p.end_s * 25 for p in got.plies] == pytest.approx([s + 67 for s in starts])
    assert frames[starts[0] + 32] == frames[starts[0] + 33] == 120 and frames[starts[0] + 67] == 137


def test_a_set_longer_than_the_standing_in_the_clip_is_refused() -> None:
    rs = _sequences()
    with pytest.raises(ValueError, match="before its plié"):
        rs.plan(25.0, _plie(rs), 5, 0.8, 5.0)
    with pytest.raises(ValueError, match="at least one"):
        rs.plan(25.0, _plie(rs), 0, 0.8, 1.5)
    with pytest.raises(ValueError, match="slowing of 1 or more"):
        rs.plan(25.0, _plie(rs), 1, 0.8, 1.5, slow=0)


def test_a_missed_plie_or_a_late_end_is_a_difference() -> None:
    """The comparison can fail: a plié missed and a found plié's end 0.4 s late are each reported."""
    rs = _sequences()
    res = rs.ClipResult("x", "shared", True, "front", plies_expected=2, plies_found=1, knees_scored=2, knees_right=2)
    res.plies = [_result({"bottom_s": 1.0, "start_s": 0.5}, "ok", end_err_s=0.4), _result({"bottom_s": 4.0}, "missed")]
    res.holds, res.holds_expected, res.holds_found = [{"start_s": 0.1, "end_s": 0.1}], 1, 1
    got = rs.differences(res)
    assert any("4.00 s missed" in d for d in got) and any("end +0.40 s" in d for d in got), got
    assert any("hold ends at 0.10 s, the plié starts at 0.50 s" in d for d in got), got


def _ballet_plie(rs: Any) -> list[Any]:
    if not (MEDIA / "labels.toml").exists():
        pytest.skip(f"no labels at {MEDIA / 'labels.toml'}")
    cases = [c for c in rs.load_shared_cases(MEDIA) if c.name == "ballet_plie"]
    for c in cases:
        media_file(str(c.video.relative_to(MEDIA)))
    return cases


def _result(expected: dict[str, float], status: str, **errs: float) -> Any:
    eval_real = load_script("eval_real")
    return eval_real.PlieResult(expected=expected, found=None, status=status, knees_expected=None,
                                knees_found=None, **errs)  # fmt: skip


@pytest.mark.e2e
@pytest.mark.slow
def test_five_real_plies_after_short_standing_are_each_counted_with_the_labelled_answers(tmp_path: Path) -> None:
    """Every plié found, demi, within 0.3 s (start, bottom, end), both knees over, no false rep, hold or flag."""
    rs = _sequences()
    (case,) = _ballet_plie(rs)
    result = rs.run(case, tmp_path, plies=5, first_s=0.8, pause_s=1.5)
    assert result.error is None and result.plies_expected == 5
    assert rs.differences(result) == [], result
    assert result.plies_found == 5 and result.reps_total == 5 and result.knees_right == 10
    # the set is what it says: the source's frame size and rate, 20 + 5 x 72 frames
    cap = cv2.VideoCapture(str(tmp_path / "ballet_plie_x5.mp4"))
    try:
        assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == 20 + 5 * 72
        assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FPS)) == (960, 25)
    finally:
        cap.release()


@pytest.mark.e2e
@pytest.mark.slow
def test_her_real_standing_held_six_seconds_is_one_hold_ended_by_her_plie(tmp_path: Path) -> None:
    """The labels count still first-position holds of 3 s or more; the real clips have none, so a hold was only ever
    checked not to be found. Her standing held 6 s, then her plié: one hold, ending where the plié starts (within
    0.3 s), and the plié with its labelled answers."""
    rs = _sequences()
    (case,) = _ballet_plie(rs)
    result = rs.run(case, tmp_path, plies=1, pause_s=1.5, hold_s=6.0)
    assert result.error is None and (result.holds_expected, result.plies_expected) == (1, 1)
    assert rs.differences(result) == [], result
    (hold,) = result.holds
    assert hold["start_s"] < 1.0 and 5.0 < hold["end_s"] - hold["start_s"] < 6.3


@pytest.mark.e2e
@pytest.mark.slow
def test_real_plies_at_half_speed_are_counted_with_their_bottoms_within_the_target(tmp_path: Path) -> None:
    """A slow plié ("slow, controlled descent and ascent", as a barre set asks): the teacher's plié with each frame
    shown twice, three times after short standing. The pose model's hips sink on through her still bottom, and the
    deepest frames are its end: the bottom read there was 0.38 s after the label, beyond the 0.3 s the issue asks
    and beyond matching (each plié scored missed, with a false rep). Now each is found within 0.3 s
    (plie.BOTTOM_LEVEL), with the labelled kind, knees and no flag."""
    rs = _sequences()
    (case,) = _ballet_plie(rs)
    result = rs.run(case, tmp_path, plies=3, first_s=0.8, pause_s=1.5, slow=2)
    assert result.error is None and result.plies_expected == 3
    assert rs.differences(result) == [], result
    assert result.plies_found == 3 and result.reps_total == 3 and result.knees_right == 6
