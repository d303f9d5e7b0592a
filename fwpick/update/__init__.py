"""`fwpick update`: bring a generated project to the current templates, keeping its edits."""
