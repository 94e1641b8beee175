"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise: an Arabic nisba of a name
the lexicon lists takes the key of its Latin spelling (الأنوري and Al-Anwari now meet; Kazimi
and Osmani meet Kadhimi and Uthmani), the lexicon learnt Awad عوض, and Alawy is no longer read
as al + Awy. Only rows with such a name are read; only changed rows are written.
Screening builds its index from the names as written and needs nothing; fingerprints hash the
names as written and do not change.

The rows are derived by the models' own ``refresh_derived``, as in 0002 and 0004."""

from django.db import migrations
from django.db.models import Q

from marsad.border.migrations._names import derive_names_again

#: The nisbas (-i, -awi) whose key changed (of أدهم, إسحاق, أنور, ثروت, عوض) and عوض itself.
ARABIC = "[اأإآ](دهم|سحاق|نور)(او)?ي|ثروت(او)?ي|عوض"
#: The same in the normal form search_text holds (alef forms written ا).
NORMAL = "ا(دهم|سحاق|نور)(او)?ي|ثروت(او)?ي|عوض"
#: The Latin nisbas (-i, -awi) whose key changed (of spellings the lexicon lists), and Alawy.
LATIN = (
    r"(ahmet|amgad|anuar|fazil|hares|haris|kazem|kazim|kazum|munzer|munzir|osman|ramazan|sarwat"
    r"|usman)(aw)?[iy]|alawy"
)


def derive_again(apps, schema_editor):
    # Arabic names may be escaped in the stored JSON; their normal forms are in search_text.
    # (and Alawy's normal form was "awy": the Latin names are read as written)
    derive_names_again(
        lambda name: Q(**{f"{name}__regex": ARABIC}) | Q(**{f"{name}__iregex": LATIN}),
        Q(search_text__regex=NORMAL) | Q(names_text__iregex=LATIN),
    )


class Migration(migrations.Migration):
    dependencies = [("border", "0004_derive_some_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
