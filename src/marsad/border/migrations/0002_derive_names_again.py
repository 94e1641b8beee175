"""Derive the stored name forms of travellers, documents and watchlist entries again (the
search box reads them): the name normaliser learnt ؤ as a hamza, French ``dj`` and ``ou``
spellings, and keys that keep apart names whose consonants collide (Thaer / Diyar). Screening
itself builds its index from the names as written and needs nothing.

The rows are derived by the models' own ``refresh_derived`` (the schema is the same as in 0001);
only the derived name columns of rows that change are written."""

from django.db import migrations

BATCH = 2000
FIELDS = ["names_normalised", "names_latin", "name_key", "search_text"]


def derive_again(apps, schema_editor):
    from marsad.border.models import TravelDocument, Traveller, WatchlistEntry

    for model in (Traveller, TravelDocument, WatchlistEntry):
        last = 0
        while True:
            batch = list(model.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            changed = []
            for row in batch:
                before = [getattr(row, name) for name in FIELDS]
                row.refresh_derived()
                if [getattr(row, name) for name in FIELDS] != before:
                    changed.append(row)
            if changed:
                model.objects.bulk_update(changed, FIELDS)


class Migration(migrations.Migration):
    dependencies = [("border", "0001_initial")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
