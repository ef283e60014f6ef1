import pytest

from emstd.catalog.normalize import candidate_keys, compact, fold, key, strip_modifiers, strip_wrappers


@pytest.mark.parametrize(
    "raw, folded",
    [
        ("ＣＯ₂", "co2"),  # full-width letters, Unicode subscript
        ("NO<sub>x</sub>", "nox"),  # HTML subscript
        ("NO&lt;sub&gt;x&lt;/sub&gt;", "nox"),  # HTML-escaped subscript
        ("PM₂.₅", "pm2.5"),
        ("PM&#8322;&#46;&#8325;", "pm2.5"),  # numeric entities
        ("  Passenger   Car ", "passenger car"),
        ("大货车（辆）", "大货车(辆)"),  # full-width brackets
        ("SO\u2082\u200b", "so2"),  # zero-width space dropped
        ("Ｍ１", "m1"),
        ("ＮＯｘ", "nox"),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize(
    "raw, stripped",
    [
        ("nox排放量(万吨)", "nox"),
        ("二氧化碳排放量", "二氧化碳"),
        ("nox_grams_per_mile", "nox"),
        ("co2(total)", "co2"),
        ("pm2.5 (kg)", "pm2.5"),
        ("查询大货车的排放", "大货车"),
        ("请问重卡的排放因子是多少", "重卡"),
        ("co emissions", "co"),
        ("total thc", "thc"),
        ("so2 g/km", "so2"),
        ("氮氧化物浓度", "氮氧化物"),
        ("co2_g_per_km", "co2"),
        ("排放量", "排放量"),  # stripping everything would leave nothing: keep the input
    ],
)
def test_strip_wrappers(raw, stripped):
    assert strip_wrappers(raw) == stripped


@pytest.mark.parametrize(
    "raw, stripped",
    [("国六柴油重卡", "重卡"), ("新能源公交车", "公交车"), ("diesel truck", "truck"), ("纯电动出租车", "出租车"),
     ("electric bus", "bus"), ("小汽车", "小汽车"), ("新能源的士", "的士")],
)
def test_strip_modifiers(raw, stripped):
    assert strip_modifiers(raw) == stripped


def test_compact_unifies_separators():
    assert {compact(fold(s)) for s in ["PM 2.5", "pm2_5", "PM2.5", "pm-2.5", "ＰＭ２．５"]} == {"pm2.5"}
    assert compact(fold("PM1.0")) != compact(fold("PM10"))
    assert compact(fold("Passenger-Car")) == compact(fold("passenger car")) == "passengercar"


@pytest.mark.parametrize("raw", ["co2_running", "nox_start", "heading"])
def test_unit_suffix_needs_a_boundary(raw):
    assert strip_wrappers(raw) != raw[:-1]


def test_key_is_idempotent():
    for s in ["NO<sub>x</sub> 排放量", "Passenger Car", "大货车（辆）", "CO₂(total)"]:
        assert key(key(s)) == key(s)


def test_candidate_keys_order_and_uniqueness():
    keys = candidate_keys("查询国六柴油重卡的排放量(吨)", "vehicle")
    assert keys[0] == key("查询国六柴油重卡的排放量(吨)")
    assert keys[-1] == "重卡"
    assert len(keys) == len(set(keys))
    # pollutants never lose "modifiers": a word like 柴油 is not stripped for them
    assert candidate_keys("柴油NOx", "pollutant")[-1] == "柴油nox"
