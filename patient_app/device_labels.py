"""A short, non-identifying name for a browser, to tell a person's devices apart."""

from __future__ import annotations

from flask_babel import gettext as _


def device_label(user_agent: str) -> str:
    """ "Chrome på Android": enough to tell one's devices apart, nothing more."""
    agent = user_agent.lower()
    system = next(
        (name for key, name in (("iphone", "iPhone"), ("ipad", "iPad"), ("android", "Android"),
                                ("windows", "Windows"), ("mac os", "Mac"), ("linux", "Linux")) if key in agent),
        "",
    )
    browser = next(
        (name for key, name in (("edg/", "Edge"), ("samsungbrowser", "Samsung Internet"), ("firefox", "Firefox"),
                                ("fxios", "Firefox"), ("crios", "Chrome"), ("chrome", "Chrome"),
                                ("chromium", "Chromium"), ("safari", "Safari")) if key in agent),
        "",
    )
    if browser and system:
        return _("%(browser)s på %(system)s", browser=browser, system=system)[:100]
    return (browser or system or _("Ukjent nettleser"))[:100]
