"""Sound cues for a dancer who is mid-plié and not reading the screen.

PySide6-Essentials has no QtMultimedia, so a cue is played by the system's own player: spoken with
``spd-say`` / ``espeak-ng`` / ``espeak`` when one is installed (and speech is on), else a short tone (a WAV
generated with numpy) through ``pw-play`` / ``paplay`` / ``aplay`` / ``afplay``, else ``QApplication.beep``.
Players run as child processes, never blocking the GUI thread; without an audio device they simply fail
quietly. Cues are rate-limited: the same cue at most every ``repeat_s`` seconds, any cue at most every
``gap_s`` seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
from PySide6.QtWidgets import QApplication

SPEAKERS: Final = (("spd-say", ("-w",)), ("espeak-ng", ()), ("espeak", ()))
PLAYERS: Final = (("pw-play", ()), ("paplay", ()), ("aplay", ("-q",)), ("afplay", ()))
#: Tone per severity: (frequencies in Hz played one after another, seconds each).
TONES: Final = {"warn": ((660.0,), 0.18), "bad": ((880.0, 660.0), 0.16), "info": ((520.0,), 0.12)}


def tone_samples(freqs: Sequence[float], seconds: float, rate: int = 22050, volume: float = 0.45) -> np.ndarray:
    """16-bit mono samples: each frequency for ``seconds`` with 10 ms fades (no clicks)."""
    n = int(rate * seconds)
    t = np.arange(n) / rate
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    parts = [np.sin(2 * np.pi * f * t) * fade for f in freqs]
    wave_f = np.concatenate(parts) * volume
    return (wave_f * 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, rate: int = 22050) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def _first_found(
    commands: Sequence[tuple[str, tuple[str, ...]]], which: Callable[[str], str | None]
) -> list[str] | None:
    for name, args in commands:
        path = which(name)
        if path:
            return [path, *args]
    return None


class CuePlayer:
    """Plays rate-limited cues. ``enabled`` and ``spoken`` are toggled from the window and settings."""

    def __init__(
        self,
        enabled: bool = True,
        spoken: bool = True,
        repeat_s: float = 6.0,
        gap_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        which: Callable[[str], str | None] = shutil.which,
    ) -> None:
        self.enabled = enabled
        self.spoken = spoken
        self.repeat_s, self.gap_s = repeat_s, gap_s
        self._clock = clock
        self._last_any = -1e9
        self._last: dict[str, float] = {}
        self._procs: list[subprocess.Popen[bytes]] = []
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self.speaker = _first_found(SPEAKERS, which)
        self.player = _first_found(PLAYERS, which)
        #: what the last cue did: "spoken", "tone", "beep" or "" (for tests and the status bar)
        self.last_method = ""
        self.played = 0

    @property
    def method(self) -> str:
        """How cues are played on this machine."""
        if self.spoken and self.speaker:
            return "spoken"
        return "tone" if self.player else "beep"

    def cue(self, key: str, text: str, severity: str = "warn") -> bool:
        """Play a cue for ``key`` (a flag code) unless sound is off or it is too soon. True if played."""
        if not self.enabled:
            return False
        now = self._clock()
        if now - self._last_any < self.gap_s or now - self._last.get(key, -1e9) < self.repeat_s:
            return False
        self._last_any = self._last[key] = now
        self._reap()
        if self.spoken and self.speaker and self._spawn([*self.speaker, text]):
            self.last_method = "spoken"
        elif self.player and self._spawn([*self.player, str(self._tone(severity))]):
            self.last_method = "tone"
        else:
            QApplication.beep()
            self.last_method = "beep"
        self.played += 1
        return True

    def _tone(self, severity: str) -> Path:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="turnout-cues-")
        path = Path(self._dir.name) / f"{severity}.wav"
        if not path.exists():
            freqs, secs = TONES.get(severity, TONES["warn"])
            write_wav(path, tone_samples(freqs, secs))
        return path

    def _spawn(self, argv: list[str]) -> bool:
        if len(self._procs) >= 3:  # the device is busy or hung: do not pile up players
            return False
        try:
            self._procs.append(
                subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        except OSError:
            return False
        return True

    def _reap(self) -> None:
        self._procs = [p for p in self._procs if p.poll() is None]

    def close(self) -> None:
        """Stop players still running and remove the generated tones."""
        for p in self._procs:
            if p.poll() is None:
                p.terminate()
        for p in self._procs:
            try:
                p.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                p.kill()
        self._procs = []
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
