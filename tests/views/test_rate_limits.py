import pytest
from bs4 import BeautifulSoup

from patient_app import create_app
from tests.conftest import TEST_CONFIG


@pytest.fixture
def limited_app(tmp_path):
    return create_app({**TEST_CONFIG, "RATELIMIT_ENABLED": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/l.sqlite"})


def test_the_login_callback_is_rate_limited_with_a_clear_page(limited_app):
    client = limited_app.test_client()
    statuses = [client.get("/login/callback?error=access_denied").status_code for _ in range(20)]
    assert set(statuses) == {302}
    refused = client.get("/login/callback?error=access_denied")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    page = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert page.h1.get_text(strip=True) == "For mange forsøk"
    assert "Ingenting ble endret." in page.select_one("main").get_text()
