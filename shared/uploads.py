"""Reading an uploaded file: at most the service's MAX_UPLOAD_BYTES, and only the base name of
what the client called it (a path in the name never reaches storage, logs or exports)."""

from __future__ import annotations

from fastapi import Request, UploadFile

from shared.errors import FieldError, InvalidInput, PayloadTooLarge


def upload_limit(request: Request) -> int:
    return int(request.app.state.settings.max_upload_bytes)


def base_name(filename: str | None, max_length: int = 255) -> str:
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:max_length] or "upload"


async def read_upload(
    file: UploadFile, limit: int, max_name: int = 255, allow_empty: bool = False
) -> tuple[bytes, str]:
    """(content, base name); 413 past `limit` bytes, 422 when empty."""
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"file is larger than {limit} bytes")
    if not content and not allow_empty:
        raise InvalidInput("the file is empty", errors=[FieldError(field="file", reason="empty")])
    return content, base_name(file.filename, max_name)
