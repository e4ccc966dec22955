"""Known issues: the issue-type catalogue and authorities' flags about them."""
