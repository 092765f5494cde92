"""The cluster soak's push workers, and only theirs: the app with local push services allowed.

The soak measures delivery through the real worker to tests/notify/fake_push.py, which listens
on 127.0.0.1. Production refuses such addresses at registration and again at connect time
(patient_app/notify/push_http.py), and no setting turns that off; the soak's workers are
started from this module instead (FLASK_APP), which sets the one flag the tests use.
"""

from patient_app import create_app


def create_soak_push_app():
    return create_app({"PUSH_ALLOW_LOCAL_ENDPOINTS": True})
