"""Screenshots of the real window on a real clip: the live view mid-plié, the review screen, the progress chart;
and the floor-calibration step on a rendered floor with an A4 sheet (corners being clicked, a bad click, calibrated).

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py --out shots/

The clip (default ``../shared/media/commons/ballet_plie.mp4``) is played through the real pose model and
pipeline while recording, into a fresh database in ``OUT/data``. For the progress chart, ``--history N`` first
stores N earlier practice sessions, one a week, made by the same pipeline from synthetic landmarks (marked
"synthetic" in the session list) whose forced turnout shrinks week by week; ``--history 0`` leaves them out.

The calibration step plays a floor scene rendered by ``turnout.testing.render_floor`` (a webcam 1280x720 with an A4
sheet on the floor, nobody in view) as "camera 0" through the real pose model and pipeline; the corners are clicked
as a dancer would, through the mirrored picture.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "media" / "commons" / "ballet_plie.mp4"
SIZES = ((1280, 720), (1920, 1080))


def synthetic_history(db: Path, weeks: int) -> None:
    """Earlier sessions: the real pipeline and store fed synthetic pliés (no model), dated a week apart."""
    import numpy as np

    from turnout.pose.estimator import PoseFrame
    from turnout.session.pipeline import Pipeline
    from turnout.settings import Settings
    from turnout.storage.store import SessionInfo, SessionRecorder, Store
    from turnout.testing.synth import DancerParams, plie_sequence

    now = datetime.now(UTC)
    for k in range(weeks):
        forced = 16.0 - 12.0 * k / max(weeks - 1, 1)
        settings = Settings()
        with Store.open(db) as store:
            sid = store.create_session(SessionInfo(source="synthetic", settings=settings))
            rec = SessionRecorder(store, sid, background=False)
            pipeline = Pipeline(None, settings, recorder=rec)
            seq = plie_sequence(
                25.0,
                stand_s=2.4,
                repetitions=3,
                params=DancerParams(hip_turnout_deg=(24.0, 22.0), forced_deg=(forced, forced - 2)),
            )
            for i in range(len(seq.phase)):
                image = np.zeros((33, 5), np.float32)
                image[:, :3], image[:, 3], image[:, 4] = seq.image[i], seq.visibility[i], 1.0
                pipeline.process_pose(PoseFrame(i, i * 40, image, seq.world[i].astype(np.float32), 1))
            pipeline.finish()
            rec.close()
        started = (now - timedelta(weeks=weeks - k)).isoformat(timespec="seconds")
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (started, sid))


def wait_until(condition: Any, timeout_s: float = 20.0) -> bool:
    """Run the event loop until ``condition()`` (False after ``timeout_s``)."""
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents()
        time.sleep(0.02)
    return True


def calibration_shots(ctx: Any, out: Path) -> bool:
    """The floor-calibration step on a rendered floor: clicking (a loupe at the pointer), a bad click, calibrated."""
    import itertools
    import time

    import numpy as np

    from turnout.app.controller import LiveController
    from turnout.app.sound import CuePlayer
    from turnout.app.window import MainWindow
    from turnout.capture.sources import Frame, FrameSource, SourceInfo
    from turnout.session.engine import SourceSpec
    from turnout.session.floor_memory import default_path
    from turnout.session.processor import RealEngine
    from turnout.testing.render_floor import random_scene, render, with_camera

    scene = random_scene(np.random.default_rng([4, 2]), (1280, 720), reference="A4")
    frames = [render(with_camera(scene, noise_seed=k)).image for k in range(3)]
    corners = render(scene).corners_px
    assert corners is not None

    class RenderedCamera(FrameSource):
        def __init__(self) -> None:
            self.info = SourceInfo("camera 0", "camera", 25.0, 1280, 720)
            self.closed = False

        def __iter__(self) -> Any:
            for i in itertools.count():
                if self.closed:
                    return
                time.sleep(0.04)
                yield Frame(i, i * 40, frames[i % len(frames)])

        def close(self) -> None:
            self.closed = True

    class RenderedEngine(RealEngine):
        def open_source(self, spec: SourceSpec) -> FrameSource:
            return RenderedCamera()

    default_path(ctx.db_path.parent).unlink(missing_ok=True)  # calibrate afresh, not "using your calibration"
    window = MainWindow(LiveController(RenderedEngine(ctx)), ctx, cues=CuePlayer(enabled=False))
    window.resize(*SIZES[0])
    window.show()
    live, video = window.live, window.live.video
    live.start_source(SourceSpec(camera=0))
    ok = wait_until(lambda: video.result is not None)
    live.act_floor.trigger()
    live.floor_panel.select("A4")
    ok = ok and wait_until(lambda: live.floor_panel.typical.ready.is_set())
    wait_until(lambda: False, 0.4)  # the panel shows the figures
    live.click_floor(*live.floor_panel.choice())
    order = corners[::-1]
    for x, y in order[:3]:
        video.click_at(x + 0.8, y - 0.6)
    video.point_at(float(order[3][0]) + 2, float(order[3][1]) + 1)  # the loupe follows the pointer
    grab(window, out / "calibrate_clicking_1280x720.png")
    window.resize(*SIZES[1])
    grab(window, out / "calibrate_clicking_1920x1080.png")
    window.resize(*SIZES[0])
    video.click_at(float(order[3][0]) + 60, float(order[3][1]) + 45)  # a slip of the hand
    grab(window, out / "calibrate_bad_click_1280x720.png")
    video.undo_click()
    video.click_at(float(order[3][0]) - 0.7, float(order[3][1]) + 0.9)
    ok = ok and wait_until(lambda: live.floor_accuracy is not None)
    wait_until(lambda: False, 0.3)
    print(f"calibration: {live.floor_line.text()}")
    grab(window, out / "calibrated_1280x720.png")
    window.resize(*SIZES[1])
    grab(window, out / "calibrated_1920x1080.png")
    window.close()
    return ok


def help_shots(window: Any, out: Path) -> None:
    """The first-run card and the glossary, over the window, at both sizes (the screen as she sees it)."""
    from PySide6.QtWidgets import QApplication

    window.tabs.setCurrentWidget(window.live)
    for w, h in SIZES:
        window.resize(w, h)
        card = window.show_first_run()
        card.adjustSize()
        card.move(window.geometry().center() - card.rect().center())
        wait_until(lambda: False, 0.3)
        grab_screen(window, out / f"first_run_{w}x{h}.png")
        card.hide()
        dialog = window.show_help()
        dialog.move(window.geometry().center() - dialog.rect().center())
        wait_until(lambda: False, 0.3)
        grab_screen(window, out / f"help_{w}x{h}.png")
        dialog.hide()
    QApplication.processEvents()


def grab_screen(window: Any, path: Path) -> Path:
    """The screen under the window (with its dialogs on top)."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    g = window.frameGeometry()
    window.screen().grabWindow(0, g.x(), g.y(), g.width(), g.height()).save(str(path))
    print(f"saved {path}")
    return path


def grab(widget: Any, path: Path) -> Path:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    widget.grab().save(str(path))
    print(f"saved {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, type=Path, help="folder for the PNGs (and data/)")
    p.add_argument("--clip", type=Path, default=DEFAULT_CLIP, help="video to play (default: %(default)s)")
    p.add_argument("--history", type=int, default=4, help="synthetic earlier sessions for the progress chart")
    p.add_argument("--mid-frame", type=int, default=116, help="first frame counted as mid-plié (default 116)")
    args = p.parse_args(argv)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from turnout.app.context import AppContext
    from turnout.app.controller import LiveController
    from turnout.app.sound import CuePlayer
    from turnout.app.window import MainWindow
    from turnout.session.engine import SourceSpec
    from turnout.session.pipeline import FrameResult
    from turnout.session.processor import RealEngine

    out: Path = args.out
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("sessions.sqlite3*"):
        old.unlink()
    from turnout.app.qtfix import undo_opencv_qt_env

    undo_opencv_qt_env()  # after cv2 was imported, before the QApplication exists
    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = data / "sessions.sqlite3"
    if args.history:
        synthetic_history(db, args.history)
    qs = QSettings(str(data / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=data / "settings.toml", db=str(db))
    window = MainWindow(LiveController(RealEngine(ctx)), ctx, cues=CuePlayer(enabled=False))
    window.show()
    for w, h in reversed(SIZES):  # Live before anything is started (ends at the first size)
        window.resize(w, h)
        wait_until(lambda: False, 0.3)
        grab(window, out / f"live_idle_{w}x{h}.png")
    mid: list[FrameResult] = []

    def on_frame(result: FrameResult) -> None:
        if not mid and result.index >= args.mid_frame and result.reliable:
            mid.append(result)
            grab(window, out / "live_1280x720.png")

    window.controller.frame_ready.connect(on_frame)
    window.live.start_source(SourceSpec(path=args.clip))
    window.live.toggle_recording()
    window.controller.session_finished.connect(lambda: QTimer.singleShot(300, app.quit))
    QTimer.singleShot(120_000, app.quit)  # never hang
    app.exec()
    if not mid:
        print("no reliable frame after --mid-frame was shown; is the dancer in view?", file=sys.stderr)
        return 1
    print(f"live: rep count {mid[0].reps}, phase {mid[0].phase}, flags {[f.code for f in mid[0].active_flags]}")
    window.resize(*SIZES[1])
    window.live.memory.clear()  # show the banner of that moment, not of the end of the clip
    window.live.figures.clear()  # nor the last plié and the set's summary of the end of the clip
    window.live.set_message = ""
    window.live.show_result(mid[0])
    grab(window, out / "live_1920x1080.png")

    window.tabs.setCurrentWidget(window.review)  # refreshes; the newest session (the clip) is selected
    review = window.review
    if review.data is not None and review.player.path is not None:
        rep = review.data.rep(review.rep_order()[0])
        if rep is not None:
            review.player.seek_time(rep.t_bottom_start_s)
    for w, h in SIZES:
        window.resize(w, h)
        grab(window, out / f"review_{w}x{h}.png")
    window.tabs.setCurrentWidget(window.progress)
    for w, h in SIZES:
        window.resize(w, h)
        grab(window, out / f"progress_{w}x{h}.png")
    help_shots(window, out)
    window.close()
    if not calibration_shots(ctx, out):
        print("the calibration step did not finish (no picture, or no calibration)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
