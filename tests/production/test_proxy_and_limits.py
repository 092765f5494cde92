"""Behind nginx, on two app servers: whose address the app believes, and limits that are
counted once for the whole cluster (Redis), per client or per person, and survive a restart.

Before: X-Forwarded-* were ignored, so every client was nginx's 127.0.0.1 and one person's
18 logins locked out the country; and limits were counted per worker in memory.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import requests
from bs4 import BeautifulSoup

from tests.auth.conftest import HttpUser

LOGIN_LIMIT = 10  # LOGIN_RATE_LIMIT: "10 per minute; 50 per hour" (config.BASE)


def press_log_in(http: requests.Session, base: str, headers: dict | None = None) -> requests.Response:
    """GET /login and press "Logg inn med ID-porten" (token and all), without following the redirect.

    Straight to gunicorn is plain HTTP, where requests keeps back the Secure session cookie,
    so the cookie goes back by hand, as nginx would pass it on."""
    page = BeautifulSoup(http.get(base + "/login", headers=headers).text, "html.parser")
    token = page.select_one("main form input[name=csrf_token]")["value"]
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return http.post(base + "/login", data={"csrf_token": token}, headers={**(headers or {}), "Cookie": cookie},
                     allow_redirects=False)


def trusting_the_cluster(http: requests.Session, cluster) -> requests.Session:
    # trust_env off: a REQUESTS_CA_BUNDLE in the environment would otherwise win over verify.
    http.trust_env = False
    http.verify = str(cluster.cert)
    return http


def direct_client(cluster) -> requests.Session:
    return trusting_the_cluster(requests.Session(), cluster)


def test_the_login_limit_is_one_count_for_all_servers_per_client_address(cluster):
    """Straight to the two gunicorn servers, writing X-Forwarded-For as nginx would: ten logins
    in a minute from one address in all, whichever server answered, and a restart forgets nothing."""
    first, second = cluster.servers
    spent = {"X-Forwarded-For": "198.51.100.20", "X-Forwarded-Proto": "https"}
    statuses = [press_log_in(direct_client(cluster), server.url, spent).status_code
                for server in [first, second] * (LOGIN_LIMIT // 2)]
    assert statuses == [302] * LOGIN_LIMIT
    refused = press_log_in(direct_client(cluster), first.url, spent)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert press_log_in(direct_client(cluster), second.url, spent).status_code == 429

    other_client = {"X-Forwarded-For": "198.51.100.21", "X-Forwarded-Proto": "https"}
    assert press_log_in(direct_client(cluster), second.url, other_client).status_code == 302

    # Only the last hop is believed (TRUSTED_PROXIES=1): an entry a client put in front is not.
    forged_in_front = {"X-Forwarded-For": "203.0.113.99, 198.51.100.20", "X-Forwarded-Proto": "https"}
    assert press_log_in(direct_client(cluster), first.url, forged_in_front).status_code == 429

    second.stop()
    second.start()
    second.wait_ready()
    assert press_log_in(direct_client(cluster), second.url, spent).status_code == 429, "a restart forgets no count"


def test_a_client_cannot_pick_its_address_through_the_proxy(cluster):
    """Through nginx, a forged X-Forwarded-For naming a spent address changes nothing: the app
    sees the address nginx saw. The login starts over HTTPS, so ID-porten returns to https."""
    http = direct_client(cluster)
    for _ in range(LOGIN_LIMIT + 1):
        press_log_in(direct_client(cluster), cluster.servers[0].url, {"X-Forwarded-For": "198.51.100.30"})
    answer = press_log_in(http, cluster.app_url, {"X-Forwarded-For": "198.51.100.30"})
    assert answer.status_code == 302
    authorize = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert authorize["redirect_uri"] == [cluster.app_url + "/login/callback"]


def https_user(cluster, key: str) -> HttpUser:
    user = HttpUser(cluster.app_url)
    trusting_the_cluster(user.http, cluster)
    response = user.login_as(key)
    landed = urlsplit(response.url)
    assert response.ok and landed.path not in ("/login", "/login/callback"), f"{key} could not log in over HTTPS"
    return user


def emils_plan(user: HttpUser, cluster) -> str:
    """Emil's plan, whether the parent lands on it or chooses it (another test may have
    given Emil's mother access to Sigrid's plan too)."""
    landed = user.http.get(cluster.app_url + "/")
    if "/plan/" in landed.url:
        return landed.url.split("#")[0].rstrip("/")
    link = next(a for a in user.page(landed).select("main a[href^='/plan/']") if "Emil" in a.get_text())
    return cluster.app_url + link["href"].rstrip("/")


def send_message(user: HttpUser, plan_url: str, number: int) -> int:
    page = user.page(user.http.get(plan_url + "/messages/new"))
    fields = user.form_fields(page.select_one("form.message-form"))
    data = fields | {"subject": f"Grense {number}", "body": "Tester grensen for meldinger."}
    return user.http.post(plan_url + "/messages/new", data=data, allow_redirects=False).status_code


def test_one_persons_messages_never_spend_anothers(cluster):
    """MESSAGE_RATE_LIMIT is per person: Emil's father, in the same plan, from the same
    address, still sends after Emil's mother has used up hers. (No other test here sends
    as either of them.)"""
    mother = https_user(cluster, "guardian1")
    plan_url = emils_plan(mother, cluster)
    per_minute = 30  # MESSAGE_RATE_LIMIT: "30 per minute; 300 per day"
    statuses = [send_message(mother, plan_url, n) for n in range(per_minute + 1)]
    assert statuses == [302] * per_minute + [429]
    father = https_user(cluster, "guardian2")
    assert send_message(father, plan_url, 0) == 302


def test_a_session_goes_on_whichever_server_answers(cluster):
    """No sticky sessions: the session, its CSRF token, the idle warning's keep-alive and
    logging out work with nginx sending each request to the next server in turn."""
    relative = https_user(cluster, "relative")
    http = relative.http
    overview = http.get(cluster.app_url + "/")
    token = json.loads(relative.page(overview).body["data-hx-headers"])["X-CSRFToken"]
    for _ in range(4):  # nginx takes turns: two in a row never reach the same server
        assert http.get(overview.url, allow_redirects=False).status_code == 200
    for _ in range(4):
        kept = http.post(cluster.app_url + "/keep-alive", headers={"X-CSRFToken": token, "X-Requested-With": "fetch"})
        assert kept.status_code == 204
    answered_by = [metric_count(server, "/keep-alive", "POST", "204") for server in cluster.servers]
    assert all(count >= 1 for count in answered_by), f"keep-alive answered per server: {answered_by}"

    logout_form = relative.page(http.get(cluster.app_url + "/")).select_one("form[action='/logout']")
    http.post(cluster.app_url + "/logout", data=relative.form_fields(logout_form))
    for _ in range(2):  # refused by both servers
        refused = http.get(overview.url, allow_redirects=False)
        assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


def metric_count(server, route: str, method: str, status: str) -> float:
    text = requests.get(server.metrics_url, timeout=5).text
    pattern = rf'min_plan_http_requests_total\{{method="{method}",route="{re.escape(route)}",status="{status}"\}} ([\d.e+]+)'
    found = re.search(pattern, text)
    return float(found[1]) if found else 0.0
