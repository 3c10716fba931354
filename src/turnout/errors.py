"""Errors a person sees. Each carries one line: what was wrong and what to do."""

from __future__ import annotations


class TurnoutError(Exception):
    """An error with a one-line message meant for the user (no traceback is shown for it)."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class ModelError(TurnoutError):
    """The pose model file is missing, corrupt or cannot be fetched."""


class SourceError(TurnoutError):
    """A camera, video file or image folder cannot be read."""


class TrackError(TurnoutError):
    """A pose track file cannot be read or written."""
