"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise: Abd mistyped joins the
next name as Abd does. عبد with a letter typed twice or ذ for its د (عبدد الزهرة, عبذ الله)
and Abd with its b and d the other way round (Adbel Hussein) were two names each, not
عبد الزهرة, عبد الله and عبد الحسين.

Only rows with such a name are read; only changed rows are written. Screening builds its index
from the names as written and needs nothing; fingerprints hash the names as written and do not
change. The rows are derived by the models' own ``refresh_derived``, as in 0002 and 0004 to
0007."""

from django.db import migrations
from django.db.models import Q

from marsad.border.migrations._names import derive_names_again

#: A word beginning with "adb" (no name does).
LATIN = "(^|[^a-z])adb"
#: عبد mistyped, a word of its own (Arabic letters are U+0621 to U+064A).
ARABIC = "(^|[^ء-ي])(عع+ب+[دذ]+|عبب+[دذ]+|عب(د*ذ|دد)[دذ]*)([^ء-ي]|$)"


def derive_again(apps, schema_editor):
    # Arabic names may be escaped in the stored JSON; their normal forms are in search_text,
    # where the old normaliser left such an عبد a word of its own.
    derive_names_again(
        lambda name: Q(**{f"{name}__iregex": LATIN}) | Q(**{f"{name}__regex": ARABIC}),
        Q(names_text__iregex=LATIN) | Q(search_text__regex=ARABIC),
    )


class Migration(migrations.Migration):
    dependencies = [("border", "0007_derive_doubled_abd_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
