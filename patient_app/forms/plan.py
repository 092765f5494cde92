"""The coordinator's forms for the plan itself: goals, measures, service decisions, period and texts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional

from patient_app.forms.fields import FriendlyDateField
from patient_app.forms.text import EndNotBefore, long_text_field, text_field
from patient_app.models import DecisionStatus, GoalStatus

GOAL_STATUS_LABELS = {
    GoalStatus.NOT_STARTED: _l("Ikke startet"),
    GoalStatus.IN_PROGRESS: _l("Pågår"),
    GoalStatus.REACHED: _l("Nådd"),
    GoalStatus.PAUSED: _l("På pause"),
}

DECISION_STATUS_LABELS = {
    DecisionStatus.APPLIED: _l("Søkt, venter på svar"),
    DecisionStatus.GRANTED: _l("Innvilget"),
    DecisionStatus.DECLINED: _l("Avslått"),
    DecisionStatus.APPEALED: _l("Klaget på"),
}

HIDDEN_FROM_GUARDIANS_LABEL = _l("Vis ikke dette til foresatte")


def hidden_from_guardians_field() -> BooleanField:
    return BooleanField(HIDDEN_FROM_GUARDIANS_LABEL)


def _select(label, **kwargs) -> SelectField:
    return SelectField(
        label,
        choices=[],
        validators=[Optional()],
        validate_choice=True,
        invalid_choice_message=_l("Det du valgte, finnes ikke i lista. Velg et av alternativene."),
        **kwargs,
    )


class GoalForm(FlaskForm):
    title = text_field(_l("Målet, slik personen selv sier det"), required_message=_l("Skriv målet"))
    description = long_text_field(_l("Mer om målet (kan stå tomt)"))
    status = RadioField(
        _l("Hvor langt har dere kommet?"),
        choices=[SelectChoice(status.value, label) for status, label in GOAL_STATUS_LABELS.items()],
        default=GoalStatus.NOT_STARTED.value,
        validators=[InputRequired(_l("Velg hvor langt dere har kommet"))],
    )
    parent = _select(_l("Er dette et delmål?"))
    hidden_from_guardians = hidden_from_guardians_field()


class MeasureForm(FlaskForm):
    title = text_field(_l("Hva skal gjøres?"), required_message=_l("Skriv hva tiltaket er"))
    extent = text_field(_l("Hvor mye og hvor ofte (kan stå tomt)"))
    how = long_text_field(_l("Slik gjøres det (kan stå tomt)"))
    responsible = _select(_l("Hvem har ansvaret?"))
    start_date = FriendlyDateField(_l("Fra dato (kan stå tom)"), validators=[Optional()])
    end_date = FriendlyDateField(
        _l("Til dato (kan stå tom)"),
        validators=[Optional(), EndNotBefore("start_date", _l("Til-datoen er før fra-datoen. Rett en av datoene."))],
    )
    goal = _select(_l("Hvilket mål hører tiltaket til?"))
    hidden_from_guardians = hidden_from_guardians_field()


class DecisionForm(FlaskForm):
    service = text_field(_l("Tjeneste"), required_message=_l("Skriv hvilken tjeneste vedtaket gjelder"))
    decided_by = text_field(_l("Hvem bestemmer (for eksempel kommunen eller NAV)"))
    status = RadioField(
        _l("Hvor står saken?"),
        choices=[SelectChoice(status.value, label) for status, label in DECISION_STATUS_LABELS.items()],
        default=DecisionStatus.APPLIED.value,
        validators=[InputRequired(_l("Velg hvor saken står"))],
    )
    extent = text_field(_l("Hvor mye (kan stå tomt)"))
    decided_on = FriendlyDateField(_l("Vedtaksdato (kan stå tom)"), validators=[Optional()])
    valid_from = FriendlyDateField(_l("Gjelder fra (kan stå tom)"), validators=[Optional()])
    valid_to = FriendlyDateField(
        _l("Gjelder til (kan stå tom)"),
        validators=[Optional(), EndNotBefore("valid_from", _l("«Gjelder til» er før «Gjelder fra». Rett en av datoene."))],
    )
    answer_due = FriendlyDateField(_l("Svar ventes innen (kan stå tom)"), validators=[Optional()])
    appeal_deadline = FriendlyDateField(_l("Frist for å klage (kan stå tom)"), validators=[Optional()])
    note = long_text_field(_l("Merknad til personen (kan stå tom)"))
    hidden_from_guardians = hidden_from_guardians_field()


class AboutThisPlanForm(FlaskForm):
    period_start = FriendlyDateField(_l("Planen gjelder fra"), validators=[Optional()])
    period_end = FriendlyDateField(
        _l("Planen gjelder til"),
        validators=[Optional(), EndNotBefore("period_start", _l("Sluttdatoen er før startdatoen. Rett en av datoene."))],
    )
    next_review = FriendlyDateField(_l("Neste gjennomgang av planen"), validators=[Optional()])
    strengths = long_text_field(_l("Dette er jeg god på"))
    needs = long_text_field(_l("Hva jeg trenger hjelp til"))
    own_contribution = long_text_field(_l("Hva jeg selv bidrar med"))
    relatives_contribution = long_text_field(_l("Hva de pårørende bidrar med"))
    cooperation = long_text_field(_l("Samarbeid med andre tjenester"))
    language_and_culture = long_text_field(_l("Språk og kultur"))
