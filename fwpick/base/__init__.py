"""What every wing stands on.

Errors and exit codes, signals, child processes, staging folders, the framework
registry.
"""
