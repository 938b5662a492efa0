"""Numpy arrays to typed Arrow columns.

Generators work in numpy (fast, vectorised); the writer needs Arrow arrays whose
types match ``valvomo.schema``. These helpers are the only place that converts, and
they are where nulls are made: a timestamp is null where it is ``NaT``, any other
column is null where its ``present`` mask is false.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def timestamps(values: np.ndarray) -> pa.Array:
    """datetime64 (NaT = null) → timestamp[us] (naive, Helsinki wall clock)."""
    return pa.array(values.astype("datetime64[us]"), type=pa.timestamp("us"))


def dates(values: np.ndarray) -> pa.Array:
    """datetime64[D] (NaT = null) → date32."""
    return pa.array(values.astype("datetime64[D]"), type=pa.date32())


def optional(values: np.ndarray, present: np.ndarray | None, arrow_type: pa.DataType) -> pa.Array:
    """Values with nulls where ``present`` is false (``None`` = all present)."""
    mask = None if present is None else ~np.asarray(present, dtype=bool)
    return pa.array(values, type=arrow_type, mask=mask)


def pick_strings(pool: list[str] | tuple[str, ...] | pa.Array, index: np.ndarray) -> pa.Array:
    """``pool[index]`` as strings; a negative index gives null."""
    pool_array = pool if isinstance(pool, pa.Array) else pa.array(list(pool), type=pa.string())
    index = np.asarray(index, dtype=np.int64)
    return pool_array.take(pa.array(index, mask=index < 0))


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Identifiers such as ``P0000123``: prefix + zero-padded number."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, pa.scalar(""))
