"""/admin/reports/articles: which articles bring readers to the product, and which sell."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Response, abort, render_template, request
from markupsafe import Markup

from storefront.admin.day_range import DayRangeForm
from storefront.admin.views import bp
from storefront.extensions import db
from storefront.reports import article_report
from storefront.reports.chart import daily_chart, sparkline
from storefront.shop_time import today

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30


def _range() -> DayRangeForm:
    """``?from=&to=`` (days on the shop's clock); a blank To is today, a blank From the start
    of the 30 days ending on To."""
    form = DayRangeForm(request.args, max_days=article_report.MAX_DAYS,
                        bounds=(article_report.FIRST_DAY, article_report.LAST_DAY))
    form.fill_blanks(today(), DEFAULT_DAYS)
    return form


def _touch() -> str:
    touch = request.args.get("touch", "last")
    return touch if touch in article_report.TOUCHES else "last"


def _report(days: DayRangeForm) -> article_report.Report:
    start, end = days.days
    sort = request.args.get("sort", "revenue_cents")
    return article_report.build(db.session, start, end, _touch(), sort)


@bp.get("/reports/articles")
def article_report_page():
    """One row per article over the range, the direct row, totals and a daily chart; a bad
    range re-shows the form with the message beside the date."""
    days = _range()
    end = today()
    presets = [(n, end - timedelta(days=n - 1), end) for n in PRESETS]
    if not days.validate():
        return render_template("admin/reports_articles.html", report=None, days=days,
                               presets=presets, touch=_touch()), 400
    report = _report(days)
    return render_template("admin/reports_articles.html", report=report, days=days,
                           presets=presets, touch=report.touch,
                           chart=daily_chart(report.daily),
                           sort=request.args.get("sort", "revenue_cents"))


@bp.get("/reports/articles.csv")
def article_report_csv():
    """The same rows as the page, for a spreadsheet."""
    days = _range()
    if not days.validate():
        abort(400, " ".join(days.start.errors + days.end.errors))
    report = _report(days)
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
