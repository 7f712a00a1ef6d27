"""Full-text search over products and articles, indexed by the database itself.

PostgreSQL answers from a GIN index on a stored ``tsvector`` column of each table, generated
by the database from the title (weighted first) and the text; the embedded SQLite answers
from an FTS5 table that triggers keep in step with ``product`` and ``post``. Either way, a
search never scans the tables and never needs a sync job: an edit is searchable the moment it
commits. Both return the same shape, ranked best first, with the matches marked for
highlighting.

The schema objects here are not SQLAlchemy models (FTS5 tables and PostgreSQL-only generated
columns have no declarative form that suits both databases); ``install`` creates them for
``create_all`` and the migration carries the same statements. Their names start with
``search_`` / ``ix_search_`` so Alembic's comparison leaves them alone (``is_search_object``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import Connection, bindparam, event, text
from sqlalchemy.orm import Session

from storefront.models import Base
from storefront.models.base import UTCDateTime

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
RESULTS_PER_KIND = 20
# On PostgreSQL, ranking reads each match's whole document: with thousands of matches (a word
# every article uses) that costs more than the page may take. So at most this many of the
# newest matches, and as many of the newest whose title matches, are ranked.
RANK_CANDIDATES = 500
# Control characters mark the matches inside the database's snippet; they never occur in
# our text (forms refuse them) and are escaped away before the marks become <mark> tags.
_OPEN, _CLOSE = "\x02", "\x03"
_NOW = bindparam("now", type_=UTCDateTime())

# rowid in the FTS5 table: 2*id for a post, 2*id + 1 for a product (one table, unique rowids).
SQLITE_DDL = (
    # The admin's order search by the start of an email: a range over this index. (PostgreSQL
    # answers any part of an email from trigrams instead; a B-tree there would refuse the
    # longest addresses Stripe accepts.)
    'CREATE INDEX IF NOT EXISTS ix_search_order_email ON "order" (email)',
    "DROP TABLE IF EXISTS search_fts",
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO search_fts(rowid, title, body) "
    "SELECT 2 * id, title, summary || ' ' || body FROM post",
    "INSERT INTO search_fts(rowid, title, body) "
    "SELECT 2 * id + 1, name, tagline || ' ' || description FROM product",
    "CREATE TRIGGER search_post_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id, new.title, new.summary || ' ' || new.body); END",
    "CREATE TRIGGER search_post_update AFTER UPDATE OF title, summary, body ON post BEGIN "
    "DELETE FROM search_fts WHERE rowid = 2 * old.id; "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id, new.title, new.summary || ' ' || new.body); END",
    "CREATE TRIGGER search_post_delete AFTER DELETE ON post BEGIN "
    "DELETE FROM search_fts WHERE rowid = 2 * old.id; END",
    "CREATE TRIGGER search_product_insert AFTER INSERT ON product BEGIN "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id + 1, new.name, new.tagline || ' ' || new.description); END",
    "CREATE TRIGGER search_product_update AFTER UPDATE OF name, tagline, description ON product "
    "BEGIN DELETE FROM search_fts WHERE rowid = 2 * old.id + 1; "
    "INSERT INTO search_fts(rowid, title, body) "
    "VALUES (2 * new.id + 1, new.name, new.tagline || ' ' || new.description); END",
    "CREATE TRIGGER search_product_delete AFTER DELETE ON product BEGIN "
    "DELETE FROM search_fts WHERE rowid = 2 * old.id + 1; END",
)

# PostgreSQL keeps each row's search document in a stored generated column (the database
# writes it with the row, so an edit is searchable at its commit), titles weighted above the
# text; a GIN index answers the match and the ranking reads the stored vector instead of
# parsing the text of every matching row again (which took seconds with thousands of articles).
# The title alone has a column and index too, to find title matches among thousands.
POST_DOCUMENT = ("setweight(to_tsvector('english'::regconfig, title), 'A') || "
                 "setweight(to_tsvector('english'::regconfig, summary || ' ' || body), 'B')")
PRODUCT_DOCUMENT = ("setweight(to_tsvector('english'::regconfig, name), 'A') || "
                    "setweight(to_tsvector('english'::regconfig, "
                    "tagline || ' ' || description), 'B')")
POSTGRESQL_DDL = (
    "ALTER TABLE post ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS ({POST_DOCUMENT}) STORED",
    "ALTER TABLE product ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS ({PRODUCT_DOCUMENT}) STORED",
    "ALTER TABLE post ADD COLUMN IF NOT EXISTS search_title tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, title)) STORED",
    "ALTER TABLE product ADD COLUMN IF NOT EXISTS search_title tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, name)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_search_post ON post USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS ix_search_product ON product USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS ix_search_post_title ON post USING gin (search_title)",
    "CREATE INDEX IF NOT EXISTS ix_search_product_title ON product USING gin (search_title)",
    # The admin's order search: any part of an email, answered from trigrams (ILIKE).
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX IF NOT EXISTS ix_search_order_email ON "order" '
    "USING gin (email gin_trgm_ops)",
)


def is_search_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: False for the search tables, columns, triggers, indexes."""
    return not (name or "").startswith(("search_", "ix_search_"))


def install(connection: Connection) -> None:
    """Create the search index for the connection's database (and fill it from the tables)."""
    statements = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRESQL_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


@event.listens_for(Base.metadata, "after_create")
def _install_after_create(target, connection, **kw) -> None:
    install(connection)


@dataclass
class Hit:
    """One result: what it is, where it lives, its title and a snippet with marked matches."""

    kind: str  # "product" or "article"
    slug: str
    title: Markup
    snippet: Markup
    rank: float


def normalise_query(raw: str) -> str:
    """What we search for: printable text, whitespace collapsed, at most MAX_QUERY_LENGTH."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in raw)
    return " ".join(cleaned.split())[:MAX_QUERY_LENGTH].strip()


def terms(query: str) -> list[str]:
    """The words of a query (letters and digits in any script), at most MAX_TERMS."""
    return re.findall(r"\w+", query)[:MAX_TERMS]


def search(session: Session, query: str, now: datetime) -> list[Hit]:
    """Active products and published articles matching every word of ``query``, best first."""
    words = terms(query)
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        hits = _search_sqlite(session, words, now)
    else:
        hits = _search_postgresql(session, words, now)
    return sorted(hits, key=lambda hit: (-hit.rank, hit.kind, hit.slug))


def _search_sqlite(session: Session, words: list[str], now: datetime) -> list[Hit]:
    # Each word quoted (so FTS5 syntax in the input is plain text), the last one as a prefix.
    match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
    columns = (
        "highlight(search_fts, 0, :open, :close) AS title, "
        "snippet(search_fts, 1, :open, :close, '…', 24) AS snippet, "
        "-bm25(search_fts, 5.0, 1.0) AS rank"
    )
    params = {"match": match, "open": _OPEN, "close": _CLOSE, "limit": RESULTS_PER_KIND,
              "now": now}
    products = session.execute(text(
        f"SELECT product.slug, {columns} FROM search_fts "
        "JOIN product ON search_fts.rowid = 2 * product.id + 1 "
        "WHERE search_fts MATCH :match AND product.active ORDER BY rank DESC LIMIT :limit"
    ), params).all()
    posts = session.execute(text(
        f"SELECT post.slug, {columns} FROM search_fts "
        "JOIN post ON search_fts.rowid = 2 * post.id "
        "WHERE search_fts MATCH :match AND post.published_at IS NOT NULL "
        "AND post.published_at <= :now ORDER BY rank DESC LIMIT :limit"
    ).bindparams(_NOW), params).all()
    return _hits("product", products) + _hits("article", posts)


def _search_postgresql(session: Session, words: list[str], now: datetime) -> list[Hit]:
    """Every word must match, the last as a prefix (a half-typed word finds something).

    The tsquery is built from ``terms`` (letters and digits only), so it is
    ``plainto_tsquery`` of the words plus that prefix. Titles have a small document and index
    of their own, so title matches are among the ranked candidates however many bodies match.
    """
    query = " & ".join(words) + ":*"
    options = (f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=28, MinWords=12, "
               "MaxFragments=2, FragmentDelimiter=\" … \"")
    params = {"q": query, "options": options,
              "limit": RESULTS_PER_KIND, "candidates": RANK_CANDIDATES, "now": now,
              "title_options": f"HighlightAll=true, StartSel={_OPEN}, StopSel={_CLOSE}"}
    # Candidates from the GIN index, ranked on their stored documents; ts_headline (the
    # costly part, which parses the text) runs on the few rows kept.
    products = session.execute(text(
        "SELECT slug, ts_headline('english', name, q, :title_options) AS title, "
        "ts_headline('english', tagline || ' ' || description, q, :options) AS snippet, rank "
        "FROM (SELECT id, ts_rank_cd(search_document, q) AS rank FROM product, "
        "to_tsquery('english', :q) AS q WHERE id IN ("
        + _candidates("product", "active", "id DESC") +
        ") ORDER BY rank DESC, id LIMIT :limit) AS found "
        "JOIN product USING (id), to_tsquery('english', :q) AS q ORDER BY rank DESC, id"
    ), params).all()
    published = "published_at IS NOT NULL AND published_at <= :now"
    posts = session.execute(text(
        "SELECT slug, ts_headline('english', title, q, :title_options) AS title, "
        "ts_headline('english', summary || ' ' || body, q, :options) AS snippet, rank "
        "FROM (SELECT id, ts_rank_cd(search_document, q) AS rank FROM post, "
        "to_tsquery('english', :q) AS q WHERE id IN ("
        + _candidates("post", published, "published_at DESC, id DESC") +
        ") ORDER BY rank DESC, id LIMIT :limit) AS found "
        "JOIN post USING (id), to_tsquery('english', :q) AS q ORDER BY rank DESC, id"
    ).bindparams(_NOW), params).all()
    return _hits("product", products) + _hits("article", posts)


def _candidates(table: str, condition: str, newest: str) -> str:
    """The newest RANK_CANDIDATES matches, and as many of the newest title matches."""
    return " UNION ".join(
        f"(SELECT id FROM {table} WHERE {document} @@ to_tsquery('english', :q) "
        f"AND {condition} ORDER BY {newest} LIMIT :candidates)"
        for document in ("search_document", "search_title"))


def _hits(kind: str, rows) -> list[Hit]:
    return [
        Hit(kind=kind, slug=row.slug, title=_marked(row.title), snippet=_marked(row.snippet),
            rank=float(row.rank))
        for row in rows
    ]


# Markdown and shortcode syntax that would read as noise in a plain snippet.
_SYNTAX = re.compile(r"\[\[[^\]]*\]\]|\[\^\d+\]|\]\([^)]*\)|[*_#>`\[\]]")


def _marked(value: str | None) -> Markup:
    """Escape the database's text, then turn the match marks into balanced <mark> elements.

    Stripping Markdown syntax can remove one mark of a pair, so marks are re-paired here.
    """
    html, open_ = [], False
    for ch in str(escape(_SYNTAX.sub("", value or ""))):
        if ch == _OPEN:
            if not open_:
                html.append("<mark>")
            open_ = True
        elif ch == _CLOSE:
            if open_:
                html.append("</mark>")
            open_ = False
        else:
            html.append(ch)
    if open_:
        html.append("</mark>")
    return Markup("".join(html))
