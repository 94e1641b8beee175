"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise:

- the lexicon lists family names that begin with al themselves, after the article (Al-Alusi
  was read "usi" and Al-Alwani "wani", so they never met الآلوسي and العلواني; آلوسي was read
  وسي);
- Abd written with a long vowel or an assimilated article joins the next name (Abdool Zahra
  and Abdur Rahman were two names each, not عبد الزهرة and عبد الرحمن).

Only rows with such a name are read; only changed rows are written. Screening builds its index
from the names as written and needs nothing; fingerprints hash the names as written and do not
change. The rows are derived by the models' own ``refresh_derived``, as in 0002, 0004 and
0005."""

from django.db import migrations
from django.db.models import Q

from marsad.border.migrations._names import derive_names_again

#: آلوسي, whose آل was read as the article.
ARABIC = "آلوس"
#: The same in stored JSON that escapes what is not ASCII.
ESCAPED = "\\u0622\\u0644\\u0648\\u0633"
#: Alusi and Alwani in their Latin spellings (and a few names that contain them), and
#: Abd with a long vowel (Abdool) or an assimilated article (Abdur Rahman).
LATIN = (
    r"[ae]l+(ou|oo|u)s+[iy]|[ae]l+wan[iy]"
    r"|abd[aeiou]{2}l|abd[aeiou](sh|th|dh|[tdszrn])"
)


def derive_again(apps, schema_editor):
    derive_names_again(
        lambda name: Q(**{f"{name}__regex": ARABIC}) | Q(**{f"{name}__iregex": LATIN}),
        Q(names_text__regex=ARABIC) | Q(names_text__contains=ESCAPED) | Q(names_text__iregex=LATIN),
    )


class Migration(migrations.Migration):
    dependencies = [("border", "0005_derive_nisba_names_again")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
