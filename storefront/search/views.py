"""The search page: one box in the header, results from products and articles together."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from storefront.extensions import db
from storefront.models import utcnow
from storefront.page_cache import cached_page
from storefront.search.index import MAX_QUERY_LENGTH, normalise_query, search

bp = Blueprint("search", __name__)


@bp.get("/search")
@cached_page("q")
def results():
    """Ranked matches for ``?q=``; an empty or unusable query shows the form and a hint."""
    raw = request.args.get("q", "")
    query = normalise_query(raw)
    hits = search(db.session, query, utcnow()) if query else []
    return render_template("search/results.html", query=query, hits=hits,
                           truncated=len(raw) > MAX_QUERY_LENGTH,
                           max_length=MAX_QUERY_LENGTH)
