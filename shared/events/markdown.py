"""The event catalogue as a Markdown table (type | topic | producer | consumers | description)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.events.catalogue import OUTSIDE_GROUPS, OUTSIDE_PRINCIPAL, docstring

if TYPE_CHECKING:
    from shared.events.asyncapi import Catalogue


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(cat: Catalogue) -> str:
    lines = [
        "# Event catalogue",
        "",
        "Generated from the code by `python -m shared.events.asyncapi` (`make catalogue`),",
        "together with the full AsyncAPI 3.0 document [asyncapi.yaml](asyncapi.yaml) (payload",
        "schemas, headers, consumer groups); do not edit by hand. The services' topics are keyed",
        "by household id; each consumer group `<group>` dead-letters to `dlq.<group>`.",
        "",
        "Outside subscribers (other government systems) read the services' topics",
        f"({', '.join(f'`{t}`' for t in cat.published_topics())}) as the read-only principal",
        f"`{OUTSIDE_PRINCIPAL}` over SASL_SSL on port 9094, in consumer groups "
        f"`{OUTSIDE_GROUPS}<system>`",
        "(the `production` server of the AsyncAPI document; deploy/KAFKA.md).",
        "",
        "| type | topic | producer | consumers (service: handler) | description |",
        "|---|---|---|---|---|",
    ]
    for event_type, model in cat.models.items():
        consumers = "<br>".join(
            f"{c.service}: {', '.join(f'`{h}`' for h in c.handlers)}"
            for c in cat.consumers_of(event_type)
        )
        if not consumers and model.audience:
            consumers = f"outside: {model.audience}"
        cells = [f"`{event_type}`", f"`{model.topic}`", model.producer, consumers or "—"]
        lines.append("| " + " | ".join([*cells, _cell(docstring(model))]) + " |")
    return "\n".join(lines) + "\n"
