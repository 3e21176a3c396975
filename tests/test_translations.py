"""The Finnish and Swedish catalogues: complete, up to date with the code, and compiled.

A string marked for translation but missing from locale/ (or left untranslated, fuzzy, or with other
placeholders than its English source) fails here: run makemessages, translate, compilemessages (README,
"Languages")."""

import gettext
import re
import shutil
from collections import Counter

import polib
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

LANGUAGES = ("fi", "sv")
LOCALE = django_settings.BASE_DIR / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%|\{\{\s*\w+\s*\}\}")
TAG = re.compile(r"</?[a-z]+")
SOURCES = (
    "portal",
    "integration",
    "templates",
)  # what makemessages reads (README); sandbox and tests are not


def po(lang, root=LOCALE):
    return polib.pofile(str(root / lang / "LC_MESSAGES" / "django.po"))


def key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_with_the_same_placeholders_and_markup(lang):
    entries = [e for e in po(lang) if not e.obsolete]
    assert len(entries) > 100  # the catalogue really covers the portal
    problems = []
    for e in entries:
        source = e.msgid + (e.msgid_plural or "")
        wanted = set(PLACEHOLDER.findall(source))
        tags = Counter(TAG.findall(e.msgid))
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {e.msgid!r}")
        for text in translations(e):
            if not text.strip():
                problems.append(f"untranslated: {e.msgid!r}")
            elif set(PLACEHOLDER.findall(text)) - wanted or (
                not e.msgid_plural and set(PLACEHOLDER.findall(text)) != wanted
            ):
                problems.append(f"placeholders differ: {e.msgid!r} -> {text!r}")
            elif Counter(TAG.findall(text)) != tags:
                problems.append(f"markup differs: {e.msgid!r} -> {text!r}")
    assert problems == []


def test_the_catalogues_hold_the_same_messages():
    assert {key(e) for e in po("fi")} == {key(e) for e in po("sv")}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_is_the_current_one(lang):
    """The .mo files are committed (running Silta needs no gettext tools): they must say what the .po says."""
    with open(LOCALE / lang / "LC_MESSAGES" / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    expected = {}
    for e in po(lang):
        if e.obsolete:
            continue
        msgid = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        if e.msgid_plural:
            expected.update({(msgid, int(n)): text for n, text in e.msgstr_plural.items()})
        else:
            expected[msgid] = e.msgstr
    compiled.pop("", None)  # the header
    assert compiled == expected, "run: manage.py compilemessages"


def test_the_catalogues_are_up_to_date_with_the_code(tmp_path, settings, monkeypatch):
    """makemessages on a copy of the sources finds exactly the messages the catalogues hold: a new string
    marked for translation (or one whose English changed) fails until the catalogues are updated."""
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs GNU gettext: apt-get install gettext (README, Quick start)")
    root = django_settings.BASE_DIR
    for name in SOURCES:
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(LOCALE, tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=list(LANGUAGES), verbosity=0)
    for lang in LANGUAGES:
        fresh = {key(e) for e in po(lang, tmp_path / "locale") if not e.obsolete}
        current = {key(e) for e in po(lang) if not e.obsolete}
        assert sorted(fresh - current, key=str) == [], f"not in locale/{lang}: run makemessages and translate"
        assert sorted(current - fresh, key=str) == [], (
            f"no longer used, still in locale/{lang}: run makemessages"
        )
