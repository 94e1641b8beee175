"""Demo registry: about 350 displaced households registered by MoDM, and the distribution and
partner lists that register some of their members again, imported through the real source-list
importer (so every household goes through ``services.household_register``, audited, with its
source records). The later lists write names in Latin script with the usual drift, so record
linkage has duplicates to find. Running it again adds nothing: every row keeps its record ID."""

from typing import Any

from marsad.partners.models import Organisation
from marsad.registry.generator import (
    DISTRIBUTION_LISTS,
    MINISTRY,
    MINISTRY_LIST,
    PARTNER_LISTS,
    Registry,
    Row,
    to_csv,
)
from marsad.registry.importers.apply import source_list_import

DEMO_SEED = 2008
DEMO_CLANS = 150  # about 350 households, 2,000 people and 250 repeat registrations
DEMO_ORGANISATION = "MODM"  # registrar.modm works there


def demo_rows(*, clans: int = DEMO_CLANS, seed: int = DEMO_SEED) -> list[Row]:
    """Every row the demo imports, in the order the lists arrive."""
    registry = Registry(seed=seed)
    return [row for number in range(clans) for row in registry.clan_rows(number)]


def load_demo_registry(*, clans: int = DEMO_CLANS, stdout: Any = None) -> tuple[list[str], int]:
    """Import the demo lists that are not in yet. Returns one line of report per list and how
    many persons were added (0 when everything was already there)."""
    organisation = Organisation.objects.filter(code=DEMO_ORGANISATION).first()
    if organisation is None:
        return [f"skipped: organisation {DEMO_ORGANISATION} is not loaded"], 0
    rows = demo_rows(clans=clans)
    lists = [(MINISTRY, MINISTRY_LIST)] + [
        (kind, name) for kind, name, _latin in (*DISTRIBUTION_LISTS, *PARTNER_LISTS)
    ]
    lines: list[str] = []
    added = 0
    for kind, name in lists:
        listed = [row for row in rows if row.source == kind and row.list_name == name]
        if not listed:
            continue
        report = source_list_import(
            actor=None,
            organisation=organisation,
            kind=kind,
            source_name=name,
            content=to_csv(listed),
            filename=f"{name}.csv",
        )
        if not report.ok:
            errors = "; ".join(str(error) for error in report.errors[:3])
            raise RuntimeError(f"demo list '{name}' did not import: {errors}")
        added += report.persons_created
        lines.append(
            f"{name}: {report.households_created} households and {report.persons_created} "
            f"persons added, {report.unchanged} rows already in"
        )
        if stdout is not None:
            stdout.write(f"  {lines[-1]}")
    return lines, added
