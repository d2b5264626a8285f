"""Read the forms on a page the way a browser would submit them, for tests that fill in a page
they have just loaded rather than building the POST by hand."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class FormReader(HTMLParser):
    """The fields of each POST form on a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._multiple = False
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and attr.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None or (tag != "option" and "name" not in attr):
            return
        if tag == "input" and attr.get("type") not in {"submit", "button", "file"}:
            if attr.get("type") in {"checkbox", "radio"} and "checked" not in attr:
                return
            self._form[attr["name"]] = attr.get("value", "on" if "checked" in attr else "")
        elif tag == "textarea":
            self._textarea = attr["name"]
            self._form[self._textarea] = ""
        elif tag == "select":
            self._select, self._first_option = attr["name"], None
            self._multiple = "multiple" in attr
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attr.get("value", "")
            if "selected" in attr:
                self._form[self._select] = attr.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea and self._form is not None:
            # A browser drops the newline that starts a textarea's content.
            self._form[self._textarea] = self._form[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select and self._form is not None:
            # A multiple select with nothing chosen sends nothing; a single one its first option.
            if not self._multiple:
                self._form.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "form":
            self._form = None


def form_on(response, field: str) -> dict[str, Any]:
    """What the form on the page holding `field` would send as it stands."""
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    (form,) = [form for form in reader.forms if field in form]
    form.pop("csrfmiddlewaretoken", None)
    return form
