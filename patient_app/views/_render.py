"""Choosing between a full page and the fragment htmx asked for."""

from __future__ import annotations

from flask import render_template, request


def page_or_fragment(page: str, fragment: str, **context):
    """The fragment is the same template the page includes, so both stay in step."""
    if request.htmx and not request.htmx.boosted:
        return render_template(fragment, **context)
    return render_template(page, **context)
