"""Search folding of Latin, Arabic and Kurdish names."""

import pytest

from marsad.geo.normalise import normalise, search_text


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("البصرة", "البصره"),  # teh marbuta / heh
        ("الأنبار", "الانبار"),  # alef with hamza
        ("إربيل", "اربيل"),
        ("آمرلي", "امرلي"),
        ("ذي قار", "ذى قار"),  # yeh / alef maqsura
        ("کەرکووک", "كهركووك"),  # Kurdish keheh and ae
        ("سلێمانی", "سلێماني"),  # Kurdish yeh
        ("Al-Basrah", "al basrah"),
        ("مُحافظة", "محافظه"),  # harakat dropped
    ],
)
def test_variants_fold_to_the_same_text(written, typed):
    assert normalise(written) == normalise(typed)


def test_spacing_is_collapsed():
    assert normalise("  Shat   Al-Arab ") == "shat al arab"


def test_search_text_has_one_line_per_name_and_skips_empty():
    assert search_text("Al-Basrah", "البصرة", "") == "al basrah\nالبصره"
