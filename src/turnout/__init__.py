"""Turnout: tells a ballet dancer whether her turnout comes from the hips or is forced from the feet.

The core (everything outside ``turnout.app``) never imports Qt.
"""

from __future__ import annotations

__version__ = "0.1.0"
