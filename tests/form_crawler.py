"""Find every form a visitor can reach: crawl links from the start pages, parse each <form>.

Used by the form fuzzer (tests/test_fuzz_forms.py), so a form added to any page reachable by
links is fuzzed without anyone listing it. This module holds no tests of its own.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIP_PREFIXES = ("/static/", "/media/", "/webhooks/")
MAX_PAGES = 200
# /products/a and /products/b have the same forms, but an order's forms depend on its state:
# look at a few pages of each kind.
PER_PATTERN = 4


@dataclass
class Field:
    name: str
    kind: str  # text, number, hidden, checkbox, file, select, textarea, ...
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)
    link: bool = False  # not a <form>: a page's query string, fuzzed like a GET form

    @property
    def key(self) -> tuple:
        """Forms that post the same fields to the same route are one form to fuzz."""
        return (self.method, pattern(self.action), tuple(sorted({f.name for f in self.fields})))

    def __str__(self) -> str:
        kind = "GET link" if self.link else self.method.upper()
        return f"{kind} {self.action} ({', '.join(f.name for f in self.fields)})"


class _PageParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._open: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._button: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self._open = Form(self.page, action, (a.get("method") or "get").lower(),
                              a.get("enctype") or "application/x-www-form-urlencoded")
            self.forms.append(self._open)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a or len(self._select.options) == 1:
                self._select.value = a.get("value", "")
        elif self._open is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self._add(Field(a["name"], kind, a.get("value", "on"),
                                [a.get("value", "on")]))
            elif kind not in ("submit", "image", "reset", "button"):
                self._add(Field(a["name"], kind, a.get("value", "")))
            else:
                self._add(Field(a["name"], "button", a.get("value", "")))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._add(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._add(self._textarea)
        elif tag == "button":
            self._button = Field(a["name"], "button", a.get("value", ""))
            self._add(self._button)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def _add(self, new: Field) -> None:
        assert self._open is not None
        for known in self._open.fields:  # radio groups, and the same button twice
            if known.name == new.name and known.kind == new.kind and new.kind != "select":
                known.options.extend(o for o in new.options if o not in known.options)
                return
        self._open.fields.append(new)


def pattern(url: str) -> str:
    """A URL with its numbers and slugs' digits folded, and its query reduced to its keys."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


# Query parameters any page might read, besides those its links carry.
COMMON_QUERY = ("page", "q", "next", "sort", "status", "from", "to", "size", "v", "order",
                "session_id", "utm_source")


def crawl(client, starts: tuple[str, ...] = ("/", "/admin/")) -> list[Form]:
    """Every distinct form on pages reachable by links from ``starts`` (GET only), then each
    page's query string as one more GET form (its links' parameters and COMMON_QUERY)."""
    seen_urls: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque(starts)
    forms: dict[tuple, Form] = {}
    queries: dict[str, tuple[str, set[str]]] = {}  # path pattern -> (a path, parameters)
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "shop.test":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen_urls or parts.path.startswith(SKIP_PREFIXES):
            continue
        seen_urls.add(path)
        key = pattern(path)
        if per_pattern.get(key, 0) >= PER_PATTERN:
            continue
        per_pattern[key] = per_pattern.get(key, 0) + 1
        response = client.get(path, follow_redirects=True)
        pages += 1
        example, names = queries.setdefault(pattern(parts.path), (parts.path, set()))
        names.update(pair.split("=", 1)[0] for pair in parts.query.split("&") if pair)
        if "html" not in response.content_type:
            continue
        page = response.request.path + (f"?{response.request.query_string.decode()}"
                                        if response.request.query_string else "")
        parser = _PageParser("http://shop.test" + page)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            forms.setdefault(form.key, form)
        queue.extend(parser.links)
    links = [Form(path, "http://shop.test" + path, "get", "",
                  [Field(name, "query") for name in sorted(names | set(COMMON_QUERY))],
                  link=True)
             for path, names in queries.values()]
    return list(forms.values()) + links
