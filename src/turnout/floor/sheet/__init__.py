"""Find a sheet of paper (or another reference rectangle) lying on the floor and locate its corners to a
small fraction of a pixel.

Candidates: bright, compact regions of the least of the three colour channels (paper is white, so it stays
bright there, while a wooden or coloured floor drops to its darkest channel), found by thresholding the
brightness above the local floor level at several levels, at half size (also after removing thin bright
lines such as tile grout); their outlines that are convex quadrilaterals become candidates, straightened by
lines fitted to the middle of each side, and those not brighter than the floor around them are dropped at
once.

Corners: each candidate's four EDGES are fitted, one by one, with a model of a blurred straight step
(``floor[k] + (c0 + c1 t) * Phi(s / sigma)``: the floor level free in short stretches along the edge, the
sheet's brightness drifting smoothly, robust weights, saturated pixels treated as censored) to every pixel in
a band around the edge, in the channel (or grey) where the quad stands out most from the floor around it.
The corners are the intersections of the four fitted lines; their uncertainty combines the fits' own
standard errors with how far a line fitted to the half of an edge next to a corner misses it.

Checks, in order: four sharp steps up into a neutral, brighter region, steps and not thin dark lines (a
floor tile framed by grout); a plausible webcam (focal length, height, distance, roll, pitch) sees the quad
as the reference, with its two focal-length estimates in agreement (``turnout.floor.reference.focal_check``);
the set-up this implies is ordinary (``setup_cost``, which for the reference also asks that it lie where the
dancer is told to lay it: ``TYPICAL_SHEET_DISTANCE_M``); no square or rectangle of other proportions explains
the quad with a more ordinary set-up; and for two sheets end to end, their join shows (or, on paper too
bright to show one, the sheets lie no further than she lays them). The shape check is
what keeps a square card seen straight on, or a small card far away, from passing for a sheet: such views
fit an A4 sheet exactly, but only for a camera of another focal length or roll. Of several candidates that
pass, the one the reference explains best against the other shapes wins.

The parts: ``candidates`` (bright quads), ``edges`` (edge and corner fits), ``paper`` (paper, joins, edges that
are steps), ``setup`` (the camera set-up a quad implies, and how ordinary it is), ``detect`` (all of it together).
"""

from __future__ import annotations

from turnout.floor.sheet.detect import SHEET_INSTRUCTIONS, Detection, detect_reference, find_sheet
from turnout.floor.sheet.edges import EdgeFit, refine_corners
from turnout.floor.sheet.setup import setup_cost

__all__ = [
    "SHEET_INSTRUCTIONS",
    "Detection",
    "EdgeFit",
    "detect_reference",
    "find_sheet",
    "refine_corners",
    "setup_cost",
]
