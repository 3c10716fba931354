"""The PySide6 desktop window: live mirror with cues, recording, review of flagged reps, progress, settings.

Everything Qt lives here; the core (:mod:`turnout`) never imports Qt. The window displays
:class:`turnout.session.pipeline.FrameResult` objects produced on worker threads by
:class:`turnout.capture.live.LiveRunner`;
the GUI thread only paints the latest one from a timer.
"""

from __future__ import annotations

from turnout.app.qtfix import guard as _guard_pyside_refcounts

#: Applied before any window is built (see turnout.app.qtfix: PySide6 6.12.0 on Python 3.11).
PYSIDE_REFCOUNT_GUARD = _guard_pyside_refcounts()
