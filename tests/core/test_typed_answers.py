"""What non-programmers type into a number box is read, or answered with one plain sentence: never a traceback."""

import random

import pytest

from border_bargains.core.typed_answers import TypedAnswerProblem, clean_text, format_number, parse_number

BILLIONS = "billion US$"


@pytest.mark.parametrize(("typed", "unit", "value"), [
    ("839.89", BILLIONS, 839.89),
    ("$839.89", BILLIONS, 839.89),
    ("US$ 839.89", BILLIONS, 839.89),
    ("839.89 billion", BILLIONS, 839.89),
    ("839.89bn", BILLIONS, 839.89),
    ("  839.89  ", BILLIONS, 839.89),
    ("1,72", "times", 1.72),
    ("1.72x", "times", 1.72),
    ("1.72 times", "times", 1.72),
    ("about 1.7", "times", 1.7),
    ("1.7 about", "times", 1.7),
    ("≈ 4.3", "times", 4.3),
    ("14,699.88", "", 14699.88),
    ("14.699,88", "", 14699.88),
    ("1 234,5", "", 1234.5),
    ("1.234.567", "", 1234567.0),
    ("465.8%", "%", 465.8),
    ("465,8 %", "%", 465.8),
    ("−25,622", "deaths", -25622.0),
    ("-25622 deaths", "deaths", -25622.0),
    ("– 25,622", "deaths", -25622.0),
    ("31 days", "days", 31.0),
    ("３１", "days", 31.0),  # full-width digits
    (31, "days", 31.0),
    (1.72, "times", 1.72),
])
def test_numbers_as_people_write_them(typed, unit, value):
    assert parse_number(typed, unit) == pytest.approx(value)


@pytest.mark.parametrize(("typed", "unit", "words"), [
    ("abc", "", "has no number in it"),
    ("", "", "The box is empty"),
    ("   ", "", "The box is empty"),
    ("1,2,3", "", "commas in unusual places"),
    ("1.2.3", "", "more than one decimal point"),
    ("12 apples", "", "words I cannot read"),
    ("5 million", BILLIONS, "This answer is in billions"),
    ("839,890,000,000", BILLIONS, "would be 839.89 billion; type just 839.89"),
    ("12%", "times", "not a percentage"),
    (float("inf"), "", "not a finite number"),
    (True, "", "not True or False"),
    (None, "", "you gave NoneType"),
])
def test_what_cannot_be_read_gets_one_plain_sentence(typed, unit, words):
    with pytest.raises(TypedAnswerProblem, match=words) as info:
        parse_number(typed, unit)
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message


def test_anything_typed_either_reads_or_explains():
    """A seeded fuzz over keyboard characters: the only exception ever raised is TypedAnswerProblem."""
    rng = random.Random(20261128)
    alphabet = "0123456789.,-−+ $%€£kmbnxabcdefghijklmnopqrstuvwxyz~≈'\u00a0\t"
    for _ in range(5000):
        typed = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        unit = rng.choice(["", BILLIONS, "%", "times", "days"])
        try:
            value = parse_number(typed, unit)
        except TypedAnswerProblem as problem:
            assert str(problem).strip()
        else:
            assert isinstance(value, float)


def test_short_text_is_trimmed_and_bounded():
    assert clean_text("  Customs   and Border\nProtection ") == "Customs and Border Protection"
    with pytest.raises(TypedAnswerProblem, match="empty"):
        clean_text("   ")
    with pytest.raises(TypedAnswerProblem, match="at most 200"):
        clean_text("x" * 201)


@pytest.mark.parametrize(("value", "shown"), [(839.89, "839.89"), (1.7206, "1.7206"), (-25622.0, "-25,622"),
                                              (0.1 + 0.2, "0.3"), (-0.0, "0")])
def test_saved_numbers_read_back_without_float_noise(value, shown):
    assert format_number(value) == shown
