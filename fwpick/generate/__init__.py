"""`fwpick new`: names, the template plan, staging, placing the project, its venv."""
