"""Turning what a student types into a number or a short text, with one plain sentence when it cannot.

Students who are not programmers type numbers the way they write them:
``$839.89``, ``839.89 billion``, ``US$ 839.89``, ``1,72`` (decimal comma),
``14,699.88``, ``about 1.7``, ``465.8%``, ``−25,622`` (a typographic minus).
None of these may end in a traceback. :func:`parse_number` accepts them and
returns a float, or raises :class:`TypedAnswerProblem` whose message is one
sentence that says what to type instead. Nothing here guesses silently: a
separator that could mean two things (``1,234``) is read the way English
writes it, and the box then shows the number it saved, so the student sees
how it was read.

Only the standard library is used: the module runs in students' kernels.
"""

from __future__ import annotations

import math
import re
import unicodedata

from border_bargains.core.numbers import format_number
from border_bargains.core.specs import TEXT_MAX


class TypedAnswerProblem(ValueError):
    """What was typed cannot be read; the message is one sentence for the student."""


# Words and signs around a number that change nothing about it.
_HEDGES = ("approximately", "approx.", "approx", "about", "around", "roughly", "nearly", "almost", "circa", "ca.",
           "~", "≈")
_CURRENCY = ("us$", "usd", "mxn", "mx$", "dollars", "dollar", "pesos", "peso", "$", "€", "£")
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
           "trillion": 1e12, "tn": 1e12}
_MINUS = "\u2212\u2012\u2013\u2014\ufe63\uff0d"  # typographic minus and dashes typed as a minus
_NUMBER = re.compile(r"[-+]?[0-9][0-9.,' \u00a0\u202f]*")


def _scale_of(unit: str) -> tuple[str, float] | None:
    """The scale word a unit is stated in ("billion US$" -> ("billion", 1e9)), if any."""
    for word in re.findall(r"[a-z]+", unit.lower()):
        if word in ("thousand", "million", "billion", "trillion"):
            return word, _SCALES[word]
    return None


def _read_digits(text: str) -> float:
    """Digits with thousands separators and a decimal point or comma, as people write them."""
    digits = re.sub(r"[ '\u00a0\u202f]", "", text)
    sign = ""
    if digits[:1] in "+-":
        sign, digits = digits[0], digits[1:]
    if "," in digits and "." in digits:  # the later one is the decimal separator: 14,699.88 or 14.699,88
        thousands, decimal = (",", ".") if digits.rfind(".") > digits.rfind(",") else (".", ",")
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif "," in digits:
        groups = digits.split(",")
        if len(groups) == 2 and len(groups[1]) != 3:  # 1,72 or 0,5: a decimal comma
            digits = ".".join(groups)
        elif all(len(g) == 3 for g in groups[1:]) and groups[0]:  # 1,234 or 1,234,567: thousands
            digits = "".join(groups)
        else:
            raise TypedAnswerProblem(f"“{text.strip()}” has commas in unusual places; type the number with a "
                                     "decimal point and no thousands separators, for example 1234.5.")
    elif digits.count(".") > 1:
        groups = digits.split(".")
        if all(len(g) == 3 for g in groups[1:]) and groups[0]:  # 1.234.567: thousands, as in Spanish
            digits = "".join(groups)
        else:
            raise TypedAnswerProblem(f"“{text.strip()}” has more than one decimal point; type it with one, "
                                     "for example 1234.5.")
    if not digits or not re.fullmatch(r"[0-9]*\.?[0-9]*", digits) or digits == ".":
        raise TypedAnswerProblem(f"“{text.strip()}” is not a number I can read; type digits only, for "
                                 "example 1234.5.")
    return float(sign + digits)


def parse_number(typed: str | int | float, unit: str = "") -> float:
    """Read a typed number; ``unit`` is the unit the question asks for (e.g. "billion US$", "%")."""
    if isinstance(typed, bool):
        raise TypedAnswerProblem("Type a number, not True or False.")
    if isinstance(typed, int | float):
        value = float(typed)
        if not math.isfinite(value):
            raise TypedAnswerProblem("That is not a finite number; type an ordinary number such as 1234.5.")
        return value
    if not isinstance(typed, str):
        raise TypedAnswerProblem(f"Type a number (you gave {type(typed).__name__}); for example 1234.5.")
    text = unicodedata.normalize("NFKC", typed).strip().lower()
    for dash in _MINUS:
        text = text.replace(dash, "-")
    if not text:
        raise TypedAnswerProblem("The box is empty; type a number, for example 1234.5.")
    percent = "%" in text or "percent" in text or "per cent" in text
    text = re.sub(r"%|per ?cent", " ", text)
    for hedge in _HEDGES:
        text = text.replace(hedge, " ")
    for sign in _CURRENCY:
        text = text.replace(sign, " ") if not sign.isalpha() else re.sub(rf"\b{re.escape(sign)}\b", " ", text)
    text = re.sub(r"(?<=[0-9])\s*[x×](?![a-z])|×|\b(times|fold|days?|deaths?|people|lbs?|pounds|events)\b", " ", text)
    match = _NUMBER.search(text)
    if match is None:
        raise TypedAnswerProblem(f"“{typed.strip()}” has no number in it; type digits, for example 1234.5.")
    before, number, after = text[:match.start()], match.group().strip(" '\u00a0\u202f"), text[match.end():]
    words = re.findall(r"[a-z]+", before + " " + after)
    value = _read_digits(number)
    if text[:match.start()].rstrip().endswith("-") and value > 0:
        value = -value
    scale_words = [w for w in words if w in _SCALES]
    stray = [w for w in words if w not in _SCALES]
    if stray:
        raise TypedAnswerProblem(f"“{typed.strip()}” has words I cannot read as part of a number "
                                 f"(“{' '.join(stray)}”); type only the number, for example 1234.5.")
    if scale_words:
        asked = _scale_of(unit)
        typed_scale = _SCALES[scale_words[0]]
        if asked is None:
            value *= typed_scale
        elif typed_scale != asked[1]:
            raise TypedAnswerProblem(f"This answer is in {asked[0]}s; convert “{typed.strip()}” to {asked[0]}s "
                                     "and type just that number.")
    asked = _scale_of(unit)
    if asked is not None and not scale_words and abs(value) >= asked[1]:
        raise TypedAnswerProblem(f"This answer is in {asked[0]}s: {format_number(value)} would be "
                                 f"{format_number(value / asked[1])} {asked[0]}; type just "
                                 f"{format_number(value / asked[1])}.")
    if percent and "%" not in unit and "percent" not in unit.lower():
        raise TypedAnswerProblem("This answer is not a percentage; type the number without a % sign.")
    if not math.isfinite(value):
        raise TypedAnswerProblem("That number is too large to read; check the digits.")
    return value


def normalise_text(typed: str) -> str:
    """A short text answer as compared with the key: trimmed, single spaces, no case, no end punctuation."""
    text = unicodedata.normalize("NFKC", typed)
    text = re.sub(r"\s+", " ", text).strip().strip(".;:!?\"'“”‘’").strip()
    return text.casefold()


def clean_text(typed: str) -> str:
    """A short text answer as saved: trimmed and single-spaced, or a plain sentence when it cannot be."""
    if not isinstance(typed, str):
        raise TypedAnswerProblem(f"Type a short text answer (you gave {type(typed).__name__}).")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", typed)).strip()
    if not text:
        raise TypedAnswerProblem("The box is empty; type a short answer.")
    if len(text) > TEXT_MAX:
        raise TypedAnswerProblem(f"That is {len(text)} characters; this answer takes at most {TEXT_MAX}. "
                                 "Shorten it to the few words asked for.")
    return text
