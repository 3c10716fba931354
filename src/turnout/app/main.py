"""``turnout`` / ``turnout app``: build the application context and open the window.

Start-up order matters for the time to the first picture: the source is started as soon as the window exists,
so the camera opens and the pose model loads (importing MediaPipe, about a second: its ``tasks.python.vision``
package pulls in matplotlib) on the runner's threads while Qt lays out and shows the window. Importing
MediaPipe on a thread from the very start was measured too: no faster, since both imports need the GIL.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from turnout.app.context import AppContext
    from turnout.app.controller import LiveController
    from turnout.app.window import MainWindow
    from turnout.session.engine import Engine


def create_window(
    args: argparse.Namespace, engine: Callable[[AppContext], Engine] | None = None
) -> tuple[QApplication, MainWindow, LiveController]:
    """The application, its shown main window and the live controller; the source in ``args`` (or the
    autostart camera) is started. ``engine(ctx)`` replaces the real engine (the benchmark's looping camera)."""
    from PySide6.QtWidgets import QApplication

    from turnout.app.context import AppContext
    from turnout.app.controller import LiveController
    from turnout.app.prefs import default_qsettings
    from turnout.app.qtfix import undo_opencv_qt_env
    from turnout.app.window import MainWindow
    from turnout.session.engine import SourceSpec
    from turnout.session.pipeline import limit_opencv_threads
    from turnout.session.processor import RealEngine

    undo_opencv_qt_env()
    limit_opencv_threads()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Turnout")
    ctx = AppContext.load(default_qsettings(), db=getattr(args, "db", None), model=getattr(args, "model", None))
    controller = LiveController(engine(ctx) if engine is not None else RealEngine(ctx))
    window = MainWindow(controller, ctx)
    camera = getattr(args, "camera", None)
    # Start the source (its threads open the camera and load the model) before showing the window, so both
    # happen while Qt lays out and paints it.
    if camera is not None:
        window.live.start_source(SourceSpec.parse(camera, ctx.prefs.camera_mirrored))
    elif ctx.prefs.autostart:
        window.live.start_source()
    window.show()
    window.show_first_run_if_new()
    return app, window, controller


def run_app(args: argparse.Namespace) -> int:
    """Open the window; returns the exit status of the event loop."""
    from turnout.capture import cores

    cores.reserve()  # first, so that every thread the window starts keeps off the pose model's core
    app, _window, controller = create_window(args)
    status = int(app.exec())
    controller.wait_closed()  # a session still being closed keeps its last rep
    return status
