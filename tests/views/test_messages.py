"""Messages with the coordinator: writing, reading, unread counts, and who may see them."""

from __future__ import annotations

import logging
import re
import time
import uuid

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import Membership, Message, MessageThread, Scope
from tests.views.conftest import error_for, person_by_key, plan_of, text
from tests.views.form_filling import submit, textarea_value

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")



def messages_url(plan, rest: str = "") -> str:
    return f"/plan/{plan.public_id}/messages{rest}"


def start_thread(browser, plan, subject="Spørsmål om møtet", body="Kan Anders være med på møtet?"):
    page = browser.get(messages_url(plan, "/new"))
    response = submit(browser, page, "form.message-form", {"subject": subject, "body": body})
    assert response.status_code == 302, f"sending failed: {response.status_code}"
    return response.headers["Location"].split("#")[0]


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))



# --- The composer ----------------------------------------------------------------


def test_composer_says_messages_are_not_for_emergencies_and_when_answers_come(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(messages_url(sigrid_plan, "/new"))
    assert page.h1.get_text(strip=True) == "Ny melding til Lise Aasen"
    emergency = page.select_one("section[aria-labelledby=not-for-emergencies-heading]")
    assert "Meldinger er ikke for akutt hjelp" in text(emergency)
    assert [a["href"] for a in emergency.select("a")] == ["tel:113", "tel:116117"]
    assert "svarer vanligvis innen to virkedager" in text(page.select_one("main"))
    assert "opptil 5000 tegn" in text(page.select_one("#body-hint"))
    assert page.select_one("#body")["aria-describedby"] == "body-hint"
    form = page.select_one("form.message-form")
    assert form["method"] == "post" and form.has_attr("novalidate")


def test_each_composer_gets_its_own_idempotency_key(browser, sigrid_plan):
    browser.login_as("patient")
    first = browser.get(messages_url(sigrid_plan, "/new")).select_one("input[name=idempotency_key]")["value"]
    second = browser.get(messages_url(sigrid_plan, "/new")).select_one("input[name=idempotency_key]")["value"]
    assert UUID_PATTERN.match(first) and UUID_PATTERN.match(second)
    assert first != second


# --- Sending, and who wrote what when ------------------------------------------


def test_a_sent_message_shows_who_wrote_it_in_what_role_and_when(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    page = fresh_browser.get(thread_url)
    assert page.h1.get_text(strip=True) == "Spørsmål om møtet"
    assert "Meldingen er sendt." in text(page.select_one(".confirmation"))
    [message] = page.select("#thread-messages li.message")
    meta = text(message.select_one(".message__meta"))
    assert "Sigrid Bakken Holm" in meta and "(eier av planen)" in meta
    assert message.select_one("time")["datetime"].startswith("20")
    assert text(message.select_one(".message__body")) == "Kan Anders være med på møtet?"
    assert "Ikke lest av koordinatoren ennå" in text(message)


def test_the_same_form_sent_twice_makes_one_message(fresh_browser, sigrid):
    app = fresh_browser.app
    page = fresh_browser.get(messages_url(sigrid, "/new"))
    typed = {"subject": "Dobbelttrykk", "body": "Sendt to ganger ved et uhell"}
    first = submit(fresh_browser, page, "form.message-form", typed)
    second = submit(fresh_browser, page, "form.message-form", typed)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"], "the retry lands on the same message"
    assert count(app, Message, Message.body == typed["body"]) == 1
    assert count(app, MessageThread, MessageThread.subject == "Dobbelttrykk") == 1


def test_a_reply_sent_twice_makes_one_message(fresh_browser, sigrid):
    app = fresh_browser.app
    thread_url = start_thread(fresh_browser, sigrid)
    page = fresh_browser.get(thread_url)
    for _ in range(2):
        response = submit(fresh_browser, page, "form.message-form", {"body": "Et svar, to trykk"})
        assert response.status_code == 302
    assert count(app, Message, Message.body == "Et svar, to trykk") == 1


def test_two_different_forms_make_two_messages(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    for _ in range(2):
        page = fresh_browser.get(thread_url)
        submit(fresh_browser, page, "form.message-form", {"body": "Samme tekst, to meldinger"})
    assert count(fresh_browser.app, Message, Message.body == "Samme tekst, to meldinger") == 2


# --- Errors that keep what the person typed ------------------------------------



def test_a_too_long_subject_says_what_happened_and_what_to_do(fresh_browser, sigrid):
    from patient_app.forms.messages import SUBJECT_MAX_LENGTH

    page = fresh_browser.get(messages_url(sigrid, "/new"))
    too_long = "Om tannlegen " * (SUBJECT_MAX_LENGTH // 10)
    response = submit(fresh_browser, page, "form.message-form", {"subject": too_long, "body": "Hei"})
    assert response.status_code == 200
    assert error_for(fresh_browser.parse(response), "subject") == (
        f"Feil: Teksten er for lang. Skriv den kortere, med opptil {SUBJECT_MAX_LENGTH} tegn."
    )
    assert count(fresh_browser.app, Message, Message.body == "Hei") == 0


def test_an_empty_message_is_refused_and_the_subject_is_kept(fresh_browser, sigrid):
    page = fresh_browser.get(messages_url(sigrid, "/new"))
    response = submit(fresh_browser, page, "form.message-form", {"subject": "Om tannlegen", "body": "   \r\n  "})
    assert response.status_code == 200
    page = fresh_browser.parse(response)
    assert error_for(page, "body") == "Feil: Skriv en melding"
    assert page.title.get_text().startswith("Feil:")
    assert [a["href"] for a in page.select(".error-summary a")] == ["#body"]
    assert page.select_one("#subject")["value"] == "Om tannlegen"
    assert count(fresh_browser.app, MessageThread, MessageThread.subject == "Om tannlegen") == 0


def test_a_missing_subject_is_refused_and_the_message_is_kept(fresh_browser, sigrid):
    page = fresh_browser.get(messages_url(sigrid, "/new"))
    response = submit(fresh_browser, page, "form.message-form", {"subject": "", "body": "Hei Lise"})
    page = fresh_browser.parse(response)
    assert error_for(page, "subject") == "Feil: Skriv hva meldingen gjelder"
    assert textarea_value(page.select_one("#body")) == "Hei Lise"


def test_a_message_over_the_limit_is_refused_with_the_limit_and_kept_as_typed(fresh_browser, sigrid):
    long_text = "Dette er mye tekst. " * 260  # 5200 characters
    page = fresh_browser.get(messages_url(sigrid, "/new"))
    response = submit(fresh_browser, page, "form.message-form", {"subject": "Langt", "body": long_text})
    page = fresh_browser.parse(response)
    error = error_for(page, "body")
    assert "for lang" in error and "5200" in error and "5000" in error
    assert textarea_value(page.select_one("#body")) == long_text


def test_line_breaks_count_once_towards_the_limit(fresh_browser, sigrid):
    exactly_at_limit = ("a" * 99 + "\r\n") * 50  # 5000 characters as the person sees them
    page = fresh_browser.get(messages_url(sigrid, "/new"))
    response = submit(fresh_browser, page, "form.message-form", {"subject": "Akkurat nok", "body": exactly_at_limit})
    assert response.status_code == 302
    with fresh_browser.app.app_context():
        stored = db.session.scalar(select(Message.body).join(MessageThread).where(MessageThread.subject == "Akkurat nok"))
    assert stored == exactly_at_limit.replace("\r\n", "\n")


def test_control_characters_are_refused_with_a_plain_explanation(fresh_browser, sigrid):
    page = fresh_browser.get(messages_url(sigrid, "/new"))
    response = submit(fresh_browser, page, "form.message-form", {"subject": "Rart", "body": "Hei\x00 der\x1b[31m"})
    page = fresh_browser.parse(response)
    assert "tegn som ikke kan lagres" in error_for(page, "body")


def test_a_broken_idempotency_key_is_replaced_and_the_person_can_send_again(fresh_browser, sigrid):
    page = fresh_browser.get(messages_url(sigrid, "/new"))
    response = submit(fresh_browser, page, "form.message-form",
                      {"subject": "Nøkkel", "body": "Hei", "idempotency_key": "not-a-uuid"})
    assert response.status_code == 200
    page = fresh_browser.parse(response)
    assert "Meldingen ble ikke sendt" in error_for(page, "body")
    assert UUID_PATTERN.match(page.select_one("input[name=idempotency_key]")["value"])
    again = submit(fresh_browser, page, "form.message-form")
    assert again.status_code == 302


# --- Stored as typed, shown escaped, links made safely clickable -----------------


def test_hostile_text_is_stored_as_typed_and_shown_as_text(fresh_browser, sigrid):
    hostile = (
        '<script>alert(1)</script> <img src=x onerror=alert(2)> '
        'Se https://helsenorge.no/ip?a=1&b=2. og javascript:alert(3) og http://x.no/"onmouseover="alert(4)'
    )
    thread_url = start_thread(fresh_browser, sigrid, subject="<b>fet</b>", body=hostile)
    with fresh_browser.app.app_context():
        assert db.session.scalar(select(Message.body).where(Message.body.like("%alert(1)%"))) == hostile
    page = fresh_browser.get(thread_url)
    body = page.select_one(".message__body")
    assert body.select("script, img, b") == []
    assert page.h1.get_text() == "<b>fet</b>"
    links = body.select("a")
    assert [a["href"] for a in links] == ["https://helsenorge.no/ip?a=1&b=2", "http://x.no/"]
    assert all(a["rel"] == ["noopener", "noreferrer"] and set(a.attrs) == {"href", "rel"} for a in links)
    assert body.get_text() == hostile


# --- Read receipts and unread counts ---------------------------------------------


def nav_badge(page):
    link = next(a for a in page.select("nav.plan-nav a") if a.get_text(" ", strip=True).startswith("Meldinger"))
    badge = link.select_one(".badge")
    return text(badge) if badge else None


def unread_in_nav(page) -> int:
    """The number on the Meldinger badge; 0 when there is no badge."""
    badge = nav_badge(page)
    return int(badge.split()[0]) if badge else 0


def nav_labels(page) -> list[str]:
    return [a.find(string=True, recursive=False).strip() for a in page.select("nav.plan-nav a")]


def test_the_sender_sees_when_the_coordinator_read_the_message(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    fresh_browser.login_as("coordinator")
    coordinator_view = fresh_browser.get(thread_url)
    assert coordinator_view.select_one(".message__receipt") is None, "the coordinator needs no receipt of their own reading"
    fresh_browser.login_as("patient")
    receipt = fresh_browser.get(thread_url).select_one(".message__receipt")
    assert text(receipt).startswith("Lest av koordinatoren")
    assert receipt.select_one("time")["datetime"]


def test_unread_count_shows_on_overview_and_navigation_and_clears_when_read(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    overview = f"/plan/{sigrid.public_id}/"
    before = unread_in_nav(fresh_browser.get(overview))  # the demo has an answer Sigrid has not read

    fresh_browser.login_as("coordinator")
    fresh_browser.get(thread_url)
    reply_page = fresh_browser.get(thread_url)
    submit(fresh_browser, reply_page, "form.message-form", {"body": "Ja, selvsagt. Hilsen Lise"})

    fresh_browser.login_as("patient")
    page = fresh_browser.get(overview)
    assert unread_in_nav(page) == before + 1
    assert nav_badge(page) == f"{before + 1} uleste", "the number is read out with a word"
    assert f"Du har {before + 1} uleste meldinger" in text(page.select_one(".overview-unread"))
    listing = fresh_browser.get(messages_url(sigrid))
    row = next(li for li in listing.select(".thread-row") if "Spørsmål om møtet" in text(li))
    assert "1 ulest" in text(row) and "thread-row--unread" in row["class"]

    thread = fresh_browser.get(thread_url)
    reply = thread.select("li.message")[-1]
    assert "Lise Aasen" in text(reply) and "(koordinator)" in text(reply)
    assert reply.select_one(".badge").get_text() == "Ny", "the new message is marked on the page"
    assert [m for m in thread.select("li.message") if m.select_one(".badge")] == [reply]
    assert unread_in_nav(thread) == before, "the badge counts down as soon as the thread is open"
    assert unread_in_nav(fresh_browser.get(overview)) == before


def test_the_badge_is_gone_when_everything_is_read(fresh_browser, sigrid):
    listing = fresh_browser.get(messages_url(sigrid))
    for row in listing.select(".thread-row--unread"):
        fresh_browser.get(row.select_one("a")["href"])
    page = fresh_browser.get(f"/plan/{sigrid.public_id}/")
    assert nav_badge(page) is None
    assert "Alle meldinger" in text(page.select_one(".overview-unread"))


# --- New messages without reloading (htmx polling) --------------------------------


def test_the_thread_polls_with_the_fragment_the_page_includes(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    page = fresh_browser.get(thread_url)
    poller = page.select_one("#thread-messages")
    assert poller["data-hx-trigger"] == "every 10s" and poller["data-hx-swap"] == "outerHTML"
    poll_url = poller["data-hx-get"]

    unchanged = fresh_browser.client.get(poll_url, headers={"HX-Request": "true"})
    assert unchanged.status_code == 204, "nothing new: htmx leaves the page alone"

    fresh_browser.login_as("coordinator")
    answer_page = fresh_browser.get(thread_url)
    submit(fresh_browser, answer_page, "form.message-form", {"body": "Svar fra Lise"})
    fresh_browser.login_as("patient")
    response = fresh_browser.client.get(poll_url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = fresh_browser.parse(response)
    assert fragment.select_one("html") is None and fragment.select_one("nav") is None, "only the fragment"
    assert "Svar fra Lise" in text(fragment.select_one("#thread-messages"))
    status = fragment.select_one("#thread-status")
    assert status["data-hx-swap-oob"] == "innerHTML" and text(status) == "1 ny melding"
    assert fragment.select_one("#thread-messages")["data-hx-get"] != poll_url, "the next poll carries the new version"


def test_polling_stops_well_before_the_session_would_time_out(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    opened_long_ago = int(time.time()) - 16 * 60
    response = fresh_browser.client.get(f"{thread_url}?version=x&opened={opened_long_ago}", headers={"HX-Request": "true"})
    assert response.status_code == 286, "htmx stops polling on 286"
    fragment = fresh_browser.parse(response)
    assert not fragment.select_one("#thread-messages").has_attr("data-hx-trigger")
    assert "Last inn siden på nytt" in text(fragment)


def test_the_page_works_without_javascript(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    page = fresh_browser.get(thread_url)
    form = page.select_one("form.message-form")
    assert form["method"] == "post" and form["action"] == thread_url
    response = submit(fresh_browser, page, "form.message-form", {"body": "Uten JavaScript"})
    assert response.status_code == 302 and response.headers["Location"].startswith(thread_url + "#message-")


# --- Closing ------------------------------------------------------------------------


def test_a_closed_thread_takes_no_more_replies_from_the_patient(fresh_browser, sigrid):
    app = fresh_browser.app
    thread_url = start_thread(fresh_browser, sigrid)
    reply_form = fresh_browser.get(thread_url)  # opened before the coordinator closed it
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(thread_url)
    response = submit(fresh_browser, page, "form.thread-actions")
    assert response.status_code == 302
    assert "Samtalen er avsluttet." in text(fresh_browser.get(thread_url).select_one(".confirmation"))

    fresh_browser.login_as("patient")
    page = fresh_browser.get(thread_url)
    assert "Koordinatoren har avsluttet denne samtalen." in text(page.select_one(".notice"))
    assert page.select_one("form.message-form") is None
    assert page.select_one("form.thread-actions") is None, "only the coordinator closes and reopens"
    fresh_token = page.select_one("input[name=csrf_token]")["value"]  # logging in again made a new session
    late = submit(fresh_browser, reply_form, "form.message-form", {"body": "For sent", "csrf_token": fresh_token})
    assert late.status_code == 302
    assert count(app, Message, Message.body == "For sent") == 0
    listing = fresh_browser.get(messages_url(sigrid))
    assert "Avsluttet" in text(listing.select_one(".thread-list"))


def test_the_coordinator_can_reopen_a_closed_thread(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    fresh_browser.login_as("coordinator")
    submit(fresh_browser, fresh_browser.get(thread_url), "form.thread-actions")
    page = fresh_browser.get(thread_url)
    assert page.select_one("form.thread-actions button").get_text(strip=True) == "Åpne samtalen igjen"
    submit(fresh_browser, page, "form.thread-actions")
    fresh_browser.login_as("patient")
    assert fresh_browser.get(thread_url).select_one("form.message-form") is not None


def test_only_the_coordinator_may_close_a_thread(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(thread_url)
    close_action = page.select_one("form.thread-actions")["action"]
    fresh_browser.login_as("patient")
    token = fresh_browser.get(thread_url).select_one("input[name=csrf_token]")["value"]
    response = fresh_browser.client.post(close_action, data={"csrf_token": token})
    assert response.status_code == 404


# --- Who may see messages ------------------------------------------------------------


def grant(app, person_key: str, owner_key: str, scopes: list[Scope]) -> None:
    with app.app_context():
        plan = plan_of(app, owner_key)
        person = person_by_key(app, person_key)
        membership = db.session.scalar(
            select(Membership).where(Membership.plan_id == plan.id, Membership.person_id == person.id)
        )
        membership.scopes = " ".join(scope.value for scope in scopes)
        db.session.commit()


def test_a_relative_without_messages_gets_404_everywhere_and_sees_no_count(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    fresh_browser.login_as("coordinator")
    submit(fresh_browser, fresh_browser.get(thread_url), "form.message-form", {"body": "Et svar"})

    fresh_browser.login_as("relative")  # granted meetings and contacts only
    token = fresh_browser.get(f"/plan/{sigrid.public_id}/").select_one("input[name=csrf_token]")["value"]
    for url in (messages_url(sigrid), messages_url(sigrid, "/new"), thread_url):
        for headers in ({}, {"HX-Request": "true"}):
            assert fresh_browser.client.get(url, headers=headers).status_code == 404, url
        if url == messages_url(sigrid):
            continue  # the list takes no POST at all
        post = fresh_browser.client.post(url, data={"csrf_token": token, "subject": "x", "body": "x",
                                                   "idempotency_key": str(uuid.uuid4())})
        assert post.status_code == 404, url
    assert count(fresh_browser.app, Message, Message.body == "x") == 0

    for page_url in (f"/plan/{sigrid.public_id}/", f"/plan/{sigrid.public_id}/meetings", f"/plan/{sigrid.public_id}/contacts"):
        page = fresh_browser.get(page_url)
        assert "Meldinger" not in nav_labels(page)
        assert page.select(".badge") == [] and page.select_one(".overview-unread") is None
        assert "/messages" not in str(page)


def test_a_relative_granted_messages_reads_and_writes_as_relative(fresh_browser, sigrid):
    grant(fresh_browser.app, "relative", "patient", [Scope.MEETINGS_AND_CONTACTS, Scope.MESSAGES])
    thread_url = start_thread(fresh_browser, sigrid)
    fresh_browser.login_as("relative")
    overview = fresh_browser.get(f"/plan/{sigrid.public_id}/")
    assert unread_in_nav(overview) >= 1, "Sigrid's messages are new to Anders"
    page = fresh_browser.get(thread_url)
    submit(fresh_browser, page, "form.message-form", {"body": "Jeg kan kjøre"})
    last = fresh_browser.get(thread_url).select("li.message")[-1]
    assert "Anders Holm" in text(last) and "(pårørende)" in text(last)


def test_a_relative_with_only_messages_sees_a_messages_card_on_the_overview(fresh_browser, sigrid):
    grant(fresh_browser.app, "relative", "patient", [Scope.MESSAGES])
    fresh_browser.login_as("relative")
    page = fresh_browser.get(f"/plan/{sigrid.public_id}/")
    assert nav_labels(page) == ["Oversikt", "Meldinger"]
    card = page.select_one("section[aria-labelledby=messages-heading]")
    assert card.select_one("a")["href"] == messages_url(sigrid, "/new")


def test_a_thread_kept_from_guardians_is_neither_shown_nor_counted_for_them(fresh_browser):
    app = fresh_browser.app
    emil = plan_of(app, "child")
    fresh_browser.login_as("child")
    thread_url = start_thread(fresh_browser, emil, subject="Bare for meg", body="Hemmelig")
    fresh_browser.login_as("guardian1")
    assert unread_in_nav(fresh_browser.get(f"/plan/{emil.public_id}/")) == 1
    with app.app_context():
        thread = db.session.scalar(select(MessageThread).where(MessageThread.subject == "Bare for meg"))
        thread.hidden_from_guardians = True
        db.session.commit()
    fresh_browser.get(thread_url, expected_status=404)
    assert "Bare for meg" not in str(fresh_browser.get(messages_url(emil)))
    assert unread_in_nav(fresh_browser.get(f"/plan/{emil.public_id}/")) == 0


def test_a_thread_of_another_plan_is_not_found(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    thread_id = thread_url.rstrip("/").rsplit("/", 1)[1]
    emil = plan_of(fresh_browser.app, "child")
    fresh_browser.login_as("guardian1")
    fresh_browser.get(messages_url(emil, f"/{thread_id}"), expected_status=404)


def test_guardians_write_as_guardians(fresh_browser):
    emil = plan_of(fresh_browser.app, "child")
    fresh_browser.login_as("guardian2")
    thread_url = start_thread(fresh_browser, emil, subject="Skolen", body="Hei fra Jonas")
    assert "(foresatt)" in text(fresh_browser.get(thread_url).select_one("li.message"))


# --- Nothing of the text in the log -----------------------------------------------------


def test_no_message_text_or_subject_reaches_the_log(fresh_browser, sigrid, caplog):
    caplog.set_level(logging.DEBUG)
    # Words, not digits: a short number turns up in timestamps and durations by chance.
    thread_url = start_thread(fresh_browser, sigrid, subject="Hemmelig emne", body="Hemmelig innhold kvitrefugl")
    fresh_browser.get(thread_url)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Hemmelig" not in logged and "kvitrefugl" not in logged


def test_the_coordinator_can_keep_a_teenagers_conversation_from_guardians(fresh_browser):
    app = fresh_browser.app
    with app.app_context():
        from patient_app.models import Person

        emil = db.session.get(Person, person_by_key(app, "child").id)
        emil.birth_date = emil.birth_date.replace(year=time.localtime().tm_year - 14)
        db.session.commit()
    plan = plan_of(app, "child")
    fresh_browser.login_as("child")
    thread_url = start_thread(fresh_browser, plan, subject="Privat", body="Kan vi snakke uten mamma?")
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(thread_url)
    response = submit(fresh_browser, page, "form.thread-guardians")
    assert "Foresatte ser ikke lenger denne samtalen." in text(fresh_browser.get(response.headers["Location"]).select_one(".confirmation"))
    fresh_browser.login_as("guardian1")
    fresh_browser.get(thread_url, expected_status=404)
    fresh_browser.login_as("child")
    assert "Kan vi snakke uten mamma?" in text(fresh_browser.get(thread_url).select_one("main"))


def test_no_guardian_choice_for_an_adults_conversation(fresh_browser, sigrid):
    thread_url = start_thread(fresh_browser, sigrid)
    fresh_browser.login_as("coordinator")
    assert fresh_browser.get(thread_url).select_one("form.thread-guardians") is None


def test_sending_is_rate_limited_but_reading_and_polling_are_not(_seeded_sqlite_file, tmp_path):
    if _seeded_sqlite_file is None:
        pytest.skip("copies the SQLite demo database")
    import shutil

    from patient_app import create_app
    from tests.conftest import TEST_CONFIG
    from tests.views.conftest import Browser

    shutil.copyfile(_seeded_sqlite_file, tmp_path / "limited.sqlite")
    # A limit of its own, so the test shows MESSAGE_RATE_LIMIT is what counts (it was once ignored).
    app = create_app({**TEST_CONFIG, "RATELIMIT_ENABLED": True, "MESSAGE_RATE_LIMIT": "7 per minute",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/limited.sqlite"})
    try:
        browser = Browser(app, app.test_client())
        browser.login_as("patient")
        plan = plan_of(app, "patient")
        page = browser.get(messages_url(plan, "/new"))
        statuses = [
            submit(browser, page, "form.message-form", {"subject": f"Nr {n}", "body": "Hei", "idempotency_key": str(uuid.uuid4())}).status_code
            for n in range(8)
        ]
        assert statuses == [302] * 7 + [429]
        for _ in range(25):
            assert browser.client.get(messages_url(plan, "/new")).status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
