"""The content store: paper files <-> Paper (parse, validate, write) and merging records into it."""
