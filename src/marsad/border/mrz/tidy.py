"""The MRZ as typed or scanned: tidy the lines and explain what keeps them from being read."""

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marsad.border.mrz.alphabet import MRZ_CHARACTERS
from marsad.border.mrz.layouts import MRV_A, MRV_B, TD1, TD2, TD3, layout_for
from marsad.border.mrz.results import Problem

# Lines run together: total length -> (line count, line length).
JOINED_LENGTHS = {88: (2, 44), 72: (2, 36), 90: (3, 30)}


def tidy(text: str | Sequence[str]) -> tuple[list[str], list[Problem]]:
    """Lines without trailing blanks, blank lines dropped. Leading blanks are dropped with a
    warning. Nothing else is changed: lower case and stray characters are reported instead."""
    if not isinstance(text, str):
        text = "\n".join(text)
    lines: list[str] = []
    warnings = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line:
            continue
        stripped = line.lstrip()
        if stripped != line:
            warnings.append(
                Problem(
                    "leading_blanks",
                    _("Line %(line)d began with blanks; they were ignored.")
                    % {"line": len(lines) + 1},
                    line=len(lines) + 1,
                )
            )
        lines.append(stripped)
    return lines, warnings


def show_character(character: str) -> str:
    if character == " ":
        return _("a space")
    if character.isprintable():
        return f"'{character}'"
    return f"U+{ord(character):04X}"


def where(found: Sequence[tuple[int, str]], limit: int = 6) -> str:
    parts = [
        _("%(character)s at position %(position)d")
        % {"character": show_character(character), "position": position + 1}
        for position, character in found[:limit]
    ]
    if len(found) > limit:
        parts.append("…")
    return ", ".join(parts)


def input_problems(lines: list[str]) -> tuple[list[Problem], str | None]:
    """What stops the lines being read as an MRZ at all, and the format they seem meant as."""
    errors: list[Problem] = []
    count = len(lines)
    if count == 0:
        errors.append(
            Problem(
                "no_input",
                _(
                    "No MRZ was given: type or scan the two or three lines at the foot of the "
                    "document's data page."
                ),
            )
        )
        return errors, None

    guessed = layout_for([line.upper() for line in lines])
    expected_length: int | None = None
    format_name = guessed.format if guessed else None
    if count not in (2, 3):
        message = ngettext(
            "The MRZ has %(count)d line, but an MRZ has 2 lines (passports, visas, TD2 cards) "
            "or 3 (TD1 identity cards).",
            "The MRZ has %(count)d lines, but an MRZ has 2 lines (passports, visas, TD2 cards) "
            "or 3 (TD1 identity cards).",
            count,
        ) % {"count": count}
        joined = "".join(lines)
        if len(joined) in JOINED_LENGTHS and all(c in MRZ_CHARACTERS for c in joined):
            parts, width = JOINED_LENGTHS[len(joined)]
            message += " " + _(
                "Its %(length)d characters look like %(parts)d lines of %(width)d run "
                "together: start a new line after every %(width)d characters."
            ) % {"length": len(joined), "parts": parts, "width": width}
        errors.append(Problem("line_count", message))
    elif count == 3 and len(lines[0]) == len(lines[1]) in (44, 36) and len(lines[2]) != 30:
        visa = lines[0][:1].upper() == "V"
        format_name = {44: MRV_A if visa else TD3, 36: MRV_B if visa else TD2}[len(lines[0])]
        errors.append(
            Problem(
                "line_count",
                _(
                    "The MRZ has 3 lines, but its first two lines of %(width)d characters make a "
                    "complete two-line %(format)s MRZ: line 3 seems to be extra."
                )
                % {"width": len(lines[0]), "format": format_name},
                line=3,
            )
        )
    elif count == 3:
        expected_length, format_name = 30, TD1
    else:
        lengths = [len(line) for line in lines]
        known = [length for length in (44, 36) if length in lengths]
        visa = lines[0][:1].upper() == "V"
        if lengths == [30, 30]:
            errors.append(
                Problem(
                    "line_count",
                    _(
                        "The MRZ has 2 lines of 30 characters, but a TD1 identity card has 3: "
                        "the third line (the name) is missing."
                    ),
                )
            )
            format_name = TD1
        elif known:
            expected_length = lengths[0] if lengths[0] in known else known[0]
            if expected_length == 44:
                format_name = MRV_A if visa else TD3
            else:
                format_name = MRV_B if visa else TD2
        else:
            for number, length in enumerate(lengths, start=1):
                errors.append(
                    Problem(
                        "line_length",
                        _(
                            "Line %(line)d has %(got)d characters, but the lines of a two-line "
                            "MRZ have 44 (TD3 passport, MRV-A visa) or 36 (TD2 document, MRV-B "
                            "visa)."
                        )
                        % {"line": number, "got": length},
                        line=number,
                    )
                )
    if expected_length is not None:
        for number, line in enumerate(lines, start=1):
            if len(line) != expected_length:
                errors.append(
                    Problem(
                        "line_length",
                        _(
                            "Line %(line)d has %(got)d characters, but a %(format)s line has "
                            "%(expected)d."
                        )
                        % {
                            "line": number,
                            "got": len(line),
                            "format": format_name,
                            "expected": expected_length,
                        },
                        line=number,
                    )
                )

    for number, line in enumerate(lines, start=1):
        lower = [(p, c) for p, c in enumerate(line) if "a" <= c <= "z"]
        if lower:
            errors.append(
                Problem(
                    "lower_case",
                    _(
                        "Line %(line)d has lower-case letters (%(where)s); an MRZ is written in "
                        "capitals only, so nothing was read. If you typed it, type it again in "
                        "capitals: %(upper)s"
                    )
                    % {"line": number, "where": where(lower), "upper": line.upper()},
                    line=number,
                    suggestion=line.upper(),
                )
            )
        stray = [
            (p, c) for p, c in enumerate(line) if c not in MRZ_CHARACTERS and not "a" <= c <= "z"
        ]
        if stray:
            message = _(
                "Line %(line)d has characters that cannot appear in an MRZ: %(where)s. An MRZ "
                "uses only the capital letters A–Z, the digits 0–9 and the filler '<'."
            ) % {"line": number, "where": where(stray)}
            if any(character.isspace() for _position, character in stray):
                message += " " + _("Blanks inside a line are written '<', not as spaces.")
            errors.append(Problem("bad_character", message, line=number))
    return errors, format_name
