"""The labelled real clips filmed as other home cameras would film them give the same answers
(``scripts/real_variants.py``): through the real pose model and `turnout analyze`, scored against the clip's own
labels (../shared/media/labels.toml)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import cv2
import pytest

from conftest import MEDIA, ROOT, media_file

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _variants() -> Any:
    import importlib.util

    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("real_variants", ROOT / "scripts" / "real_variants.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_variants"] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def _cases(rv: Any, names: set[str]) -> list[Any]:
    if not (MEDIA / "labels.toml").exists():
        pytest.skip(f"no labels at {MEDIA / 'labels.toml'}")
    cases = [c for c in rv.load_shared_cases(MEDIA) if c.name in names]
    for c in cases:
        media_file(str(c.video.relative_to(MEDIA)))
    return cases


def test_a_cheap_dim_webcam_further_back_and_rolled_gives_the_labelled_answers(tmp_path: Path) -> None:
    rv = _variants()
    cases = _cases(rv, {"ballet_plie", "tendu_tutorial", "simple_step"})
    results = rv.run(cases, ["cheap"], tmp_path)
    assert len(results) == 3
    for name, _, res in results:
        assert rv.differences(res) == [], (name, res)
    # the variant is what it says: 640 pixels wide, half the frames, dimmer
    src = cv2.VideoCapture(str(next(c.video for c in cases if c.name == "ballet_plie")))
    got = cv2.VideoCapture(str(tmp_path / "cheap" / "ballet_plie.mp4"))
    try:
        assert got.get(cv2.CAP_PROP_FRAME_WIDTH) == 640
        assert abs(got.get(cv2.CAP_PROP_FRAME_COUNT) - src.get(cv2.CAP_PROP_FRAME_COUNT) / 2) <= 1
        src.set(cv2.CAP_PROP_POS_FRAMES, 100)
        got.set(cv2.CAP_PROP_POS_FRAMES, 50)
        (ok1, a), (ok2, b) = src.read(), got.read()
        assert ok1 and ok2 and b.mean() < 0.5 * a.mean()
    finally:
        src.release()
        got.release()


def test_a_mirrored_selfie_picture_gives_the_labelled_answers(tmp_path: Path) -> None:
    rv = _variants()
    results = rv.run(_cases(rv, {"ballet_plie"}), ["mirror"], tmp_path)
    ((_, _, res),) = results
    assert res.plies_found == 1 and rv.differences(res) == [], res


def test_a_changed_answer_is_reported() -> None:
    """The comparison can fail: a missed plié, a false rep and a wrong knee are each reported."""
    rv = _variants()
    res = rv.ClipResult("x", "shared", True, "front", plies_expected=1, plies_found=0, knees_scored=2, knees_right=1)
    res.false_reps = [{"bottom_s": 3.0}]
    res.plies = [_plie()]
    diff = rv.differences(res)
    assert any("missed" in d for d in diff) and any("false rep" in d for d in diff)
    assert any("knees" in d for d in diff)


def _plie() -> Any:
    import eval_real

    return eval_real.PlieResult(
        expected={"bottom_s": 4.8}, found=None, status="missed", knees_expected={"left": "over", "right": "over"},
        knees_found={"left": "inside"}, knees_right=1, knees_scored=2,
    )  # fmt: skip
