"""The comparison engine and its views: where a figure or problem is the norm among peers."""
