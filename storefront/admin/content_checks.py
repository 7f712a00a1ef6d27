"""The content check (owners): the findings of `flask check-content`, linked to editors."""

from __future__ import annotations

from flask import current_app, render_template, request
from sqlalchemy import select

from storefront.admin.paging import numbered_page
from storefront.admin.views import bp
from storefront.blog.checks import Rules, find_content_problems
from storefront.extensions import db
from storefront.models import Page, Post, Product

# What each part checks and how many per page: an article costs a few milliseconds (its
# Markdown is rendered), a product or page well under one. The whole check of ten thousand
# articles takes seconds, so the page checks one slice at a time; CI runs it all.
PARTS = {
    "articles": (Post, "post_ids", 25),
    "products": (Product, "product_ids", 100),
    "pages": (Page, "page_ids", 100),
}


@bp.get("/content-checks")
def content_checks():
    """Findings for one page of articles, products or pages (``?part=``), errors first."""
    part = request.args.get("part", "articles")
    if part not in PARTS:
        part = "articles"
    model, keyword, per_page = PARTS[part]
    page = numbered_page(db.session, select(model.id).order_by(model.slug), per_page)
    findings = find_content_problems(db.session, Rules.from_config(current_app.config),
                                     **{keyword: page.items})
    findings.sort(key=lambda f: (not f.is_error, f.where, f.line or 0))
    return render_template("admin/content_checks.html", findings=findings, part=part,
                           parts=list(PARTS), page=page,
                           errors=sum(f.is_error for f in findings))
