"""papers -> Site, pure: assemble (days, months, tags) and tagging."""
