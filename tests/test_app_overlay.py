"""The overlay, the banner and the sound cues, tested by pixel values, texts and what was played."""

from __future__ import annotations

import os
import wave
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from app_fakes import black_frame, forbid_dialogs, forced_flag, make_result, plie_seq
from turnout.app import theme
from turnout.app.live_view import FlagMemory, banner_text, flags_of_events
from turnout.app.overlay import FOOT_LINE, bgr_to_qimage, display_points, part_status, render_frame
from turnout.app.sound import CuePlayer, tone_samples, write_wav
from turnout.measure.measures import Mode
from turnout.pose import landmarks as lm
from turnout.practice.tracker import LiveFlag
from turnout.session import display

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


def _close(c: QColor, hex_colour: str, tol: int = 40) -> bool:
    ref = QColor(hex_colour)
    return abs(c.red() - ref.red()) <= tol and abs(c.green() - ref.green()) <= tol and abs(c.blue() - ref.blue()) <= tol


def _foot_mid(result: Any, side: str, mirrored: bool, image: QImage) -> tuple[int, int]:
    pts = display_points(result.pose, mirrored)
    assert pts is not None
    heel, toe = FOOT_LINE[side]
    x = (pts[heel, 0] + pts[toe, 0]) / 2 * image.width()
    y = (pts[heel, 1] + pts[toe, 1]) / 2 * image.height()
    return round(x), round(y)


def test_qimage_is_a_copy_and_mirrors() -> None:
    bgr = np.zeros((4, 6, 3), np.uint8)
    bgr[:, :3] = (0, 0, 255)  # red on the left
    img = bgr_to_qimage(bgr, mirrored=False)
    bgr[:] = 0  # the image owns its pixels
    assert QColor(img.pixel(0, 0)) == QColor(255, 0, 0)
    assert QColor(img.pixel(5, 0)) == QColor(0, 0, 0)
    bgr[:, :3] = (0, 0, 255)
    flipped = bgr_to_qimage(bgr, mirrored=True)
    assert QColor(flipped.pixel(5, 0)) == QColor(255, 0, 0)
    with pytest.raises(ValueError, match="uint8 BGR"):
        bgr_to_qimage(np.zeros((4, 6), np.uint8), mirrored=False)


def test_mirroring_flips_landmark_x_but_keeps_her_sides(qapp: Any) -> None:
    r = make_result(black_frame(), 20, plie_seq())
    plain = display_points(r.pose, mirrored=False)
    mirror = display_points(r.pose, mirrored=True)
    assert plain is not None and mirror is not None
    assert np.allclose(mirror[:, 0], 1 - plain[:, 0]) and np.allclose(mirror[:, 1], plain[:, 1])
    # Camera view: her left foot is on the image's right; in the mirror it is on the left, still "left".
    assert plain[lm.LEFT_ANKLE, 0] > 0.5 > mirror[lm.LEFT_ANKLE, 0]


@pytest.mark.parametrize("mirrored", [True, False])
def test_foot_lines_are_coloured_by_status(qapp: Any, mirrored: bool) -> None:
    seq = plie_seq()
    ok = make_result(black_frame(), 20, seq)
    img = render_frame(ok, mirrored)
    for side in ("left", "right"):
        assert _close(QColor(img.pixel(*_foot_mid(ok, side, mirrored, img))), theme.OK), side
    flagged = make_result(black_frame(), 20, seq, flags=(forced_flag("left", "bad"),))
    img = render_frame(flagged, mirrored)
    assert _close(QColor(img.pixel(*_foot_mid(flagged, "left", mirrored, img))), theme.BAD)
    assert _close(QColor(img.pixel(*_foot_mid(flagged, "right", mirrored, img))), theme.OK)
    warn = make_result(black_frame(), 20, seq, flags=(forced_flag("both", "warn"),))
    img = render_frame(warn, mirrored)
    for side in ("left", "right"):
        assert _close(QColor(img.pixel(*_foot_mid(warn, side, mirrored, img))), theme.WARN), side


def test_unreliable_pose_is_grey_and_judges_nothing(qapp: Any) -> None:
    r = make_result(black_frame(), 20, plie_seq(), flags=(forced_flag(),), reliable=False)
    status = part_status(r)
    assert set(status.values()) == {"none"}
    img = render_frame(r, mirrored=True)
    assert _close(QColor(img.pixel(*_foot_mid(r, "left", True, img))), theme.NEUTRAL)


def test_no_person_draws_nothing(qapp: Any) -> None:
    from turnout.pose.estimator import PoseFrame
    from turnout.session.pipeline import FrameResult

    r = FrameResult(0, 0, black_frame(64, 36), PoseFrame(0, 0), None, False)
    img = render_frame(r, mirrored=True)
    arr = np.frombuffer(img.constBits(), np.uint8)
    assert arr.max() == 0


def test_knee_flag_colours_the_knee_line_only(qapp: Any) -> None:
    from turnout.practice.flags import CUES, Flag

    knee = Flag("knees_inside_toes", "warn", "right", 0.04, 0.03, "knee inside", CUES["knees_inside_toes"])
    r = make_result(black_frame(), 20, plie_seq(), flags=(knee,))
    s = part_status(r)
    assert s["right_knee"] == "warn" and s["left_knee"] == "ok" and s["right_foot"] == "ok"


def test_foot_gauges_by_the_display_rule(qapp: Any) -> None:
    """A gauge where the live figure shows a number or a range (the fan is the range); none where it says
    "calibrate"; the knee's per-frame direction is never drawn (95 % within 43-76 degrees, against 6)."""
    uncalibrated = make_result(black_frame(), 20, plie_seq())
    assert uncalibrated.measurement is not None
    p95 = display.p95_deg("foot", "picture", "standing")
    feet = {s: (55.0, 55.0 - p95, 55.0 + p95) for s in ("left", "right")}
    with_picture = replace(uncalibrated, feet_picture=feet)
    floor = replace(uncalibrated, measurement=replace(uncalibrated.measurement, mode=Mode.FLOOR))
    assert display.foot_shown(uncalibrated, "left").kind == "calibrate"
    assert display.foot_shown(with_picture, "left").kind == "range"
    violet = QColor(theme.KNEE_RAY)

    def pixels(r: Any) -> np.ndarray:
        img = render_frame(r, mirrored=True)
        arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, : img.width() * 3]
        return arr.reshape(img.height(), img.width(), 3).astype(int)

    def knee_rays(rgb: np.ndarray) -> int:
        return int((np.abs(rgb - (violet.red(), violet.green(), violet.blue())).sum(axis=2) < 40).sum())

    bare, gauged, calibrated = pixels(uncalibrated), pixels(with_picture), pixels(floor)
    assert (np.abs(gauged - bare).sum(axis=2) > 60).sum() > 500  # two gauges: their fans and labels
    assert (np.abs(calibrated - bare).sum(axis=2) > 60).sum() > 500  # floor-calibrated: its own (wide) range
    assert knee_rays(bare) == knee_rays(gauged) == knee_rays(calibrated) == 0


def test_banner_text_names_the_fault_side_and_cue() -> None:
    text = banner_text(forced_flag("left"))
    assert text == "Turnout is coming from your feet (left): turn your feet in to match your hips"
    assert banner_text(forced_flag("both")).startswith("Turnout is coming from your feet: turn")


def test_flag_memory_holds_the_banner_and_reports_new_flags() -> None:
    now = [0.0]
    mem = FlagMemory(hold_s=3.0, clock=lambda: now[0])
    warn, bad = forced_flag("left", "warn"), forced_flag("right", "bad")
    assert mem.note([warn]) == [warn]
    assert mem.note([warn]) == []  # the same fault again: no new cue
    now[0] = 1.0
    assert mem.note([bad]) == [bad]
    assert mem.current() is bad  # most severe first
    now[0] = 3.5
    assert mem.current() is bad  # the warn expired, the bad is held
    now[0] = 4.5
    assert mem.current() is None
    assert flags_of_events([LiveFlag(1.0, 1, warn), object()]) == [warn]


def test_tone_is_a_valid_wav(tmp_path: Path) -> None:
    samples = tone_samples((880.0, 660.0), 0.1)
    assert samples.dtype == np.int16 and len(samples) == 2 * 2205
    assert abs(int(samples[0])) < 500  # faded in: no click
    path = write_wav(tmp_path / "t.wav", samples)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 22050, 4410)


def test_cues_fall_back_to_beep_and_are_rate_limited(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QApplication

    beeps: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    now = [100.0]
    cues = CuePlayer(clock=lambda: now[0], which=lambda name: None, repeat_s=6.0, gap_s=2.0)
    assert cues.method == "beep"
    assert cues.cue("forced_turnout", "Turn your feet in")
    assert not cues.cue("forced_turnout", "Turn your feet in")  # too soon
    now[0] += 2.5
    assert not cues.cue("forced_turnout", "Turn your feet in")  # same cue within repeat_s
    assert cues.cue("heels_lift", "Keep your heels down")  # another cue after gap_s
    now[0] += 6.0
    assert cues.cue("forced_turnout", "Turn your feet in")
    cues.enabled = False
    now[0] += 60
    assert not cues.cue("forced_turnout", "Turn your feet in")
    assert len(beeps) == 3 and cues.last_method == "beep"
    cues.close()


def test_cues_use_a_player_and_never_crash_without_audio(qapp: Any, tmp_path: Path) -> None:
    # A "player" that fails at once, as aplay does without a sound device, and one that does not exist.
    fake = tmp_path / "aplay"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    cues = CuePlayer(spoken=False, which=lambda name: str(fake) if name == "aplay" else None, gap_s=0, repeat_s=0)
    assert cues.method == "tone"
    assert cues.cue("forced_turnout", "Turn your feet in", "bad") and cues.last_method == "tone"
    spoken = CuePlayer(which=lambda name: "/nonexistent/spd-say" if name == "spd-say" else None, gap_s=0)
    assert spoken.cue("forced_turnout", "Turn your feet in") and spoken.last_method == "beep"
    cues.close()
    spoken.close()


def test_painting_survives_the_pyside_none_refcount_bug(qapp: Any) -> None:
    """PySide6 6.12.0 on Python 3.11 takes a reference from None on every void call; the guard keeps a long
    session (here about a minute of overlays at 30 fps) from aborting the process."""
    import sys

    from turnout.app import PYSIDE_REFCOUNT_GUARD, qtfix

    if sys.version_info < (3, 12) and qtfix.leaks_none():
        assert PYSIDE_REFCOUNT_GUARD  # this PySide6 has the bug: the guard is in force
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainter

    img = QImage(8, 8, QImage.Format.Format_RGB888)
    painter = QPainter(img)
    for _ in range(250_000):
        painter.drawLine(QPointF(0, 0), QPointF(1, 1))
    painter.end()


@pytest.mark.parametrize("size", [(1280, 720), (620, 420), (1920, 1080), (560, 300), (900, 700)])
def test_the_mode_badge_never_covers_a_foot_gauge(qtbot: Any, size: tuple[int, int]) -> None:
    """Review's compare view and a 1280x720 window put a foot gauge's label under the badge: the badge takes a
    corner no gauge covers, wherever her feet are, and every gauge stays inside the picture."""
    from turnout.app.live_view import FLOOR_BADGE, UNCALIBRATED_BADGE, VideoWidget
    from turnout.app.overlay import foot_gauges

    assert UNCALIBRATED_BADGE == "Uncalibrated (camera estimated)" and "3D" not in UNCALIBRATED_BADGE
    base = make_result(np.zeros((360, 640, 3), np.uint8), 20, plie_seq())
    p95 = display.p95_deg("foot", "picture", "standing")
    feet = {s: (55.0, 55.0 - p95, 55.0 + p95) for s in ("left", "right")}
    video = VideoWidget()
    qtbot.addWidget(video)
    video.resize(*size)
    checked = 0
    for badge in (UNCALIBRATED_BADGE, FLOOR_BADGE):
        video.badge = badge
        for dx in (-0.45, -0.3, 0.0, 0.3, 0.45):
            for dy in (0.0, 0.1, 0.2):
                assert base.pose.image is not None
                image = base.pose.image.copy()
                image[:, 0] += dx
                image[:, 1] += dy
                result = replace(base, pose=replace(base.pose, image=image), feet_picture=feet)
                video.set_result(result)
                target = video.image_rect()
                gauges = foot_gauges(result, target, video.mirrored)
                box = video.badge_rect()
                for g in gauges:
                    assert not box.intersects(g.bounds), (size, badge, dx, dy, g.side)
                    centre = g.centre
                    assert target.top() <= centre.y() + g.radius * 1.14 <= target.bottom()  # the label inside
                checked += len(gauges)
    assert checked > 20
