"""`python -m sitegen` runs the CLI."""

from sitegen.cli import main_exit

main_exit()
