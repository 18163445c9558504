"""Whole-table contracts: pandera schemas derived from the pydantic row models.

Deriving them (instead of writing them twice) keeps one source of truth: a type, a pattern, a
bound or a ``Literal`` on a row model becomes a pandera check here.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from typing import Any, Literal

import pandas as pd
import pandera.pandas as pa
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hotpass.contracts.rows import TABLE_MODELS
from hotpass.errors import HotpassError


class TableContractError(RuntimeError, HotpassError):
    """A staged table's shape (columns, order) differs from its row model: a bug, not data."""


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


def _constraint(info: FieldInfo, name: str) -> Any:
    for item in info.metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _list_items_match(pattern: str) -> pa.Check:
    """Every item of each list matches ``pattern``. Lists kept in Arrow
    (:func:`contract_frame`) are checked by Arrow's regex engine (RE2) in one pass; lists of
    Python objects one at a time."""
    regex = re.compile(pattern)

    def check(series: pd.Series) -> pd.Series:
        if not isinstance(series.dtype, pd.ArrowDtype):
            return series.map(lambda items: items is None or all(regex.match(i) for i in items))
        import numpy as np
        import pyarrow
        import pyarrow.compute as pc

        lists = pyarrow.array(series)
        matched = pc.match_substring_regex(pc.list_flatten(lists), pattern)
        failed = pc.filter(pc.list_parent_indices(lists), pc.invert(matched.fill_null(False)))
        passed = np.ones(len(series), dtype=bool)
        passed[failed.to_numpy()] = False
        return pd.Series(passed, index=series.index)

    return pa.Check(check, name=f"items_match({pattern})")


def _column(info: FieldInfo) -> pa.Column:
    annotation, nullable = _unwrap(info.annotation)
    checks: list[pa.Check] = []
    dtype: Any = None
    pattern = _constraint(info, "pattern")
    if typing.get_origin(annotation) is Literal:
        checks.append(pa.Check.isin(list(typing.get_args(annotation))))
    elif annotation is str:
        dtype = str
        if pattern:
            checks.append(pa.Check.str_matches(pattern))
        min_length = _constraint(info, "min_length")
        if min_length:
            checks.append(pa.Check.str_length(min_value=min_length))
    elif annotation is int:
        dtype = "int64"
        for bound, make in (("ge", pa.Check.ge), ("le", pa.Check.le)):
            value = _constraint(info, bound)
            if value is not None:
                checks.append(make(value))
    elif annotation is bool:
        dtype = bool
    elif annotation is date:
        dtype = None
    elif typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        item_pattern = next(
            (getattr(m, "pattern", None) for m in getattr(item, "__metadata__", ())), None
        )
        if item_pattern:
            checks.append(_list_items_match(item_pattern))
    return pa.Column(dtype, checks=checks, nullable=nullable, coerce=dtype in {"int64"})


def table_schema(model: type[BaseModel]) -> pa.DataFrameSchema:
    """The pandera schema of one row model: same columns, same order, no others."""
    return pa.DataFrameSchema(
        {name: _column(info) for name, info in model.model_fields.items()},
        strict=True,
        ordered=True,
        name=model.__name__,
    )


SCHEMAS: dict[str, pa.DataFrameSchema] = {name: table_schema(m) for name, m in TABLE_MODELS.items()}


def contract_frame(table: Any) -> pd.DataFrame:
    """An Arrow table as the pandas frame :func:`failing_rows` checks. Nested columns stay
    Arrow (``pd.ArrowDtype``): turning a million organisations' lists into Python objects
    took 2.8 s, and their checks run in Arrow."""
    import pyarrow

    return table.to_pandas(
        types_mapper=lambda kind: pd.ArrowDtype(kind) if pyarrow.types.is_nested(kind) else None
    )


def failing_rows(table: str, frame: pd.DataFrame) -> dict[int, str]:
    """Row position -> the first check it failed; {} when the table meets its contract.

    Raises:
        TableContractError: for table-level failures (a missing, extra or misplaced column),
            which no quarantine can fix.
    """
    try:
        SCHEMAS[table].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        if cases["index"].isna().any():
            table_level = cases[cases["index"].isna()]
            problems = sorted(
                {
                    f"{c}: {k}"
                    for c, k in zip(table_level["column"], table_level["check"], strict=True)
                }
            )
            raise TableContractError(
                f"table {table!r} breaks its contract: {'; '.join(problems)}"
            ) from None
        failures: dict[int, str] = {}
        for index, column, check in zip(
            cases["index"], cases["column"], cases["check"], strict=True
        ):
            failures.setdefault(int(index), f"{column}: {check}")
        return failures
    return {}
