"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise: the names list gives
Aaliah as a spelling of عالية, and Kurdish and Persian names that begin with al or el (Almas,
Alwand, Alend, Elyar, Elina) keep it. They lost it before, taken for the article: Aaliah became
"iah" and never met عالية, Alwand was "wand".

Only rows with such a name are read; only changed rows are written. Screening builds its index
from the names as written and needs nothing; fingerprints hash the names as written and do not
change. The rows are derived by the models' own ``refresh_derived``, as in 0002 and 0004 to
0008."""

from django.db import migrations
from django.db.models import Q

from marsad.border.migrations._names import derive_names_again

#: Aaliah, Aliah, Aaliiah, and the names beginning with al/el now kept whole, a word each.
LATIN = (
    "(^|[^a-z])"
    "(a+l+i+a+h|a+l+m+a+[sz]|e+l+m+a+s|a+l+w+a+n+d|a+l+e+n+d|e+l+y+a+r|e+l+i+n+a|e+l+i+y+a+s)"
    "([^a-z]|$)"
)


def derive_again(apps, schema_editor):
    derive_names_again(lambda name: Q(**{f"{name}__iregex": LATIN}), Q(names_text__iregex=LATIN))


class Migration(migrations.Migration):
    dependencies = [("border", "0008_derive_mistyped_abd_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
