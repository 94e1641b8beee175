"""Derive again the name forms of the persons whose names the normaliser now reads otherwise: a
digraph followed by an h is the digraph and an h, not a doubled h (Al-Mashhadani المشهداني had
the key of "Mashadani" in Latin script, so the two scripts of the name did not meet; شهاب was
romanised "shab"), and the lexicon learnt six names whose spellings the rules cannot place
(Haris / Harith حارث, Munzer / Munther منذر, Zikra / Thikra ذكرى, Khadiga / Khadija خديجة,
Amgad / Amjad أمجد, Sarwat / Tharwat ثروت). Only persons with such a name are read, a few
thousand at a time; only changed rows are written."""

from django.db import migrations
from django.db.models import Q

from marsad.registry.migrations._names import derive_names_again

#: Spellings whose forms changed: a digraph then h, and the names the lexicon learnt.
LATIN = (
    r"[sktdgzcp]hh|harith|haris|hares|harreth|munther|munzer|monther|mundher|munzir|thikra"
    r"|zikra|dhikra|zekra|khadij|khadeej|khadig|khadeeg|amjad|amgad|tharwat|tharwet|sarwat"
)
ARABIC = "[شثذضظخغ]ه|حارث|منذر|ذكر|خديج|مجد|ثروت"


def derive_again(apps, schema_editor):
    derive_names_again(
        apps, lambda name: Q(**{f"{name}__iregex": LATIN}) | Q(**{f"{name}__regex": ARABIC})
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_household_merge")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
