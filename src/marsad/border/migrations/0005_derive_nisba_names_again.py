"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise: an Arabic nisba of a name
the lexicon lists takes the key of its Latin spelling (الأنوري and Al-Anwari now meet; Kazimi
and Osmani meet Kadhimi and Uthmani), the lexicon learnt Awad عوض, and Alawy is no longer read
as al + Awy. Only rows with such a name are read; only changed rows are written.
Screening builds its index from the names as written and needs nothing; fingerprints hash the
names as written and do not change.

The rows are derived by the models' own ``refresh_derived``, as in 0002 and 0004."""

from operator import methodcaller

from django.db import migrations
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from marsad.core.bulk import derive_again as derive_again_in_batches

FIELDS = ["names_normalised", "names_latin", "name_key", "search_text"]
#: The nisbas (-i, -awi) whose key changed (of أدهم, إسحاق, أنور, ثروت, عوض) and عوض itself.
ARABIC = "[اأإآ](دهم|سحاق|نور)(او)?ي|ثروت(او)?ي|عوض"
#: The same in the normal form search_text holds (alef forms written ا).
NORMAL = "ا(دهم|سحاق|نور)(او)?ي|ثروت(او)?ي|عوض"
#: The Latin nisbas (-i, -awi) whose key changed (of spellings the lexicon lists), and Alawy.
LATIN = (
    r"(ahmet|amgad|anuar|fazil|hares|haris|kazem|kazim|kazum|munzer|munzir|osman|ramazan|sarwat"
    r"|usman)(aw)?[iy]|alawy"
)


def _derive(queryset, affected):
    derive_again_in_batches(queryset.filter(affected), FIELDS, methodcaller("refresh_derived"))


def _written(*names):
    found = Q()
    for name in names:
        found |= Q(**{f"{name}__regex": ARABIC}) | Q(**{f"{name}__iregex": LATIN})
    return found


def derive_again(apps, schema_editor):
    from marsad.border.models import TravelDocument, Traveller, WatchlistEntry

    _derive(Traveller.objects.all(), _written("given_names", "surname", "name_other_script"))
    _derive(TravelDocument.objects.all(), _written("given_names", "surname"))
    # Arabic names may be escaped in the stored JSON; their normal forms are in search_text.
    # (and Alawy's normal form was "awy": the Latin names are read as written)
    _derive(
        WatchlistEntry.objects.annotate(names_text=Cast("names", TextField())),
        Q(search_text__regex=NORMAL) | Q(names_text__iregex=LATIN),
    )


class Migration(migrations.Migration):
    dependencies = [("border", "0004_derive_some_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
