"""staffviews."""
