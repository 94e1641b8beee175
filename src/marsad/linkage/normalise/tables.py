"""Small helpers for writing character tables compactly, and the one rule for doubled letters."""

import re

#: Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits to ASCII.
DIGITS = {chr(base + value): str(value) for base in (0x0660, 0x06F0) for value in range(10)}


def pairs(spec: str) -> dict[str, str]:
    """A letter table written compactly: "أ:ا ء:" → {"أ": "ا", "ء": ""} (empty deletes)."""
    return dict(item.split(":", 1) for item in spec.split())


_DOUBLED = re.compile(r"([a-z])\1+")
# A digraph followed by an h is that digraph and an h, not a doubled h (Mash-hadani مشهداني,
# Mash-hadi): collapsing "hh" would make it "Mashadani", another consonant skeleton.
_DIGRAPH_THEN_H = re.compile(r"(?<=[sktdgzcp]h)(?=h)")


def collapse_doubled(word: str) -> str:
    """A romanised word with each doubled letter written once (Mohammed, Abbas), except the h
    after a digraph (Mashhadani)."""
    if "hh" in word:
        return "".join(_DOUBLED.sub(r"\1", piece) for piece in _DIGRAPH_THEN_H.split(word))
    return _DOUBLED.sub(r"\1", word)
