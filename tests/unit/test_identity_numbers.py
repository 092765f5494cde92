import datetime

import pytest

from patient_app.identity_numbers import birth_date, is_synthetic, is_valid, make_synthetic


def test_synthetic_number_round_trips_its_birth_date():
    number = make_synthetic(datetime.date(1984, 6, 12), 106)
    assert number == "12868410602"
    assert is_valid(number) and is_synthetic(number)
    assert birth_date(number) == datetime.date(1984, 6, 12)


@pytest.mark.parametrize("number", ["12868410603", "1286841060", "1286841060a", "", "32868410602"])
def test_wrong_numbers_are_refused(number):
    assert not is_valid(number)


def test_real_looking_numbers_are_not_synthetic():
    # 15 March 1980 without the +80 month: a valid-looking ordinary number (control digits computed, not a real person)
    from stdnum.no.fodselsnummer import calc_check_digit1, calc_check_digit2

    base = "150380100"
    number = base + calc_check_digit1(base)
    number += calc_check_digit2(number)
    assert is_valid(number)
    assert not is_synthetic(number)
