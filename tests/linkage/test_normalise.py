"""Name, phone and ID normalisation: the variants table, then every rule on its own."""

import csv
import time
from pathlib import Path

import pytest

from marsad.linkage import normalise as module
from marsad.linkage.normalise import (
    analyse,
    name_key,
    normalise,
    normalise_arabic,
    normalise_id,
    normalise_latin,
    normalise_phone,
    romanise,
    script,
    tokens,
)
from marsad.linkage.normalise import lexicon as lexicon_module

VARIANTS = Path(__file__).parent / "data" / "name_variants.csv"
#: Variants of names the lexicon learnt after the generated test registries were fixed: kept in
#: a table of their own, which ``synthetic`` does not draw from, so those registries stay the same.
MORE_VARIANTS = Path(__file__).parent / "data" / "name_variants_more.csv"


def _variant_rows() -> list[dict[str, str]]:
    rows = []
    for path in (VARIANTS, MORE_VARIANTS):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


ROWS = _variant_rows()
GROUPS = {row["group"]: row for row in ROWS}


def _spellings(row: dict[str, str]) -> list[str]:
    return [spelling for spelling in row["arabic"].split("|") + row["latin"].split("|") if spelling]


# --------------------------------------------------------------------------------------------
# The table of real variants
# --------------------------------------------------------------------------------------------


def test_the_table_is_large_and_covers_both_scripts_and_kurdish_names():
    assert len(ROWS) >= 60
    assert all(row["arabic"] and len(row["latin"].split("|")) >= 1 for row in ROWS)
    assert {"hemin", "shwan", "karwan", "rebwar"} <= GROUPS.keys()
    assert sum(1 for row in ROWS if row["distinct_from"]) >= 15


@pytest.mark.parametrize("row", ROWS, ids=[row["group"] for row in ROWS])
def test_every_spelling_of_a_name_shares_one_key(row):
    keys = {spelling: name_key(spelling) for spelling in _spellings(row)}
    assert len(set(keys.values())) == 1, keys
    assert next(iter(keys.values())), "a key is never empty"


NEGATIVE_PAIRS = sorted(
    {
        tuple(sorted((row["group"], other)))
        for row in ROWS
        for other in row["distinct_from"].split("|")
        if other
    }
)


@pytest.mark.parametrize(("left", "right"), NEGATIVE_PAIRS, ids="/".join)
def test_different_names_do_not_share_a_key(left, right):
    left_keys = {name_key(spelling) for spelling in _spellings(GROUPS[left])}
    right_keys = {name_key(spelling) for spelling in _spellings(GROUPS[right])}
    assert not left_keys & right_keys


def test_no_two_groups_of_the_table_share_a_key():
    owner: dict[str, str] = {}
    for row in ROWS:
        key = name_key(_spellings(row)[0])
        assert key not in owner, f"{row['group']} and {owner.get(key)} share {key}"
        owner[key] = row["group"]


@pytest.mark.parametrize("row", ROWS, ids=[row["group"] for row in ROWS])
def test_normalising_twice_changes_nothing(row):
    for spelling in _spellings(row):
        once = normalise(spelling)
        assert normalise(once) == once


def test_keys_come_from_the_name_as_written_not_from_its_normal_form():
    # The normal form writes Kurdish ە as ه, as people type it; the key needs to know it is a vowel.
    assert name_key("چیمەن") == name_key("Chiman")
    assert name_key(normalise("چیمەن")) != name_key("Chiman")


@pytest.mark.parametrize(
    ("group", "expected"),
    [("mohammed", "mhmd:mohammed"), ("yousef", "ysf"), ("abdullah", "abdla"), ("ali", "aly")],
)
def test_the_documented_keys(group, expected):
    assert name_key(GROUPS[group]["latin"].split("|")[0]) == expected


# --------------------------------------------------------------------------------------------
# Arabic script
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مُحَمَّد", "محمد"),  # harakat and shadda
        ("مُحَمَّدٌ", "محمد"),  # tanwin
        ("عبدالرحمٰن", "عبدالرحمن"),  # superscript alef
        ("محـــمد", "محمد"),  # tatweel
        ("ﻣﺤﻤﺪ", "محمد"),  # presentation forms
    ],
)
def test_arabic_diacritics_tatweel_and_presentation_forms_go(text, expected):
    assert normalise_arabic(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),
        ("ٱلحسين", "حسين"),
        ("مؤمن", "مومن"),  # ؤ → و
        ("رائد", "رايد"),  # ئ → ي
        ("ئازاد", "ازاد"),  # a word-initial ئ is the Kurdish vowel seat
        ("علاء", "علا"),  # a bare hamza goes
        ("فاطمة", "فاطمه"),  # ta marbuta
        ("مصطفى", "مصطفي"),  # alef maqsura
    ],
)
def test_arabic_alef_hamza_ta_marbuta_and_alef_maqsura(text, expected):
    assert normalise_arabic(text) == expected


@pytest.mark.parametrize(
    ("letter", "arabic"),
    [
        ("ک", "ك"),
        ("ی", "ي"),
        ("ې", "ي"),
        ("ێ", "ي"),
        ("گ", "ك"),
        ("چ", "ج"),
        ("پ", "ب"),
        ("ڤ", "ف"),
        ("ژ", "ز"),
        ("ڕ", "ر"),
        ("ڵ", "ل"),
        ("ۆ", "و"),
        ("ە", "ه"),
        ("ھ", "ه"),
    ],
)
def test_persian_and_kurdish_letters_become_the_nearest_arabic_letter(letter, arabic):
    assert normalise_arabic(f"ب{letter}ب") == f"ب{arabic}ب"


def test_arabic_indic_and_eastern_arabic_indic_digits_become_ascii():
    assert normalise_arabic("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalise_arabic("۰۱۲۳۴۵۶۷۸۹") == "0123456789"


def test_the_arabic_article_is_dropped_attached_or_detached():
    assert normalise_arabic("الجبوري") == "جبوري"
    assert normalise_arabic("ال جبوري") == "جبوري"
    assert normalise_arabic("علي الحسن") == "علي حسن"


def test_names_that_begin_with_al_keep_it():
    assert normalise_arabic("إلهام") == "الهام"
    assert normalise_arabic("الياس") == "الياس"
    assert normalise_arabic("ال") == "ال"  # too short to be an article with a name


@pytest.mark.parametrize(
    "text",
    [
        "عبد الله",
        "عبدالله",
        "عبد ال له",
        "عبد اللّه",
        # a letter of عبد typed twice: Arabic writes a doubled consonant once
        "عبدد الله",
        "عببد الله",
        "ععبد الله",
        # ... or ذ, the key beside it, for its د
        "عبذ الله",
    ],
)
def test_abd_compounds_are_one_word(text):
    assert normalise_arabic(text) == "عبدالله"
    assert tokens(text) == ["عبدالله"]


def test_words_that_only_begin_like_abd_stay_apart():
    assert normalise_arabic("عبدو علي") == "عبدو علي"
    assert normalise_arabic("ممدوح عبادي") == "ممدوح عبادي"


def test_din_and_allah_compounds_are_one_word():
    assert normalise_arabic("نور الدين") == "نورالدين"
    assert normalise_arabic("فتح الله") == "فتحالله"
    assert normalise_arabic("عبد الرحمن علي") == "عبدالرحمن علي"


def test_punctuation_splits_arabic_words():
    assert normalise_arabic("محمد، جاسم؛ (علي)") == "محمد جاسم علي"


# --------------------------------------------------------------------------------------------
# Latin script
# --------------------------------------------------------------------------------------------


def test_latin_case_accents_and_punctuation():
    assert normalise_latin("HÊMIN") == "hemin"
    assert normalise_latin("Kārwān") == "karwan"
    assert normalise_latin("Sa'id") == "said"  # an apostrophe joins
    assert normalise_latin("Muhammad-Ali") == "muhamad ali"


def test_latin_letters_whose_accent_is_a_sound():
    assert normalise_latin("Şwan") == "shwan"
    assert normalise_latin("Çiman") == "chiman"
    assert normalise_latin("Ḫālid") == "khalid"


@pytest.mark.parametrize(
    "text", ["Al-Jubouri", "al Jubouri", "AL JUBOURI", "El-Jubouri", "Aljubouri", "Jubouri"]
)
def test_the_latin_article_is_dropped(text):
    assert normalise_latin(text) == "juburi"


def test_assimilated_articles_are_dropped():
    assert normalise_latin("as-Sayed") == "sayed"
    assert normalise_latin("At-Tamimi") == "tamimi"
    assert normalise_latin("Ash-Shammari") == "shamari"


@pytest.mark.parametrize(
    "text",
    [
        "Ali",
        "Alia",
        "Alaa",
        "Elham",
        "Alwan",
        "Aliyah",
        "Aaliah",
        "Almas",
        "ALWAND",
        "Alend",
        "Elyar",
        "Elina",
        "Eliyas",
    ],
)
def test_names_beginning_with_al_or_el_keep_it(text):
    assert normalise_latin(text).startswith(("al", "el"))


@pytest.mark.parametrize(
    "text",
    [
        "Abdul Rahman",
        "Abdulrahman",
        "Abd al-Rahman",
        "Abdel Rahman",
        "Abd-el-Rahman",
        "Abdoul Rahman",
        "Abdurrahman",
        "ABD AL RAHMAN",
        # the article assimilated to the r, written apart; a long vowel
        "Abdur Rahman",
        "Abdur-Rahman",
        "Abdool Rahman",
        "Abdoolrahman",
        # a letter typed twice in the Abd word (seen on passports at the border)
        "ABDULL RAHMAN",
        "Abddul Rahman",
        "Abbdel Rahman",
        "Abdurr Rahman",
        # ... or its b and d the other way round
        "Adbul Rahman",
        "ADB AL RAHMAN",
        "Adbulrahman",
    ],
)
def test_abdul_compounds_are_one_word(text):
    assert normalise_latin(text) == "abdalrahman"


def test_an_assimilated_abd_joins_only_the_name_its_letter_begins():
    assert normalise_latin("Abdus Salam") == "abdalsalam"
    assert normalise_latin("Abdur Karim") == "abdur karim"


def test_abdul_alone_and_abdi_are_names_not_compounds():
    assert normalise_latin("Abdul") == "abdul"
    assert normalise_latin("Abdi") == "abdi"


def test_names_with_doubled_letters_after_abd_stay_apart():
    # Abdullah is a name of its own; Abbas is no Abd word however its b is doubled.
    assert normalise_latin("Abdullah Hassan") == "abdalah hasan"
    assert normalise_latin("Abbas Hassan") == "abas hasan"


@pytest.mark.parametrize(
    "text", ["Nuraldin", "Nur ad-Din", "Nur al-Din", "Nour Eddine", "Nuruddin", "Nooruldeen"]
)
def test_din_compounds_are_one_word(text):
    assert normalise_latin(text) == "nuraldin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mohammed", "mohamed"),  # doubled letters
        ("Kareem", "karim"),  # ee → i
        ("Noor", "nur"),  # oo → u
        ("Yousef", "yusef"),  # ou → u
        ("Mustapha", "mustafa"),  # ph → f
    ],
)
def test_latin_vowel_digraphs_and_doubled_letters(text, expected):
    assert normalise_latin(text) == expected


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Qasim", "Kasim"),  # q / k
        ("Qasim", "Gasim"),  # the Iraqi g for ق
        ("Khalid", "Halid"),  # kh / h
        ("Khalid", "Xalid"),  # Kurdish Latin x
        ("Kadhim", "Kathim"),  # dh / th for ظ
        ("Bakhtiyar", "Baxtiyar"),
        ("Peshawa", "Beshawa"),  # p / b (پ)
        ("Mohammed", "Muhammad"),  # vowels
        ("Hussein", "Husayn"),
        ("Fatima", "Fatimah"),  # a final h after a
        ("Rubaie", "Rubai"),  # ie / i at the end
        ("فؤاد", "Fouad"),  # ؤ is a hamza seat, not the consonant w
        ("مؤيد", "Muayad"),
        ("لؤي", "Luay"),
        ("الفهداوي", "Fahdaoui"),  # French ou for w between vowels
        ("وائل", "Ouael"),  # ... and before a vowel at the start
        ("Djamal", "Jamal"),  # French dj for j
        ("داوداوي", "Dawudawi"),  # Latin w before u: Arabic writes one و
        ("أنور", "Anwar"),  # listed: the rules alone cannot place its و
    ],
)
def test_key_settles_transliteration_variation(left, right):
    assert name_key(left) == name_key(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Ali", "Alia"),  # the final vowel is kept
        ("Jasim", "Qasim"),  # ج and ق are not one class
        ("Karwan", "Goran"),  # w before a vowel is a consonant
        ("Saleh", "Salah"),  # a final h after e/i is a consonant, after a a vowel
        ("Hamid", "Ahmed"),  # an initial vowel is marked
        ("Thaer", "Diyar"),  # listed apart: ث and د are one class
        ("العبادي", "العبيدي"),  # listed apart: long vowels are not in the key
        ("Al-Jubouri", "Al-Jabri"),
        ("Fouad", "Fawad"),  # a Latin ou between consonants stays a vowel
    ],
)
def test_key_keeps_what_tells_names_apart(left, right):
    assert name_key(left) != name_key(right)


def test_keys_of_multi_word_names_have_one_part_per_word():
    assert name_key("Mohammed Jasim Al-Jubouri") == "mhmd:mohammed jsm jbry:jubouri"
    assert name_key("محمد جاسم الجبوري") == name_key("Mohammed Jasim Al-Jubouri")


def test_an_unlisted_spelling_goes_to_the_nearest_listed_name():
    # "Husseyn" is not in names.tsv; its skeleton is Hassan's and Hussein's
    assert name_key("Husseyn") == name_key("Hussein")
    assert name_key("Hassen") == name_key("Hassan")


def test_empty_and_blank_names():
    assert analyse(None).key == ""
    assert name_key("  ") == ""
    assert normalise("-") == ""
    assert tokens("") == []


# --------------------------------------------------------------------------------------------
# Script detection, romanisation, the lexicon
# --------------------------------------------------------------------------------------------


def test_script_detection():
    assert script("محمد") == "arabic"
    assert script("Mohammed") == "latin"
    assert script("محمد Ali جاسم") == "arabic"
    assert script("123") == "none"


def test_mixed_script_names_are_normalised_word_by_word():
    assert normalise("Mohammed جاسم") == "mohamed جاسم"
    assert name_key("Mohammed جاسم") == name_key("محمد Jasim")


def test_romanisation_of_listed_names_is_canonical():
    assert romanise("حسين") == romanise("Husain") == romanise("Hussein") == "hussein"
    assert romanise("محمد علي") == "mohammed ali"


def test_romanisation_of_unlisted_arabic_names_is_letter_by_letter():
    assert romanise("جاسم") == "jasm"
    assert romanise("كاروان") == "karwan"  # و before a vowel is w
    assert romanise("يوسف") == "yusf"  # و after a consonant is u
    assert romanise("Jassim") == "jasim"  # Latin keeps its normal form


def test_the_lexicon_lists_every_spelling_once_and_its_keys_hold_together():
    loaded = lexicon_module.load()
    entries = {id(entry): entry for entry in loaded.latin.values()}.values()
    assert len(entries) >= 50
    for entry in entries:
        keys = {name_key(spelling) for spelling in entry.arabic + entry.latin}
        assert keys == {entry.key}, entry.canonical


def test_a_spelling_listed_twice_is_an_error(tmp_path):
    path = tmp_path / "names.tsv"
    path.write_text("hamid\tحامد\thamid\nhameed\tحميد\thameed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'hamid' is listed for both hamid and hameed"):
        lexicon_module.load(path)


def test_normalising_is_fast_enough_for_a_million_records():
    names = [spelling for row in ROWS for spelling in _spellings(row)]
    composed = [f"{a} {b} {c}" for a, b, c in zip(names, names[7:], names[13:], strict=False)]
    module.analyse.cache_clear()
    module._arabic_word_forms.cache_clear()
    module._latin_word_forms.cache_clear()
    started = time.perf_counter()
    for name in composed * 20:  # distinct names once, then from the cache
        analyse(name)
    per_name = (time.perf_counter() - started) / (len(composed) * 20)
    assert per_name < 50e-6  # well under a minute for a million three-word names


# --------------------------------------------------------------------------------------------
# Phones and ID numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+964 770 123 4567",
        "+9647701234567",
        "00964 770 123 4567",
        "9647701234567",
        "07701234567",
        "0770-123-4567",
        "(0770) 123 4567",
        "7701234567",
        "٠٧٧٠١٢٣٤٥٦٧",
        "۰۷۷۰۱۲۳۴۵۶۷",
        "+964 (0) 770 123 4567",
    ],
)
def test_iraqi_phones_have_one_form(phone):
    assert normalise_phone(phone) == "7701234567"


def test_a_baghdad_landline_and_a_foreign_number():
    assert normalise_phone("01 555 1234") == "15551234"
    assert normalise_phone("+963 944 123 456") == "+963944123456"
    assert normalise_phone("00963944123456") == "+963944123456"


@pytest.mark.parametrize("phone", ["", None, "0", "123", "0000000000", "07700000000", "n/a"])
def test_junk_phones_are_empty(phone):
    assert normalise_phone(phone) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("٠٠١٢٣٤٥", "12345"),
        ("a-123 456", "A123456"),
        ("00 12/34", "1234"),
        ("أ 123", "ا123"),
        ("N/A", ""),
        ("لا يوجد", ""),
        ("-", ""),
        ("000", ""),
        (None, ""),
    ],
)
def test_identity_numbers(value, expected):
    assert normalise_id(value) == expected


def test_egyptian_spellings_of_khadija_are_khadija():
    """Egyptian passports write ج as g: Khadiga is خديجة (the lexicon lists it)."""
    assert name_key("Khadiga") == name_key("Khadeega") == name_key("خديجة") == name_key("Khadija")
