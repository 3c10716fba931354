"""Issue 18, item 11: the one HTML report (``turnout report`` and the window's export) opened in a real browser,
Debian's headless Chromium: its screenshot shows the angles plot.

The plot's place on the page is found by taking a second screenshot of the same report without the plot's
picture: where the two differ is the plot. There, the real screenshot must show the plot (a tall, wide region
with its curves drawn), not a broken-image icon."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from app_fakes import black_frame, record_synthetic_session
from turnout.session.report import write_report
from turnout.storage.store import Store

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
)


def screenshot(html: Path, out: Path) -> np.ndarray:
    import cv2

    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--screenshot={out}", "--window-size=1280,2000", html.as_uri()],
            capture_output=True, text=True, timeout=120, env=dict(os.environ, HOME=profile),
        )  # fmt: skip
    assert done.returncode == 0 and out.is_file(), done.stderr[-2000:]
    image = cv2.imread(str(out))
    assert image is not None
    return image


@needs_chromium
def test_the_report_shows_its_plot_in_a_real_browser(tmp_path: Path) -> None:
    db = tmp_path / "sessions.sqlite3"
    frames = [black_frame(480, 270) for _ in range(4)]
    sid = record_synthetic_session(db, frames)
    with Store.open(db) as store:
        report = write_report(store, sid, tmp_path / "report.html")
    text = report.read_text(encoding="utf-8")
    plot = re.search(r"<img alt='angles over time' src='data:image/png;base64,[^']+'>", text)
    assert plot is not None, "the report has its plot"
    without = tmp_path / "without-plot.html"
    without.write_text(text.replace(plot.group(0), ""), encoding="utf-8")

    shot = screenshot(report, tmp_path / "report.png")
    bare = screenshot(without, tmp_path / "without-plot.png")
    h = min(shot.shape[0], bare.shape[0])
    differs = np.any(np.abs(shot[:h].astype(int) - bare[:h].astype(int)) > 16, axis=2)
    rows, cols = np.nonzero(differs)
    assert rows.size, "the page looks the same with and without its plot"
    top = int(rows.min())
    left, right = int(cols.min()), int(cols.max())
    assert right - left > 500, f"the plot is {right - left} px wide"
    # the plot region: from where the pages start to differ, as tall as the plot picture is drawn
    region = shot[top : top + 600, left : right + 1]
    background = np.median(region.reshape(-1, 3), axis=0)
    ink = np.any(np.abs(region.astype(int) - background) > 60, axis=2)
    assert ink.mean() > 0.02, f"only {ink.mean():.1%} of the plot region is drawn"
    # its curves are in colour, not only text and axes in grey
    bgr = region.astype(int)
    coloured = (bgr.max(axis=2) - bgr.min(axis=2)) > 80
    assert coloured.sum() > 500, f"{coloured.sum()} coloured pixels in the plot"


def test_ci_installs_chromium_before_the_tests() -> None:
    script = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    install = script.index("apt-get install -y -qq --no-install-recommends chromium")
    assert "command -v chromium" in script and install < script.index("make test")
