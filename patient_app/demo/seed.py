"""Demo plans, written as a coordinator would write them. All people are fictional.

Dates are relative to today so the demo always has a next meeting and a
current measure.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete, select

from patient_app.extensions import db
from patient_app.models import (
    Consent,
    CrisisContact,
    CrisisPlan,
    DecisionStatus,
    Goal,
    GoalStatus,
    Measure,
    Meeting,
    Membership,
    Minutes,
    Participant,
    Person,
    Plan,
    Role,
    Scope,
    ServiceDecision,
    hash_pid,
)
from patient_app.demo.municipality import add_demo_municipality, remove_demo_municipality
from patient_app.demo.people import DEMO_PEOPLE, demo_person
from patient_app.times import OSLO




def _at(days_from_now: int, hour: int, minute: int = 0) -> dt.datetime:
    day = dt.date.today() + dt.timedelta(days=days_from_now)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO).astimezone(dt.timezone.utc)


def _day(days_from_now: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days_from_now)


def seed_demo(reset: bool = False) -> bool:
    """Create the demo people and plans; True when something was created."""
    key = current_app.config["PID_HASH_KEY"]
    patient_hash = hash_pid(demo_person("patient").pid, key)
    existing = db.session.scalar(select(Person).where(Person.pid_hash == patient_hash))
    if existing and not reset:
        return False
    if existing:
        _remove_demo(key)
    people = {
        p.key: Person(name=p.name, pid_hash=hash_pid(p.pid, key), birth_date=p.birth_date)
        for p in DEMO_PEOPLE
    }
    db.session.add_all(people.values())
    db.session.flush()
    _adult_plan(people)
    _child_plan(people)
    add_demo_municipality(people, db.session.scalars(select(Plan).where(Plan.owner_id.in_(
        [people["patient"].id, people["child"].id]))).all())
    _demo_messages(people)
    db.session.commit()
    return True


def _remove_demo(key: str) -> None:
    hashes = [hash_pid(p.pid, key) for p in DEMO_PEOPLE]
    ids = db.session.scalars(select(Person.id).where(Person.pid_hash.in_(hashes))).all()
    plan_ids = db.session.scalars(select(Plan.id).where(Plan.owner_id.in_(ids))).all()
    from patient_app.models import meeting_invitee

    meeting_ids = db.session.scalars(select(Meeting.id).where(Meeting.plan_id.in_(plan_ids))).all()
    crisis_ids = db.session.scalars(select(CrisisPlan.id).where(CrisisPlan.plan_id.in_(plan_ids))).all()
    _remove_demo_messages(plan_ids)
    remove_demo_municipality()
    db.session.execute(delete(meeting_invitee).where(meeting_invitee.c.meeting_id.in_(meeting_ids)))
    db.session.execute(delete(Minutes).where(Minutes.meeting_id.in_(meeting_ids)))
    db.session.execute(delete(CrisisContact).where(CrisisContact.crisis_plan_id.in_(crisis_ids)))
    for model in (Meeting, CrisisPlan, Measure, ServiceDecision, Consent, Membership):
        db.session.execute(delete(model).where(model.plan_id.in_(plan_ids)))
    db.session.execute(delete(Goal).where(Goal.plan_id.in_(plan_ids), Goal.parent_id.is_not(None)))
    db.session.execute(delete(Goal).where(Goal.plan_id.in_(plan_ids)))
    db.session.execute(delete(Participant).where(Participant.plan_id.in_(plan_ids)))
    db.session.execute(delete(Plan).where(Plan.id.in_(plan_ids)))
    db.session.execute(delete(Membership).where(Membership.person_id.in_(ids)))
    db.session.execute(delete(Person).where(Person.id.in_(ids)))
    db.session.flush()


def _adult_plan(people: dict[str, Person]) -> None:
    plan = Plan(
        owner=people["patient"],
        strengths="Jeg er sta og gir meg ikke.\n\nJeg er flink med folk, og jeg liker å lage mat.",
        needs=(
            "Etter hjerneskaden blir jeg fort sliten, og jeg glemmer avtaler.\n\n"
            "Jeg trenger hjelp til å planlegge uka, til trening og til å komme tilbake i jobb."
        ),
        own_contribution="Jeg skriver avtaler i kalenderen på telefonen og gjør øvelsene hjemme.",
        relatives_contribution="Anders kjører meg til trening på tirsdager og er med på møtene når han kan.",
        cooperation="Kommunen, fastlegen, NAV og rehabiliteringen på sykehuset samarbeider om planen.",
        language_and_culture="Norsk. Jeg vil ha skriftlig informasjon, ikke bare muntlig.",
        period_start=_day(-120),
        period_end=_day(245),
        next_review=_day(40),
    )
    db.session.add(plan)
    db.session.flush()

    contacts = {
        "coordinator": Participant(plan_id=plan.id, person_id=people["coordinator"].id, name="Lise Aasen",
                                   role_title="Koordinator", organisation="Koordinerende enhet, Nordby kommune",
                                   phone="22 33 44 55", email="lise.aasen@nordby.kommune.example",
                                   show_phone=True, show_email=True, is_coordinator=True, position=0),
        "gp": Participant(plan_id=plan.id, name="Kristin Moe", role_title="Fastlege", organisation="Nordby legesenter",
                          phone="22 11 00 10", show_phone=True, position=1),
        "physio": Participant(plan_id=plan.id, name="Ola Brekke", role_title="Fysioterapeut",
                              organisation="Nordby kommune", phone="900 11 222", email="ola.brekke@nordby.kommune.example",
                              show_phone=True, show_email=True, position=2),
        "ot": Participant(plan_id=plan.id, name="Nina Lund", role_title="Ergoterapeut", organisation="Nordby kommune",
                          email="nina.lund@nordby.kommune.example", show_email=True, position=3),
        "nav": Participant(plan_id=plan.id, name="Per Sandvik", role_title="Veileder", organisation="NAV Nordby",
                           phone="55 55 33 33", show_phone=True, position=4),
        "psychologist": Participant(plan_id=plan.id, name="Hanne Vik", role_title="Psykolog",
                                    organisation="Distriktspsykiatrisk senter", phone="400 00 999",
                                    show_phone=False, position=5),
        "rehab": Participant(plan_id=plan.id, name="Tor Haugland", role_title="Lege, rehabilitering",
                             organisation="Sykehuset", email="tor.haugland@sykehuset.example", show_email=False,
                             in_responsibility_group=False, position=6),
    }
    db.session.add_all(contacts.values())
    db.session.flush()

    shop = Goal(plan_id=plan.id, title="Jeg vil klare å handle mat selv", status=GoalStatus.IN_PROGRESS, position=0,
                description="Jeg vil slippe å be andre om hjelp til det hver uke.")
    work = Goal(plan_id=plan.id, title="Jeg vil tilbake i jobb, først 20 prosent", status=GoalStatus.IN_PROGRESS,
                position=1, description="Jeg jobbet i barnehage før skaden og savner barna og kollegene.")
    walk = Goal(plan_id=plan.id, title="Jeg vil gå tur med hunden hver dag", status=GoalStatus.REACHED, position=2)
    sleep = Goal(plan_id=plan.id, title="Jeg vil sove bedre om natta", status=GoalStatus.NOT_STARTED, position=3)
    db.session.add_all([shop, work, walk, sleep])
    db.session.flush()
    db.session.add_all([
        Goal(plan_id=plan.id, parent_id=shop.id, title="Lage handleliste på telefonen", status=GoalStatus.REACHED, position=0),
        Goal(plan_id=plan.id, parent_id=shop.id, title="Handle på butikken i nærheten med følge", status=GoalStatus.IN_PROGRESS, position=1),
        Goal(plan_id=plan.id, parent_id=shop.id, title="Handle alene en gang i uka", status=GoalStatus.NOT_STARTED, position=2),
        Goal(plan_id=plan.id, parent_id=work.id, title="Prøve ut arbeid to formiddager i uka", status=GoalStatus.NOT_STARTED, position=0),
        Goal(plan_id=plan.id, parent_id=work.id, title="Finne ut hvor lenge jeg orker å jobbe", status=GoalStatus.IN_PROGRESS, position=1),
    ])

    def measure(title, extent, how, responsible, start, end, goal=None):
        return Measure(plan_id=plan.id, title=title, extent=extent, how=how, responsible_id=contacts[responsible].id,
                       start_date=_day(start), end_date=_day(end) if end is not None else None,
                       goal_id=goal.id if goal else None)

    db.session.add_all([
        measure("Fysioterapi", "To ganger i uka, 45 minutter", "Trening av balanse og styrke på treningssenteret.", "physio", -100, 80, walk),
        measure("Ergoterapi hjemme", "Hver fjortende dag", "Nina kommer hjem og øver på handling og planlegging med deg.", "ot", -60, 60, shop),
        measure("Trening i å planlegge uka", "En time i uka", "Dere lager ukeplan sammen på telefonen.", "ot", -30, 90, shop),
        measure("Praktisk hjelp i hjemmet", "Tre timer i uka", "Hjelp til vasking og tyngre husarbeid.", "coordinator", -110, 250),
        measure("Samtaler med psykolog", "Hver tredje uke", "Samtaler om søvn, humør og hvordan det går.", "psychologist", -20, 120, sleep),
        measure("Arbeidsavklaringspenger", "Til og med neste høst", "NAV betaler mens du prøver deg tilbake i jobb.", "nav", -90, 200, work),
        measure("Arbeidsutprøving i barnehagen", "To formiddager i uka", "Du prøver ut jobben med en fast kollega.", "nav", 14, 120, work),
        measure("Kontroll hos fastlegen", "Hver tredje måned", "Gjennomgang av medisiner og hvordan du har det.", "gp", -120, 245),
        measure("TT-kort", "Åtte turer i måneden", "Tilrettelagt transport med drosje.", "coordinator", -100, 245),
        measure("Treningsgruppe for hjerneskadde", "En gang i uka", "Gruppe på frisklivssentralen.", "physio", -200, -30, walk),
        measure("Søvnkurs", "Seks kvelder", "Kurs på frisklivssentralen om gode sovevaner.", "psychologist", 30, 75, sleep),
        measure("Hjelpemidler i kjøkkenet", "En gang", "Vurdering og utlån av hjelpemidler.", "ot", -150, -120, shop),
    ])

    db.session.add_all([
        ServiceDecision(plan_id=plan.id, service="Praktisk bistand i hjemmet", decided_by="Nordby kommune",
                        status=DecisionStatus.GRANTED, extent="Tre timer i uka", decided_on=_day(-115),
                        valid_from=_day(-110), valid_to=_day(250), appeal_deadline=_day(-94)),
        ServiceDecision(plan_id=plan.id, service="Arbeidsavklaringspenger", decided_by="NAV Nordby",
                        status=DecisionStatus.GRANTED, decided_on=_day(-95), valid_from=_day(-90), valid_to=_day(200)),
        ServiceDecision(plan_id=plan.id, service="Brukerstyrt personlig assistanse", decided_by="Nordby kommune",
                        status=DecisionStatus.APPLIED, extent="Søkt om ti timer i uka", answer_due=_day(21),
                        note="Kommunen har lovet svar innen fristen. Spør koordinatoren hvis du ikke har hørt noe."),
        ServiceDecision(plan_id=plan.id, service="TT-kort", decided_by="Nordby kommune", status=DecisionStatus.GRANTED,
                        extent="Åtte turer i måneden", decided_on=_day(-105), valid_from=_day(-100), valid_to=_day(245)),
    ])

    group = [contacts[k] for k in ("coordinator", "physio", "ot", "nav")]
    upcoming = Meeting(plan_id=plan.id, title="Møte i ansvarsgruppen", starts_at=_at(9, 10), ends_at=_at(9, 11, 30),
                       location="Nordby helsehus, møterom 2", video_url="https://video.nordby.kommune.example/mote/ansvarsgruppe",
                       agenda="Hvordan går treningen?\nOppstart av arbeidsutprøving\nSvar på søknad om assistanse",
                       invitees=group)
    later = Meeting(plan_id=plan.id, title="Gjennomgang av planen", starts_at=_at(40, 13), ends_at=_at(40, 14, 30),
                    location="Nordby helsehus", invitees=group + [contacts["gp"]])
    past = Meeting(plan_id=plan.id, title="Møte i ansvarsgruppen", starts_at=_at(-35, 10), ends_at=_at(-35, 11),
                   location="Nordby helsehus", invitees=group)
    first = Meeting(plan_id=plan.id, title="Oppstartsmøte", starts_at=_at(-118, 9), ends_at=_at(-118, 10, 30),
                    location="Sykehuset, rehabiliteringen", invitees=group + [contacts["rehab"]])
    db.session.add_all([upcoming, later, past, first])
    db.session.flush()
    db.session.add_all([
        Minutes(meeting_id=past.id, published_at=_at(-33, 12),
                body="Sigrid går tur med hunden hver dag nå. Det er et mål som er nådd.\n\n"
                     "Handling går bedre. Nina fortsetter hjemmebesøkene.\n\n"
                     "Per sjekker om arbeidsutprøving kan starte om to uker."),
        Minutes(meeting_id=first.id, published_at=_at(-115, 12),
                body="Vi laget planen sammen. Sigrid valgte målene selv.\n\n"
                     "Lise Aasen er koordinator. Neste møte er om tre måneder."),
        Minutes(meeting_id=upcoming.id, body="Utkast: ikke publisert."),
    ])

    crisis = CrisisPlan(
        plan_id=plan.id,
        warning_signs="Jeg sover dårlig flere netter på rad\nJeg svarer ikke på telefonen\nJeg får sterk hodepine og blir forvirret",
        what_i_can_do="Legge meg ned i et mørkt rom\nRinge Anders\nGå en kort tur med hunden",
        what_others_can_do="Snakk rolig og kort til meg\nIkke still mange spørsmål på en gang\nHjelp meg å ringe legevakten hvis jeg blir forvirret",
        practical_matters="Naboen Eva har nøkkel og kan ta seg av hunden\nMedisinlista ligger på kjøleskapet",
    )
    db.session.add(crisis)
    db.session.flush()
    db.session.add_all([
        CrisisContact(crisis_plan_id=crisis.id, position=0, name="Anders Holm", relation="ektemann", phone="911 22 333"),
        CrisisContact(crisis_plan_id=crisis.id, position=1, name="Lise Aasen", relation="koordinator", phone="22 33 44 55",
                      when_to_call="Hverdager 8–15"),
        CrisisContact(crisis_plan_id=crisis.id, position=2, name="Legevakten", relation="", phone="116 117",
                      when_to_call="Kvelder, netter og helger"),
    ])

    db.session.add_all([
        Membership(plan_id=plan.id, person_id=people["patient"].id, role=Role.OWNER),
        Membership(plan_id=plan.id, person_id=people["coordinator"].id, role=Role.COORDINATOR),
        Membership(plan_id=plan.id, person_id=people["relative"].id, role=Role.RELATIVE,
                   scopes=Scope.MEETINGS_AND_CONTACTS.value),
        Consent(plan_id=plan.id, kind="plan", given_at=_at(-118, 10),
                text="Jeg vil ha en individuell plan. Jeg har vært med og laget den."),
        Consent(plan_id=plan.id, kind="sharing", given_at=_at(-118, 10),
                text="De som er med i ansvarsgruppen kan dele opplysninger med hverandre som trengs for planen. "
                     "Jeg kan trekke samtykket tilbake når jeg vil."),
    ])


def _child_plan(people: dict[str, Person]) -> None:
    plan = Plan(owner=people["child"], strengths="Emil er god til å tegne og liker fotball.",
                needs="Emil trenger hjelp til å konsentrere seg på skolen og til å få nok søvn.",
                period_start=_day(-60), period_end=_day(300), next_review=_day(90))
    db.session.add(plan)
    db.session.flush()
    coordinator = Participant(plan_id=plan.id, person_id=people["coordinator"].id, name="Lise Aasen",
                              role_title="Koordinator", organisation="Koordinerende enhet, Nordby kommune",
                              phone="22 33 44 55", show_phone=True, is_coordinator=True)
    teacher = Participant(plan_id=plan.id, name="Siri Dahl", role_title="Kontaktlærer", organisation="Nordby skole",
                          email="siri.dahl@nordby.skole.example", show_email=True, position=1)
    db.session.add_all([coordinator, teacher])
    db.session.flush()
    db.session.add_all([
        Goal(plan_id=plan.id, title="Jeg vil ha det fint på skolen", status=GoalStatus.IN_PROGRESS),
        Goal(plan_id=plan.id, title="Jeg vil være med på fotballtreningen", status=GoalStatus.NOT_STARTED, position=1),
        Measure(plan_id=plan.id, title="Ekstra voksen i klassen", extent="Fire timer i uka", responsible_id=teacher.id,
                start_date=_day(-50), end_date=_day(150)),
        Meeting(plan_id=plan.id, title="Møte med skolen", starts_at=_at(16, 14), location="Nordby skole",
                invitees=[coordinator, teacher]),
        Membership(plan_id=plan.id, person_id=people["child"].id, role=Role.OWNER),
        Membership(plan_id=plan.id, person_id=people["guardian1"].id, role=Role.GUARDIAN),
        Membership(plan_id=plan.id, person_id=people["guardian2"].id, role=Role.GUARDIAN),
        Membership(plan_id=plan.id, person_id=people["coordinator"].id, role=Role.COORDINATOR),
        Consent(plan_id=plan.id, kind="plan", given_at=_at(-60, 12),
                text="Foreldrene til Emil har sagt ja til en individuell plan, og Emil har fått si hva han mener."),
    ])


def _demo_messages(people: dict[str, Person]) -> None:
    """Conversations with the coordinator: one answered and read, one answer Sigrid has not
    seen yet (a badge in the demo), one Lise has not read yet, and one from Emil's mother;
    and a goal Sigrid proposed that waits for Lise."""
    import uuid

    from patient_app.models import Message, MessageThread, ThreadReadMark

    now = dt.datetime.now(dt.timezone.utc)
    plans = {
        plan.owner_id: plan for plan in db.session.scalars(
            select(Plan).where(Plan.owner_id.in_([people["patient"].id, people["child"].id]))
        )
    }

    def thread(owner: str, subject: str, messages: list[tuple[str, Role, float, str]], read_by: dict[str, int]):
        """messages: (person, role, hours ago, text); read_by: person -> how many messages they have read."""
        plan = plans[people[owner].id]
        first_at = now - dt.timedelta(hours=messages[0][2])
        row = MessageThread(plan_id=plan.id, subject=subject, started_by_id=people[messages[0][0]].id,
                            created_at=first_at, last_message_at=now - dt.timedelta(hours=messages[-1][2]))
        db.session.add(row)
        stored = []
        for author, role, hours_ago, body in messages:
            stored.append(Message(thread=row, author_id=people[author].id, author_role=role, body=body,
                                  created_at=now - dt.timedelta(hours=hours_ago), idempotency_key=uuid.uuid4()))
        db.session.add_all(stored)
        db.session.flush()
        coordinator_read = read_by.get("coordinator", 0)
        for message in stored[:coordinator_read]:
            if message.author_role is not Role.COORDINATOR:
                message.coordinator_read_at = message.created_at + dt.timedelta(minutes=40)
        for person, read in read_by.items():
            if read:
                db.session.add(ThreadReadMark(thread_id=row.id, person_id=people[person].id,
                                              last_read_message_id=stored[read - 1].id, read_at=now))

    thread("patient", "Svar på søknaden om assistanse", [
        ("patient", Role.OWNER, 120, "Hei Lise. Har kommunen sagt noe om søknaden min om brukerstyrt personlig assistanse?"),
        ("coordinator", Role.COORDINATOR, 100, "Hei Sigrid. Jeg har spurt saksbehandleren. Du skal få svar innen fristen, "
                                              "og jeg sier fra så snart jeg hører noe.\n\nHilsen Lise"),
        ("patient", Role.OWNER, 98, "Takk!"),
    ], {"patient": 3, "coordinator": 3})
    thread("patient", "Kan Anders være med på møtet?", [
        ("patient", Role.OWNER, 26, "Kan Anders være med på møtet i ansvarsgruppen? Han kan kjøre meg."),
        ("coordinator", Role.COORDINATOR, 2, "Ja, så klart. Han er velkommen. Møtet kan også tas på video, "
                                             "se https://video.nordby.kommune.example/mote/ansvarsgruppe"),
    ], {"patient": 1, "coordinator": 2})
    thread("patient", "Ny time hos psykologen", [
        ("patient", Role.OWNER, 0.5, "Jeg har fått ny time hos Hanne om tre uker. Kan vi flytte samtalene i tiltaket?"),
    ], {"patient": 1})
    thread("child", "Møtet med skolen", [
        ("guardian1", Role.GUARDIAN, 30, "Hei. Kan vi ta møtet med skolen etter klokka 15? Jeg jobber til halv tre."),
        ("coordinator", Role.COORDINATOR, 28, "Det ordner jeg. Jeg spør Siri om hun kan litt senere."),
    ], {"guardian1": 2, "guardian2": 0, "coordinator": 2})

    from patient_app.models import Proposal, ProposalKind

    db.session.add(Proposal(
        plan_id=plans[people["patient"].id].id, kind=ProposalKind.NEW_GOAL, proposed_by_id=people["patient"].id,
        proposed_role=Role.OWNER, created_at=now - dt.timedelta(hours=20),
        text="Jeg vil klare å ta bussen til byen alene.",
    ))


def _remove_demo_messages(plan_ids: list[int]) -> None:
    from patient_app.models import Message, MessageThread, PlanChange, PlanVisit, Proposal, ThreadReadMark

    thread_ids = select(MessageThread.id).where(MessageThread.plan_id.in_(plan_ids))
    db.session.execute(delete(ThreadReadMark).where(ThreadReadMark.thread_id.in_(thread_ids)))
    db.session.execute(delete(Message).where(Message.thread_id.in_(thread_ids)))
    db.session.execute(delete(MessageThread).where(MessageThread.plan_id.in_(plan_ids)))
    for model in (PlanChange, PlanVisit, Proposal):
        db.session.execute(delete(model).where(model.plan_id.in_(plan_ids)))
