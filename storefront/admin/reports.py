"""/admin/reports/articles: which articles bring readers to the product, and which sell."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Response, abort, render_template, request
from markupsafe import Markup

from storefront.admin.views import bp
from storefront.extensions import db
from storefront.reports import article_report
from storefront.reports.chart import daily_chart, sparkline
from storefront.shop_time import today

PRESETS = (7, 30, 90)
MAX_DAYS = 3660


def report_range() -> tuple[date, date]:
    """``?from=&to=`` (YYYY-MM-DD, days on the shop's clock), else the last 30 days; a bad
    date is a 400."""
    end = _day("to") or today()
    start = _day("from") or end - timedelta(days=29)
    if start > end or (end - start).days > MAX_DAYS:
        abort(400, "Choose a start date before the end date, at most ten years apart.")
    return start, end


def _day(name: str) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, f"Write the {name} date as YYYY-MM-DD.")


def _report() -> article_report.Report:
    start, end = report_range()
    touch = request.args.get("touch", "last")
    if touch not in article_report.TOUCHES:
        touch = "last"
    sort = request.args.get("sort", "revenue_cents")
    return article_report.build(db.session, start, end, touch, sort)


@bp.get("/reports/articles")
def article_report_page():
    """One row per article over the range, the direct row, totals and a daily chart."""
    report = _report()
    end = today()
    presets = [(days, end - timedelta(days=days - 1), end) for days in PRESETS]
    return render_template("admin/reports_articles.html", report=report, presets=presets,
                           chart=daily_chart(report.daily),
                           sort=request.args.get("sort", "revenue_cents"))


@bp.get("/reports/articles.csv")
def article_report_csv():
    """The same rows as the page, for a spreadsheet."""
    report = _report()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(article_report.CSV_HEADER)
    for row in (*report.rows, report.direct, report.totals):
        writer.writerow([getattr(row, name) for name in article_report.CSV_HEADER])
    filename = f"articles-{report.start}-{report.end}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# For the partials the article, product and dashboard pages include: they fetch their own
# figures, so those pages' views need no change to show them.
@bp.app_template_global()
def article_funnel(post_id: int, days: int = 30) -> article_report.Report:
    """One article's funnel over the last ``days`` days (last touch)."""
    end = today()
    return article_report.build(db.session, end - timedelta(days=days - 1), end,
                                post_id=post_id)


@bp.app_template_global()
def articles_that_sold(product_id: int) -> list:
    """The articles credited (last touch) with paid orders of this product: title, orders,
    jars, most first."""
    return article_report.articles_selling(db.session, product_id)


@bp.app_template_global()
def top_articles(days: int = 30, limit: int = 5) -> tuple[list, Markup, bool]:
    """The dashboard's top articles by net revenue, a sparkline of their daily revenue, and
    whether demo data is part of it."""
    end = today()
    report = article_report.build(db.session, end - timedelta(days=days - 1), end)
    return (report.rows[:limit], sparkline([revenue for _, _, revenue in report.daily]),
            bool(report.demo_days or report.demo_orders))
