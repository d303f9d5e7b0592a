"""`fwpick bench`: train the twin projects for the same work and compare them."""
