"""URL slugs for products and articles: ASCII, hyphenated, unique per table."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session


def slugify(text: str, limit: int = 120) -> str:
    """"Royal Warrior+ Cream" -> "royal-warrior-cream"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "item"


def unique_slug(session: Session, model, base: str, exclude_id: int | None = None) -> str:
    slug, n = base, 2
    while session.scalar(select(model.id).where(model.slug == slug, model.id != (exclude_id or 0))):
        slug, n = f"{base}-{n}", n + 1
    return slug
