"""Reading a table from CSV or XLSX for displacement imports: the project's reader
(``marsad.core.tables``), with its errors given as this package's ``RowError``."""

from marsad.core import tables
from marsad.core.tables import CSV, XLSX, XLSX_MAGIC, Table, cell_text
from marsad.displacement.importers.report import RowError

__all__ = ["CSV", "XLSX", "XLSX_MAGIC", "Table", "cell_text", "read_table"]


def read_table(content: bytes, filename: str = "") -> Table:
    table = tables.read_table(content, filename)
    table.errors = [RowError(error.row, error.column, error.message) for error in table.errors]
    return table
