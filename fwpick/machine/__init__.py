"""What this machine has.

Platform and installed frameworks, accelerators, interpreters, and what each framework
can really use.
"""
