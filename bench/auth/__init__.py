"""Signing in and out, server-side sessions, invitations and the account page."""
