"""The dancer's own references kept across sessions: her hip-turnout profile, updated in this one place after
every session, whether recorded in the window, analysed from a file or re-analysed."""

from __future__ import annotations

from turnout.practice.hip import HipTurnout, estimate_hip_turnout
from turnout.settings import Settings
from turnout.storage.store import Store


def update_hip_profile(store: Store, dancer_id: int | None, settings: Settings) -> HipTurnout | None:
    """Her working hip turnout across sessions, from the demi-pliés stored so far (the most recent
    ``settings.hip.recent_reps``); saved and returned, or None (no dancer, or too few pliés to say)."""
    if dancer_id is None:
        return None
    hip = estimate_hip_turnout(store.hip_samples(dancer_id, settings.hip.recent_reps), settings.hip)
    if hip is not None:
        store.save_hip_profile(dancer_id, hip)
    return hip
