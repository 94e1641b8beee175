"""REST API for the audit log and background task runs."""

ROUTES: list = []
