"""Landmarks from frames: the pose model, its bundle, people, smoothing, guidance and pose tracks."""
