"""What fwpick and a generated project agree on.

The smoke report, .fwpick.toml, the train flags and summary.json.
"""
