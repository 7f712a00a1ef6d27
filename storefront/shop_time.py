"""The shop's own clock face: times stored in UTC, shown and typed in SHOP_TIMEZONE.

Owners schedule articles in the zone they live in ("publish Monday 9:00"), so the admin shows
and reads schedule times in ``SHOP_TIMEZONE`` (an IANA name such as ``Europe/Berlin``, checked
at start-up) and always says which zone that is. The database keeps UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app


def parse_zone(name: str) -> str:
    """A setting parser: the name if it is a known time zone, else ValueError saying so."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not a time zone name like Europe/Berlin or America/New_York"
                         ) from None
    return name


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SHOP_TIMEZONE"])


def zone_name() -> str:
    return current_app.config["SHOP_TIMEZONE"]


def local(moment: datetime | None) -> datetime | None:
    """A stored (aware, UTC) time on the shop's clock."""
    return moment.astimezone(zone()) if moment is not None else None


def from_local(naive: datetime) -> datetime:
    """A time typed on the shop's clock (no zone) as aware UTC, for storing."""
    return naive.replace(tzinfo=zone()).astimezone(UTC)


def format_local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """For templates: ``{{ post.published_at|shop_time }}``; the zone is named beside it."""
    return local(moment).strftime(pattern) if moment is not None else ""
