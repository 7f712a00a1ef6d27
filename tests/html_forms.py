"""Read the forms of an HTML page and fill them in as a browser would, for tests.

A browser submits every named ``input`` (checkboxes and radios only when checked), the
selected ``option`` of each ``select`` (else its first), each ``textarea``'s text, and the
clicked submit button. Tests that "save a form unchanged" need exactly that, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def submission(self) -> MultiDict:
        """What pressing the form's first plain (unnamed) submit button sends."""
        return MultiDict(self.fields)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(a.get("action") or self.page_url,
                                  (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name")
            if kind in {"submit", "image", "button", "reset", "file"} or not name:
                if kind == "submit" and name:
                    self._form.buttons.append((name, a.get("value", "")))
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a, [])
        elif tag == "button" and a.get("name"):
            self._form.buttons.append((a["name"], a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            # The HTML parser keeps the newline a browser drops right after <textarea>.
            for newline in ("\r\n", "\n"):
                if text.startswith(newline):
                    text = text[len(newline):]
                    break
            self._form.fields.append((self._textarea[0], text))
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[1].append((value if value is not None else "".join(text).strip(),
                                    selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = next((v for v, selected in options if selected),
                          options[0][0] if options else None)
            if chosen is not None and self._form is not None:
                self._form.fields.append((name, chosen))
            self._select = None


def forms_of(html: str, page_url: str) -> list[HtmlForm]:
    """Every form of a page, in document order."""
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


def form_with_action(html: str, page_url: str, action: str) -> HtmlForm:
    """The one form whose action is ``action`` (a path)."""
    found = [f for f in forms_of(html, page_url) if f.action == action and f.method == "post"]
    assert len(found) == 1, f"expected one POST form to {action}, found {len(found)}"
    return found[0]
