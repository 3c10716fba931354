"""Measurements from landmarks: the measurement contract and the geometry."""
