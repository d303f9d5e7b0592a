"""The command line.

Typer parsing, one module per command; it hands results to ui and exits with the code.
"""
