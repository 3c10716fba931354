"""The HTML report of a stored session: plots, reps table with flags and cues, worst rep; self-contained."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from test_practice import Synth
from test_storage import record
from turnout.session import display
from turnout.session.report import build_report, relative_to_baseline, write_report
from turnout.storage.store import Store


def test_report_of_a_synthetic_session(tmp_path: Path) -> None:
    synth = Synth().stand(6.0)
    synth.plie(60, knees_in_m=0.05).stand(1.0).plie(60).stand(1.0)
    with Store.open(tmp_path / "s.db") as store:
        sid, _ = record(store, synth)
        reps = store.reps(sid)
        assert len(reps) == 2
        path = write_report(store, sid, tmp_path / "report.html")
        text = path.read_text()
    assert text.startswith("<!doctype html>") and text.rstrip().endswith("</html>")
    assert f"Turnout session {sid}" in text
    # one table row per rep, the flagged rep first, with its cue
    rows = re.findall(r"<tr><td>(\d+)</td><td>(demi|grand)</td>", text)
    assert [int(i) for i, _ in rows] == [1, 2]
    assert "Let your knees travel over your toes" in text
    assert "Measured in uncalibrated 3D mode" in text  # no floor calibration in this session
    assert "Worst rep: #1" in text
    # degrees by the display rule: the feet as ranges (or "calibrate to see degrees"), never a bare 3D number; the
    # depth as the hips' drop; the knees in words
    row = r"<tr><td>\d+</td><td>(?:demi|grand)</td>(?:<td>[^<]*</td>){3}<td>([^<]*)</td><td>([^<]*)</td>"
    cells = re.findall(row, text)
    assert len(cells) == 2
    for feet, knees in cells:
        assert feet == display.CALIBRATE or re.fullmatch(r"(-?\d+–-?\d+°|–) / (-?\d+–-?\d+°|–)", feet), feet
        assert "knee" in knees and "°" not in knees
    # pictures are inlined; nothing is fetched from anywhere
    assert text.count("data:image/png;base64,") >= 2
    assert not re.search(r"(src|href)=['\"]https?://", text)


def test_flexion_is_shown_relative_to_the_baseline_and_straight_knees_have_no_direction() -> None:
    class B:
        left_knee_flexion_deg = 18.0
        right_knee_flexion_deg = 16.0

    values = {
        "left_knee_flexion_deg": np.array([18.0, 40.0, 70.0]),
        "right_knee_flexion_deg": np.array([16.0, 20.0, 70.0]),
        "left_knee_turnout_deg": np.array([-20.0, 10.0, 30.0]),
        "right_knee_turnout_deg": np.array([-20.0, 10.0, 30.0]),
        "left_forced_turnout_deg": np.array([40.0, 10.0, 0.0]),
    }
    out = relative_to_baseline(values, B())
    np.testing.assert_allclose(out["left_knee_flexion_deg"], [0.0, 22.0, 52.0])
    np.testing.assert_allclose(out["left_knee_turnout_deg"], [np.nan, 10.0, 30.0])
    np.testing.assert_allclose(out["right_knee_turnout_deg"], [np.nan, np.nan, 30.0])
    np.testing.assert_allclose(out["left_forced_turnout_deg"], [np.nan, 10.0, 0.0])


def test_straight_knees_read_straight_without_a_baseline() -> None:
    rng = np.random.default_rng(0)
    standing = 15.0 + rng.normal(0.0, 1.0, 200)  # MediaPipe's 3D reads straight knees about 15 degrees bent
    flex = np.r_[standing, np.linspace(15.0, 75.0, 30)]
    out = relative_to_baseline({"left_knee_flexion_deg": flex}, None)
    assert abs(float(np.median(out["left_knee_flexion_deg"][:200]))) < 2.0
    assert float(out["left_knee_flexion_deg"][-1]) > 55.0


def test_report_of_an_empty_session(tmp_path: Path) -> None:
    from turnout.storage.store import SessionInfo

    with Store.open(tmp_path / "s.db") as store:
        sid = store.create_session(SessionInfo(source="camera 0"))
        text = build_report(store, sid)
    assert "0 reps" in text and "Worst rep" not in text


def test_feet_never_read_are_named_in_the_plot() -> None:
    """A foot whose picture reading is nan on every frame (the real teacher's, under trousers that hide her heels), or
    not stored, is "not read" in the plot's key, and the panel says why when neither foot was read; a foot read on
    one frame is read."""
    from turnout.session.report import plot_session, unread_feet

    names = ("left_foot_picture_deg", "right_foot_picture_deg")
    nan = np.full(50, np.nan)
    some = nan.copy()
    some[7] = 55.0
    assert unread_feet(names, {"left_foot_picture_deg": nan, "right_foot_picture_deg": nan}) == list(names)
    assert unread_feet(names, {"left_foot_picture_deg": some, "right_foot_picture_deg": nan}) == [names[1]]
    assert unread_feet(names, {"left_foot_picture_deg": some}) == [names[1]]
    assert unread_feet(("left_knee_flexion_deg",), {}) == []
    t = np.arange(50) / 25.0
    values = {"left_knee_flexion_deg": np.sin(t) * 20, "right_knee_flexion_deg": np.sin(t) * 20,
              "left_foot_picture_deg": nan, "right_foot_picture_deg": nan}  # fmt: skip
    assert len(plot_session(t, values, [])) > 1000  # a PNG, drawn with the note in the empty panel
