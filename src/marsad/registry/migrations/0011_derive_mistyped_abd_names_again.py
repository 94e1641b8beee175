"""Derive again the name forms of the persons whose names the normaliser now reads otherwise:
Abd mistyped joins the next name as Abd does. عبد with a letter typed twice or ذ for its د
(عبدد الزهرة, عببد الله, عبذ الكريم) and Abd with its b and d the other way round (Adbel
Hussein, Adbulrahman) were two names each, or a name no list spells, not عبد الزهرة, عبد الله,
عبد الكريم and عبد الحسين.

Only persons with such a name are read, a few thousand at a time; only changed rows are
written."""

from django.db import migrations
from django.db.models import Q

from marsad.registry.migrations._names import derive_names_again

#: A word beginning with "adb" (no name does).
LATIN = "(^|[^a-z])adb"
#: عبد mistyped, a word of its own (Arabic letters are U+0621 to U+064A).
ARABIC = "(^|[^ء-ي])(عع+ب+[دذ]+|عبب+[دذ]+|عب(د*ذ|دد)[دذ]*)([^ء-ي]|$)"


def derive_again(apps, schema_editor):
    derive_names_again(
        apps, lambda name: Q(**{f"{name}__iregex": LATIN}) | Q(**{f"{name}__regex": ARABIC})
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_derive_doubled_abd_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
