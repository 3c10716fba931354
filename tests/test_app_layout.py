"""Issue 18's small layout points at a 1280x720 window: the foot gauges' labels are readable (12 px or more) and two
gauges never overlap, even with her feet together; a clicked floor corner's marker is never hidden under the prompt
along the picture's bottom. Real widgets offscreen, checked by geometry and by the pixels painted."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFontMetricsF

from app_fakes import forbid_dialogs, make_result, plie_seq
from turnout.app import theme
from turnout.app.overlay import LABEL_MIN_PX, _label_font, foot_gauges
from turnout.pose import landmarks as lm
from turnout.session import display

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


def _with_feet(gap: float, dx: float = 0.0) -> Any:
    """The synthetic dancer with a range on each foot, her right foot moved ``gap`` (picture widths) toward her left."""
    base = make_result(np.zeros((360, 640, 3), np.uint8), 20, plie_seq())
    assert base.pose.image is not None
    image = base.pose.image.copy()
    image[:, 0] += dx
    right_foot = [lm.RIGHT_ANKLE, lm.RIGHT_HEEL, lm.RIGHT_FOOT_INDEX]
    left_x = image[[lm.LEFT_ANKLE, lm.LEFT_HEEL, lm.LEFT_FOOT_INDEX], 0].mean()
    right_x = image[right_foot, 0].mean()
    image[right_foot, 0] += (left_x - right_x) * gap
    p95 = display.p95_deg("foot", "picture", "standing")
    feet = {s: (40.0, 40.0 - p95, 40.0 + p95) for s in ("left", "right")}
    return replace(base, pose=replace(base.pose, image=image), feet_picture=feet)


@pytest.mark.parametrize("height", [300, 360, 430, 510, 720, 1080])
def test_foot_gauge_labels_are_readable_and_never_overlap(qapp: Any, height: int) -> None:
    """At 1280x720 the picture is 300-510 px high (a panel open or not): the labels were 10 px there."""
    rect = QRectF(0, 0, height * 16 / 9, height)
    checked = 0
    for gap in (0.0, 0.5, 0.8, 0.95):  # 0.95: heels together
        for dx in (-0.4, 0.0, 0.4):
            gauges = foot_gauges(_with_feet(gap, dx), rect, mirrored=True)
            assert len(gauges) == 2, (height, gap, dx)
            for g in gauges:
                font = _label_font(g.radius)
                assert font.pixelSize() >= LABEL_MIN_PX >= 12
                text_w = QFontMetricsF(font).horizontalAdvance(g.text)
                assert g.bounds.width() >= text_w  # the label's whole text is within the gauge's bounds
                assert rect.left() <= g.bounds.center().x() <= rect.right()
            a, b = gauges
            assert not a.bounds.intersects(b.bounds), (height, gap, dx, a.bounds, b.bounds)
            checked += 1
    assert checked == 12


def test_a_clicked_corner_near_the_bottom_is_drawn_over_the_prompt(qtbot: Any) -> None:
    """A corner clicked low in the picture (a refused quad's 4th corner, in the screenshots) was drawn under the key
    hints along the bottom: the prompt moves to the top then, and markers are drawn over it anyway."""
    from turnout.app.live_view import VideoWidget

    video = VideoWidget()
    qtbot.addWidget(video)
    video.resize(928, 325)  # the picture at 1280x720 with the floor panel open
    video.show()
    video.set_result(make_result(np.full((360, 640, 3), 90, np.uint8), 20, plie_seq()))
    assert video.start_clicking("the A4 sheet")
    for cx, cy in ((400, 300), (420, 330), (300, 340), (310, 356)):  # the 4th 4 px above the frame's bottom
        video.click_at(cx, cy)
        band, px = video.prompt_band()
        markers = video.marker_rects()
        assert not any(m.intersects(band) for m in markers), (len(video.clicks), band, markers)
    assert band.top() == pytest.approx(video.image_rect().top()) and px >= 12  # moved to the top
    # painted: each marker's own colour at its centre
    image = video.grab().toImage()
    warn = QColor(theme.WARN)
    for x, y in video.clicks:
        p = video.to_widget(x, y)
        c = image.pixelColor(round(p.x()), round(p.y()))
        assert abs(c.red() - warn.red()) + abs(c.green() - warn.green()) + abs(c.blue() - warn.blue()) < 60, (x, y)
    # the magnified view under the pointer goes below the prompt, never over its text
    video.point_at(600, 200)  # right half: the magnifier takes the top-left corner
    image = video.grab().toImage()
    target = video.image_rect()
    size = min(220.0, target.height() / 3)
    c = image.pixelColor(round(target.left() + 12 + size / 2), round(band.bottom() - 3))  # under the text
    assert max(c.red(), c.green(), c.blue()) < 50, c.name()  # the band's dark, not the magnified grey picture (90)
    # a corner away from the bottom leaves the prompt where it was
    video.restart_clicks()
    video.click_at(320, 100)
    band, _px = video.prompt_band()
    assert band.bottom() == pytest.approx(video.image_rect().bottom())
