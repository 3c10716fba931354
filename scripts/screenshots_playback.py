"""Screenshots of issue 18's playback screens on the real window, model and pipeline: a video paused in Live with
its controls (recorded from its 30th frame on), the loop over a rep in slow motion, Review playing the whole video of
that Live recording (a rep with its overlay; a frame before Record, "not recorded"), the delayed mirror on a camera,
Analyse folder's summary, Review's date correction and two reps side by side, and the Settings' delayed mirror.

    xvfb-run -a -s "-screen 0 1920x1080x24" \
        .venv/bin/python scripts/screenshots_playback.py --out build/screenshots/playback [--size 1920x1080]

The clip (default ``../shared/media/commons/ballet_plie.mp4``) is copied twice into ``OUT/data/class/`` (as two
days' practice) for the folder analysis; nothing is written into the project.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "media" / "commons" / "ballet_plie.mp4"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, type=Path, help="folder for the PNGs (and data/)")
    p.add_argument("--clip", type=Path, default=DEFAULT_CLIP, help="video to play (default: %(default)s)")
    p.add_argument("--size", default="1280x720", help="window size (default: %(default)s)")
    args = p.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    from turnout.app.context import AppContext
    from turnout.app.controller import LiveController
    from turnout.app.qtfix import undo_opencv_qt_env
    from turnout.app.sound import CuePlayer
    from turnout.app.window import MainWindow
    from turnout.capture.sources import CameraSource, FrameSource
    from turnout.session.engine import SourceSpec
    from turnout.session.processor import RealEngine

    out: Path = args.out
    data = out / "data"
    shutil.rmtree(data, ignore_errors=True)
    (data / "class").mkdir(parents=True)
    for name in ("monday.mp4", "friday.mp4"):
        shutil.copy2(args.clip, data / "class" / name)
    undo_opencv_qt_env()
    app = QApplication.instance() or QApplication(sys.argv[:1])

    class ClipCamera(RealEngine):
        """Camera 0 is the clip played in real time (a webcam stand-in)."""

        def open_source(self, spec: SourceSpec) -> FrameSource:
            if spec.camera is None:
                return super().open_source(spec)
            return CameraSource(str(args.clip), realtime=True)

    qs = QSettings(str(data / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=data / "settings.toml", db=str(data / "sessions.sqlite3"))
    window = MainWindow(LiveController(ClipCamera(ctx)), ctx, cues=CuePlayer(enabled=False))
    window.resize(width, height)
    window.show()

    def wait(cond: Callable[[], bool], timeout: float = 60.0) -> bool:
        end = time.monotonic() + timeout
        while not cond() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        return cond()

    def pause(seconds: float) -> None:
        wait(lambda: False, seconds)

    def grab(widget: Any, name: str) -> None:
        pause(0.2)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"saved {path}")

    # 1. a video in Live, recorded from its 30th frame, paused at the bottom of the plié, a frame stepped back
    pb = window.live.playback
    window.open_video(args.clip)
    wait(lambda: pb.head >= 29, 60)
    window.live.act_record.trigger()
    wait(lambda: pb.head >= 118, 60)
    pb.pause()
    pause(0.3)
    pb.step(-1)
    grab(window, "live_video_paused")
    # 2. played to its end, then the rep in a loop at half speed
    pb.play()
    wait(lambda: not window.controller.running, 60)
    pause(0.3)
    if pb.loop_box.count() > 1:
        pb.set_rate(0.5)
        pb.set_loop(pb.loop_box.itemData(1))
        pause(1.5)
        grab(window, "live_video_loop")
    else:
        print("no rep counted: no loop screenshot", file=sys.stderr)
    # 2b. Review plays the whole video of that Live recording: its rep with the overlay, a frame before Record
    review = window.review
    pb.pause()
    window.tabs.setCurrentWidget(review)
    pause(0.5)
    if review.data is not None and review.data.reps:
        review.select_rep(review.data.reps[0].rep.index)
        review.player.seek_time(review.data.reps[0].rep.t_bottom_start_s)
        grab(window, "review_live_recording")
        review.player.slider.setValue(10)
        grab(window, "review_live_recording_before_record")
    else:
        print("no rep in the Live recording: no Review screenshots of it", file=sys.stderr)
    window.tabs.setCurrentWidget(window.live)
    # 3. the delayed mirror on a camera
    window.live.set_delay(3, by_her=True)
    window.live.start_source(SourceSpec(camera=0))
    pause(1.0)
    grab(window, "live_delay_filling")
    pause(4.0)
    grab(window, "live_delay")
    window.controller.stop()
    window.live.set_delay(0, by_her=True)
    # 4. a folder analysed: the summary
    window.analyse_folder(data / "class")
    wait(lambda: window.folder_summary is not None, 240)
    if window.folder_summary is not None:
        grab(window.folder_summary, "folder_summary")
        window.folder_summary.close()
    grab(window, "review_after_folder")
    # 5. Review: the date dialog, then two reps side by side

    def snap_dialog() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
        for d in dialogs:
            if d.windowTitle() == "Correct the session's date":
                d.grab().save(str(out / "review_edit_date.png"))
                print(f"saved {out / 'review_edit_date.png'}")
                d.reject()

    QTimer.singleShot(500, snap_dialog)
    review.edit_date_dialog()
    ids = review.session_ids()
    if len(ids) >= 2:
        review.select_session(ids[1])
        review.reps.selectRow(0)
        review.pin_selected()
        review.select_session(ids[0])
        review.reps.selectRow(0)
        dialog = review.compare_selected()
        if dialog is not None:
            dialog.resize(width, int(height * 0.8))
            pause(1.2)
            grab(dialog, "review_compare")
            dialog.close()
    # 6. the settings' delayed mirror
    from turnout.app.settings_dialog import SettingsDialog

    settings = SettingsDialog(ctx, window)
    settings.mirror_delay.setValue(5)
    settings.show()
    grab(settings, "settings_delayed_mirror")
    settings.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
