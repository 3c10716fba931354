"""The one orchestration: pipeline, processor and engine, analysis, re-analysis, exports and reports."""
