"""`python -m fwpick` runs the command-line interface."""

from fwpick.cli.app import main

main()
