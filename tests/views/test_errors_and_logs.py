"""An unexpected error shows a plain page without internals; logs are JSON lines with a request id
that a client cannot use to forge log lines (ASVS 4.0 V7.1, V7.3.1, V7.4.1)."""

from __future__ import annotations

import json
import logging

import pytest
from bs4 import BeautifulSoup

from patient_app import create_app
from patient_app.logs import JsonFormatter, RequestIdFilter
from tests.conftest import TEST_CONFIG

SECRET_DETAIL = "hemmelig-detalj-fra-koden"


@pytest.fixture
def failing_app(tmp_path):
    """The app as production runs it on errors (exceptions are not handed to the test), with one
    route added here that fails the way a bug would."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.sqlite",
                      "PROPAGATE_EXCEPTIONS": False})

    @app.get("/test-only/fails")
    def fails():
        raise RuntimeError(SECRET_DETAIL)

    return app


def test_an_unexpected_error_shows_a_plain_page_without_internals(failing_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/test-only/fails", headers={"Accept-Language": "nb"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    for internal in (SECRET_DETAIL, "Traceback", "RuntimeError", "File \"", ".py"):
        assert internal not in body
    page = BeautifulSoup(body, "html.parser")
    assert page.select_one("main h1").get_text(strip=True)
    assert response.headers["X-Request-Id"], "the page can be matched with the log"
    assert any(record.levelno >= logging.ERROR for record in caplog.records), "the error is logged"


def test_a_request_id_offered_by_the_client_is_kept_only_when_it_is_plain(client):
    plain = client.get("/login", headers={"X-Request-Id": "lb-0123456789abcdef"})
    assert plain.headers["X-Request-Id"] == "lb-0123456789abcdef"
    for forged in ('abcdefgh", "level": "INFO', "x" * 65, "short", "<script>x</script>", "id med mellomrom"):
        answered = client.get("/login", headers={"X-Request-Id": forged}).headers["X-Request-Id"]
        assert answered != forged and len(answered) == 16 and answered.isalnum()


def test_a_log_line_is_one_json_object_with_the_request_id_and_no_identity_number(failing_app):
    formatter, request_ids = JsonFormatter(), RequestIdFilter()
    with failing_app.test_request_context("/login", headers={"X-Request-Id": "req-12345678"}):
        failing_app.preprocess_request()
        record = logging.LogRecord("patient_app.test", logging.WARNING, __file__, 1,
                                   "login refused for 12868410602\nforged second line", None, None)
        request_ids.filter(record)
        line = formatter.format(record)
    assert "\n" not in line, "a message cannot start a new log line"
    entry = json.loads(line)
    assert entry["request_id"] == "req-12345678"
    assert entry["level"] == "WARNING"
    assert "12868410602" not in line and "[identitetsnummer fjernet]" in entry["message"]


def test_refused_access_is_logged_as_a_security_event_with_opaque_ids_only(browser, sigrid_plan, caplog):
    """ASVS 7.2.2: a refusal leaves a trace (who, which plan, what) that can be investigated,
    while the person still gets the same 404 as for a plan that does not exist."""
    browser.login_as("relative")  # Anders: meetings and contacts of Sigrid's plan, not her goals
    with caplog.at_level(logging.WARNING, logger="patient_app.access"):
        assert browser.client.get(f"/plan/{sigrid_plan.public_id}/goals").status_code == 404
        assert browser.client.get(f"/plan/{sigrid_plan.public_id}/meetings").status_code == 200
    refusals = [record for record in caplog.records if record.getMessage().startswith("access refused")]
    assert len(refusals) == 1
    refusal = json.loads(JsonFormatter().format(refusals[0]))
    assert refusal["message"] == "access refused: part not granted"
    assert refusal["plan"] == str(sigrid_plan.public_id) and refusal["part"] == "goals"
    assert refusal["person"] not in ("", "-") and refusal["endpoint"]
    assert "03828110224" not in json.dumps(refusal) and "Anders" not in json.dumps(refusal)


def test_request_lines_never_hold_the_login_callbacks_code_and_state():
    """The development server logs each request line with its query: a fresh code and state
    could finish someone's login."""
    import logging

    from patient_app.logs import RedactRecord

    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '"GET /login/callback?code=%s&state=%s&iss=https%%3A%%2F%%2Fx HTTP/1.1" 302 -',
                               ("SECRETCODE123", "SECRETSTATE456"), None)
    RedactRecord().filter(record)
    line = record.getMessage()
    assert "SECRETCODE123" not in line and "SECRETSTATE456" not in line
    assert "code=[fjernet]&state=[fjernet]&iss=" in line


def test_development_logs_are_lines_a_person_reads():
    import logging

    from patient_app.logs import ReadableFormatter

    record = logging.LogRecord("patient_app.messaging", logging.INFO, __file__, 1, "message sent", None, None)
    line = ReadableFormatter().format(record)
    assert line.endswith("INFO patient_app.messaging: message sent") and not line.startswith("{")
