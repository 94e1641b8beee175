"""REST API for published aggregates (rounds × areas × population types)."""

ROUTES: list = []
