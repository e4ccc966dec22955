"""Peer groups people manage: published nearest-neighbour imports and custom groups."""
