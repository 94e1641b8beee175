"""CSV area files: Marsad's own columns, or the OCHA COD-AB tabular form."""

import csv
import io

from django.utils.translation import gettext as _

from marsad.geo.loaders.rows import (
    COD_AB_CSV,
    COD_AB_PCODE,
    MARSAD_COLUMNS,
    MARSAD_CSV,
    REQUIRED_COLUMNS,
    AreaRow,
    ParsedFile,
    Problem,
    RowBuilder,
    first_occurrence,
    level_label,
)
from marsad.geo.models import AreaLevel

# ---------------------------------------------------------------------------------------------
# CSV: Marsad's own columns, or the COD-AB tabular form


def _sniff_delimiter(header_line: str) -> str:
    if "," in header_line:
        return ","
    if ";" in header_line:
        return ";"
    if "\t" in header_line:
        return "\t"
    return ","


def _records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank record with the line it starts on."""
    delimiter = _sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records = []
    previous_end = 0
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            continue
        records.append((start, cells))
    return header or [], records


def parse_csv(text: str) -> ParsedFile:
    try:
        header, records = _records(text)
    except csv.Error as error:
        parsed = ParsedFile(format=MARSAD_CSV)
        parsed.problems.append(Problem(1, "", _("the file is not readable CSV: %s") % error))
        return parsed
    if not header:
        parsed = ParsedFile(format=MARSAD_CSV)
        parsed.problems.append(Problem(1, "", _("the file is empty")))
        return parsed
    if any(COD_AB_PCODE.match(column) for column in header):
        return _parse_cod_ab(header, records)
    return _parse_marsad_csv(header, records)


def _header_index(parsed: ParsedFile, header: list[str]) -> dict[str, int]:
    """Lower-cased column name → position; duplicated columns are problems."""
    index: dict[str, int] = {}
    for position, column in enumerate(header):
        key = column.lower()
        if not key:
            continue
        if key in index:
            parsed.problems.append(Problem(1, column, _("the column appears twice in the header")))
            continue
        index[key] = position
    return index


def _cell_count_ok(parsed: ParsedFile, line: int, cells: list[str], header: list[str]) -> bool:
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        parsed.problems.append(
            Problem(
                line,
                "",
                _(
                    "the row has %(cells)d cells but the header has %(columns)d columns "
                    "(is a comma inside a name missing its quotes?)"
                )
                % {"cells": len(cells), "columns": len(header)},
            )
        )
        return False
    return True


def _parse_marsad_csv(header: list[str], records: list[tuple[int, list[str]]]) -> ParsedFile:
    parsed = ParsedFile(format=MARSAD_CSV)
    index = _header_index(parsed, header)
    for column in REQUIRED_COLUMNS:
        if column not in index:
            parsed.problems.append(
                Problem(
                    1,
                    column,
                    _(
                        "the header has no %(column)s column; Marsad's CSV needs %(required)s "
                        "and may have %(optional)s (or use the COD-AB columns ADM0_PCODE, ...)"
                    )
                    % {
                        "column": column,
                        "required": ", ".join(REQUIRED_COLUMNS),
                        "optional": ", ".join(
                            c for c in MARSAD_COLUMNS if c not in REQUIRED_COLUMNS
                        ),
                    },
                )
            )
    if parsed.problems:
        return parsed
    present = [column for column in MARSAD_COLUMNS if column in index]
    columns = {column: header[index[column]] for column in present}
    first_line: dict[str, int] = {}
    for line, cells in records:
        if not _cell_count_ok(parsed, line, cells, header):
            continue
        raw = {
            column: cells[index[column]] if index[column] < len(cells) else "" for column in present
        }
        level = raw.pop("level")
        row = RowBuilder(parsed, line, columns).build(raw, level)
        pcode = raw["pcode"].strip()
        if first_occurrence(parsed, pcode, line, columns["pcode"], first_line) and row:
            parsed.rows.append(row)
    return parsed


def _cod_ab_columns(parsed: ParsedFile, header: list[str]) -> dict[int, dict[str, str]]:
    """For each COD-AB level in the header, Marsad field name → the header's column name."""
    by_lower = {column.lower(): column for column in header if column}
    levels: dict[int, dict[str, str]] = {}
    for column in header:
        match = COD_AB_PCODE.match(column)
        if not match:
            continue
        number = int(match.group(1))
        if number > max(AreaLevel.values):
            parsed.problems.append(
                Problem(
                    1,
                    column,
                    _("Marsad has levels 0 (country) to %(max)d (location); ADM%(n)d is deeper")
                    % {"max": max(AreaLevel.values), "n": number},
                )
            )
            continue
        prefix = f"adm{number}_"
        mapping = {"pcode": column}
        for field_name, suffixes in (
            ("name_en", ("en",)),
            ("name_ar", ("ar",)),
            ("name_ku", ("ku", "ckb")),
        ):
            for suffix in suffixes:
                if prefix + suffix in by_lower:
                    mapping[field_name] = by_lower[prefix + suffix]
                    break
        if "name_en" not in mapping:
            parsed.problems.append(
                Problem(
                    1,
                    column,
                    _("the header has %(pcode)s but no ADM%(n)d_EN column for the English name")
                    % {"pcode": column, "n": number},
                )
            )
        levels[number] = mapping
    for number in sorted(levels):
        if number > 0 and number - 1 not in levels:
            parsed.problems.append(
                Problem(
                    1,
                    levels[number]["pcode"],
                    _(
                        "the header has ADM%(n)d_PCODE but no ADM%(above)d_PCODE: each area's "
                        "parent comes from the level above"
                    )
                    % {"n": number, "above": number - 1},
                )
            )
    for field_name in ("latitude", "longitude"):
        if field_name in by_lower:
            levels.setdefault(-1, {})[field_name] = by_lower[field_name]
    return levels


def _parse_cod_ab(header: list[str], records: list[tuple[int, list[str]]]) -> ParsedFile:
    """One area per distinct P-code at each level, its parent the P-code of the level above."""
    parsed = ParsedFile(format=COD_AB_CSV)
    levels = _cod_ab_columns(parsed, header)
    if parsed.problems:
        return parsed
    position = {column: number for number, column in enumerate(header)}
    extra = levels.pop(-1, {})
    by_pcode: dict[str, AreaRow] = {}
    for line, cells in records:
        if not _cell_count_ok(parsed, line, cells, header):
            continue

        def cell(column: str, cells: list[str] = cells) -> str:
            index = position[column]
            return cells[index].strip() if index < len(cells) else ""

        given = [number for number in sorted(levels) if cell(levels[number]["pcode"])]
        deepest = given[-1] if given else None
        for number in given:
            mapping = levels[number]
            columns = dict(mapping)
            raw = {name: cell(column) for name, column in mapping.items()}
            if number - 1 in levels:
                columns["parent_pcode"] = levels[number - 1]["pcode"]
                raw["parent_pcode"] = cell(columns["parent_pcode"])
            if number == deepest and extra:
                columns.update(extra)
                raw.update({name: cell(column) for name, column in extra.items()})
            row = RowBuilder(parsed, line, columns).build(raw, number)
            if row is None:
                continue
            if row.pcode in by_pcode:
                _check_consistent(parsed, by_pcode[row.pcode], row)
            else:
                by_pcode[row.pcode] = row
                parsed.rows.append(row)
    return parsed


def _check_consistent(parsed: ParsedFile, first: AreaRow, again: AreaRow) -> None:
    """A P-code repeated on later COD-AB rows must say the same; coordinates fill in."""
    if first.level != again.level:
        parsed.problems.append(
            Problem(
                again.line,
                again.column("pcode"),
                _("the P-code %(pcode)s is a %(level)s here but a %(first_level)s on line %(n)d")
                % {
                    "pcode": again.pcode,
                    "level": level_label(again.level),
                    "first_level": level_label(first.level),
                    "n": first.line,
                },
            )
        )
        return
    if first.parent_pcode != again.parent_pcode:
        parsed.problems.append(
            Problem(
                again.line,
                again.column("parent_pcode"),
                _("%(pcode)s has the parent %(value)s here but %(first_value)s on line %(first)d")
                % {
                    "pcode": again.pcode,
                    "value": again.parent_pcode,
                    "first_value": first.parent_pcode,
                    "first": first.line,
                },
            )
        )
    for name, value in again.values.items():
        if value in ("", None) or first.values.get(name) == value:
            continue
        if first.values.get(name) in ("", None):
            # A later row fills in what the first left empty (e.g. coordinates of the deepest).
            first.values[name] = value
            first.columns = {**first.columns, name: again.column(name)}
            continue
        parsed.problems.append(
            Problem(
                again.line,
                again.column(name),
                _("%(pcode)s has '%(value)s' here but '%(first_value)s' on line %(first)d")
                % {
                    "pcode": again.pcode,
                    "value": value,
                    "first_value": first.values[name],
                    "first": first.line,
                },
            )
        )
