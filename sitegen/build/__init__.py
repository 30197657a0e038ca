"""The one place where stages, caches, the writer and processes meet."""
