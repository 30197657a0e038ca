"""Outputs -> the output folder: containment, collisions, the kept staging folder, atomic swap."""
