"""A labelled real plié practised as a set (``scripts/real_sequences.py``): the teacher's plié of ballet_plie spliced
frame for frame into five, after 0.8 s of standing and with 1.5 s of standing between them (issue 16's first
failure: such a dancer lost her first two pliés), through the real pose model and `turnout analyze`, scored against
the clip's own labels (../shared/media/labels.toml) shifted to where each plié now is."""

from __future__ import annotations

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


def test_a_set_longer_than_the_standing_in_the_clip_is_refused() -> None:
    rs = _sequences()
    with pytest.raises(ValueError, match="before its plié"):
        rs.plan(25.0, _plie(rs), 5, 0.8, 5.0)
    with pytest.raises(ValueError, match="at least one"):
        rs.plan(25.0, _plie(rs), 0, 0.8, 1.5)


def test_a_missed_plie_or_a_late_end_is_a_difference() -> None:
    """The comparison can fail: a plié missed and a found plié's end 0.4 s late are each reported."""
    rs = _sequences()
    res = rs.ClipResult("x", "shared", True, "front", plies_expected=2, plies_found=1, knees_scored=2, knees_right=2)
    res.plies = [_result({"bottom_s": 1.0}, "ok", end_err_s=0.4), _result({"bottom_s": 4.0}, "missed")]
    got = rs.differences(res)
    assert any("4.00 s missed" in d for d in got) and any("end +0.40 s" in d for d in got), got


def _result(expected: dict[str, float], status: str, **errs: float) -> Any:
    eval_real = load_script("eval_real")
    return eval_real.PlieResult(expected=expected, found=None, status=status, knees_expected=None,
                                knees_found=None, **errs)  # fmt: skip


@pytest.mark.e2e
@pytest.mark.slow
def test_five_real_plies_after_short_standing_are_each_counted_with_the_labelled_answers(tmp_path: Path) -> None:
    """Every plié found, demi, within 0.3 s (start, bottom, end), both knees over, no false rep, hold or flag."""
    rs = _sequences()
    if not (MEDIA / "labels.toml").exists():
        pytest.skip(f"no labels at {MEDIA / 'labels.toml'}")
    (case,) = [c for c in rs.load_shared_cases(MEDIA) if c.name == "ballet_plie"]
    media_file(str(case.video.relative_to(MEDIA)))
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
