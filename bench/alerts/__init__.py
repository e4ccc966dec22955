"""Alerts: following indicators and issue types, notifications in the app and by email."""
