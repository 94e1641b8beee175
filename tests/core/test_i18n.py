"""The Arabic and Kurdish catalogues are complete, compiled, and turn pages right-to-left.

The .po files are read with a small parser below (polib is not a dependency). The compiled .mo
files are checked through Django's own gettext: for every msgid the active language must return
exactly the .po translation, so a .po edited without ``compilemessages`` fails here.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from marsad.accounts.models import RoleChoice
from marsad.core.forms import AuditSearchForm
from marsad.core.home import SECTIONS
from marsad.core.models import AuditAction, Sensitivity, TaskStatus
from marsad.core.navigation import NAVIGATION
from tests.factories import member

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["ar", "ckb"]
PLURAL_FORMS = {
    "ar": (
        "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;"
    ),
    "ckb": "nplurals=2; plural=(n != 1);",
}
# A number that selects each plural form, by form index.
PLURAL_SAMPLES = {"ar": [0, 1, 2, 3, 11, 100], "ckb": [1, 2]}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr {index or None: text}, flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry: dict = {"msgctxt": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        key: tuple | None = None
        obsolete = False
        for line in block.splitlines():
            if line.startswith("#~"):
                obsolete = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line
            ):
                keyword, index, text = match.groups()
                key = (keyword, int(index) if index is not None else None)
                value = ast.literal_eval(text)
                if keyword == "msgstr":
                    entry["msgstr"][key[1]] = value
                else:
                    entry[keyword] = value
            elif line.startswith('"') and key is not None:
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += ast.literal_eval(line)
                else:
                    entry[key[0]] += ast.literal_eval(line)
        if not obsolete:
            entries.append(entry)
    return entries


def catalogue(language: str) -> tuple[dict, list[dict]]:
    entries = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    header = next(entry for entry in entries if entry["msgid"] == "")
    return header, [entry for entry in entries if entry["msgid"] != ""]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_its_plural_rule_and_no_fuzzy_header(language):
    header, entries = catalogue(language)

    assert "fuzzy" not in header["flags"]
    assert f"Language: {language}\n" in header["msgstr"][None]
    assert f"Plural-Forms: {PLURAL_FORMS[language]}\n" in header["msgstr"][None]
    assert len(entries) > 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_is_translated_and_none_is_fuzzy(language):
    _, entries = catalogue(language)
    forms = len(PLURAL_SAMPLES[language])

    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    empty = [entry["msgid"] for entry in entries if not all(entry["msgstr"].values())]
    wrong_form_count = [
        entry["msgid"]
        for entry in entries
        if entry["msgid_plural"] is not None and sorted(entry["msgstr"]) != list(range(forms))
    ]
    assert fuzzy == []
    assert empty == []
    assert wrong_form_count == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_use_only_the_placeholders_of_their_msgid(language):
    _, entries = catalogue(language)

    mismatched = []
    for entry in entries:
        expected = set(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            found = set(PLACEHOLDER.findall(text))
            # A plural form may spell the number out, but never invent a placeholder; a
            # singular translation keeps every placeholder.
            if not found <= expected or (entry["msgid_plural"] is None and found != expected):
                mismatched.append(entry["msgid"])
    assert mismatched == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    _, entries = catalogue(language)

    stale = []
    with translation.override(language):
        for entry in entries:
            context = entry["msgctxt"]
            if entry["msgid_plural"] is None:
                got = (
                    translation.pgettext(context, entry["msgid"])
                    if context
                    else translation.gettext(entry["msgid"])
                )
                if got != entry["msgstr"][None]:
                    stale.append((entry["msgid"], got))
                continue
            for form, number in enumerate(PLURAL_SAMPLES[language]):
                got = (
                    translation.npgettext(context, entry["msgid"], entry["msgid_plural"], number)
                    if context
                    else translation.ngettext(entry["msgid"], entry["msgid_plural"], number)
                )
                if got != entry["msgstr"][form]:
                    stale.append((entry["msgid"], number, got))
    assert stale == [], "run compilemessages: the .mo files do not match the .po files"


def shell_strings() -> list:
    """Every label the shell shows from Python: roles, choices, navigation, home, audit form."""
    labels = [label for _, label in RoleChoice.choices]
    labels += [label for _, label in AuditAction.choices]
    labels += [label for _, label in TaskStatus.choices]
    labels += [label for _, label in Sensitivity.choices]
    labels += [item.label for item in NAVIGATION]
    labels += [section["title"] for section in SECTIONS] + [section["text"] for section in SECTIONS]
    labels += [field.label for field in AuditSearchForm.base_fields.values()]
    labels += [label for _, label in settings.LANGUAGES]
    return labels


@pytest.mark.parametrize("language", LANGUAGES)
def test_shell_strings_from_python_are_translated(language):
    with translation.override("en"):
        english = [str(label) for label in shell_strings()]
    with translation.override(language):
        translated = [str(label) for label in shell_strings()]

    untranslated = [
        source for source, target in zip(english, translated, strict=True) if source == target
    ]
    assert untranslated == []
    assert all(re.search(r"[\u0600-\u06ff]", text) for text in translated)


def test_kurdish_uses_sorani_letters_not_arabic_forms():
    """Sorani is written with ک and ی (not Arabic ك and ي) and uses its own letters."""
    _, entries = catalogue("ckb")
    # An Arabic letter may appear only where the English text quotes it (e.g. "ی/ي").
    arabic_forms = [
        entry["msgid"]
        for entry in entries
        for text in entry["msgstr"].values()
        for letter in "كي"
        if letter in text and letter not in entry["msgid"]
    ]
    text = "".join("".join(entry["msgstr"].values()) for entry in entries)

    assert arabic_forms == []
    for letter in "ێۆڕڵەگچپژ":
        assert letter in text, letter


def page_in(client, language: str, path: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(path)


@pytest.mark.parametrize(
    ("language", "title", "button"),
    [
        ("ar", "تسجيل الدخول إلى مرصد", "تسجيل الدخول"),
        ("ckb", "چوونەژوورەوە بۆ مەرسەد", "چوونەژوورەوە"),
    ],
)
def test_login_page_is_right_to_left_and_translated(client, db, language, title, button):
    response = page_in(client, language, "/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}" dir="rtl">' in html
    assert f'<h1 id="login-heading">{title}</h1>' in html
    assert f'<button type="submit" class="button-block">{button}</button>' in html
    assert "Sign in to Marsad" not in html


def test_login_page_in_english_is_left_to_right(client, db):
    response = page_in(client, "en", "/accounts/login/")

    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert '<h1 id="login-heading">Sign in to Marsad</h1>' in html


@pytest.mark.parametrize(
    ("language", "welcome", "role", "audit"),
    [
        ("ar", "مرحبًا، <bdi>amira</bdi>", "مدير النظام", "سجل التدقيق"),
        ("ckb", "بەخێربێیت، <bdi>amira</bdi>", "بەڕێوەبەری سیستەم", "تۆماری وردبینی"),
    ],
)
def test_home_page_is_right_to_left_and_translated(client, db, language, welcome, role, audit):
    client.force_login(member("system_admin", username="amira"))

    response = page_in(client, language, "/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}" dir="rtl">' in html
    assert f"<h1>{welcome}</h1>" in html
    assert f'<span class="badge badge-role">{role}</span>' in html
    assert f'<a href="/audit/">{audit}</a>' in html
    assert "Welcome" not in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("ar", "محاولات تسجيل دخول فاشلة كثيرة"), ("ckb", "هەوڵی چوونەژوورەوەی سەرنەکەوتوو زۆر بوون")],
)
def test_locked_out_page_is_translated(client, db, language, heading):
    member("field_monitor", username="locked")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/accounts/login/", {"username": "locked", "password": "wrong password"}
        )

    html = response.content.decode()
    assert response.status_code == 429
    assert f'<html lang="{language}" dir="rtl">' in html
    assert f'<h1 id="locked-heading">{heading}</h1>' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("language", "heading"),
    [("ar", "لا يحق لك فتح هذه الصفحة"), ("ckb", "مافی کردنەوەی ئەم پەڕەیەت نییە")],
)
def test_forbidden_page_is_translated(client, db, language, heading):
    client.force_login(member("field_monitor", username="monitor"))

    response = page_in(client, language, "/audit/")

    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}" dir="rtl">' in html
    assert f'<h1 id="error-heading">{heading}</h1>' in html
