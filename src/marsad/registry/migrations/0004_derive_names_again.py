"""Derive every person's normalised, romanised and key forms again: the name normaliser learnt
ؤ as a hamza (فؤاد Fuad), French ``dj`` and ``ou`` spellings (Djamel, Fahdaoui), and some keys
changed with it. The duplicates panel and search look persons up by these stored forms, so a
person registered before would otherwise be missed under the new keys. Only changed rows are
written, a few thousand persons at a time (no cursor held open)."""

from django.db import migrations


def derive_again(apps, schema_editor):
    from marsad.core.bulk import derive_again as derive_in_batches
    from marsad.registry.models import DERIVED_NAME_FIELDS
    from marsad.registry.services import derive_names

    Person = apps.get_model("registry", "Person")
    derive_in_batches(Person.objects.all(), DERIVED_NAME_FIELDS, derive_names)


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_name_block_indexes_with_birth_date")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
