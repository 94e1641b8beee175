"""REST API (serializers and viewsets)."""

ROUTES: list = []
