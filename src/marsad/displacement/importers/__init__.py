"""Getting displacement data in: reading CSV and XLSX tables, parsing and checking master-list
rows (``masterlist``), and applying them to the database in bulk (``apply``)."""

from marsad.displacement.importers.report import ImportReport, RowError
from marsad.displacement.importers.tables import Table, read_table

__all__ = ["ImportReport", "RowError", "Table", "read_table"]
