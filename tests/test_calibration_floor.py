"""FloorCalibration: homography from corners, corner order, serialisation, expected accuracy."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from turnout.floor import REFERENCES, FloorCalibration, fit_camera
from turnout.floor.reference import (
    angle_between_deg,
    focal_check,
    homography,
    reference_corners_m,
    turnout_error_deg,
    typical_turnout_error_deg,
)
from turnout.testing.render_floor import Camera, rect_polygon

A4 = REFERENCES["A4"]


def _camera(
    hfov: float = 70.0, height: float = 1.0, pitch: float = 18.0, size: tuple[int, int] = (1280, 720)
) -> Camera:
    return Camera(size[0], size[1], hfov, height, pitch)


def _sheet(cam: Camera, rot: float = 10.0, y: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    floor = rect_polygon((0.1, y), *A4, rot)
    return floor, cam.project(floor)


def test_from_corners_maps_exactly_for_any_start_and_direction() -> None:
    cam = _camera()
    _, px = _sheet(cam)
    pts = np.array([[0.2, 2.8], [-0.1, 2.9], [0.3, 3.1]])
    truth = [np.linalg.norm(pts[i] - pts[j]) for i, j in ((0, 1), (1, 2), (0, 2))]
    for start in range(4):
        for direction in (1, -1):
            corners = np.roll(px, -start, axis=0)[::direction]
            cal = FloorCalibration.from_corners(corners, *A4, (1280, 720), reference="A4")
            got = cal.image_to_floor(cam.project(pts))
            dists = [np.linalg.norm(got[i] - got[j]) for i, j in ((0, 1), (1, 2), (0, 2))]
            assert np.allclose(dists, truth, atol=1e-6)
            # canonical frame: +y away from the camera, not mirrored
            near, far = cal.image_to_floor(cam.project(np.array([[0.1, 1.5], [0.1, 3.5]])))
            assert far[1] > near[1]
            assert np.allclose(cal.corners_px, cam.project(rect_polygon((0.1, 2.0), *A4, 10.0)), atol=1e-6)


def test_floor_to_image_inverts_image_to_floor() -> None:
    cam = _camera()
    cal = FloorCalibration.from_corners(_sheet(cam)[1], *A4, (1280, 720))
    px = np.array([[600.0, 500.0], [700.0, 420.0], [640.0, 700.0]])
    assert np.allclose(cal.floor_to_image(cal.image_to_floor(px)), px, atol=1e-8)


def test_dict_round_trip_through_json() -> None:
    cal = FloorCalibration.from_corners(_sheet(_camera())[1], *A4, (1280, 720), reference="A4", corner_sigma_px=0.1)
    back = FloorCalibration.from_dict(json.loads(json.dumps(cal.to_dict())))
    assert back.reference == "A4" and back.image_size == (1280, 720) and back.corner_sigma_px == 0.1
    assert np.allclose(back.homography, cal.homography) and np.allclose(back.corners_px, cal.corners_px)


@pytest.mark.parametrize(
    ("corners", "message"),
    [
        (np.zeros((3, 2)), "4 finite"),
        (np.array([[0, 0], [10, 10], [10, 0], [0, 10.0]]), "convex"),
        (np.array([[0, 0], [1, 0], [1, 1], [np.nan, 1.0]]), "4 finite"),
    ],
)
def test_bad_corners_raise_one_clear_error(corners: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FloorCalibration.from_corners(corners, *A4, (1280, 720))


def test_bad_inputs() -> None:
    px = _sheet(_camera())[1]
    with pytest.raises(ValueError, match="positive"):
        FloorCalibration.from_corners(px, -0.2, 0.3, (1280, 720))
    cal = FloorCalibration.from_corners(px, *A4, (1280, 720))
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        cal.image_to_floor(np.zeros(3))
    with pytest.raises(ValueError, match="recalibrate"):
        FloorCalibration.from_dict({"homography": [[1, 0, 0]]})


def test_fit_camera_recovers_the_camera_from_exact_corners() -> None:
    cam = _camera(hfov=66.0, height=1.2, pitch=20.0)
    fit = fit_camera(
        FloorCalibration.from_corners(_sheet(cam, rot=25)[1], *A4, (1280, 720)).corners_px, *A4, (1280, 720)
    )
    assert fit.residual < 1e-3
    assert fit.focal_px == pytest.approx(cam.focal_px, rel=0.02)
    assert fit.height_m == pytest.approx(1.2, rel=0.02)
    assert fit.pitch_deg == pytest.approx(20.0, abs=0.5)
    assert abs(fit.roll_deg) < 0.5


def test_expected_error_grows_with_corner_noise_and_shrinks_with_reference_size() -> None:
    cam = _camera(size=(960, 540))
    small = cam.project(rect_polygon((0.0, 2.5), *A4, 0.0))
    mat = cam.project(rect_polygon((0.0, 2.5), *REFERENCES["yoga-mat"], 0.0))
    p95 = {s: turnout_error_deg(small, A4, s, samples=150)[1] for s in (0.05, 0.2)}
    assert 0 < p95[0.05] < p95[0.2]
    assert turnout_error_deg(mat, REFERENCES["yoga-mat"], 0.2, samples=150)[1] < 0.5 * p95[0.2]


# the envelope's cameras are drawn wider than those that see the reference (pitch -10 to 70): assume() keeps the ones
# that do, which filters many on some runs (Hypothesis's filter_too_much health check failed CI at random)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    reference=st.sampled_from(sorted(REFERENCES)),
    hfov=st.floats(60, 78),
    height=st.floats(0.5, 1.5),
    pitch=st.floats(-10, 70),  # any pitch that keeps the reference in view (checked below)
    yaw=st.floats(-3, 3),
    roll=st.floats(-2, 2),
    dancer=st.tuples(st.floats(2.0, 3.5), st.floats(-0.3, 0.3)),  # distance, sideways
    gap=st.floats(0.2, 1.0),  # the reference's far edge this far in front of her feet
    offset=st.floats(-0.25, 0.25),
    rot=st.floats(-40, 40),
    start=st.integers(0, 3),
    direction=st.sampled_from([1, -1]),
    angles=st.tuples(st.floats(10, 90), st.floats(10, 90)),
)
def test_exact_corners_give_exact_turnout(
    reference: str,
    hfov: float,
    height: float,
    pitch: float,
    yaw: float,
    roll: float,
    dancer: tuple[float, float],
    gap: float,
    offset: float,
    rot: float,
    start: int,
    direction: int,
    angles: tuple[float, float],
) -> None:
    """Exact corners, given in any order, recover total turnout exactly over the whole envelope of issue 4."""
    cam = Camera(1280, 720, hfov, height, pitch, yaw, roll)
    size = REFERENCES[reference]
    dist, side = dancer
    y = dist + 0.3 - size[1] / 2 if reference == "yoga-mat" else dist - gap - size[1] / 2  # she stands on the mat
    floor = rect_polygon((side + offset, y), *size, rot)
    px = cam.project(floor)
    depth = (np.c_[floor, np.ones(4)] @ cam.floor_to_image().T)[:, 2]
    assume(bool(np.all(depth > 0) and np.all((px > 0) & (px < [1280, 720]))))  # the reference is in view
    given_px = np.roll(px, -start, axis=0)[::direction]
    cal = FloorCalibration.from_corners(given_px, *size, (1280, 720), reference=reference)
    assert np.allclose(cal.corners_px, px, atol=1e-6)  # the canonical order: near-left first
    heel = np.array([side, dist])
    d = np.radians([-90 - angles[0], -90 + angles[1]])
    toes = heel + 0.24 * np.c_[np.cos(d), np.sin(d)]
    h_f = cal.image_to_floor(cam.project(heel[None]))[0]
    t_f = cal.image_to_floor(cam.project(toes))
    assert angle_between_deg(t_f[0] - h_f, t_f[1] - h_f) == pytest.approx(sum(angles), abs=1e-6)


def test_focal_lengths_agree_only_for_the_right_reading_of_the_corners() -> None:
    cam = _camera(hfov=64.0, height=0.8, pitch=15.0)
    _, px = _sheet(cam, rot=25.0, y=2.2)
    right = focal_check(px, *A4, (1280, 720))
    assert right.focal_orth_px == pytest.approx(cam.focal_px, rel=1e-6)
    assert right.focal_norm_px == pytest.approx(cam.focal_px, rel=1e-6)
    assert right.mismatch_px < 1e-6
    wrong = focal_check(np.roll(px, 1, axis=0), *A4, (1280, 720))  # the long edges taken for the short ones
    assert wrong.mismatch_px > 1.0
    assert wrong.focal_norm_px != pytest.approx(wrong.focal_orth_px, rel=0.2)


def test_a_square_card_is_not_consistent_as_an_a4_sheet() -> None:
    cam = _camera(hfov=70.0, height=1.0, pitch=20.0)
    square = cam.project(rect_polygon((0.2, 1.3), 0.25, 0.25, 35.0))  # near: enough perspective to tell
    best = min(focal_check(np.roll(square, k, axis=0), *A4, (1280, 720)).mismatch_px for k in range(2))
    assert best > 1.0
    assert focal_check(square, 0.25, 0.25, (1280, 720)).mismatch_px < 1e-6


def test_a_view_that_cannot_tell_the_readings_apart_takes_the_length_along_the_view() -> None:
    """Sheet square to an unrolled camera: a symmetric trapezoid, exactly an A4 lengthwise for this camera
    and exactly an A4 crosswise for a wider one. Users lay the length toward the camera, so that reading wins."""
    cam = _camera(hfov=60.0, height=0.5, pitch=12.0)
    _, px = _sheet(cam, rot=0.0, y=1.5)
    lengthwise, crosswise = focal_check(px, *A4, (1280, 720)), focal_check(np.roll(px, 1, axis=0), *A4, (1280, 720))
    assert lengthwise.mismatch_px < 1e-6 and crosswise.mismatch_px < 1e-6
    assert abs(crosswise.focal_px - lengthwise.focal_px) > 100
    cal = FloorCalibration.from_corners(px[::-1], *A4, (1280, 720))
    assert np.allclose(cal.corners_px, px, atol=1e-9)
    assert cal.camera().focal_px == pytest.approx(cam.focal_px, rel=1e-6)


def test_typical_accuracy_per_reference_for_the_app() -> None:
    a4, pair, mat = (typical_turnout_error_deg(r, 0.2) for r in ("A4", "A4-pair", "yoga-mat"))
    assert mat[1] < pair[1] < a4[1] < 4.0  # larger references are worth more
    assert typical_turnout_error_deg("A4", 1.0)[1] > 3 * a4[1]  # unrefined clicks are worth much less
    with pytest.raises(ValueError, match="unknown reference"):
        typical_turnout_error_deg("A3")


def test_homography_least_squares_recovers_a_known_map() -> None:
    h = np.array([[1.2, 0.1, 30.0], [-0.05, 0.9, 12.0], [1e-4, 2e-4, 1.0]])
    src = reference_corners_m(300.0, 200.0) + 400
    q = np.c_[src, np.ones(4)] @ h.T
    assert np.allclose(homography(src, q[:, :2] / q[:, 2:]), h, atol=1e-9)
