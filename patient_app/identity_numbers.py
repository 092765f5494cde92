"""Norwegian national identity numbers (fødselsnummer), including synthetic ones.

Test persons in ID-porten's test environment (and all demo people here) carry
*synthetic* numbers: the month has 80 added to it. python-stdnum rejects those
as impossible dates, so we check the digits ourselves and use stdnum only for
the two control digits.

The app never stores or shows the number; it keeps a keyed hash (see
``patient_app.models.people.hash_pid``) to recognise a person at login.
"""

from __future__ import annotations

import datetime

from stdnum.no.fodselsnummer import calc_check_digit1, calc_check_digit2

SYNTHETIC_MONTH_OFFSET = 80


def _century(two_digit_year: int, individual: int) -> int | None:
    if individual < 500:
        return 1900
    if individual < 750 and two_digit_year >= 54:
        return 1800
    if individual < 1000 and two_digit_year < 40:
        return 2000
    if 900 <= individual < 1000 and two_digit_year >= 40:
        return 1900
    return None


def birth_date(number: str) -> datetime.date | None:
    """The birth date a valid number encodes (D- and synthetic numbers too), else None."""
    if len(number) != 11 or not number.isdigit():
        return None
    day, month, year = int(number[0:2]), int(number[2:4]), int(number[4:6])
    if day > 40:  # D-number
        day -= 40
    if month > SYNTHETIC_MONTH_OFFSET:
        month -= SYNTHETIC_MONTH_OFFSET
    elif month > 40:  # H-number
        month -= 40
    century = _century(year, int(number[6:9]))
    if century is None:
        return None
    try:
        return datetime.date(century + year, month, day)
    except ValueError:
        return None


def is_valid(number: str) -> bool:
    """True for a well-formed number with correct control digits and a real date."""
    number = (number or "").replace(" ", "")
    if len(number) != 11 or not number.isdigit():
        return False
    if number[9] != calc_check_digit1(number) or number[10] != calc_check_digit2(number):
        return False
    born = birth_date(number)
    return born is not None and born <= datetime.date.today()


def is_synthetic(number: str) -> bool:
    return is_valid(number) and int(number[2:4]) > SYNTHETIC_MONTH_OFFSET


def make_synthetic(born: datetime.date, individual: int) -> str:
    """Build a synthetic number for a birth date; ``individual`` picks the century range.

    Raises ValueError when no valid control digits exist for this individual number
    (about one in eleven); try the next one.
    """
    base = f"{born.day:02d}{born.month + SYNTHETIC_MONTH_OFFSET:02d}{born.year % 100:02d}{individual:03d}"
    first = calc_check_digit1(base)
    if len(first) != 1:
        raise ValueError("no control digit for this individual number")
    second = calc_check_digit2(base + first)
    if len(second) != 1:
        raise ValueError("no control digit for this individual number")
    return base + first + second
