"""Filling in a form the way a browser would: every field keeps what the page shows unless the test types something else."""

from __future__ import annotations

from bs4 import BeautifulSoup


def textarea_value(element) -> str:
    """What a browser shows: the HTML parser keeps the newline right after <textarea>, browsers drop it."""
    value = element.get_text()
    for newline in ("\r\n", "\n"):
        if value.startswith(newline):
            return value[len(newline):]
    return value


def form_values(form) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    for element in form.select("input[name], textarea[name], select[name]"):
        name = element["name"]
        if element.name == "textarea":
            values.append((name, textarea_value(element)))
        elif element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            values.append((name, chosen.get("value", "") if chosen else ""))
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                values.append((name, element.get("value", "y")))
        elif element.get("type") not in ("submit", "button"):
            values.append((name, element.get("value", "")))
    return values


def fill(page: BeautifulSoup, form_selector: str, changes: dict | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(action, data) for the form with ``changes`` applied. A list value sets several
    values for one name (checkboxes); None removes the field (an unticked box)."""
    form = page.select_one(form_selector)
    assert form is not None, f"no form matches {form_selector!r}"
    changes = dict(changes or {})
    data = [(name, value) for name, value in form_values(form) if name not in changes]
    for name, value in changes.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data += [(name, v) for v in value]
        else:
            data.append((name, value))
    return form["action"], data


def submit(browser, page: BeautifulSoup, form_selector: str, changes: dict | None = None, **kwargs):
    action, data = fill(page, form_selector, changes)
    from werkzeug.datastructures import MultiDict

    return browser.client.post(action, data=MultiDict(data), **kwargs)
