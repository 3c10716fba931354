"""``turnout`` / ``turnout app``: build the application context and open the window."""

from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace) -> int:
    """Open the window; returns the exit status of the event loop."""
    from PySide6.QtWidgets import QApplication

    from turnout.app.context import AppContext
    from turnout.app.controller import LiveController
    from turnout.app.engine import SourceSpec
    from turnout.app.prefs import default_qsettings
    from turnout.app.qtfix import undo_opencv_qt_env
    from turnout.app.recording import RealEngine
    from turnout.app.window import MainWindow

    undo_opencv_qt_env()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Turnout")
    ctx = AppContext.load(default_qsettings(), db=getattr(args, "db", None), model=getattr(args, "model", None))
    controller = LiveController(RealEngine(ctx))
    window = MainWindow(controller, ctx)
    window.show()
    camera = getattr(args, "camera", None)
    if camera is not None:
        window.live.start_source(SourceSpec.parse(camera, ctx.prefs.camera_mirrored))
    elif ctx.prefs.autostart:
        window.live.start_source()
    status = int(app.exec())
    controller.wait_closed()  # a session still being closed keeps its last rep
    return status
