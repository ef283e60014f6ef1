"""Augmentations that mirror how names really arrive: wrapped in requests, with modifiers, noisy, full-width,
misspelt, mixed-language, with units. Each takes (text, rng) and returns a variant; all are deterministic for a
seeded `random.Random`.
"""

from __future__ import annotations

import random
import re

VEHICLE_CONTEXTS = [
    "查询{}的排放", "{}排放量", "{}的排放因子", "计算{}排放", "请问{}", "{}（辆）", "{}车流", "{} emissions",
    "emission factor for {}", "{} vehicles", "帮我查一下{}", "{}类车型", "车型：{}", "vehicle type: {}", "{}车辆",
]
POLLUTANT_CONTEXTS = [
    "{}排放量", "{}排放", "查询{}的排放", "{}排放因子", "{}（吨）", "{}(万吨)", "{} (g/km)", "{}_grams_per_mile",
    "{} emissions", "total {}", "{}(kg)", "{} [g/mi]", "{}排放总量", "{} emission rate", "{}浓度", "{} g/km",
    "请计算{}", "{}_total", "{}（mg/km）",
]
# the words mixed_language adds beside a name, per task: the same text is never a held-out name (data/split)
MIXED_WORDS = {"vehicle": ("车", "车辆", "车型", "类", "vehicle", "type", "class"),
               "pollutant": ("排放", "排放量", "的排放", "emission", "emissions", "total")}
VEHICLE_MODIFIERS_ZH = ["新能源", "国六", "国五", "柴油", "汽油", "纯电动", "混动", "天然气", "老旧", "营运", "国四"]
VEHICLE_MODIFIERS_EN = ["diesel", "gasoline", "electric", "hybrid", "CNG", "Euro 6", "China 6"]

FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
FULLWIDTH[" "] = "\u3000"


def _is_ascii_word(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{3,}", text))


def context(text: str, rng: random.Random, task: str) -> str:
    templates = VEHICLE_CONTEXTS if task == "vehicle" else POLLUTANT_CONTEXTS
    return rng.choice(templates).format(text)


def modifier(text: str, rng: random.Random, task: str) -> str:
    if task != "vehicle":
        return context(text, rng, task)
    if _is_ascii_word(text) and rng.random() < 0.6:
        return f"{rng.choice(VEHICLE_MODIFIERS_EN)} {text}"
    return f"{rng.choice(VEHICLE_MODIFIERS_ZH)}{text}"


def case_noise(text: str, rng: random.Random, task: str) -> str:
    return rng.choice([str.upper, str.lower, str.title, _random_case])(text) if _is_ascii_word(text) else spacing(text, rng, task)


def _random_case(text: str) -> str:
    rng = random.Random(text)
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def spacing(text: str, rng: random.Random, task: str) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return f" {text}  "
    if choice == 1 and " " in text:
        return text.replace(" ", rng.choice(["_", "-", "", "  "]))
    if choice == 2 and len(text) >= 2:
        i = rng.randrange(1, len(text))
        return text[:i] + " " + text[i:]
    return text + rng.choice(["。", "?", "？", ":", "：", "!"])


def fullwidth(text: str, rng: random.Random, task: str) -> str:
    if not re.search(r"[\x21-\x7e]", text):
        return spacing(text, rng, task)
    return "".join(FULLWIDTH.get(c, c) for c in text)


def typo(text: str, rng: random.Random, task: str) -> str:
    """One edit in a Latin word of five letters or more; CJK is left alone (a wrong character is another word)."""
    words = [m for m in re.finditer(r"[A-Za-z]{5,}", text)]
    if not words:
        return case_noise(text, rng, task)
    w = rng.choice(words)
    s, e = w.span()
    word = text[s:e]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:i] + word[i + 1 :]
    elif kind == 1:
        word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    else:
        word = word[:i] + word[i] + word[i:]
    return text[:s] + word + text[e:]


def mixed_language(text: str, rng: random.Random, task: str) -> str:
    if task == "vehicle":
        if _is_ascii_word(text):
            return f"{text}{rng.choice(MIXED_WORDS['vehicle'][:4])}"
        return f"{text} {rng.choice(MIXED_WORDS['vehicle'][4:])}"
    if _is_ascii_word(text) or re.search(r"[A-Za-z]", text):
        return f"{text}{rng.choice(MIXED_WORDS['pollutant'][:3])}"
    return f"{text} {rng.choice(MIXED_WORDS['pollutant'][3:])}"


def units(text: str, rng: random.Random, task: str) -> str:
    if task == "vehicle":
        return f"{text}{rng.choice(['(辆)', '（辆/h）', ' (veh)', '[pcu]', '(台)'])}"
    return f"{text}{rng.choice(['(t)', '（吨/年）', ' [g/km]', ' (mg/mi)', ' kg/h', '(g/kWh)', '（万吨）'])}"


AUGMENTATIONS = {
    "context": context, "modifier": modifier, "case": case_noise, "spacing": spacing, "fullwidth": fullwidth,
    "typo": typo, "mixed": mixed_language, "units": units,
}


def variants(alias: str, task: str, rng: random.Random, n: int) -> list[tuple[str, str]]:
    """The alias itself plus up to n distinct augmented variants, as (text, augmentation name)."""
    out = [(alias, "none")]
    seen = {alias}
    names = list(AUGMENTATIONS)
    for _ in range(n * 4):
        if len(out) > n:
            break
        name = rng.choice(names)
        text = AUGMENTATIONS[name](alias, rng, task)
        if rng.random() < 0.25:  # stack a second augmentation now and then, as real inputs do
            second = rng.choice([x for x in names if x != name])
            text = AUGMENTATIONS[second](text, rng, task)
            name = f"{name}+{second}"
        if text.strip() and text not in seen and len(text) <= 80:
            seen.add(text)
            out.append((text, name))
    return out
