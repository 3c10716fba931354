"""``python -m turnout.cli``: the same as the ``turnout`` command."""

from __future__ import annotations

import sys

from turnout.cli.main import main

sys.exit(main())
