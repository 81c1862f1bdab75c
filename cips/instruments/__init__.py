"""Questionnaires as data: schema, loading from YAML, and storing versions in the DB."""

from cips.instruments.loader import LoadResult, Problem, content_hash, load_file, load_files
from cips.instruments.schema import Instrument as InstrumentDefinition
from cips.instruments.schema import Item, ItemType

__all__ = [
    "InstrumentDefinition",
    "Item",
    "ItemType",
    "LoadResult",
    "Problem",
    "content_hash",
    "load_file",
    "load_files",
]
