"""Schema directives that make mizan's rules visible in the SDL."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.schema_directive import Location


@strawberry.enum(description="Who may call a field.")
class AuthLevel(Enum):
    AUTHENTICATED = "AUTHENTICATED"
    STAFF = "STAFF"
    SUPERUSER = "SUPERUSER"
    CUSTOM = "CUSTOM"


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The caller must satisfy this requirement; otherwise the field is null "
    "with an UNAUTHENTICATED or FORBIDDEN error.",
)
class Auth:
    requires: AuthLevel
