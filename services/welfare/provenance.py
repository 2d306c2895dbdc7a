"""Provenance of welfare decisions in the API: every response that carries a decision's trace
also lists its illustrative parameters (figures no document of the county sets), read from the
trace(s) it carries, so that no route can forget to fill them."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import model_validator

from shared.trace import Provenance, illustrative_of


class TracedProvenance(Provenance):
    """`illustrative_parameters` filled from the model's trace fields when not given."""

    trace_fields: ClassVar[tuple[str, ...]] = ("trace",)

    @model_validator(mode="after")
    def _fill_illustrative(self) -> Any:
        if not self.illustrative_parameters:
            traces = (getattr(self, name, None) for name in self.trace_fields)
            self.illustrative_parameters = illustrative_of(*(t for t in traces if t))
        return self
