"""What the registry's derive-again migrations share (the migration loader skips this module: its
name begins with an underscore)."""

from collections.abc import Callable

from django.db.models import Q

#: The names of a person as written.
NAMES = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name")


def derive_names_again(apps, field_matches: Callable[[str], Q]) -> None:
    """Derive again the name forms of the persons one of whose names as written
    ``field_matches`` (given the field's name) finds: only those persons are read, a few
    thousand at a time; only changed rows are written."""
    from marsad.core.bulk import derive_again
    from marsad.registry.models import DERIVED_NAME_FIELDS
    from marsad.registry.services import derive_names

    Person = apps.get_model("registry", "Person")
    affected = Q()
    for name in NAMES:
        affected |= field_matches(name)
    derive_again(Person.objects.filter(affected), DERIVED_NAME_FIELDS, derive_names)
