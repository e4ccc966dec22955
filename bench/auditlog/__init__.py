"""The audit log pages: an authority's own log for its admins, every event for network admins."""
