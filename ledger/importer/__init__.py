"""Ledger import: read (xlsx/csv, encodings) -> validate (all problems) -> load (one transaction)."""
from ledger.importer.load import ImportResult, import_path, record_refused
from ledger.importer.read import SourceError

__all__ = ["ImportResult", "import_path", "record_refused", "SourceError"]
