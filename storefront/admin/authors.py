"""Authors and reviewers (owners): who articles name, as a person or an organization.

A person gets a page at /blog/authors/<slug> listing their articles, and articles type them
as a Person linking there (an organization as the brand). Articles name authors by name, so a
rename follows onto every article that names them, and an author still named is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront.admin.edit_conflicts import claim_for_save
from storefront.admin.forms import ActionForm, AuthorForm, edit_form
from storefront.admin.paging import numbered_page
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.authors import articles_naming, rename_in_articles
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import Author
from storefront.slugs import slugify, unique_slug

PER_PAGE = 50


def _author(author_id: int) -> Author:
    return db.get_or_404(Author, author_id)


def _snapshot(author: Author) -> dict:
    return {"name": author.name, "slug": author.slug, "kind": author.kind,
            "bio_chars": len(author.bio)}


def _articles(author: Author) -> int:
    return articles_naming(db.session, [author.name]).get(author.name, 0)


def _render(form: AuthorForm, author: Author | None, status: int = 200, conflict=None,
            refused: str | None = None):
    return render_template("admin/author_form.html", form=form, author=author,
                           conflict=conflict, refused=refused, action_form=ActionForm(),
                           articles=_articles(author) if author else 0), status


def _taken(form: AuthorForm, author_id: int | None) -> bool:
    """Add a field error for a name or slug another author already has; True if any."""
    others = select(Author.id).where(Author.id != (author_id or 0)).limit(1)
    if db.session.scalar(others.where(Author.name == form.name.data)):
        form.name.errors.append("Another author already has this name.")
    if form.slug.data and db.session.scalar(others.where(Author.slug == form.slug.data)):
        form.slug.errors.append("Another author already has this address.")
    return bool(form.name.errors or form.slug.errors)


def _saved(form: AuthorForm, author_id: int | None, audit: Callable[[], object]) -> bool:
    """Flush, write the audit record (``audit``, after the flush so a new author has its id)
    and commit. A name or slug taken by an editor who committed first (the unique constraints
    catch what the check before could not see) becomes the same field error as always."""
    try:
        db.session.flush()
        audit()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not _taken(form, author_id):
            form.name.errors.append("Another author was saved with this name or address "
                                    "meanwhile.")
        return False
    return True


def _bio(form: AuthorForm) -> str:
    return (form.bio.data or "").replace("\r\n", "\n")


@bp.get("/authors")
def authors():
    """Every author and reviewer, with their page and how many articles name them."""
    page = numbered_page(db.session, select(Author).order_by(Author.name, Author.id), PER_PAGE)
    counts = articles_naming(db.session, [author.name for author in page.items])
    return render_template("admin/authors.html", authors=page.items, page=page, counts=counts)


@bp.route("/authors/new", methods=["GET", "POST"])
def author_new():
    """A new author or reviewer; the slug comes from the name unless one is given."""
    if request.method == "GET":
        return _render(AuthorForm(formdata=None), None)
    form = AuthorForm()
    if not form.validate_on_submit() or _taken(form, None):
        return _render(form, None, 422)
    begin_write(db.session)
    author = Author(name=form.name.data, kind=form.kind.data, bio=_bio(form),
                    slug=form.slug.data
                    or unique_slug(db.session, Author, slugify(form.name.data, 120)))
    db.session.add(author)
    if not _saved(form, None, lambda: record(db.session, "author.create", f"author:{author.id}",
                                             after=_snapshot(author))):
        return _render(form, None, 422)
    flash(f"Author saved, with a page at /blog/authors/{author.slug}." if author.is_person
          else "Author saved.", "success")
    return redirect(url_for("admin.author_edit", author_id=author.id), code=303)


@bp.route("/authors/<int:author_id>", methods=["GET", "POST"])
def author_edit(author_id: int):
    """Edit an author; a new name is written onto every article that named the old one."""
    author = _author(author_id)
    if request.method == "GET":
        return _render(edit_form(AuthorForm, author), author)
    form = AuthorForm()
    if not form.validate_on_submit() or _taken(form, author_id):
        return _render(form, author, 422)
    begin_write(db.session)
    author, conflict = claim_for_save(db.session, lambda: _author(author_id), form,
                                      lambda saved: edit_form(AuthorForm, saved),
                                      f"author:{author_id}")
    if conflict:
        return _render(form, author, 409, conflict=conflict)
    before = _snapshot(author)
    renamed = rename_in_articles(db.session, author.name, form.name.data)
    author.name = form.name.data
    author.slug = form.slug.data or author.slug
    author.kind = form.kind.data
    author.bio = _bio(form)
    after = {**_snapshot(author), "articles_renamed": renamed}
    if not _saved(form, author_id, lambda: record(db.session, "author.update",
                                                  f"author:{author_id}", before=before,
                                                  after=after)):
        return _render(form, _author(author_id), 422)
    flash(f"Author saved; renamed on {renamed} article{'s' if renamed != 1 else ''}."
          if renamed else "Author saved.", "success")
    return redirect(url_for("admin.author_edit", author_id=author_id), code=303)


@bp.post("/authors/<int:author_id>/delete")
def author_delete(author_id: int):
    """Delete an author no article names; otherwise say how many articles still do."""
    if not ActionForm().validate_on_submit():
        abort(400)
    begin_write(db.session)
    author = _author(author_id)
    used = _articles(author)
    if used:
        db.session.rollback()
        author = _author(author_id)
        refused = (f"Not deleted: {used} article{'s name' if used != 1 else ' names'} "
                   f"{author.name} as author or reviewer. Name someone else on "
                   f"{'them' if used != 1 else 'it'} first, or keep this profile.")
        return _render(edit_form(AuthorForm, author), author, 409, refused=refused)
    name = author.name
    record(db.session, "author.delete", f"author:{author_id}", before=_snapshot(author))
    db.session.delete(author)
    db.session.commit()
    flash(f"Author {name} deleted.", "success")
    return redirect(url_for("admin.authors"), code=303)
