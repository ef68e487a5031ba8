"""Payment rules: pure evaluation over approved walks, amounts in öre."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nattvandring.clock import local_to_utc
from nattvandring.formatting import format_sek
from nattvandring.sponsorship.explain import describe_rule
from nattvandring.sponsorship.rules import (
    ApprovedWalk,
    PaymentRule,
    Walker,
    apply_limits,
    duration_minutes,
    evaluate,
)

FRI = date(2026, 5, 8)  # a Friday
SAT = date(2026, 5, 9)
YEAR = {"period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31)}


def walk(
    walk_id: int,
    evening: date,
    *,
    ages: tuple[int | None, ...] = (30, 30, 30, 30, 30),
    start: time = time(21),
    end: time = time(1),
    municipality_id: int = 1,
) -> ApprovedWalk:
    """A walk from ``start`` on ``evening`` to ``end`` (next day if not later the same day)."""
    begin = local_to_utc(evening, start)
    end_day = evening if end > start else evening + timedelta(days=1)
    finish = local_to_utc(end_day, end)
    minutes = duration_minutes(begin, finish)
    walkers = tuple(Walker(age=a, minutes=minutes) for a in ages)
    return ApprovedWalk(walk_id, begin, finish, municipality_id, walkers)


# --- per walk -------------------------------------------------------------------------------


def test_per_walk_pays_each_qualifying_walk():
    rule = PaymentRule("per_walk", amount_ore=150_000, min_walkers=2, min_age=20)
    walks = [walk(i, FRI + timedelta(days=7 * i), ages=(20, 45)) for i in range(8)]
    result = evaluate(rule, walks, **YEAR)
    assert result.amount_ore == 1_200_000
    assert result.qualifying_walks == 8
    assert result.walks_considered == 8
    assert result.walkers == 16
    assert result.volunteer_minutes == 16 * 240
    assert result.explanation == "8 godkända vandringar × 1 500 kr"
    assert result.excluded == ()


def test_walker_below_age_does_not_count():
    rule = PaymentRule("per_walk", amount_ore=150_000, min_walkers=2, min_age=20)
    too_young = walk(1, FRI, ages=(25, 19))
    enough = walk(2, SAT, ages=(25, 19, 22))
    result = evaluate(rule, [too_young, enough], **YEAR)
    assert result.amount_ore == 150_000
    assert result.excluded == ((1, "för få vandrare (1 av 2)"),)
    assert result.explanation == "1 godkänd vandring × 1 500 kr"
    assert result.walkers == 3  # every entry of the qualifying walk
    assert result.volunteer_minutes == 2 * 240  # only the two walkers aged 20+


def test_unknown_age_fails_a_minimum_age_and_empty_walks_never_count():
    walks = [walk(1, FRI, ages=(None, 40))]
    strict = PaymentRule("per_walk", amount_ore=100, min_walkers=2, min_age=18)
    loose = PaymentRule("per_walk", amount_ore=100, min_walkers=2)
    assert evaluate(strict, walks, **YEAR).amount_ore == 0
    assert evaluate(loose, walks, **YEAR).amount_ore == 100
    anyone = PaymentRule("per_walk", amount_ore=100)  # still needs one walker
    nobody = evaluate(anyone, [walk(2, SAT, ages=())], **YEAR)
    assert (nobody.amount_ore, nobody.excluded) == (0, ((2, "för få vandrare (0 av 1)"),))


def test_walk_one_walker_short_does_not_qualify():
    rule = PaymentRule("per_walk", amount_ore=300_000, min_walkers=4, min_age=20)
    result = evaluate(rule, [walk(7, FRI, ages=(30, 31, 32))], **YEAR)
    assert result.amount_ore == 0
    assert result.qualifying_walks == 0
    assert result.walks_considered == 1
    assert result.excluded == ((7, "för få vandrare (3 av 4)"),)
    assert result.explanation == "0 godkända vandringar × 3 000 kr"


# --- evening, period, municipality, enrolment -----------------------------------------------


def test_walk_over_midnight_belongs_to_the_friday_evening():
    over_midnight = walk(1, FRI, start=time(21), end=time(1))
    assert over_midnight.evening == FRI
    assert over_midnight.minutes == 240
    rule = PaymentRule("per_walk", amount_ore=100)
    # the period ends on the Friday: the walk still counts although it ends on Saturday
    result = evaluate(rule, [over_midnight], period_start=FRI, period_end=FRI)
    assert result.amount_ore == 100


def test_evening_is_the_stockholm_date_not_the_utc_date():
    # Saturday 00:30 in Stockholm is Friday 22:30 UTC
    late = walk(1, SAT, start=time(0, 30), end=time(2))
    assert late.start == datetime(2026, 5, 8, 22, 30, tzinfo=UTC)
    assert late.evening == SAT


def test_excluded_walks_carry_swedish_reasons():
    rule = PaymentRule("per_walk", amount_ore=150_000, min_walkers=2)
    walks = [
        walk(1, date(2025, 12, 31)),  # before the period
        walk(2, date(2026, 3, 6)),  # before the association enrolled
        walk(3, date(2026, 4, 3), municipality_id=9),  # another municipality
        walk(4, date(2026, 4, 10)),  # counts
        walk(5, date(2027, 1, 1)),  # after the period
    ]
    result = evaluate(
        rule,
        walks,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        municipality_ids={1, 2},
        enrolled_from=date(2026, 4, 1),
    )
    assert result.amount_ore == 150_000
    assert result.walks_considered == 1
    assert dict(result.excluded) == {
        1: "utanför avtalsperioden",
        2: "före anslutningsdatum",
        3: "utanför avtalets kommuner",
        5: "utanför avtalsperioden",
    }


def test_bad_period_and_naive_datetimes_are_rejected():
    with pytest.raises(ValueError):
        evaluate(PaymentRule("per_walk"), [], period_start=SAT, period_end=FRI)
    with pytest.raises(ValueError):
        ApprovedWalk(1, datetime(2026, 5, 8, 19), datetime(2026, 5, 8, 23), 1)
    with pytest.raises(ValueError):
        ApprovedWalk(1, local_to_utc(SAT, time(1)), local_to_utc(FRI, time(21)), 1)


# --- per hour and DST -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evening", "minutes", "amount", "explanation"),
    [
        (date(2027, 3, 27), 240, 180_000, "12 volontärtimmar × 150 kr"),  # clocks forward
        (date(2026, 10, 24), 360, 270_000, "18 volontärtimmar × 150 kr"),  # clocks back
        (date(2026, 5, 8), 300, 225_000, "15 volontärtimmar × 150 kr"),
    ],
)
def test_per_hour_dst_nights_22_to_03(evening, minutes, amount, explanation):
    night = walk(1, evening, ages=(40, 41, 42), start=time(22), end=time(3))
    assert night.minutes == minutes
    rule = PaymentRule("per_hour", amount_ore=15_000, min_age=20)
    period = {"period_start": date(2026, 1, 1), "period_end": date(2027, 12, 31)}
    result = evaluate(rule, [night], **period)
    assert result.volunteer_minutes == 3 * minutes
    assert (result.amount_ore, result.explanation) == (amount, explanation)


def test_per_hour_counts_only_old_enough_walkers_on_qualifying_walks():
    start = local_to_utc(FRI, time(20))
    walkers = (Walker(30, 250), Walker(31, 250), Walker(32, 250), Walker(17, 250))
    ok = ApprovedWalk(1, start, start + timedelta(hours=5), 1, walkers)
    short = ApprovedWalk(2, start, start + timedelta(hours=5), 1, walkers[:2])
    rule = PaymentRule("per_hour", amount_ore=15_000, min_walkers=3, min_age=18)
    result = evaluate(rule, [ok, short], **YEAR)
    assert result.volunteer_minutes == 750
    assert result.amount_ore == 187_500
    assert result.explanation == "12,5 volontärtimmar × 150 kr"
    assert result.excluded == ((2, "för få vandrare (2 av 3)"),)


@pytest.mark.parametrize(
    ("minutes", "rate", "expected"),
    [(1, 150, 3), (1, 90, 2), (1, 30, 1), (1, 29, 0), (60, 15_000, 15_000), (100, 100, 167)],
)
def test_per_hour_rounds_half_up(minutes, rate, expected):
    start = local_to_utc(FRI, time(20))
    one = ApprovedWalk(1, start, start + timedelta(minutes=minutes), 1, (Walker(30, minutes),))
    assert evaluate(PaymentRule("per_hour", amount_ore=rate), [one], **YEAR).amount_ore == expected


@given(minutes=st.integers(0, 100_000), rate=st.integers(0, 1_000_000))
def test_per_hour_integer_rounding_matches_decimal(minutes, rate):
    start = datetime(2026, 5, 8, 18, tzinfo=UTC)
    one = ApprovedWalk(1, start, start + timedelta(hours=5), 1, (Walker(30, minutes),))
    result = evaluate(PaymentRule("per_hour", amount_ore=rate), [one], **YEAR)
    exact = (Decimal(minutes) * rate / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert result.amount_ore == int(exact)


# --- per weekend ----------------------------------------------------------------------------

HALMSTAD = PaymentRule("per_weekend", amount_ore=350_000, min_walkers=5, min_age=22)


def test_weekend_pays_when_friday_and_saturday_both_qualify():
    fridays = [FRI, FRI + timedelta(days=7), FRI + timedelta(days=14)]
    walks = [walk(i, d) for i, d in enumerate(fridays)]
    walks += [walk(10 + i, d + timedelta(days=1)) for i, d in enumerate(fridays)]
    walks.append(walk(20, SAT))  # a second group the same Saturday changes nothing
    result = evaluate(HALMSTAD, walks, **YEAR)
    assert result.weekends == tuple(fridays)
    assert result.amount_ore == 1_050_000
    assert result.qualifying_walks == 7
    assert result.explanation == "3 helger (fre+lör) × 3 500 kr"


def test_weekend_with_only_one_night_pays_nothing():
    result = evaluate(HALMSTAD, [walk(1, FRI)], **YEAR)
    assert result.amount_ore == 0
    assert result.weekends == ()
    assert (
        result.explanation
        == "0 helger (fre+lör) × 3 500 kr; 1 kväll utan komplett helg ersätts inte"
    )


def test_weekend_whose_saturday_walk_is_short_pays_nothing():
    walks = [walk(1, FRI), walk(2, SAT, ages=(30, 30, 30, 30, 21))]
    result = evaluate(HALMSTAD, walks, **YEAR)
    assert result.amount_ore == 0
    assert result.excluded == ((2, "för få vandrare (4 av 5)"),)


def test_saturday_and_next_friday_are_not_combined():
    walks = [walk(1, SAT), walk(2, FRI + timedelta(days=7)), walk(3, SAT + timedelta(days=1))]
    result = evaluate(HALMSTAD, walks, **YEAR)
    assert result.amount_ore == 0
    assert result.qualifying_walks == 3
    assert result.explanation.endswith("3 kvällar utan komplett helg ersätts inte")


def test_weekend_counts_friday_walk_that_ends_on_saturday():
    walks = [walk(1, FRI, start=time(21), end=time(1)), walk(2, SAT, start=time(21), end=time(1))]
    result = evaluate(HALMSTAD, walks, **YEAR)
    assert result.weekends == (FRI,)
    assert result.amount_ore == 350_000
    assert result.explanation == "1 helg (fre+lör) × 3 500 kr"


# --- per package ----------------------------------------------------------------------------

UPPLANDS_BRO = PaymentRule(
    "per_package", min_walkers=3, min_age=20, packages=((5, 500_000), (10, 1_200_000))
)


def _walks(n: int) -> list[ApprovedWalk]:
    return [walk(i, date(2026, 1, 2) + timedelta(days=i)) for i in range(n)]


@pytest.mark.parametrize(
    ("walks", "amount", "explanation"),
    [
        (
            17,  # greedy: 1 x 10 + 1 x 5 + 2 left over
            1_700_000,
            "1 paket om 10 vandringar × 12 000 kr + 1 paket om 5 × 5 000 kr; "
            "2 vandringar utanför paket ersätts inte",
        ),
        (20, 2_400_000, "2 paket om 10 vandringar × 12 000 kr"),
        (5, 500_000, "1 paket om 5 vandringar × 5 000 kr"),
        (4, 0, "0 paket; 4 vandringar utanför paket ersätts inte"),
        (
            11,
            1_200_000,
            "1 paket om 10 vandringar × 12 000 kr; 1 vandring utanför paket ersätts inte",
        ),
    ],
)
def test_package_edges(walks, amount, explanation):
    result = evaluate(UPPLANDS_BRO, _walks(walks), **YEAR)
    assert (result.amount_ore, result.explanation) == (amount, explanation)


# --- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "cap", "paid", "budget", "expected"),
    [
        (500_000, 1_000_000, 700_000, None, (300_000, "taket för året nått")),
        (500_000, 1_000_000, 1_200_000, None, (0, "taket för året nått")),
        (500_000, None, 0, 200_000, (200_000, "budgeten är slut")),
        (500_000, None, 0, 0, (0, "budgeten är slut")),
        (500_000, None, 0, -300, (0, "budgeten är slut")),
        (500_000, 1_000_000, 500_000, 500_000, (500_000, None)),
        (7, None, 0, None, (7, None)),
        (500_000, 1_000_000, 600_000, 100_000, (100_000, "taket för året nått; budgeten är slut")),
    ],
)
def test_cap_and_budget_limits(amount, cap, paid, budget, expected):
    result = apply_limits(
        amount, cap_per_year_ore=cap, already_paid_this_year_ore=paid, budget_left_ore=budget
    )
    assert result == expected


# --- formatting and storage -----------------------------------------------------------------


def test_money_is_integer_ore_only():
    with pytest.raises(ValueError):
        format_sek(15.0)
    with pytest.raises(ValueError):
        apply_limits(-1, cap_per_year_ore=None, already_paid_this_year_ore=0, budget_left_ore=None)


def test_rule_round_trips_through_json():
    stored = json.loads(json.dumps(UPPLANDS_BRO.to_dict()))
    assert stored["packages"] == [[10, 1_200_000], [5, 500_000]]
    assert PaymentRule.from_dict(stored) == UPPLANDS_BRO
    assert PaymentRule.from_dict(HALMSTAD.to_dict()) == HALMSTAD
    assert PaymentRule.from_dict({"kind": "per_walk", "amount_ore": 150_000}) == PaymentRule(
        "per_walk", amount_ore=150_000
    )


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "per_evening", "amount_ore": 1},
        {"amount_ore": 1},
        {"kind": "per_walk", "amount_ore": -1},
        {"kind": "per_walk", "amount_ore": 1500.0},
        {"kind": "per_walk", "amount_ore": "1500"},
        {"kind": "per_walk", "amount_ore": True},
        {"kind": "per_walk", "amount_ore": 1, "min_walkers": -2},
        {"kind": "per_walk", "amount_ore": 1, "min_age": 200},
        {"kind": "per_walk", "amount_ore": 1, "colour": "red"},
        {"kind": "per_walk", "amount_ore": 1, "packages": [[5, 100]]},
        {"kind": "per_package"},
        {"kind": "per_package", "packages": [[5, 100], [5, 200]]},
        {"kind": "per_package", "packages": [[0, 100]]},
        {"kind": "per_package", "packages": [[5]]},
        {"kind": "per_package", "packages": "10:12000"},
        ["per_walk", 1],
    ],
)
def test_from_dict_rejects_bad_data(data):
    with pytest.raises(ValueError):
        PaymentRule.from_dict(data)


def test_describe_rule():
    assert describe_rule(HALMSTAD) == (
        "3 500 kr per helg (fredag och lördag); minst 5 vandrare, 22 år eller äldre"
    )
    assert describe_rule(UPPLANDS_BRO) == (
        "12 000 kr per 10 vandringar, 5 000 kr per 5 vandringar; "
        "minst 3 vandrare, 20 år eller äldre"
    )
    assert describe_rule(PaymentRule("per_hour", amount_ore=15_000)) == "150 kr per volontärtimme"
