"""The shop's own pages (owners): about, shipping, returns, contact, privacy, terms, and more.

Markdown like articles, sanitised the same way when shown. Pages linked from every footer keep
their slug once they exist, so those links never break; other pages may be renamed.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from storefront.admin.edit_conflicts import claim_for_save
from storefront.admin.forms import PageForm, edit_form
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.blog.content import render_markdown
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import Page
from storefront.site.footer import FOOTER_PAGES
from storefront.slugs import slugify, unique_slug


def _page(page_id: int) -> Page:
    return db.get_or_404(Page, page_id)


def _snapshot(page: Page) -> dict:
    return {"slug": page.slug, "title": page.title, "body_chars": len(page.body)}


def _render(form: PageForm, page: Page | None, status: int = 200, conflict=None):
    """The editor; with ``preview`` in the form, the typed text is shown as customers will
    see it, beside the form, and nothing is saved (a round trip: no script needed)."""
    preview = None
    if request.method == "POST" and "preview" in request.form:
        preview = render_markdown((form.body.data or "").replace("\r\n", "\n"))
    return render_template("admin/page_form.html", form=form, page=page, conflict=conflict,
                           preview=preview,
                           fixed_slug=page is not None and page.slug in FOOTER_PAGES), status


def _slug_problem(slug: str, page: Page | None) -> str | None:
    if page is not None and slug != page.slug and page.slug in FOOTER_PAGES:
        return "Every page's footer links here, so this page keeps its slug."
    taken = select(Page.id).where(Page.slug == slug)
    if page is not None:
        taken = taken.where(Page.id != page.id)
    if db.session.scalar(taken):
        return "Another page already has this slug."
    return None


@bp.get("/pages")
def pages():
    """Every page, with a link to it and when it last changed."""
    found = db.session.scalars(select(Page).order_by(Page.slug)).all()
    return render_template("admin/pages.html", pages=found, footer=FOOTER_PAGES)


@bp.route("/pages/new", methods=["GET", "POST"])
def page_new():
    form = PageForm() if request.method == "POST" else PageForm(formdata=None)
    if request.method == "POST" and "preview" in request.form:
        return _render(form, None)
    if request.method == "GET" or not form.validate_on_submit():
        return _render(form, None, 422 if request.method == "POST" else 200)
    slug = form.slug.data or slugify(form.title.data, 120)
    problem = _slug_problem(slug, None) if form.slug.data else None
    if problem:
        form.slug.errors.append(problem)
        return _render(form, None, 422)
    begin_write(db.session)
    page = Page(slug=slug if form.slug.data else unique_slug(db.session, Page, slug),
                title=form.title.data.strip(), body=(form.body.data or "").replace("\r\n", "\n"))
    db.session.add(page)
    db.session.flush()
    record(db.session, "page.create", f"page:{page.id}", after=_snapshot(page))
    db.session.commit()
    flash(f"Page saved at /pages/{page.slug}.", "success")
    return redirect(url_for("admin.page_edit", page_id=page.id), code=303)


@bp.route("/pages/<int:page_id>", methods=["GET", "POST"])
def page_edit(page_id: int):
    page = _page(page_id)
    if request.method == "GET":
        return _render(edit_form(PageForm, page), page)
    form = PageForm()
    if "preview" in request.form:
        return _render(form, page)
    if not form.validate_on_submit():
        return _render(form, page, 422)
    slug = form.slug.data or page.slug
    problem = _slug_problem(slug, page)
    if problem:
        form.slug.errors.append(problem)
        return _render(form, page, 422)
    begin_write(db.session)
    page, conflict = claim_for_save(db.session, lambda: _page(page_id), form,
                                    lambda saved: edit_form(PageForm, saved), f"page:{page_id}")
    if conflict:
        return _render(form, page, 409, conflict=conflict)
    before = _snapshot(page)
    page.slug = slug
    page.title = form.title.data.strip()
    page.body = (form.body.data or "").replace("\r\n", "\n")
    record(db.session, "page.update", f"page:{page.id}", before=before, after=_snapshot(page))
    db.session.commit()
    flash("Page saved.", "success")
    return redirect(url_for("admin.page_edit", page_id=page_id), code=303)
