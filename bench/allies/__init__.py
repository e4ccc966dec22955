"""Allies: two authorities that have both agreed to see each other's identity."""
