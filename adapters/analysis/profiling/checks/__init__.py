"""The optional declared schema and the row-level violations found against it."""
