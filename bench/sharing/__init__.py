"""Sharing visit notes: with the host, allies and inspectors, and as good practice."""
