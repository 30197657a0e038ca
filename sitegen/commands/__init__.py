"""The CLI's commands beyond build: import, fetch, serve, check, new."""
