"""Pulling submissions from a live Kobo server (API v2) with the standard library only:
``GET {url}/api/v2/assets/{asset}/data/?format=json&limit=1000&start=0``, following ``next``."""

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.utils.translation import gettext as _

PAGE_SIZE = 1000
TIMEOUT = 60  # seconds per request
MAX_PAGES = 10_000


class KoboError(Exception):
    """The Kobo server could not be read; the message says why in plain words."""


def first_page_url(url: str, asset: str) -> str:
    query = urllib.parse.urlencode({"format": "json", "limit": PAGE_SIZE, "start": 0})
    return f"{url.rstrip('/')}/api/v2/assets/{urllib.parse.quote(asset)}/data/?{query}"


def _get(page_url: str, token: str, timeout: float) -> dict[str, Any]:
    if urllib.parse.urlsplit(page_url).scheme not in ("http", "https"):
        raise KoboError(_("%(url)s is not an http:// or https:// address.") % {"url": page_url})
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        page_url,
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise KoboError(
                _("The Kobo server at %(url)s refused the token (HTTP %(code)d).")
                % {"url": page_url, "code": error.code}
            ) from error
        if error.code == 404:
            raise KoboError(
                _("The Kobo server has no form at %(url)s (HTTP 404); check the asset id.")
                % {"url": page_url}
            ) from error
        raise KoboError(
            _("The Kobo server answered HTTP %(code)d for %(url)s.")
            % {"code": error.code, "url": page_url}
        ) from error
    except TimeoutError as error:
        raise KoboError(
            _("The Kobo server at %(url)s did not answer within %(seconds)d seconds.")
            % {"url": page_url, "seconds": timeout}
        ) from error
    except urllib.error.URLError as error:
        raise KoboError(
            _("Cannot reach the Kobo server at %(url)s: %(reason)s.")
            % {"url": page_url, "reason": error.reason}
        ) from error
    try:
        page = json.loads(body)
    except ValueError as error:
        raise KoboError(
            _("The Kobo server's answer for %(url)s is not JSON.") % {"url": page_url}
        ) from error
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise KoboError(
            _('The Kobo server\'s answer for %(url)s has no "results" list.') % {"url": page_url}
        )
    return page


def fetch_pages(*, url: str, token: str, asset: str, timeout: float = TIMEOUT) -> list[dict]:
    """Every page of the asset's submissions, following ``next`` until it is empty."""
    pages: list[dict] = []
    page_url: str | None = first_page_url(url, asset)
    seen: set[str] = set()
    while page_url and len(pages) < MAX_PAGES:
        if page_url in seen:
            raise KoboError(
                _("The Kobo server sent %(url)s twice as the next page.") % {"url": page_url}
            )
        seen.add(page_url)
        page = _get(page_url, token, timeout)
        pages.append(page)
        page_url = page.get("next") or None
    return pages
