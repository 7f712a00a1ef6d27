"""The shop's own clock face: times stored in UTC, shown and typed in SHOP_TIMEZONE.

Owners schedule articles in the zone they live in ("publish Monday 9:00"), so the admin shows
and reads schedule times in ``SHOP_TIMEZONE`` (an IANA name such as ``Europe/Berlin``, checked
at start-up) and always says which zone that is. The database keeps UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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


# Days. A shop's day runs from midnight to midnight on its own clock: the article counters,
# the article report, its CSV and command, the orders list's date filter and the dashboard
# all cut days there, so an order placed at 23:30 in the shop's evening is that day's, even
# when it is already tomorrow in UTC.


def today() -> date:
    """The date on the shop's clock now."""
    return datetime.now(zone()).date()


def day_start(day: date, tz: ZoneInfo | None = None) -> datetime:
    """The (aware, UTC) moment the shop's ``day`` begins (year 1 and 9999: as far as UTC
    goes, so a typed 0001-01-01 or 9999-12-31 filters nothing out instead of overflowing)."""
    try:
        return datetime.combine(day, time.min, tz or zone()).astimezone(UTC)
    except OverflowError:
        return (datetime.min if day.year == 1 else datetime.max).replace(tzinfo=UTC)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the first moment of ``start`` to the first moment after ``end``, in UTC; the
    half-open range ``since <= t < until`` that every date filter of the shop uses."""
    tz = zone()
    if end == date.max:
        return day_start(start, tz), datetime.max.replace(tzinfo=UTC)
    return day_start(start, tz), day_start(end + timedelta(days=1), tz)


def local_date_sql(column, dialect: str, since: datetime, until: datetime):
    """SQL for the shop's date of the UTC timestamps in ``column``, exact between ``since``
    and ``until`` (the rows a query selects), so rows group by the same days ``day_bounds``
    cuts.

    PostgreSQL converts with its own time zone data. SQLite has none, so the zone's offsets
    over the range (one, or two per year of daylight saving) become a CASE of modifiers."""
    from sqlalchemy import case, func

    name = zone_name()
    if dialect == "postgresql":
        return func.date(func.timezone(name, column))
    periods = _offsets(ZoneInfo(name), since, until)
    modifiers = [f"{minutes:+d} minutes" for _, minutes in periods]
    if len(periods) == 1:
        return func.date(column, modifiers[0])
    whens = [(column < periods[i + 1][0], modifiers[i]) for i in range(len(periods) - 1)]
    return func.date(column, case(*whens, else_=modifiers[-1]))


def _offsets(tz: ZoneInfo, since: datetime, until: datetime) -> list[tuple[datetime, int]]:
    """[(from when, UTC offset in minutes)] for each period of one offset in the range."""

    def minutes(second: int) -> int:
        offset = datetime.fromtimestamp(second, UTC).astimezone(tz).utcoffset()
        return int(offset.total_seconds() // 60)

    first, last = int(since.timestamp()), int(until.timestamp()) + 1
    periods = [(first, minutes(first))]
    moment = first
    while moment < last:
        following = min(moment + 12 * 3600, last)
        if minutes(following) != periods[-1][1]:
            low, high = moment, following  # the change lies in (low, high]: find its second
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if minutes(middle) == periods[-1][1] else (
                    low, middle)
            periods.append((high, minutes(high)))
        moment = following
    return [(datetime.fromtimestamp(second, UTC), offset) for second, offset in periods]
