"""Compute the watchlist entries' fingerprints again by the one rule the file screener shares
(``screening.records.identity_fingerprint``): the nationality now counts in its matching form,
so an entry written ``D`` or ``IQ`` fingerprints as ``DEU`` or ``IRQ`` do. Every other entry
keeps its fingerprint (names, birth date and document numbers are hashed as before).

The hits raised on an entry's current content (their ``entry_fingerprint`` is the entry's old
fingerprint) follow it, so a cleared hit stays remembered; hits raised on earlier content keep
theirs and stay "entry changed". Batched by primary key; running it again changes nothing."""

from django.db import migrations

BATCH = 2000
FIELDS = ["names", "birth_date", "birth_date_precision", "nationality", "document_numbers"]


def fingerprint_again(apps, schema_editor):
    # The models' own rule, as 0002 derives names with the models' own code.
    from marsad.border.models import ScreeningHit, WatchlistEntry

    last = 0
    while True:
        batch = list(
            WatchlistEntry.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "fingerprint", *FIELDS)[:BATCH]
        )
        if not batch:
            break
        last = batch[-1].pk
        changed = []
        for row in batch:
            fingerprint = row.compute_fingerprint()
            if fingerprint == row.fingerprint:
                continue
            ScreeningHit.objects.filter(entry_id=row.pk, entry_fingerprint=row.fingerprint).update(
                entry_fingerprint=fingerprint
            )
            row.fingerprint = fingerprint
            changed.append(row)
        if changed:
            WatchlistEntry.objects.bulk_update(changed, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("border", "0002_derive_names_again")]

    operations = [migrations.RunPython(fingerprint_again, migrations.RunPython.noop, elidable=True)]
