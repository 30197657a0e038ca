"""`python -m sitegen` runs the CLI."""

from .cli import main_exit

main_exit()
