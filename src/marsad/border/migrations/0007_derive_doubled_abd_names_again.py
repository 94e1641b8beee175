"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise: an Abd word with a letter
typed twice joins the next name as Abdul does (Abdull Zahra, Abbdel Karim and Abddul Rahman
were two names each, not عبد الزهرة, عبد الكريم and عبد الرحمن).

Only rows with such a name are read; only changed rows are written. Screening builds its index
from the names as written and needs nothing; fingerprints hash the names as written and do not
change. The rows are derived by the models' own ``refresh_derived``, as in 0002 and 0004 to
0006."""

from django.db import migrations
from django.db.models import Q

from marsad.border.migrations._names import derive_names_again

#: An Abd word with a doubled letter, standing apart from the next word (Abdullah is left out:
#: letters follow its ll).
LATIN = (
    r"(^|[^a-z])(a{2,}bd|ab{2,}d|abd{2,}"
    r"|abd[aeiou]{1,2}l{2,}([^a-z]|$)|abd[aeiou](tt|dd|ss|zz|rr|nn)([^a-z]|$))"
)


def derive_again(apps, schema_editor):
    derive_names_again(
        lambda name: Q(**{f"{name}__iregex": LATIN}),
        Q(names_text__iregex=LATIN),
    )


class Migration(migrations.Migration):
    dependencies = [("border", "0006_derive_al_and_abd_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
