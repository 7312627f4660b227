"""Small Arrow helpers shared by the converters: a typed failure, a checked cast, a
whole-array regex test."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


class ConversionError(ValueError):
    """A value (or a batch, on the vector path) does not convert."""


def all_match(arr: pa.Array, pattern: str) -> bool:
    """True when every non-null value matches ``pattern`` (an anchored RE2 regex)."""
    return pc.all(pc.match_substring_regex(arr, pattern)).as_py() is not False


def cast_checked(arr: pa.Array, to: pa.DataType) -> pa.Array:
    try:
        return pc.cast(arr, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ConversionError(str(exc)) from exc
