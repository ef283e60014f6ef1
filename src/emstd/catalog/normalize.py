"""Text normalization shared by the catalog index, the rules engine and the dataset checks.

Every function is pure: str in, str out. The layers, from light to heavy:
  fold()            Unicode NFKC (full-width -> half-width, CO₂ -> CO2), HTML entities and <sub>/<sup> tags,
                    Traditional Chinese -> Simplified (懸浮微粒 -> 悬浮微粒), class numerals (一类 -> 1类), case,
                    white space.
  strip_wrappers()  what surrounds a name in real inputs: units and qualifiers in brackets, "排放量", "_grams_per_mile",
                    request phrasing ("查询…的排放").
  strip_modifiers() vehicle modifiers that do not change the MOVES source type (新能源, 国六, 柴油…).
  compact()         drop separators, so "PM 2.5", "PM2_5" and "pm-2.5" share one key.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(r"</?\s*(sub|sup|span|b|i|em|strong|small)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# Characters NFKC leaves alone but that mean the same as an ASCII one here.
_EXTRA = str.maketrans(
    {
        "\u3000": " ", "、": ",", "，": ",", "。": ".", "；": ";", "：": ":", "（": "(", "）": ")",
        "【": "[", "】": "]", "《": "<", "》": ">", "“": '"', "”": '"', "‘": "'", "’": "'",
        "—": "-", "–": "-", "−": "-", "～": "~", "·": " ", "•": " ", "／": "/", "％": "%",
        "µ": "u", "μ": "u",
    }
)


_CJK = re.compile(r"[\u3400-\u9fff]")
# "一类客车" and "1类客车" (toll and survey classes), "二轴" and "2轴" (axle counts) are one name
_CLASS_NUMERAL = re.compile(r"[一二三四五六七八九](?=[类轴])")
_NUMERALS = {c: str(i) for i, c in enumerate("一二三四五六七八九", start=1)}


@lru_cache(maxsize=1)
def _to_simplified():
    from opencc import OpenCC  # opencc-python-reimplemented (Apache-2.0): character-level t2s tables

    return OpenCC("t2s").convert


# a lower-case letter or digit before a capitalised word, an acronym before one ("COTotal": two lower-case
# letters at least, so that "NOx", "PMx", "SOx" stay whole), a word before an acronym ("RetrievedSO2")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[A-Z])(?=[A-Z][a-z]{2,})|(?<=[a-z])(?=[A-Z]{2})")


def split_camel(text: str) -> str:
    """A camelCase identifier as words ("pm2_5ConcMass" -> "pm2_5 Conc Mass", "coValue" -> "co Value",
    "MeanCOValue" -> "Mean CO Value"); acronyms stay whole ("NOx", "PMx", "CO2e"). Only where words are read,
    never in a catalog key."""
    return _CAMEL.sub(" ", str(text))


def fold(text: str) -> str:
    """Canonical surface form: NFKC, HTML decoded, tags dropped, Simplified Chinese, class numerals as digits,
    lower case, single spaces."""
    text = html.unescape(str(text))
    text = _TAG.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_EXTRA)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width spaces, BOMs
    if _CJK.search(text):
        text = _CLASS_NUMERAL.sub(lambda m: _NUMERALS[m.group(0)], _to_simplified()(text))
    return _SPACE.sub(" ", text).strip().lower()


# Letters NFKD does not decompose into a base letter and an accent
_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss", "ı": "i", "æ": "ae", "ð": "d", "þ": "th"})


def unaccent(text: str) -> str:
    """Lower case without accents ("Caminhão" -> "caminhao", "Διοξείδιο" -> "διοξειδιο"): how the grammars of
    other languages match their stems, since real lists drop accents as often as they keep them."""
    return _ACCENTED_RUN.sub(lambda m: _strip_marks(m.group(0)), text.lower().translate(_LETTERS))


# Thai, Lao, kana and Hangul are left whole: NFKD would take the vowel signs off Thai and Lao words, the voicing mark off バ,
# and split 버 into its letters
_ACCENTED_RUN = re.compile(r"[^\u0e00-\u0eff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")


def _strip_marks(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if unicodedata.category(ch) != "Mn")


# --- wrappers -----------------------------------------------------------------------------------------------

# a bracket may hold a comparison: "(GVM > 3 500 kg)" is one qualifier
_BRACKETED = re.compile(r"\s*(?:\([^()\[\]{}]*\)|\[[^()\[\]{}]*\]|\{[^()\[\]{}]*\}|<[^<>()]*>)\s*")
_REQUEST_PREFIX = re.compile(
    r"^(?:请问|请|麻烦|帮我|帮忙|我想|我要|想)?\s*(?:查询一下|查询|查一下|查下|查查|查|计算一下|计算下|计算|算一下|算下|算|"
    r"看看|看一下|看下|统计|求)?\s*(?:一下)?\s*(?:一辆|一台|辆)?\s*"  # 算下, 查下: spoken 算一下, 查一下
)
_EN_REQUEST = re.compile(
    r"^(?:please\s+)?(?:(?:show|give|get|calculate|compute|find|query|look\s*up)(?:\s+me)?\s+)?(?:the\s+)?"
    r"(?:emissions?(?:\s+(?:factors?|rates?))?\s+(?:of|for)\s+)?",
)
# "vehicle type: 小汽车", "车型：重卡": a field label in front of the value
_LABEL_PREFIX = re.compile(
    r"^(?:vehicle\s*(?:type|class|category)?|veh\s*type|source\s*type|pollutant|车型|车辆类型|车辆类别|车种|污染物|type|class)"
    r"\s*[:=]\s*"
)
# generic words after a vehicle name that do not change it ("小汽车 vehicle", "43车辆", "SUV类")
_VEHICLE_TAIL = re.compile(r"(?<=\S)(?:[\s_\-]*(?:vehicles?|veh|type|class|category)|车辆|车型|类型|类|"
                           r"\s+in\s+(?:use|service|circulation|operation)|[\s_]+group)\s*$")  # "Lorries In Use"
_EN_HEAD = re.compile(r"^(?:total|tot|tailpipe|exhaust|running|primary|net|emitted|emission|emissions)[\s_\-]+(?=\S)")
_ZH_TAIL = re.compile(
    r"(?:的)?(?:年|日|小时)?(?:平均)?(?:排放(?:总量|量|因子|率|速率|强度|浓度|值|数据)?|排出量|总量|浓度|含量|"
    r"排放是多少|是多少|有多少|多少)+\s*$"
)
_EN_TAIL = re.compile(  # short tails only as whole words: "semi-trailer" keeps its "er", "biomass" its "mass"
    r"(?:[\s_\-]*(?:total|emissions?|emission[\s_]*(?:rate|factor)s?|emiss|running|exhaust|tailpipe|"
    r"concentration|inventory|conc|value|amount|avg|mean|(?<![a-z])(?:tot|rate|factor|ef|er|mass|start|sum)))+\s*$"
)
_UNIT_TAIL = re.compile(  # the unit must not be glued to a word: "co2_running" keeps its "g"
    r"[\s_\-]*(?<![a-z])(?:(?:g|grams?|kg|kilograms?|mg|milligrams?|t|tons?|tonnes?|lbs?|pounds?|ug|ppm|ppb)"
    r"(?:[\s_\-]*(?:/|per|p)[\s_\-]*(?:mile|mi|km|kilometers?|kilometres?|veh|vehicles?|hour|hr|h|s|sec|second|day|d|"
    r"year|yr|a|kwh|bhp[\s_\-]*hr|m3|nm3))*)\s*$"
)
_ZH_UNIT_TAIL = re.compile(r"[\s_\-]*(?:万吨|吨|千克|公斤|克|毫克|克每公里|克/公里|克每千米)\s*$")
_LEAD_PUNCT = re.compile(r"^[\s,.;:!?'\"\-_/|#*=+]+")
_TAIL_PUNCT = re.compile(r"[\s,.;:!?'\"\-_/|#*=+?？]+$")


def _trim(text: str) -> str:
    return _TAIL_PUNCT.sub("", _LEAD_PUNCT.sub("", text)).strip()


def strip_request(text: str) -> str:
    """Only the request around a name ("帮忙算下碳排放" -> "碳排放", "vehicle type: bus" -> "bus"): the form to try
    before the emission words go too ("碳排放" is a name; "碳" alone is not)."""
    text = _REQUEST_PREFIX.sub("", text, count=1) if re.match(r"^[\u4e00-\u9fff]", text) else text
    return _trim(_EN_REQUEST.sub("", _LABEL_PREFIX.sub("", text, count=1), count=1)) or text


def strip_wrappers(text: str) -> str:
    """Remove what surrounds a name: bracketed units/qualifiers, emission words, unit suffixes, request phrasing.

    Works on folded text. Returns the input unchanged when stripping would leave nothing.
    """
    original = text
    text = _BRACKETED.sub(" ", text)
    text = _trim(text)
    for _ in range(3):  # wrappers nest ("查询重卡的NOx排放量(吨)"): peel until stable
        before = text
        text = _REQUEST_PREFIX.sub("", text, count=1) if re.match(r"^[\u4e00-\u9fff]", text) else text
        text = _LABEL_PREFIX.sub("", text, count=1)
        text = _EN_REQUEST.sub("", text, count=1)
        text = _EN_HEAD.sub("", text, count=1)
        text = _ZH_TAIL.sub("", text)
        text = _ZH_UNIT_TAIL.sub("", text)
        text = _UNIT_TAIL.sub("", text)
        text = _EN_TAIL.sub("", text)
        text = _trim(text)
        if text == before:
            break
    return text or original


# --- vehicle modifiers ----------------------------------------------------------------------------------------

_VEHICLE_MODIFIERS = [
    # fuel and powertrain: MOVES keeps fuel separate from source type
    "新能源", "纯电动", "纯电", "电动", "插电式混合动力", "插电混动", "插混", "混合动力", "油电混合", "混动", "增程式",
    "氢燃料电池", "燃料电池", "氢能", "柴油", "汽油", "天然气", "燃气", "lng", "cng", "lpg", "液化气", "甲醇", "乙醇",
    "diesel", "gasoline", "petrol", "electric", "battery electric", "bev", "phev", "hev", "hybrid", "cng-fueled",
    "natural gas", "ev",
    # drive trains: a car, SUV or pickup with four driven wheels is the same source type
    "2wd", "4wd", "awd", "fwd", "rwd", "4x4", "4x2",
    # emission standard stages
    "国一", "国二", "国三", "国四", "国五", "国六", "国6", "国5", "国4", "国3", "国六b", "国六a", "国vi", "国v", "国iv",
    "china 6", "china 5", "euro 6", "euro 5", "euro 4", "euro vi", "euro v", "euro iv", "欧六", "欧五", "欧四",
    "tier 3", "tier 2",
    # ownership, age and use words that do not change the type
    "老旧", "黄标", "新款", "二手", "私家", "私人", "自用", "营运", "非营运", "社会", "外地", "本地", "进口", "国产",
    "一辆",
    # no single characters (的, 新, 辆...): removed anywhere, they break names ("新能源的士" must keep "的士")
]
_MODIFIER_RE = re.compile(
    r"(?:(?<![a-z])(?:" + "|".join(re.escape(m) for m in sorted(_VEHICLE_MODIFIERS, key=len, reverse=True) if m.isascii())
    + r")(?![a-z])|"
    + "|".join(re.escape(m) for m in sorted(_VEHICLE_MODIFIERS, key=len, reverse=True) if not m.isascii())
    + ")"
)


def strip_modifiers(text: str) -> str:
    """Drop fuel, emission-stage and ownership modifiers, and generic words like "vehicle" or "车辆" after the
    name, from a folded vehicle name ("国六柴油重卡" -> "重卡", "小汽车 vehicle" -> "小汽车")."""
    stripped = _trim(_SPACE.sub(" ", _MODIFIER_RE.sub(" ", text)))
    stripped = _trim(_VEHICLE_TAIL.sub("", stripped)) or stripped
    return stripped or text


# --- keys -----------------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s_\-\.,;:/\\'\"`|#*+=~]+")
_DECIMAL = re.compile(r"(?<=\d)\s*[._]\s*(?=\d)")


def compact(text: str) -> str:
    """Drop separators so spelling variants share a key ("PM 2.5", "pm2_5", "PM2.5" -> "pm2.5").

    A point (or underscore) between digits is a decimal point and stays: "PM1.0" is not "PM10".
    """
    parts = _DECIMAL.split(text)
    return ".".join(_SEPARATORS.sub("", p) for p in parts)


def key(text: str) -> str:
    """The exact-match key of a catalog alias or an input: fold, then compact."""
    return compact(fold(text))


_LAST_WORD = re.compile(r"([a-z]+)$")


def singular(word: str) -> str:
    """The singular of an English plural noun ("lorries" -> "lorry", "buses" -> "bus", "vehicles" ->
    "vehicle"); any other word unchanged ("bus", "minibus", "class")."""
    if word.endswith("taxis"):  # not "axis": a taxi's plural
        return word[:-1]
    if len(word) < 4 or not word.isascii() or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "uses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _singular_head(form: str) -> str:
    """`form` with its last (head) word in the singular: statistics tables name classes in the plural."""
    return _LAST_WORD.sub(lambda m: singular(m.group(1)), form)


def candidate_forms(text: str, task: str) -> list[str]:
    """Readable forms of an input, from the literal (folded) one to the most stripped one, without repeats.

    `task` is "vehicle", "pollutant" or "column"; only vehicles lose modifiers and English plurals.
    """
    folded = fold(text)
    forms = [folded, strip_request(folded), strip_wrappers(folded)]
    if task == "vehicle":
        forms += [strip_modifiers(forms[-1]), strip_wrappers(strip_modifiers(forms[-1]))]
        # each form, then its singular: the last stays the most normalized (the data split's group key)
        forms = [g for f in forms for g in (f, _singular_head(f))]
    if "的" in forms[-1]:  # "高速上的细颗粒物", "北京的重卡": the name is what comes after the last 的
        forms.append(strip_wrappers(forms[-1].rsplit("的", 1)[1]))
    return [f for f in dict.fromkeys(forms) if f]


def candidate_keys(text: str, task: str) -> list[str]:
    """Exact-match keys to try in order (the compacted candidate_forms), without repeats."""
    return [k for k in dict.fromkeys(compact(f) for f in candidate_forms(text, task)) if k]
