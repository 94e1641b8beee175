"""Importing completed distribution lists: CSV or XLSX files of receipts, one row each, from the
partner that distributed under a plan (``apply``), read and checked row by row (``columns``,
``rows``), reported in plain words (``report``), in the background with progress (``tasks``)."""

from marsad.assistance.importers.apply import check_may_import, find_plan, receipt_list_import
from marsad.assistance.importers.columns import COLUMNS, REQUIRED_COLUMNS
from marsad.assistance.importers.report import ReceiptListReport

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "ReceiptListReport",
    "check_may_import",
    "find_plan",
    "receipt_list_import",
]
