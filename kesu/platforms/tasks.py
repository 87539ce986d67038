"""Background tasks of the platforms app (filled in below)."""
