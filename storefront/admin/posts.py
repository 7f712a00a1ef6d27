"""Articles (owners): write, tag, cite, embed products, preview as readers see it, publish."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, load_only, selectinload

from storefront import shop_time
from storefront.admin.edit_conflicts import claim_for_save
from storefront.admin.forms import ActionForm, PostForm, edit_form
from storefront.admin.paging import matching, numbered_page, text_filter
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import Author, Post, PostCorrection, PostReference, Product, Tag, utcnow
from storefront.slugs import slugify, unique_slug

PER_PAGE = 50
# Names suggested under Author and Reviewed by: a shop has a handful of authors, and past this
# many a suggestion list stops helping anyway.
AUTHOR_SUGGESTIONS = 200
# The embed picker lists products up to this many; a bigger catalogue gets a box to type a
# product's slug or name in, so the editor's page does not grow with the catalogue.
PICKER_LIST_MAX = 200


def _post(post_id: int) -> Post:
    post = db.session.scalar(
        select(Post).where(Post.id == post_id)
        .options(selectinload(Post.tags), selectinload(Post.references),
                 selectinload(Post.products), selectinload(Post.corrections),
                 selectinload(Post.author_profile), selectinload(Post.reviewer_profile))
    )
    if post is None:
        abort(404)
    return post


def _status(post: Post) -> str:
    if post.published_at is None:
        return "draft"
    return "published" if post.is_public() else "scheduled"


def _snapshot(post: Post) -> dict:
    return {"title": post.title, "slug": post.slug, "summary": post.summary,
            "author": post.author, "reviewed_by": post.reviewed_by, "is_health": post.is_health,
            "tags": [t.slug for t in post.tags], "references": len(post.references),
            "published_at": post.published_at.isoformat() if post.published_at else None,
            "body_words": post.word_count}


def unknown_embeds(session: Session, body: str) -> list[str]:
    """Slugs a body embeds that name no product (those cards would not show)."""
    from storefront.blog.content import embedded_slugs

    slugs = embedded_slugs(body or "")
    if not slugs:
        return []
    known = set(session.scalars(select(Product.slug).where(Product.slug.in_(slugs))))
    return [slug for slug in slugs if slug not in known]


def _apply_form(session: Session, post: Post, form: PostForm) -> None:
    from storefront.blog.content import sync_post_products

    post.title = form.title.data.strip()
    post.summary = (form.summary.data or "").strip()
    post.body = (form.body.data or "").replace("\r\n", "\n")
    post.author = (form.author.data or "").strip()
    post.reviewed_by = (form.reviewed_by.data or "").strip() or None
    post.is_health = bool(form.is_health.data)
    post.is_condition = bool(form.is_condition.data)
    post.reviewed_at = (datetime.combine(form.reviewed_at.data, time(12), UTC)
                        if form.reviewed_at.data else None)
    wanted: dict[str, str] = {}  # slug -> name; "Magnesium" and "magnesium" are one tag
    for name in (t.strip() for t in (form.tags.data or "").split(",")):
        if name:
            wanted.setdefault(slugify(name, 60), name[:60])
    tags = []
    for slug, name in wanted.items():
        with session.no_autoflush:
            tag = session.scalar(select(Tag).where(Tag.slug == slug))
        tags.append(tag or Tag(slug=slug, name=name))
    post.tags = tags
    post.references.clear()
    session.flush()
    for position, line in enumerate(
        (x for x in (form.references.data or "").splitlines() if x.strip()), start=1
    ):
        citation, _, link = line.partition("|")
        post.references.append(PostReference(position=position, citation=citation.strip(),
                                             url=link.strip()))
    sync_post_products(session, post)


def _form_for(post: Post) -> PostForm:
    return edit_form(
        PostForm, post, tags=", ".join(t.name for t in post.tags),
        references="\n".join(f"{r.citation} | {r.url}" if r.url else r.citation
                             for r in post.references),
    )


def _products() -> list:
    """Slug, name and active of the products the embed picker lists, by name (not their
    texts): at most PICKER_LIST_MAX, and one more to tell that there are too many to list."""
    return db.session.execute(
        select(Product.slug, Product.name, Product.active).order_by(Product.name)
        .limit(PICKER_LIST_MAX + 1)).all()


def _render(form: PostForm, post: Post | None, status: int = 200, warnings=(), conflict=None,
            picker_error: str | None = None):
    from storefront.blog.checks import findings_for_post

    author_names = db.session.scalars(
        select(Author.name).order_by(Author.name).limit(AUTHOR_SUGGESTIONS)).all()
    return render_template("admin/post_form.html", form=form, post=post,
                           products=_products(), picker_max=PICKER_LIST_MAX,
                           picker_error=picker_error, action_form=ActionForm(),
                           author_names=author_names,
                           status=_status(post) if post else "draft",
                           warnings=list(warnings), conflict=conflict,
                           findings=findings_for_post(db.session, post) if post else []), status


def _text(post: Post) -> tuple:
    """What readers read: a change to any of it after publication earns a dated note."""
    return (post.title, post.summary, post.body,
            tuple((r.citation, r.url) for r in post.references))


def _note_correction(post: Post, before: tuple, note: str | None) -> None:
    if post.is_public() and _text(post) != before:
        post.corrections.append(PostCorrection(
            note=(note or "").strip() or "The text of this article was updated."))


def _insert_embed(form: PostForm, post: Post | None):
    """The picker's "Insert" button: add the chosen product's shortcode to the body, unsaved.

    A round trip rather than a script, so it works without JavaScript; everything typed so
    far comes back in the form. The product is named by its slug (the list's value) or, when
    typed, by its exact name.
    """
    chosen = request.form.get("insert_product", "").strip()[:200]
    slug = chosen and db.session.scalar(
        select(Product.slug).where(or_(Product.slug == chosen.lower(), Product.name == chosen))
        .order_by(Product.slug != chosen.lower()).limit(1))
    if not slug:
        return _render(form, post, 422, picker_error="No product has this slug or name.")
    form.body.data = (form.body.data or "").rstrip() + f"\n\n[[product:{slug}]]\n"
    return _render(form, post)


@bp.get("/posts")
def posts():
    """Articles with their state (draft, scheduled, published), a page at a time, filterable.

    Only the listed columns are loaded: bodies would cost megabytes per page."""
    query = (select(Post).options(load_only(Post.id, Post.slug, Post.title, Post.author,
                                            Post.published_at))
             .order_by(Post.published_at.desc().nulls_first(), Post.id.desc()))
    if q := text_filter():
        query = query.where(matching(q, Post.title, Post.slug))
    page = numbered_page(db.session, query, PER_PAGE)
    return render_template("admin/posts.html", posts=page.items, page=page, q=q,
                           status=_status)


@bp.route("/posts/new", methods=["GET", "POST"])
def post_new():
    """A new article, saved as a draft."""
    form = PostForm()
    if request.method == "GET":
        form = PostForm(formdata=None, is_health=True)
        return _render(form, None)
    if "insert" in request.form:
        return _insert_embed(form, None)
    if not form.validate_on_submit():
        return _render(form, None, 422)
    begin_write(db.session)
    if form.slug.data and db.session.scalar(select(Post.id).where(Post.slug == form.slug.data)):
        db.session.rollback()
        form.slug.errors.append("Another article already has this slug.")
        return _render(form, None, 422)
    post = Post(slug=form.slug.data or unique_slug(db.session, Post, slugify(form.title.data, 160)),
                title="", published_at=None)
    db.session.add(post)
    _apply_form(db.session, post, form)
    db.session.flush()
    record(db.session, "post.create", f"post:{post.id}", after=_snapshot(post))
    missing = unknown_embeds(db.session, post.body)
    db.session.commit()
    _warn_missing(missing)
    flash("Draft saved.", "success")
    return redirect(url_for("admin.post_edit", post_id=post.id), code=303)


def _warn_missing(missing: list[str]) -> None:
    if missing:
        flash("This article embeds products that do not exist: "
              + ", ".join(f"[[product:{s}]]" for s in missing)
              + ". Those cards will not show.", "warning")


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def post_edit(post_id: int):
    """Edit an article; a published article keeps its slug."""
    post = _post(post_id)
    if request.method == "GET":
        return _render(_form_for(post), post,
                       warnings=_missing_text(unknown_embeds(db.session, post.body)))
    form = PostForm()
    if "insert" in request.form:
        return _insert_embed(form, post)
    if not form.validate_on_submit():
        return _render(form, post, 422)
    new_slug = form.slug.data or post.slug
    if new_slug != post.slug:
        if post.published_at is not None:
            form.slug.errors.append("A published article keeps its slug, so links keep working.")
        elif db.session.scalar(select(Post.id).where(Post.slug == new_slug, Post.id != post.id)):
            form.slug.errors.append("Another article already has this slug.")
        if form.slug.errors:
            return _render(form, post, 422)
    begin_write(db.session)
    post, conflict = claim_for_save(db.session, lambda: _post(post_id), form, _form_for,
                                    f"post:{post_id}")
    if conflict:
        return _render(form, post, 409, conflict=conflict)
    before = _snapshot(post)
    text_before = _text(post)
    post.slug = new_slug
    _apply_form(db.session, post, form)
    _note_correction(post, text_before, form.change_note.data)
    record(db.session, "post.update", f"post:{post.id}", before=before, after=_snapshot(post))
    missing = unknown_embeds(db.session, post.body)
    db.session.commit()
    _warn_missing(missing)
    flash("Article saved.", "success")
    return redirect(url_for("admin.post_edit", post_id=post_id), code=303)


def _missing_text(missing: list[str]) -> list[str]:
    return [f"Embeds an unknown product: [[product:{slug}]]" for slug in missing]


@bp.post("/posts/<int:post_id>/publish")
def post_publish(post_id: int):
    """``action``: ``now``, ``schedule`` (with ``publish_at`` on the shop's clock,
    SHOP_TIMEZONE) or ``unpublish``.

    Publishing an article that embeds unknown products needs ``confirm=1``: the first attempt
    only warns.
    """
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    action = request.form.get("action", "now")
    post = _post(post_id)
    when = None
    if action == "schedule":
        try:
            when = datetime.strptime(request.form.get("publish_at", ""), "%Y-%m-%dT%H:%M")
        except ValueError:
            flash("Give a date and time to publish at.", "error")
            return redirect(url_for("admin.post_edit", post_id=post_id), code=303)
        when = shop_time.from_local(when)
    if action in ("now", "schedule"):
        missing = unknown_embeds(db.session, post.body)
        if missing and request.form.get("confirm") != "1":
            return render_template(
                "admin/post_confirm.html", post=post, missing=missing, action=action,
                publish_at=request.form.get("publish_at", ""), action_form=ActionForm(),
            ), 409
    begin_write(db.session)
    post = _post(post_id)
    before = {"published_at": post.published_at.isoformat() if post.published_at else None}
    post.published_at = None if action == "unpublish" else (when or utcnow())
    record(db.session, f"post.{'unpublish' if action == 'unpublish' else 'publish'}",
           f"post:{post.id}", before=before,
           after={"published_at": post.published_at.isoformat() if post.published_at else None})
    db.session.commit()
    flash({"unpublish": "Article unpublished.", "schedule": f"Article scheduled for "
           f"{shop_time.format_local(post.published_at)} ({shop_time.zone_name()})."
           if post.published_at else "",
           "now": "Article published."}.get(action, "Saved."), "success")
    return redirect(url_for("admin.post_edit", post_id=post_id), code=303)


@bp.get("/posts/<int:post_id>/preview")
def post_preview(post_id: int):
    """The article exactly as readers will see it, through the public template."""
    from storefront.blog.content import embedded_slugs, render_post_body
    from storefront.blog.views import cover_url

    post = _post(post_id)
    slugs = embedded_slugs(post.body)
    products = {}
    if slugs:
        products = {p.slug: p for p in db.session.scalars(
            select(Product).where(Product.slug.in_(slugs))
            .options(selectinload(Product.variants), selectinload(Product.images)))}
    if post.published_at is None:  # the public template dates the article
        post.published_at = utcnow()
        db.session.expunge(post)
    description = post.summary or post.title
    html = render_template(
        "blog/post.html", post=post, body=render_post_body(post, products), related=[],
        older=None, newer=None, description=description, structured_data={},
        cover=cover_url(post), preview=True,
    )
    return html, 200, {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
