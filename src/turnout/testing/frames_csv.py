"""A ``turnout analyze`` frames CSV read back as the per-frame rows the pipeline fed the trackers (test data and
studies: docs/track-format.md)."""

from __future__ import annotations

import csv
import math
from pathlib import Path


def read_frame_rows(path: Path) -> list[dict[str, float]]:
    """Each line as {column: number} (``nan`` where empty or not a number). A name that appears twice (the
    measurement's, then the raw landmark's pixels) keeps its first column: the measurement."""
    with path.open(newline="") as f:
        reader = csv.reader(f)
        head = next(reader)
        rows = []
        for line in reader:
            r: dict[str, float] = {}
            for k, v in zip(head, line, strict=False):
                if k not in r:
                    try:
                        r[k] = float(v) if v else math.nan
                    except ValueError:
                        r[k] = math.nan
            rows.append(r)
    return rows
