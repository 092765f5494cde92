"""Rules that hold for every route, so new routes are covered without anyone remembering."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

PUBLIC_ENDPOINTS = {
    "static",
    "auth.start",
    "auth.login",
    "auth.begin_login",
    "auth.callback",
    "auth.no_plan",
    "auth.logout",
    "auth.logged_out",
    # Called by ID-porten, not by a person: they end sessions only for a matching iss
    # and sid (front-channel) or a verified logout token (back-channel), and show nothing.
    "provider_logout.frontchannel_logout",
    "provider_logout.backchannel_logout",
    "about.individual_plan",
    "about.accessibility_statement",
    "settings.change_language",
    # Min plan on the home screen: no personal data in any of them.
    "pwa.manifest",
    "pwa.service_worker",
    "pwa.offline",
    # For the load balancer and the supervisor: "ok" or "not ready", nothing else.
    "health.live",
    "health.ready",
}


# Reached without a session, by a secret in the URL (a calendar app polling its private
# address): an address that opens nothing answers 404, never a login page.
TOKEN_ENDPOINTS = {"calendar.feed"}


def app_rules(app):
    return [rule for rule in app.url_map.iter_rules()]


def views_without_access_rule(app) -> list[str]:
    return [
        rule.endpoint
        for rule in app_rules(app)
        if rule.endpoint != "static" and not hasattr(app.view_functions[rule.endpoint], "access_rule")
    ]


def test_every_view_declares_its_access_rule(app):
    missing = views_without_access_rule(app)
    assert not missing, (
        "These views have no access rule. Decorate them with public, signed_in or plan_part "
        f"from patient_app.access: {missing}"
    )


def test_the_access_rule_check_catches_a_view_that_asks_nobody(app):
    """The check above, shown a view added the way a hurried change would add it."""
    from patient_app import create_app
    from tests.conftest import TEST_CONFIG

    probe = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    probe.add_url_rule("/plan/<uuid:plan_id>/undecorated", "undecorated", lambda plan_id: "plan data")
    assert views_without_access_rule(probe) == ["undecorated"]


def test_only_the_known_public_views_are_public(app):
    public = {
        rule.endpoint
        for rule in app_rules(app)
        if rule.endpoint == "static" or app.view_functions[rule.endpoint].access_rule == "public"
    }
    assert public == PUBLIC_ENDPOINTS, (
        "The set of public routes changed. If that was intended, update PUBLIC_ENDPOINTS; "
        "a page with plan data must never be public."
    )


def test_only_the_known_routes_are_reached_by_a_token(app):
    by_token = {
        rule.endpoint
        for rule in app_rules(app)
        if rule.endpoint != "static" and app.view_functions[rule.endpoint].access_rule == "calendar_token"
    }
    assert by_token == TOKEN_ENDPOINTS


def test_plan_routes_take_a_typed_opaque_plan_id(app):
    for rule in app_rules(app):
        if "plan_id" in rule.arguments:
            assert "<uuid:plan_id>" in rule.rule, f"{rule.rule}: plan ids in URLs must be typed as uuid"
            access_rule = app.view_functions[rule.endpoint].access_rule
            assert access_rule.startswith("plan:") or access_rule == "coordinator", (
                f"{rule.endpoint} takes a plan_id but does not ask the access policy (use plan_part, "
                "or coordinates_plan for the coordinator's editing)"
            )


def test_urls_are_kebab_case(app):
    for rule in app_rules(app):
        static_parts = re.sub(r"<[^>]+>", "", rule.rule)
        assert static_parts == static_parts.lower() and "_" not in static_parts, f"{rule.rule} is not kebab-case"


# A municipality's own pages, by its number: each asks access_municipality.py, which answers
# 404 to anyone but the municipality's administrators (tests/views/test_authorization_matrix.py).
MUNICIPALITY_ENDPOINTS = {
    "municipality.index",
    "municipality.new_coordinator",
    "municipality.confirm_new_coordinator",
    "municipality.end_coordinator",
}


def test_municipality_routes_take_its_number_and_ask_the_policy(app):
    by_number = {rule.endpoint for rule in app_rules(app) if "number" in rule.arguments}
    administered = {
        rule.endpoint for rule in app_rules(app)
        if getattr(app.view_functions[rule.endpoint], "access_rule", None) == "municipality_administrator"
    }
    assert by_number == administered == MUNICIPALITY_ENDPOINTS


def fill(rule, sample_id):
    return re.sub(r"<[^>]+>", sample_id, rule.rule)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_non_public_route_requires_login(app, client, method):
    """A stranger's POST carries a valid CSRF token, so only the login check can refuse it
    (without one, CSRF's 400 would hide a route that forgot to ask for a login)."""
    sample_id = "00000000-0000-4000-8000-000000000000"
    token = BeautifulSoup(client.get("/about-individual-plan").get_data(as_text=True), "html.parser").select_one(
        "input[name=csrf_token]")["value"]
    checked = 0
    for rule in app_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS or method not in rule.methods:
            continue
        response = client.open(fill(rule, sample_id), method=method,
                               data={"csrf_token": token} if method == "POST" else None)
        if rule.endpoint in TOKEN_ENDPOINTS:
            assert response.status_code == 404, f"{method} {rule.rule} answered {response.status_code} to a stranger"
            checked += 1
            continue
        assert response.status_code == 302, f"{method} {rule.rule} answered {response.status_code} to a stranger"
        assert response.headers["Location"].startswith("/login"), f"{rule.rule} did not send a stranger to log in"
        checked += 1
    if method == "GET":
        assert checked >= 8, "the test found too few routes; is the URL map empty?"


# Posted by ID-porten's server, never by a browser: the signed logout token is the proof
# (tests/auth/test_provider_logout.py refuses every token that proves nothing).
CSRF_EXEMPT_ENDPOINTS = {"provider_logout.backchannel_logout"}


def posts_accepted_without_a_csrf_token(app) -> list[str]:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    return [
        f"{method} {rule.rule}"
        for rule in app_rules(app)
        if rule.endpoint not in CSRF_EXEMPT_ENDPOINTS
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})
        if client.open(fill(rule, "00000000-0000-4000-8000-000000000000"), method=method).status_code != 400
    ]


def test_state_changing_routes_refuse_requests_without_a_csrf_token(app):
    assert not posts_accepted_without_a_csrf_token(app), "these accepted a request without a CSRF token"


def test_the_csrf_check_catches_a_form_route_that_skips_the_token():
    """The check above, shown a route that forgot the token."""
    from patient_app import create_app
    from patient_app.access import public
    from patient_app.extensions import csrf
    from tests.conftest import TEST_CONFIG

    probe = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    probe.add_url_rule("/unguarded", "unguarded", csrf.exempt(public(lambda: "changed")), methods=["POST"])
    assert posts_accepted_without_a_csrf_token(probe) == ["POST /unguarded"]


def untyped_ids(rules) -> list[str]:
    return [
        f"{rule.rule}: <{name}>"
        for rule in rules
        for name, converter in rule._converters.items()
        if name.endswith("_id") and type(converter).__name__ != "UUIDConverter"
    ]


def test_every_id_in_a_url_is_a_uuid(app):
    """A typed id is refused by the router (404) before a view sees it: no view has to
    guard against "1 OR 1=1" or a 2,000-character id."""
    assert not untyped_ids(app_rules(app))


def test_the_uuid_rule_catches_an_untyped_id():
    """The check above, against a route written the old way."""
    from flask import Flask

    probe = Flask(__name__)
    probe.add_url_rule("/plan/<plan_id>/goals/<uuid:goal_id>", "probe", lambda plan_id, goal_id: "")
    assert untyped_ids(probe.url_map.iter_rules()) == ["/plan/<plan_id>/goals/<uuid:goal_id>: <plan_id>"]
