"""Authority admins and network admins manage user accounts."""
