"""The session store: SQLite database, migrations and clips of flagged reps."""
