"""Bumping and reading the content version (see ``storefront.models.content_version``).

Any change that can show on a public page (a product, a price, stock, an article, a tag, an
owner's page) marks its session, through ORM flushes and through DML statements such as the
conditional UPDATEs of ``storefront.inventory``; the counter is bumped once, just before the
transaction commits. Bumping last means the counter row is the last lock a writer takes, so
two checkouts that lock variant rows cannot deadlock on it, and it is held only for the commit.
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session

from storefront.models.content_version import ROW_ID

# Tables whose rows appear on public pages. "page" is the owner-edited pages' table.
PUBLIC_TABLES = frozenset({
    "product", "variant", "product_image", "post", "post_reference", "tag", "post_tag",
    "post_product", "page", "author", "post_correction",
})
_CHANGED = "content_changed"


# The current version, one primary-key lookup (no row reads as 0).
READ_SQL = f"SELECT counter FROM content_version WHERE id = {ROW_ID}"


def _mark_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in PUBLIC_TABLES:
            session.info[_CHANGED] = True
            return


def _mark_statement(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in PUBLIC_TABLES:
            state.session.info[_CHANGED] = True


def mark_changed(session: Session) -> None:
    """Bump at the session's next commit for a change made outside it (a bulk load)."""
    session.info[_CHANGED] = True


def _bump(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook; changes must mark first
    if not session.info.pop(_CHANGED, False):
        return
    connection = session.connection()
    bumped = connection.execute(
        text("UPDATE content_version SET counter = counter + 1 WHERE id = :id"), {"id": ROW_ID})
    if bumped.rowcount == 0:  # an emptied table (tests truncate): start again at 1
        connection.execute(text("INSERT INTO content_version (id, counter) VALUES (:id, 1)"),
                           {"id": ROW_ID})


def _forget(session: Session, *_args) -> None:
    session.info.pop(_CHANGED, None)


event.listen(Session, "before_flush", _mark_flush)
event.listen(Session, "do_orm_execute", _mark_statement)
event.listen(Session, "before_commit", _bump)
event.listen(Session, "after_rollback", _forget)
