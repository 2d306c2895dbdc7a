"""Header values for any text (RFC 6266, RFC 8187) and problem documents that render any text."""

from __future__ import annotations

import json

from shared.error_handlers import ProblemResponse
from shared.header_values import content_disposition, ext_value


def test_plain_ascii_is_sent_as_it_is() -> None:
    assert ext_value("county-officer") == "county-officer"
    assert content_disposition("rehab-ledger.xlsx") == 'attachment; filename="rehab-ledger.xlsx"'
    assert content_disposition("chart.png", inline=True) == 'inline; filename="chart.png"'


def test_other_text_is_percent_encoded_as_utf_8() -> None:
    assert ext_value("张三") == "UTF-8''%E5%BC%A0%E4%B8%89"
    value = content_disposition("低保名册.xlsx")
    assert value == (
        'attachment; filename="____.xlsx"; '
        "filename*=UTF-8''%E4%BD%8E%E4%BF%9D%E5%90%8D%E5%86%8C.xlsx"
    )
    value.encode("latin-1")  # a header value HTTP can carry
    # A quote in a name cannot end the quoted fallback early.
    assert content_disposition('a"b.xlsx').startswith('attachment; filename="a_b.xlsx"; filename*=')


def test_text_utf_8_cannot_encode_never_fails() -> None:
    assert ext_value("a\ud800") == "UTF-8''a%3F"
    body = ProblemResponse({"detail": "bad \ud800 value"}).body
    assert json.loads(body) == {"detail": "bad ? value"}
