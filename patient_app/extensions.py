"""Extensions created once and attached to the app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from htmx_flask import Htmx

from patient_app.database import Database

db = Database()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()
# Memory storage by default; RATELIMIT_STORAGE_URI (e.g. redis://) when several workers share limits.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
