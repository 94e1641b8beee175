"""What the assistance pages share: who may open them, a service's refusal shown on a form, and
sortable paginated tables (the column headers are links that sort, a second click reverses)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from marsad.core.roles import Capability
from marsad.core.scoping import has_capability

#: Assistance pages show beneficiaries and receipts: personal data.
MAY_VIEW = Capability.VIEW_PII


def require(request: HttpRequest, *capabilities: Capability) -> None:
    """Refuse (403) a user whose roles lack any of ``capabilities`` (personal data always)."""
    for capability in (MAY_VIEW, *capabilities):
        if not has_capability(request.user, capability):
            raise PermissionDenied(_("Your role does not give access to this assistance page."))


def form_errors(form: Any, error: ValidationError, *, fallback: str | None = None) -> None:
    """A service's ``ValidationError`` on ``form``: each field's messages on the field when the
    form has it (else on ``fallback`` or the whole form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else fallback
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@dataclass(frozen=True)
class Column:
    """A sortable column: ``key`` in the query string, the ordering it applies."""

    key: str
    label: str | Promise
    ordering: tuple[str, ...]
    numeric: bool = False


class SortedTable:
    """``items`` ordered by the ``sort`` query parameter (a column key, ``-key`` descending)
    and paginated by ``page``; ``headers`` for the template, ``querystring`` (without the page)
    for the pagination links."""

    def __init__(
        self,
        request: HttpRequest,
        items: Any,
        columns: Sequence[Column],
        *,
        default: str,
        per_page: int = 50,
        tie_break: tuple[str, ...] = ("pk",),
    ) -> None:
        by_key = {column.key: column for column in columns}
        requested = request.GET.get("sort", "") or default
        descending = requested.startswith("-")
        key = requested.lstrip("-")
        if key not in by_key:
            descending = default.startswith("-")
            key = default.lstrip("-")
        self.key, self.descending = key, descending
        ordering = [("-" if descending else "") + field for field in by_key[key].ordering]
        ordering += [field for field in tie_break if field.lstrip("-") not in by_key[key].ordering]
        self.page = Paginator(items.order_by(*ordering), per_page).get_page(request.GET.get("page"))
        keep = request.GET.copy()
        keep.pop("page", None)
        self.querystring = keep.urlencode()
        self.headers = []
        for column in columns:
            current = column.key == key
            link = keep.copy()
            link["sort"] = f"-{column.key}" if current and not descending else column.key
            self.headers.append(
                {
                    "label": column.label,
                    "url": "?" + link.urlencode(),
                    "current": current,
                    "descending": current and descending,
                    "aria_sort": (
                        ("descending" if descending else "ascending") if current else "none"
                    ),
                    "numeric": column.numeric,
                }
            )
