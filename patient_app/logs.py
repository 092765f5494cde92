"""Structured logs with a request id, and a last guard against identity numbers in them.

The code must never log an identity number, a name with health context, a
message text or a token; tests/conftest.py scans every log record of the test
run for the demo people's numbers and the demo texts. The redaction below is
only a safety net behind that rule.
"""

from __future__ import annotations

import json
import logging
import re
import secrets

from flask import Flask, g, has_request_context, request

ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{6}\s?\d{5}(?!\d)")
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


# The token in a private calendar address opens the calendar: request lines (the
# development server's, gunicorn's access log) must never hold it. RedactRecord
# cleans them where they are logged; the JSON formatter cleans everything else.
CALENDAR_ADDRESS = re.compile(r"/kalender/[^/\s?#\"']+")


# Query parameters that act as keys stay out of request lines, like the calendar token:
# the provider's session id in the front-channel logout address ends that login here, and
# the login callback's code and state could finish someone's login while still fresh.
SECRET_PARAMETERS = re.compile(r"([?&](?:sid|code|state)=)[^&\s\"']+")


def _hide_calendar_token(match: re.Match) -> str:
    return "/kalender/[fjernet]" + (".ics" if match.group().endswith(".ics") else "")


def redact(text: str) -> str:
    text = CALENDAR_ADDRESS.sub(_hide_calendar_token, text)
    text = SECRET_PARAMETERS.sub(r"\1[fjernet]", text)
    return ELEVEN_DIGITS.sub("[identitetsnummer fjernet]", text)


class RedactRecord(logging.Filter):
    """Redacts a record where it is made, so that every handler (pytest's too) gets it clean.

    On the loggers that write request lines: the development server's and
    gunicorn's access log, whose paths can hold a calendar address.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        return True


REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, so logs can be searched without regular expressions."""

    FIELDS = ("person", "plan", "status", "endpoint", "part")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": redact(record.getMessage()),
        }
        for field in self.FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


class ReadableFormatter(logging.Formatter):
    """Development (make run): a line a person reads in a terminal, redacted like the JSON."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        # One record, one line, as in the JSON: a message cannot forge another line.
        record.msg, record.args = redact(record.getMessage()).replace("\n", "\\n"), None
        return super().format(record)


def _assign_request_id():
    offered = request.headers.get("X-Request-Id", "")
    g.request_id = offered if SAFE_REQUEST_ID.match(offered) else secrets.token_hex(8)


def _echo_request_id(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)
    for name in REQUEST_LOGGERS:
        request_logger = logging.getLogger(name)
        if not any(isinstance(f, RedactRecord) for f in request_logger.filters):
            request_logger.addFilter(RedactRecord())
    if app.config.get("TESTING"):
        return  # pytest captures records itself
    handler = logging.StreamHandler()
    # JSON lines for the log service in production; readable lines on a developer's terminal.
    handler.setFormatter(ReadableFormatter() if app.config.get("ENV_NAME") == "development" else JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    if not any(isinstance(h.formatter, (JsonFormatter, ReadableFormatter)) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
