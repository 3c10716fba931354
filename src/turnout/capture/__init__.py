"""Frame sources (camera, video file, image folder), the live runner and CPU placement."""
