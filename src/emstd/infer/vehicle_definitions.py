"""Vehicle categories given by their definition (GB/T 15089, EU 2018/858): maximum mass and seats decide.

Standards and statistics tables often name a category by the sentence that defines it ("最大设计总质量不超过3500kg的
载货车辆", "goods vehicles with a maximum mass exceeding 12 tonnes"). Goods vehicles: up to 3.5 t N1, 3.5-12 t N2,
over 12 t N3. Passenger vehicles: up to nine seats with the driver's M1; more, up to 5 t M2, over 5 t M3. The
category then answers as the catalog decides it (N1 -> Light Commercial Truck...). A definition that does not pin
one category (more than nine seats, no mass) says nothing.
"""

from __future__ import annotations

import re

_WORD_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                 "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10}
_NUMBER = r"(?P<n>\d+(?:[.,]\d+)?|[一二两三四五六七八九十]|one|two|three|four|five|six|seven|eight|nine|ten)"
_AT_MOST = (r"不超过|不大于|小于等于|不高于|≤|<=|not\s+exceeding|not\s+more\s+than|no\s+more\s+than|up\s+to|"
            r"at\s+most")
_ABOVE = r"超过|大于|高于|多于|>|exceeding|more\s+than|over|above"
_BOUND = rf"(?:(?P<most>{_AT_MOST})|(?P<above>{_ABOVE}))\s*"
_MASS = re.compile(rf"{_BOUND}{_NUMBER}\s*(?P<unit>kg|千克|公斤|t|吨|tonnes?|tons?)(?![a-z])")
# a range of masses ("3.6 to 9.9 t", "12.5-20 t", "1.5 up to 3 t") and an open upper class ("34 t and over")
_MASS_RANGE = re.compile(r"(?P<lo>\d+(?:[.,]\d+)?)\s*(?:t|kg|tonnes?|tons?)?\s*(?:-|–|to|up\s+to|bis|~)\s*"
                         r"(?P<hi>\d+(?:[.,]\d+)?)\s*(?P<unit>kg|t|tonnes?|tons?)(?![a-z])")
_MASS_FROM = re.compile(r"(?P<lo>\d+(?:[.,]\d+)?)\s*(?P<unit>kg|t|tonnes?|tons?)\s*(?:and\s+(?:over|above|more)|or\s+more|\+)")
_ANY_VEHICLE = re.compile(r"(?<![a-z])(?:motor\s+)?vehicles?(?![a-z])|机动车|车辆")
_SEATS = re.compile(rf"{_BOUND}{_NUMBER}\s*(?:个)?(?:座|seats?|人)(?P<driver>\s+in\s+addition\s+to\s+the\s+driver)?")
_GOODS = re.compile(r"载货|货车|货运|goods|cargo|freight|commercial|(?<![a-z])(?:trucks?|lorr(?:y|ies)|lkw)(?![a-z])")
_PASSENGERS = re.compile(r"载客|客车|乘用|载人|passengers?")

LIGHT_GOODS_KG, MEDIUM_GOODS_KG, SMALL_BUS_KG, CAR_SEATS = 3500, 12000, 5000, 9
MINIBUS_SEATS = 17  # sixteen passengers and the driver: the largest a name calls a minibus
# a seat count a name states ("up to 16 seats", "12 seater", "10-14 places"), the upper one of a range
_SEAT_COUNT = re.compile(r"(\d{1,2})(?:\s*(?:-|to)\s*(\d{1,2}))?[\s-]*(?:passenger[\s-]+)?(?:seats?|seater|seaters|places?)"
                         r"(?![a-z])")
# "3.500 kg", "15.000 kg": a point before three digits separates thousands (no vehicle weighs 15 kg)
_THOUSANDS = re.compile(r"^\d{1,3}\.\d{3}$")


def stated_seats(text: str) -> int | None:
    """The number of seats a folded name states, or None."""
    m = _SEAT_COUNT.search(text)
    if m is None or re.search(rf"(?:{_ABOVE}|from|at\s+least)\s*$", text[:m.start()]):
        return None  # "buses > 9 seats": a lower bound says nothing about the size
    return int(m.group(2) or m.group(1))


def category(text: str) -> str | None:
    """The M/N category a folded definition names, or None."""
    passengers = _PASSENGERS.search(text)
    if _GOODS.search(text) and not passengers:
        low, high = _mass_bounds(text)
        if high is not None and high <= LIGHT_GOODS_KG:
            return "N1"
        if low is not None and low >= MEDIUM_GOODS_KG:
            return "N3"
        if low is not None and low >= LIGHT_GOODS_KG and high is not None and high <= MEDIUM_GOODS_KG:
            return "N2"
        return None
    if not passengers and _ANY_VEHICLE.search(text):  # "Kraftfahrzeuge bis 3,5 t": every light vehicle
        low, high = _mass_bounds(text)
        if high is not None and high <= LIGHT_GOODS_KG and low is None:
            return "LDV"
    if passengers:
        low_seats, high_seats = _bounds(_SEATS, text, _seats)
        if high_seats is not None and high_seats <= CAR_SEATS:
            return "M1"
        if low_seats is not None and low_seats >= CAR_SEATS:
            low, high = _bounds(_MASS, text, _kg)
            if high is not None and high <= SMALL_BUS_KG:
                return "M2"
            if low is not None and low >= SMALL_BUS_KG:
                return "M3"
    return None


def _mass_bounds(text: str) -> tuple[float | None, float | None]:
    """(lower, upper) gross mass in kg a goods vehicle's name states: a range, an open class, or bounds."""
    if m := _MASS_RANGE.search(text):
        return _in_kg(m.group("lo"), m.group("unit")), _in_kg(m.group("hi"), m.group("unit"))
    if m := _MASS_FROM.search(text):
        return _in_kg(m.group("lo"), m.group("unit")), None
    return _bounds(_MASS, text, _kg)


def _bounds(pattern: re.Pattern, text: str, amount) -> tuple[float | None, float | None]:
    """(lower, upper) bounds the text states with `pattern`."""
    low = high = None
    for m in pattern.finditer(text):
        value = amount(m)
        if m.group("most"):
            high = value if high is None else min(high, value)
        else:
            low = value if low is None else max(low, value)
    return low, high


def _number(raw: str) -> float:
    """A number as written: "3,5" is 3.5 (a decimal comma), "3,500" is 3500 (a thousands comma)."""
    if raw in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[raw])
    return float(raw.replace(",", "") if re.fullmatch(r"\d{1,3},\d{3}", raw) else raw.replace(",", "."))


def _kg(m: re.Match) -> float:
    return _in_kg(m.group("n"), m.group("unit"))


def _in_kg(raw: str, unit: str) -> float:
    if unit in ("kg", "千克", "公斤"):
        return float(raw.replace(".", "")) if _THOUSANDS.match(raw) else _number(raw)
    return _number(raw) * 1000


def _seats(m: re.Match) -> float:
    return _number(m.group("n")) + (1 if m.group("driver") else 0)  # EU counts seats besides the driver's
