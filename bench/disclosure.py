"""Who may see what: the anonymity rules of DESIGN.md applied before anything is shown.

Every figure about peers passes through here before a view or an export serialises it.
"""

from __future__ import annotations

from flask import current_app


def min_peers() -> int:
    """k: the fewest peers a group statistic may come from (never below 3)."""
    return max(3, int(current_app.config["ANONYMITY_MIN_PEERS"]))


def group_statistic_allowed(peer_count: int) -> bool:
    """Rule 3: a group statistic needs k contributing peers, the viewer not counted."""
    return peer_count >= min_peers()
