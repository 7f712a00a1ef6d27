"""The content check (owners): every finding of `flask check-content`, linked to its editor."""

from __future__ import annotations

from flask import current_app, render_template

from storefront.admin.views import bp
from storefront.blog.checks import Rules, find_content_problems
from storefront.extensions import db


@bp.get("/content-checks")
def content_checks():
    """All findings in articles, pages and products, errors first, as CI sees them."""
    findings = find_content_problems(db.session, Rules.from_config(current_app.config))
    findings.sort(key=lambda f: (not f.is_error, f.where, f.line or 0))
    return render_template("admin/content_checks.html", findings=findings,
                           errors=sum(f.is_error for f in findings))
