"""Her head out of the picture (``turnout.pose.guidance.HEAD_IN_VIEW``): advice, not a reason to stop measuring; and
when the pose model then swaps her left and right, the window says that the camera cannot tell her front from her
back without her face (``turnout.session.pipeline.HEAD_UNSURE``), not that she stands with her back to it. On the
studio every frame facing the camera that the model read as seen from behind had her face at or past the picture's
top edge (docs/measurements.md, "Her head out of the picture")."""

from __future__ import annotations

import numpy as np

from turnout.measure.image import BACK, FRONT
from turnout.pose import landmarks as lm
from turnout.pose.estimator import PoseFrame
from turnout.pose.guidance import HEAD_IN_VIEW, assess, head_out
from turnout.practice.baseline import Baseline
from turnout.session.analysis import HEAD_WARN_SHARE, head_warning
from turnout.session.pipeline import FACE_CAMERA, FACING_STEADY_S, HEAD_UNSURE, FacingOrder, Pipeline
from turnout.settings import Settings
from turnout.testing.synth import DancerParams, make_dancer

DANCER = make_dancer(DancerParams(hip_turnout_deg=(45.0, 45.0), flexion_deg=(2.0, 2.0)))
BASELINE = Baseline(14.0, 14.0, 45.0, 45.0, 0.0, 0.0, method="stored")
BGR = np.full((48, 64, 3), 120, np.uint8)


def pose(index: int, head_above: float | None = None, swapped: bool = False) -> PoseFrame:
    """The synthetic standing dancer; ``head_above``: her face moved that far (of the picture's height) above its
    top; ``swapped``: her shoulders' and hips' left and right exchanged, as the pose model does when it takes her
    back for her front."""
    image = np.ones((33, 5), np.float32)
    image[:, :3] = DANCER.image
    image[:, 3] = DANCER.visibility
    if head_above is not None:
        image[list(lm.FACE), 1] = -head_above
    if swapped:
        for a, b in ((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), (lm.LEFT_HIP, lm.RIGHT_HIP)):
            image[[a, b]] = image[[b, a]]
    return PoseFrame(index, index * 40, image, DANCER.world.astype(np.float32), 1)


def test_the_head_out_of_the_picture_is_advice_and_the_legs_are_still_measured() -> None:
    seen = assess(pose(0), BGR)
    assert seen.reliable and HEAD_IN_VIEW not in seen.guidance
    whole, cut_pose = pose(0), pose(0, head_above=0.02)
    assert whole.image is not None and cut_pose.image is not None
    assert not head_out(whole.image) and head_out(cut_pose.image)
    cut = assess(cut_pose, BGR)
    assert cut.reliable and cut.guidance == (HEAD_IN_VIEW,)


def test_the_order_remembers_whether_her_head_was_out_at_the_last_swap() -> None:
    order = FacingOrder()
    assert not order.trusted(1.0, BACK, headless=True) and order.headless
    assert not order.trusted(1.5, FRONT, headless=False) and order.headless  # the swap's own head counts
    assert not order.trusted(2.0, BACK, headless=False) and not order.headless
    assert order.trusted(2.0 + FACING_STEADY_S, FRONT, headless=True) and not order.headless


def _run(frames: list[PoseFrame], baseline: Baseline | None = BASELINE) -> list[tuple[bool, tuple[str, ...]]]:
    pipeline = Pipeline(None, Settings(), baseline=baseline)
    out = [(r.reliable, r.guidance) for r in (pipeline.process_pose(f, BGR) for f in frames)]
    pipeline.finish()
    return out


def test_a_swap_with_her_head_out_says_the_camera_cannot_tell_her_front() -> None:
    # she stands with her head cut off; the model swaps her sides on one frame; she keeps standing
    frames = [pose(i, head_above=0.02) for i in range(10)]
    frames += [pose(10, head_above=0.02, swapped=True)]
    frames += [pose(i, head_above=0.02) for i in range(11, 11 + round(FACING_STEADY_S / 0.04) + 5)]
    results = _run(frames)
    assert all(ok for ok, _ in results[:10]) and not any(HEAD_IN_VIEW in g for _, g in results[:10])
    stopped = [g for ok, g in results[10:] if not ok]
    assert stopped and all(g[0] == HEAD_UNSURE for g in stopped)  # for the whole wait, not only the swap's frame
    assert not any(FACE_CAMERA in g for _, g in results)
    assert results[-1][0]  # measured again once the order has held


def test_the_head_advice_is_for_setting_up_not_over_her_practice() -> None:
    # before her standing is known she is told to frame her head; once it is, the advice no longer covers her legs
    setting_up = _run([pose(i, head_above=0.02) for i in range(5)], baseline=None)
    assert all(ok and HEAD_IN_VIEW in g for ok, g in setting_up)
    practising = _run([pose(i, head_above=0.02) for i in range(5)])
    assert all(ok and HEAD_IN_VIEW not in g for ok, g in practising)


def test_a_swap_with_her_head_in_view_still_asks_her_to_face_the_camera() -> None:
    frames = [pose(i) for i in range(10)] + [pose(10, swapped=True)] + [pose(i) for i in range(11, 20)]
    results = _run(frames)
    stopped = [g for ok, g in results[10:] if not ok]
    assert stopped and all(g[0] == FACE_CAMERA for g in stopped)
    assert not any(HEAD_UNSURE in g or HEAD_IN_VIEW in g for _, g in results)


def test_the_analysis_warns_of_a_head_out_of_the_picture() -> None:
    words = head_warning("clip.mp4", 50, 100, 12)
    assert "50 of 100 frames of clip.mp4" in words and "12 frames were not measured" in words
    assert "frame her whole body" in words
    assert "not measured" not in head_warning("clip.mp4", 50, 100, 0)
    assert 0 < HEAD_WARN_SHARE < 0.5
