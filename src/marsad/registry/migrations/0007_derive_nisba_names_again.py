"""Derive again the name forms of the persons whose names the normaliser now reads otherwise:
an Arabic nisba of a name the lexicon lists takes the key of its Latin spelling (الأنوري had the
key "anry", Al-Anwari "anwry", so the two scripts of the name did not meet; in Latin script
Kazimi and Osmani now meet Kadhimi and Uthmani), the lexicon learnt Awad عوض, and Alawy is no
longer read as al + Awy. Only persons with such a name are read, a few thousand at a time; only
changed rows are written."""

from django.db import migrations
from django.db.models import Q

from marsad.registry.migrations._names import derive_names_again

#: The nisbas (-i, -awi) whose key changed (of أدهم, إسحاق, أنور, ثروت, عوض) and عوض itself.
ARABIC = "[اأإآ](دهم|سحاق|نور)(او)?ي|ثروت(او)?ي|عوض"
#: The Latin nisbas (-i, -awi) whose key changed (of spellings the lexicon lists), and Alawy.
LATIN = (
    r"(ahmet|amgad|anuar|fazil|hares|haris|kazem|kazim|kazum|munzer|munzir|osman|ramazan|sarwat"
    r"|usman)(aw)?[iy]|alawy"
)


def derive_again(apps, schema_editor):
    derive_names_again(
        apps, lambda name: Q(**{f"{name}__regex": ARABIC}) | Q(**{f"{name}__iregex": LATIN})
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_derive_some_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
