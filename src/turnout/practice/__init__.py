"""Reps, holds and flags from measurements: baseline, hip profile, rep and hold detection, flags."""
