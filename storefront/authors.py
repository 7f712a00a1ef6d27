"""The rules that keep articles and their authors' profiles together.

Articles name their author and reviewer by the author's ``name`` (``models.Post.author_profile``),
not by a key. So a rename must rewrite those names in the same transaction, or the articles
would lose their profile (and their Person typing and author-page link); and an author still
named by an article must not be deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func, or_, select, union, update
from sqlalchemy.orm import Session

from storefront.models import Post


def articles_naming(session: Session, names: Iterable[str]) -> dict[str, int]:
    """How many articles (drafts included) name each of ``names`` as author or reviewer.

    One grouped query, through the indexes on both columns; an article that names someone as
    both its author and its reviewer counts once. Names no article uses are absent.
    """
    names = list(names)
    if not names:
        return {}
    naming = union(
        select(Post.author.label("name"), Post.id.label("post_id")).where(Post.author.in_(names)),
        select(Post.reviewed_by, Post.id).where(Post.reviewed_by.in_(names)),
    ).subquery()
    return dict(session.execute(
        select(naming.c.name, func.count()).group_by(naming.c.name)).all())


def rename_in_articles(session: Session, old: str, new: str) -> int:
    """Every article naming ``old`` as author or reviewer names ``new`` instead; returns how
    many articles changed.

    One UPDATE, in the caller's transaction. Each article's revision moves on, so an article
    editor opened before the rename is refused on save instead of writing the old name back.
    """
    if old == new:
        return 0
    result = session.execute(
        update(Post).where(or_(Post.author == old, Post.reviewed_by == old))
        .values(author=case((Post.author == old, new), else_=Post.author),
                reviewed_by=case((Post.reviewed_by == old, new), else_=Post.reviewed_by),
                revision=Post.revision + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
