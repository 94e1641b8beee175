"""Getting source lists into the registry: CSV or XLSX files of persons, one row each, from a
ministry register, a field assessment, a distribution list or a partner (``apply``), read and
checked row by row (``columns``, ``rows``), reported in plain words (``report``)."""

from marsad.registry.importers.apply import IMPORT_KINDS, source_list_import
from marsad.registry.importers.columns import COLUMNS, REQUIRED_COLUMNS
from marsad.registry.importers.report import SourceListReport

__all__ = [
    "COLUMNS",
    "IMPORT_KINDS",
    "REQUIRED_COLUMNS",
    "SourceListReport",
    "source_list_import",
]
