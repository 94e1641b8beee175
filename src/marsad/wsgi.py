"""WSGI entry point for production servers (gunicorn marsad.wsgi) and ``marsad demo``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsad.settings")
application = get_wsgi_application()

from marsad.core.process import settle  # noqa: E402 - needs the apps loaded above

settle()
