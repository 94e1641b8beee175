"""Derive again the name forms of the persons whose names the normaliser now reads otherwise:
an Abd word with a letter typed twice joins the next name as Abdul does (Abdull Zahra, Abbdel
Karim and Abddul Rahman were two names each, not عبد الزهرة, عبد الكريم and عبد الرحمن).

Only persons with such a name are read, a few thousand at a time; only changed rows are
written."""

from django.db import migrations
from django.db.models import Q

from marsad.registry.migrations._names import derive_names_again

#: An Abd word with a doubled letter, standing apart from the next word (Abdullah is left out:
#: letters follow its ll).
LATIN = (
    r"(^|[^a-z])(a{2,}bd|ab{2,}d|abd{2,}"
    r"|abd[aeiou]{1,2}l{2,}([^a-z]|$)|abd[aeiou](tt|dd|ss|zz|rr|nn)([^a-z]|$))"
)


def derive_again(apps, schema_editor):
    derive_names_again(apps, lambda name: Q(**{f"{name}__iregex": LATIN}))


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_merge_origin")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
