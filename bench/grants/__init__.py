"""Inspector grants: an authority's admins let a named inspector see its figures for a time."""
