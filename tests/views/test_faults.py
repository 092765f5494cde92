"""When the database is gone: a friendly page in the person's language, and recovery without restart."""

from bs4 import BeautifulSoup

from patient_app import create_app
from patient_app.login_sessions import SESSION_KEY
from tests.conftest import TEST_CONFIG


def test_database_unavailable_gives_a_friendly_503(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "00000000-0000-4000-8000-000000000000"
        session[SESSION_KEY] = "00000000-0000-4000-8000-000000000001"  # so the user loader asks the database
        session["locale"] = "nn"
    response = client.get("/plans")
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.html["lang"] == "nn"
    assert "113" in page.select_one("main").get_text()
    assert "Traceback" not in response.get_data(as_text=True)
