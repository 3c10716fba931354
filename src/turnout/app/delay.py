"""The delayed mirror: the live picture shown N seconds late, so a dancer can watch her own plié just after doing
it (as Kinovea offers).

The results shown are kept in memory for the delay, then shown. The memory is bounded: a frame is kept at most
:data:`MAX_WIDTH` pixels wide (the overlay is drawn from normalised landmarks, so it still fits), and the buffer
holds at most :data:`MAX_BYTES`; when a long delay at a high frame rate would need more, frames are kept evenly
spaced (fewer per second) instead. At the longest delay (10 s) and 30 fps, 300 frames of 640 x 360: 207 MB.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Final

import numpy as np

from turnout.session.pipeline import FrameResult

#: the longest delay offered (seconds)
MAX_DELAY_S: Final = 10
#: frames are kept at most this wide
MAX_WIDTH: Final = 640
#: the buffer's bound
MAX_BYTES: Final = 240 * 1024 * 1024


def small(result: FrameResult, max_width: int = MAX_WIDTH) -> FrameResult:
    """``result`` with its frame at most ``max_width`` pixels wide (aspect kept)."""
    h, w = result.bgr.shape[:2]
    if w <= max_width:
        return result
    import cv2

    size = (max_width, max(1, round(h * max_width / w)))
    return replace(result, bgr=np.ascontiguousarray(cv2.resize(result.bgr, size, interpolation=cv2.INTER_AREA)))


class DelayBuffer:
    """Results kept for ``delay_s`` seconds: :meth:`push` each shown result, :meth:`due` gives the one to show now."""

    def __init__(self, delay_s: float, max_bytes: int = MAX_BYTES, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay_s = delay_s
        self.max_bytes = max_bytes
        self._clock = clock
        self._items: deque[tuple[float, FrameResult]] = deque()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
        self.nbytes = 0

    def push(self, result: FrameResult) -> None:
        now = self._clock()
        kept = small(result)
        size = int(kept.bgr.nbytes)
        if size <= 0:
            return
        # evenly spaced when the delay's frames would not fit: at most max_bytes / size frames over the delay
        spacing = self.delay_s / max(1, self.max_bytes // size)
        if self._items and now - self._items[-1][0] < spacing:
            return
        self._items.append((now, kept))
        self.nbytes += size
        while self.nbytes > self.max_bytes and self._items:
            self.nbytes -= int(self._items.popleft()[1].bgr.nbytes)

    def due(self) -> FrameResult | None:
        """The newest result at least ``delay_s`` old (older ones are dropped); None if none is that old yet."""
        limit = self._clock() - self.delay_s
        shown: FrameResult | None = None
        while self._items and self._items[0][0] <= limit:
            shown = self._items.popleft()[1]
            self.nbytes -= int(shown.bgr.nbytes)
        return shown
