"""`python -m fwpick` runs the command-line interface."""

from fwpick.cli import main

main()
