"""The command line: ``turnout analyze``, ``turnout sessions``, ``turnout report`` and the rest."""

from __future__ import annotations

from turnout.cli.main import main

__all__ = ["main"]
