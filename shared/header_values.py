"""Header values that may carry any text: HTTP header values are Latin-1 octets, so a Chinese file
name or account name is sent encoded per RFC 6266 / RFC 8187 (the successor of RFC 5987), never
raw (which cannot be encoded and used to end the request in a 500)."""

from __future__ import annotations

import re
from urllib.parse import quote

_PLAIN = re.compile(r"^[\x20-\x7e]*$")


def ext_value(text: str) -> str:
    """`text` as printable ASCII: itself when it is, else RFC 8187's `UTF-8''<percent-encoded>`.
    Characters UTF-8 cannot encode (lone surrogates) become `?`."""
    if _PLAIN.match(text):
        return text
    data = text.encode("utf-8", errors="replace")
    return "UTF-8''" + quote(data, safe="")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII `filename` for every client and, when the name is not plain ASCII,
    `filename*` with the exact name."""
    kind = "inline" if inline else "attachment"
    fallback = "".join(c if _PLAIN.match(c) and c not in '"\\' else "_" for c in filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    exact = quote(filename.encode("utf-8", errors="replace"), safe="")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{exact}"
