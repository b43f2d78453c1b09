"""The column names read by the command line and every trainer adapter, in one order.

``rlvr-rewards score`` looks for a record's completion, gold and MCQ options under these keys;
the TRL, ms-swift and veRL adapters look for the gold and options columns of a dataset under the
same keys, in the same order (the first one present wins), so a file scored offline and a
dataset trained on read the same field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Fields holding the model's completion (``score`` only: trainers pass completions directly).
COMPLETION_KEYS = ("completion", "response", "output", "solution_str", "prediction")
#: Fields holding the gold answer. ``reward_model`` is veRL's ``{"ground_truth": ...}`` column.
GOLD_KEYS = ("solution", "answer", "ground_truth", "gold", "label", "reward_model")
#: Fields holding MCQ option texts (a list of strings, or ARC's ``{"label": [...], "text": [...]}``).
OPTION_KEYS = ("options", "choices")


def first_present(record: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first of ``keys`` that ``record`` has (even a None value); None when it has
    none of them."""
    for key in keys:
        if key in record:
            return record[key]
    return None


def unwrap_gold(key: str, value: Any) -> Any:
    """The gold inside a column value: veRL's ``reward_model`` dict gives its ``ground_truth``."""
    if key == "reward_model" and isinstance(value, Mapping):
        return value.get("ground_truth")
    return value


def option_texts(value: Any) -> list[str] | None:
    """MCQ option texts of one sample: a list of strings, or ARC's ``{"label": [...], "text": [...]}``."""
    if isinstance(value, Mapping):
        value = value.get("text")
    if value is None or isinstance(value, (str, bytes, Mapping)):
        return None
    try:
        items = [str(x) for x in value]
    except TypeError:
        return None
    return items or None
