"""Smoke-testing a generated project in a child process."""
