"""Derive the stored name forms of travellers, documents and watchlist entries again (the
search box reads them): the name normaliser learnt ؤ as a hamza, French ``dj`` and ``ou``
spellings, and keys that keep apart names whose consonants collide (Thaer / Diyar). Screening
itself builds its index from the names as written and needs nothing.

The rows are derived by the models' own ``refresh_derived`` (the schema is the same as in 0001);
only the derived name columns of rows that change are written."""

from operator import methodcaller

from django.db import migrations

from marsad.core.bulk import derive_again as derive_again_in_batches

FIELDS = ["names_normalised", "names_latin", "name_key", "search_text"]


def derive_again(apps, schema_editor):
    from marsad.border.models import TravelDocument, Traveller, WatchlistEntry

    for model in (Traveller, TravelDocument, WatchlistEntry):
        derive_again_in_batches(model.objects.all(), FIELDS, methodcaller("refresh_derived"))


class Migration(migrations.Migration):
    dependencies = [("border", "0001_initial")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
