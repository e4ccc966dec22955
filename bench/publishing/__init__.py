"""Publishing: authorities upload and correct their figures, validated, all or nothing."""
