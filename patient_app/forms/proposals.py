"""The patient proposes; the coordinator approves or declines with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, ValidationError

from patient_app.forms.text import long_text_field, text_field
from patient_app.models import ProposalKind

KIND_LABELS = {
    ProposalKind.NEW_GOAL: _l("Et nytt mål"),
    ProposalKind.CHANGE: _l("En endring i et mål eller et tiltak"),
    ProposalKind.COMMENT: _l("En kommentar til et mål eller et tiltak"),
}


class ProposalForm(FlaskForm):
    kind = RadioField(
        _l("Hva vil du foreslå?"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[InputRequired(_l("Velg hva du vil foreslå"))],
    )
    target = SelectField(
        _l("Hvilket mål eller tiltak gjelder det?"),
        choices=[],
        invalid_choice_message=_l("Det du valgte, finnes ikke i lista. Velg et mål eller tiltak fra lista."),
    )
    text = long_text_field(
        _l("Forslaget ditt, med dine egne ord"), required_message=_l("Skriv forslaget ditt"), max_length=2000
    )

    def validate_target(self, field):
        about_an_item = self.kind.data in (ProposalKind.CHANGE.value, ProposalKind.COMMENT.value)
        if about_an_item and not field.data:
            raise ValidationError(_l("Velg hvilket mål eller tiltak det gjelder"))


class ProposalDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Hva svarer du?"),
        choices=[SelectChoice("approve", _l("Godkjenn")), SelectChoice("decline", _l("Avslå"))],
        validators=[InputRequired(_l("Velg om du godkjenner eller avslår forslaget"))],
    )
    goal_title = text_field(_l("Målet slik det blir stående i planen"))
    reason = long_text_field(_l("Svar til personen"), max_length=2000)

    def __init__(self, *args, kind: ProposalKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal_kind = kind
        if kind is not ProposalKind.NEW_GOAL:
            del self.goal_title

    def validate_reason(self, field):
        if self.decision.data == "decline" and not (field.data or "").strip():
            raise ValidationError(_l("Skriv hvorfor du avslår, slik at personen forstår det"))

    def validate_goal_title(self, field):
        if self.decision.data == "approve" and not (field.data or "").strip():
            raise ValidationError(_l("Skriv målet slik det skal stå i planen"))
