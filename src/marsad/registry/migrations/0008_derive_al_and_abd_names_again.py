"""Derive again the name forms of the persons whose names the normaliser now reads otherwise:

- the lexicon lists family names that begin with al themselves, after the article (Al-Alusi
  was read "usi" and Al-Alwani "wani", so they never met الآلوسي and العلواني; آلوسي was read
  وسي);
- Abd written with a long vowel or an assimilated article joins the next name (Abdool Zahra
  and Abdur Rahman were two names each, not عبد الزهرة and عبد الرحمن).

Only persons with such a name are read, a few thousand at a time; only changed rows are
written."""

from django.db import migrations
from django.db.models import Q

from marsad.registry.migrations._names import derive_names_again

#: آلوسي, whose آل was read as the article.
ARABIC = "آلوس"
#: Alusi and Alwani in their Latin spellings (and a few names that contain them), and
#: Abd with a long vowel (Abdool) or an assimilated article (Abdur Rahman).
LATIN = (
    r"[ae]l+(ou|oo|u)s+[iy]|[ae]l+wan[iy]"
    r"|abd[aeiou]{2}l|abd[aeiou](sh|th|dh|[tdszrn])"
)


def derive_again(apps, schema_editor):
    derive_names_again(
        apps, lambda name: Q(**{f"{name}__regex": ARABIC}) | Q(**{f"{name}__iregex": LATIN})
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_derive_nisba_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
