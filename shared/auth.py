"""Bearer JWT with roles and a jurisdiction scope (a division-code prefix).

Every route depends on `authenticated` (or `require(...)`); the scope filters lists and guards
objects. `python -m shared.auth mint --role county_poverty --scope 532325` mints a local token."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from shared import clock
from shared.errors import Forbidden, NotFound, Unauthorized, loc_to_path
from shared.ids import InvalidId, parse_division_code
from shared.roles import Role
from shared.settings import Settings, get_settings


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    scope: str  # division-code prefix: "" = whole country, "532325" = a county, ...

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def covers(self, division_code: str | None) -> bool:
        """Whether a record carrying `division_code` lies inside this principal's jurisdiction."""
        if not self.scope:
            return True
        return division_code is not None and division_code.startswith(self.scope)

    def guard(self, division_code: str | None) -> None:
        """Out-of-scope objects are reported as missing, never as forbidden (no existence leak)."""
        if not self.covers(division_code):
            raise NotFound("no such record in your jurisdiction")


def mint_token(
    settings: Settings,
    *,
    subject: str,
    roles: list[Role] | list[str],
    scope: str,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    if scope:
        parse_division_code(scope)
    now = clock.now()
    claims = {
        "sub": subject,
        "roles": sorted(str(Role(r)) for r in roles),
        "scope": scope,
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.auth_secret, algorithm="HS256")


def decode_token(settings: Settings, token: str) -> Principal:
    """The caller a token names, checked in full the first time it is seen; a token seen
    before is answered from a bounded cache while it is in force (a mobile app or a hospital
    system sends the same token with every request, and decoding it cost more than the route)."""
    principal, not_before, expires = _decode(
        token, settings.auth_secret, settings.auth_audience, settings.auth_issuer
    )
    # PyJWT's own reading of "in force" (nbf <= now < exp, no leeway), on every use.
    now = clock.real_timestamp()
    if not (not_before <= now < expires):
        raise Unauthorized("token has expired" if now >= expires else "token is not yet valid")
    return principal


# A subject is an account name: printable (no control characters), of bounded length; it may be
# Chinese (a name), which is why headers that carry it are encoded (shared.header_values).
_SUBJECT = r"^[^\x00-\x1f\x7f]{1,128}$"


class TokenClaims(BaseModel):
    """The claims a token must carry, checked by shape: a signed token is trusted for what it
    says, never for what its types happen to be (`roles` an object, `sub` a number)."""

    model_config = ConfigDict(extra="ignore")

    sub: StrictStr = Field(pattern=_SUBJECT)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    scope: StrictStr = Field(default="", max_length=12)
    exp: StrictInt | StrictFloat
    nbf: StrictInt | StrictFloat | None = None


@lru_cache(maxsize=4096)
def _decode(token: str, secret: str, audience: str, issuer: str) -> tuple[Principal, float, float]:
    # An invalid token raises, and lru_cache keeps no exceptions: it is checked again each time.
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid token: {exc}") from exc
    try:
        checked = TokenClaims.model_validate(claims)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{loc_to_path(e['loc']) or 'claims'}: {e['msg']}" for e in exc.errors()
        )
        raise Unauthorized(f"token claims are invalid: {reasons}") from exc
    if checked.scope:
        try:
            parse_division_code(checked.scope)
        except InvalidId as exc:
            raise Unauthorized(f"token scope is not a division code: {exc}") from exc
    principal = Principal(subject=checked.sub, roles=frozenset(checked.roles), scope=checked.scope)
    nbf = float("-inf") if checked.nbf is None else float(checked.nbf)
    return principal, nbf, float(checked.exp)


_bearer = HTTPBearer(auto_error=False, description="JWT with `roles` and `scope` claims")


def app_settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required")
    principal = decode_token(app_settings(request), credentials.credentials)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency: the caller must hold one of `roles` (admin always may)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles, Role.admin):
            raise Forbidden(
                "this action needs one of the roles: " + ", ".join(sorted(str(r) for r in roles))
            )
        return principal

    return check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.auth", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    mint = sub.add_parser("mint", help="mint a bearer token for local use")
    mint.add_argument("--sub", default="local-user")
    mint.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    mint.add_argument("--scope", default="", help="division-code prefix, e.g. 532325")
    mint.add_argument("--hours", type=float, default=12)
    args = parser.parse_args(argv)
    token = mint_token(
        get_settings(),
        subject=args.sub,
        roles=args.role,
        scope=args.scope,
        ttl=timedelta(hours=args.hours),
    )
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
