"""The report engine: a pure library (no Django, no Celery) that profiles tabular files.

Formats are sniffed from content; processing streams in record-aligned blocks so memory stays
bounded; chunks of one file can be profiled apart and merged. See RESULT_SCHEMA.md.
"""

from .checks.schema import DeclaredSchema, SchemaError, parse_schema
from .engine import ProfilingEngine
from .merging import PartialMismatch
from .result import RESULT_SCHEMA_VERSION, ProfileResult
from .warm import warm_up

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "DeclaredSchema",
    "PartialMismatch",
    "ProfileResult",
    "ProfilingEngine",
    "SchemaError",
    "parse_schema",
    "warm_up",
]
