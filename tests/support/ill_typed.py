"""A value passed where its type is wrong on purpose: a test that checks validation refuses it
says so here instead of silencing the type checker."""

from __future__ import annotations

from typing import Any


def ill_typed(value: object) -> Any:
    """`value` as `Any`, for a test that hands a function or model a type it must refuse."""
    return value
