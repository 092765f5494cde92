"""Extensions created once and attached to the app in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from htmx_flask import Htmx

from patient_app.database import Database

db = Database()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()
