"""What the border's derive-again migrations share (the migration loader skips this module: its
name begins with an underscore).

Each reads only the rows whose names the normaliser now reads otherwise, and writes only the rows
that change, through the models' own ``refresh_derived`` (the schema is the same as in 0001)."""

from collections.abc import Callable
from operator import methodcaller

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from marsad.core.bulk import derive_again

FIELDS = ["names_normalised", "names_latin", "name_key", "search_text"]


def derive_names_again(field_matches: Callable[[str], Q], entry_matches: Q) -> None:
    """Derive again the travellers and documents one of whose names as written
    ``field_matches`` (given the field's name) finds, and the watchlist entries
    ``entry_matches`` finds: it may look at ``names_text``, the stored names as text (where
    JSON may escape Arabic letters), and at ``search_text``, which holds their normal forms."""
    from marsad.border.models import TravelDocument, Traveller, WatchlistEntry

    def derive(queryset, affected: Q) -> None:
        derive_again(queryset.filter(affected), FIELDS, methodcaller("refresh_derived"))

    def written(*names: str) -> Q:
        found = Q()
        for name in names:
            found |= field_matches(name)
        return found

    derive(Traveller.objects.all(), written("given_names", "surname", "name_other_script"))
    derive(TravelDocument.objects.all(), written("given_names", "surname"))
    derive(WatchlistEntry.objects.annotate(names_text=Cast("names", TextField())), entry_matches)
