"""The home page after signing in."""
