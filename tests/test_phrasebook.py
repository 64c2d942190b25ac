import random
from datetime import date

import pytest

from optrain import phrasebook


@pytest.mark.parametrize("seed", [0, 1, 7, 2026, 2**63 - 1])
@pytest.mark.parametrize("count", [0, 1, 10, 16, 18])
def test_random_digits_are_the_digits_rng_choice_gives(seed, count):
    fast, slow = random.Random(seed), random.Random(seed)
    digits = phrasebook.random_digits(fast, count)
    assert digits == "".join(slow.choice("0123456789") for _ in range(count))
    assert fast.getstate() == slow.getstate()  # and the draws after it stay the same too


def test_tracking_numbers_keep_the_carriers_format():
    rng = random.Random(3)
    for carrier in phrasebook.CARRIERS:
        number = carrier.tracking_number(rng)
        assert number.startswith(carrier.tracking_prefix)
        assert len(number) == len(carrier.tracking_prefix) + carrier.tracking_digits
        assert number[len(carrier.tracking_prefix) :].isdigit()


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 6, 5), "Friday, June 5"),
        (date(2026, 6, 11), "Thursday, June 11"),
        (date(2024, 2, 29), "Thursday, February 29"),
        (date(2026, 12, 31), "Thursday, December 31"),
        (date(2027, 1, 3), "Sunday, January 3"),
        (date(2026, 3, 16), "Monday, March 16"),
    ],
)
def test_day_label_is_english_weekday_month_and_day(day, label):
    assert phrasebook.day_label(day) == label


@pytest.mark.parametrize(
    ("name", "expected"),
    [("UPS", "UPS"), ("fedex freight", "FedEx Freight"), ("  Estes Express ", "Estes Express"), ("DHL", None)],
)
def test_find_carrier_ignores_case_and_spaces(name, expected):
    found = phrasebook.find_carrier(name)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize("vehicle", phrasebook.VEHICLES)
def test_vehicle_label_writes_classics_short_only_sometimes(vehicle):
    labels = {phrasebook.vehicle_label(1969, vehicle, random.Random(seed)) for seed in range(20)}
    full = f"1969 {vehicle.make} {vehicle.model}"
    expected = {full, f"'69 {vehicle.model}"} if vehicle in phrasebook.CLASSIC_VEHICLES else {full}
    assert labels == expected
