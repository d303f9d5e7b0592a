"""How results look.

Rich views built from plain result data, the consoles and the prompts. The domain never
imports it.
"""
