"""Vehicle names that follow a scheme or a grammar rather than a list (docs/catalog.md, "Structured rules").

A compound name is decided by its head noun and, where present, a strong modifier: a short-haul marker on a
tractor name (短途半挂 -> Combination Short-haul), a school marker on a bus name (学生客车 -> School Bus), a transit
marker inside a passenger-vehicle word (公交客车, UBus -> Transit Bus). Registration names (GA 802: size + body +
type, 重型罐式货车) reduce to their size and type (重型货车), which the catalog decides; a size-classed trailer
(重型普通半挂车) is a trailer, not a motor vehicle. Schemes: US axle-configuration codes (SU3, 3S2, 2S1-2), UN/EU and
GB/T 15089 category codes with their suffixes (N2类, L3e-A1), freight-platform lengths (4.2米厢式, 9.6米).

Every function takes a folded, stripped name (catalog.normalize) and a `lookup(name) -> (found, label)` into the
catalog, so the catalog's documented defaults decide whatever the grammar reduces a name to.
"""

from __future__ import annotations

import re

from emstd.catalog.normalize import singular
from emstd.infer import vehicle_definitions
from emstd.infer.catalog_names import Decision, Lookup, named

SHORT, LONG = "短途|短驳|区域|城配|城市配送|港口|港区|码头|市内|短距离", "长途|干线|城际|长距离"
_SHORT_EN = r"local|short[\s-]?haul|drayage|port|regional|urban\s+delivery"
# interstate operation: registered for other states (CARB's out-of-state and International Registration Plan trucks)
# a sleeper cab is for nights away: long-haul operation
_LONG_EN = (r"long[\s-]?haul|line[\s-]?haul|interstate|out[\s-]of[\s-]state|international\s+registration\s+plan|"
            r"sleeper(?:[\s-]?cabs?)?")

_TRAILER_ONLY = re.compile(r"^(?:重型|中型|轻型)\S{0,8}(?:半挂车|全挂车)$")
_COMBINATION = re.compile(r"牵引车|半挂|拖挂|单挂|双挂|多挂|汽车列车|挂车列车|铰接货车|集卡|拖头|车头|"
                          r"(?<![a-z])(?:tractors?|semi(?:[\s-]?(?:trailers?|tractors?|trucks?))?|single[\s-]trailers?|multi[\s-]trailers?|"
                          r"combination|articulated|artic|tt/at|truck[\s-]trailers?|prime[\s-]?movers?|b[\s-]?(?:doubles?|triples?)|"
                          r"multi[\s-]?units?|mu[\s-]+trucks?|"  # US counts: SU and MU (multi-unit) trucks
                          r"road[\s-]?trains?)(?![a-z])")
# a deck count names a bus ("double-deckers", "single-deck vehicles"): no other road vehicle is counted by decks
_DECK = r"(?:double|single|two|one)[\s-]?(?:deck(?:er|ers|ed)?|stor(?:e)?y|storeyed)"
_BUS = re.compile(r"客车|大巴|中巴|巴士|公交|校车|通勤车|(?<![a-z])(?:u?bus|buses|coach(?:es)?|(?:mini|midi|micro)[\s-]?bus(?:es)?|"
                  rf"omnibus(?:es)?|{_DECK})(?![a-z])")
_CHASSIS_CAB = r"chassis[\s-]?cabs?|cab[\s-]?(?:and[\s-]?)?chassis"  # a cab on a chassis, the body fitted later
_TRUCK = re.compile(r"货车|卡车|载货汽车|专项作业车|作业车|(?<![a-z])(?:trucks?|lorry|lorries|hgvs?|rigid|rt|goods[\s-]vehicles?|"
                    rf"single[\s-]unit|{_CHASSIS_CAB})(?![a-z])")
# a light or small truck ("small lorries"); EPA's light-duty truck is a Passenger Truck
_LIGHT = re.compile(r"(?<![a-z])(?:light|small|mini)(?![a-z])(?![\s-]*(?:heavy|duty))")
_SINGLE_UNIT = re.compile(r"(?<![a-z])(?:single[\s-]unit|rigid)(?![a-z])")

_SCHOOL = re.compile(r"校车|学生|幼儿|(?<![a-z])(?:school|educational|education|student|pupil)s?(?![a-z])")
# MOVES4 calls source type 41 "Other Buses": buses that are neither transit nor school buses. A private, hired,
# chartered, staff or tour bus is one of them, whatever its size (decided like 大巴, before the transit words).
_OTHER_BUS = re.compile(r"私家|私人|自用|包车|租赁|通勤|(?<![a-z])(?:private|privately|hire|hired|charter|chartered|"
                        r"rental|non[\s-]?franchised|staff|employee|company|works?|tourist|excursion|hotel|"
                        r"organi[sz]ations?|"
                        r"sightseeing)(?![a-z])")
_TRANSIT = re.compile(r"公交|城市|城区|市区|铰接|(?<![a-z])(?:transit|city|urban|ubus|articulated|artic|public|route|"
                      r"scheduled)(?![a-z])")
# a small bus of no stated service: an EU M2 minibus, decided like 中巴
_SMALL_BUS = re.compile(r"(?<![a-z])(?:(?:mini|midi|micro)[\s-]?bus(?:es)?|light|small)(?![a-z])")
_INTERCITY = re.compile(r"长途|旅游|班线|客运|城际|公路客车|(?<![a-z])(?:coach(?:es)?|intercity|inter-city|touring|"
                        r"tour|long[\s-]distance|highway|motorway|freeway)(?![a-z])")
_HOME = re.compile(r"房车|旅居|(?<![a-z])(?:motor\s?homes?|motorhomes?|campers?|campervans?|camping[\s-]?cars?|rvs?)"
                   r"(?![a-z])")
_REFUSE = re.compile(r"垃圾|(?<![a-z])(?:refuse|garbage|trash|swcv|(?:solid[\s-]+)?waste[\s-]+(?:collection|collector))"
                     r"(?![a-z])")
# US weight classes: light-heavy-duty (8,501-19,500 lb GVWR: class 3-5), medium-heavy-duty (to 33,000 lb: 6-7),
# heavy-heavy-duty (class 8, mostly tractors); CARB and EPA write them LHD(T), MHD(T), HHD(T)
_DUTY = re.compile(r"(?<![a-z])(light|medium|heavy)[\s-]+heavy[\s-]*duty(?![a-z])")
_DUTY_CODE = re.compile(r"^([lmh])hd(?:t|v)?\d?$")
_DUTY_NAME = {"light": "LHD<=10k", "medium": "MHD", "heavy": "HHD", "l": "LHD<=10k", "m": "MHD", "h": "HHD"}
_AXLE_CLASS = re.compile(r"^(?:(?:motor\s+)?vehicles?\s+(?:with|having)\s+)?(?:up\s?to\s+)?(\d{1,2})(?:\s*(?:to|-|or)\s*(?:\d{1,2}|more))?\s*(?:or\s+more\s+)?axles?"
                         r"(?:\s+vehicles?)?$")
# "vehicles with 2 axles and 5 or 6 wheels excluding buses": what a class excludes is no part of it
_AXLE_WHEELS = re.compile(r"(?<![a-z0-9.])(\d)\s*axles?(?![a-z])\D{0,12}?(\d{1,2})(?:\s*(?:or|to|-)\s*(\d{1,2}))?\s*"
                          r"(?:wheels?|tyres?|tires?)(?![a-z])")
_EXCLUDING = re.compile(r"\s*(?:,\s*)?(?<![a-z])(?:excluding|except|other\s+than|not\s+including)(?![a-z]).*$")
# an axle count as V2X messages and toll tariffs write it ("axleCnt4", "with 4 or more axles")
_AXLE_COUNT = re.compile(r"(?<![a-z])axle[\s_-]*(?:cnt|count|no|num)[\s_-]*(\d)(?![0-9])|"
                         r"(?<![a-z])(?:with|having)\s+(\d)(?:\s+(?:or|and)\s+(?:more|over))?\s+axles?(?![a-z])")
_AXLES = re.compile(r"(?<![a-z0-9.])(\d{1,2})\+?[\s-]*axles?(?![a-z])")
_COLD = r"refrigerated|reefer|freezer|isotherm(?:ic|al)|insulated"  # a temperature-controlled goods body
_TRUCK_BODY = re.compile(r"(?<![a-z])(?:tank(?:er)?|dump|tipper|refrigerated|reefer|insulated|covered|box|flatbed|"
                         r"platform|curtain[\s-]?side(?:r)?|cargo|mixer|crane|stake|cattle|livestock|logging|car[\s-]?"
                         r"carrier|container)(?![a-z])")
_BUS_CODE = re.compile(r"^([so])bus$")  # school and other buses, as EMFAC-style inventories abbreviate them
_SHORT_RE = re.compile(rf"{SHORT}|(?<![a-z])(?:{_SHORT_EN})(?![a-z])")
_LONG_RE = re.compile(rf"{LONG}|(?<![a-z])(?:{_LONG_EN})(?![a-z])")

# GA 802 registration names: size, then body type or use, then the vehicle type. The body words do not change the
# MOVES source type; the size and the type do.
_SIZE = "重型|中型|轻型|微型|大型|小型|低速"
_BODY = ("普通|厢式|封闭|罐式|平板|集装厢|集装箱|自卸|特殊结构|仓栅式|低平板|车辆运输|越野|双层|卧铺|专用|栏板|"
         "冷藏|保温|高栏|飞翼")
_REGISTRATION = re.compile(rf"^({_SIZE})(?:{_BODY})*(货车|客车|专项作业车|作业车|轿车|面包车)$|^({_SIZE})(?:{_BODY})+(车)$")
_CANONICAL_TYPE = {"专项作业车": "货车", "作业车": "货车", "车": "货车"}
# A survey's short size names: 中货车 = 中型货车, 特大货车 = 特大型货车.
_SHORT_SIZE = re.compile(r"^(特大|大|中|小|微|轻|重)(货车|客车)$")
# An off-road small passenger vehicle is an SUV (越野车), whatever its size group's default says.
_OFF_ROAD_CAR = re.compile(r"^(?:小型|微型)\S*越野\S*(?:客车|车)$")
# A truck body type named alone (a freight platform's menu: 平板, 厢式, 冷藏车) is a truck of no stated size.
_BARE_BODY = re.compile(r"^(?:平板|厢式|冷藏|保温|高栏|低栏|飞翼|仓栅|罐式|自卸|栏板)(?:车|货车)?$")

# Freight platforms name trucks by cargo-box length: up to 5.2 m light trucks, up to 9.6 m medium/heavy rigid trucks,
# 12.5 m and longer semitrailer combinations (docs/catalog.md).
_LENGTH = re.compile(rf"^(\d{{1,2}}(?:\.\d{{1,2}})?)\s*(?:米|m)(?:\s*(?:{_BODY}|货车|厢车|箱车|车|truck))*$")
LIGHT_MAX_M, RIGID_MAX_M = 5.5, 10.5
# Length classes of traffic counters (loops, radar, axle counters) cover every vehicle: cars end at about 5.6 m,
# vans and light trucks at about 6.6 m, rigid trucks at the rigid maximum (12 m under EU Directive 96/53; 11.6 m
# is a common counter boundary); anything longer is an articulated or drawbar combination.
COUNT_CAR_MAX_M, COUNT_VAN_MAX_M, COUNT_RIGID_MAX_M = 5.6, 6.6, 11.6


def length_class(low: float | None, high: float | None) -> str | None:
    """The source type of a counter's length class [low, high) in metres (either bound may be open), decided by
    the class's middle; None when the bounds are not a vehicle's length."""
    if low is None and high is None or any(b is not None and not 0 <= b <= 40 for b in (low, high)):
        return None
    middle = (low + high) / 2 if low is not None and high is not None else high * 0.9 if low is None else low + 2
    if middle <= COUNT_CAR_MAX_M:
        return "Passenger Car"
    if middle <= COUNT_VAN_MAX_M:
        return "Light Commercial Truck"
    return "Single Unit Short-haul Truck" if middle <= COUNT_RIGID_MAX_M else "Combination Long-haul Truck"

# US axle-configuration codes (state-DOT weigh-in-motion reports): SUn single units; tractor axles, S, semitrailer
# axles, and -n for each further trailer.
_AXLE_SINGLE_UNIT = re.compile(r"^su\s?\d\+?$")
_AXLE_COMBINATION = re.compile(r"^\d\s?s\s?\d(?:\s?-\s?\d)*$")
# FHWA's class 3 description: two axles and four tyres is a light truck, whatever else the name says.
_FOUR_TIRE = re.compile(r"two[\s-]axle,?\s*four[\s-]tire")
# JT/T 489 toll classes of special-purpose vehicles: "N类专项作业车" is the toll system's 专N.
_TOLL_SPECIAL = re.compile(r"^(\d)类专项作业车$")
# UN/EU and GB/T 15089 category codes, with the suffixes people add (L3e-A1, N2类, M1类车辆, O4 category).
_CATEGORY_SUFFIX = r"\s*(?:类|类车|类车辆|类汽车|category|class|vehicles?)"
_CATEGORY = re.compile(rf"^(?:(l[1-7]e?|m[123]|n[123]|o[1-4])(?:-[a-z]\d?|(?<=e)[a-z]\d?)?(?:{_CATEGORY_SUFFIX})?|"
                       rf"(l|o|g)(?:{_CATEGORY_SUFFIX}))$")  # a bare letter counts only with its suffix: L类, G类


def decide(text: str, lookup: Lookup) -> Decision | None:
    """A decision from the name's structure, or None when the structure says nothing."""
    text = text.replace("_", " ")  # identifiers: "cars_and_taxis"
    text = _EXCLUDING.sub("", text) or text  # "... excluding buses": what a class excludes is no part of it
    for rule in (_total, _group, _wheels, _trailer, _kinds, _non_road, _codes, _length, _compound, _registration,
                 _special_purpose):
        found = rule(text, lookup)
        if found is not None:
            return found
    return None


# "all motor vehicles", "total vehicles", "机动车合计": a count of every class, not one of them
_TOTAL = re.compile(r"^(?:all|total|sum(?: of)?)\s+(?:motor\s+)?(?:vehicles?|veh|traffic)$|"
                    r"^(?:motor\s+)?(?:vehicles?|veh)\s+(?:total|sum)$|^(?:机动车|车辆|自然数|车)(?:合计|总计|总数|总和)$|"
                    r"^总(?:车辆|机动车|车)数?$|^(?:alle\s+)?(?:kfz|kraftfahrzeuge)$|"  # German counts: Kfz = every class
                    # "n_vehicles_in_interval", "number of vehicles": a count of every vehicle
                    r"^(?:n|num|nb|nbr|no|number|count|cnt)(?: of)?\s+(?:vehicles?|veh|vehs)"
                    r"(?:\s+(?:in|per|during)\s+(?:the\s+)?(?:interval|period|bin|window|slot))?$")
# "cars and taxis", "buses and coaches", "客车和货车": a statistics table's group of classes
_AND = re.compile(r"\s+(?:and|&|or)\s+|\s*(?:&|和|及|与|、|,)\s*")
# MOVES' HPMS groups (buses 4x, single-unit trucks 5x, combination trucks 6x): a group of classes inside one of
# them is its first class
_HPMS_GROUP = re.compile(r"(?P<bus>Bus)$|^(?P<single>Single Unit|Refuse Truck$|Motor Home$)|^(?P<combination>Combination)")
# "two-wheeled motor vehicles", "3-wheel motor vehicle": the L categories, motorcycles in MOVES
_WHEELS = re.compile(r"(?<![a-z])(?:two|three|2|3)[\s-]?wheel(?:ed|ers?)?(?![a-z])")
_POWERED = re.compile(r"(?<![a-z])(?<!non[\s-])(?<!un)(?:motor|motori[sz]ed|powered|power)(?![a-z])")


def is_total(text: str) -> bool:
    """Whether a folded name counts every vehicle class ("all motor vehicles", "机动车合计")."""
    return _TOTAL.match(text.replace("_", " ")) is not None


def _total(text: str, lookup: Lookup) -> Decision | None:
    if is_total(text):
        return None, 0.92
    if m := re.match(r"^(?:total|all|sum\s+of)\s+(.+(?:,|\s+and\s+|&).+)$", text):  # "Total vans, pickups and lorries"
        return _group(m.group(1), lookup) or (None, 0.85)  # the total of classes of one type is that type
    return None


def _group(text: str, lookup: Lookup) -> Decision | None:
    parts = [p.strip() for p in _AND.split(text)]
    if len(parts) < 2 or not all(parts):
        return None
    labels = []
    for part in parts:
        found, label = _lookup_noun(part, lookup)
        if not found or label is None:
            return None  # a part the catalog does not name: the group says nothing
        labels.append(label)
    if len(set(labels)) == 1:
        return labels[0], 0.92
    groups = {_hpms_group(label) for label in labels}
    if len(groups) == 1 and None not in groups:
        return labels[0], 0.9  # DfT's "buses and coaches": the group's first class
    return None, 0.85  # classes of different groups are not one source type


def _lookup_noun(name: str, lookup: Lookup) -> tuple[bool, str | None]:
    """The catalog's answer for a name, or for it in the singular (statistics tables name classes in the plural)."""
    found, label = lookup(name)
    return (found, label) if found else lookup(singular(name))


def _hpms_group(label: str) -> str | None:
    m = _HPMS_GROUP.search(label)
    return None if m is None else m.lastgroup


def _wheels(text: str, lookup: Lookup) -> Decision | None:
    if _WHEELS.search(text) and _POWERED.search(text):
        return named("two wheeler", lookup, 0.92)
    return None


# English vehicle kinds named by a word the catalog does not list, each decided like the catalog name it means
_KINDS = (
    # the legal English name of a car, wherever it stands ("private motor car": not a motorcycle and a car)
    (re.compile(r"(?<![a-z])motor[\s-]?cars?(?![a-z])"), "passenger car", 0.92),
    # a pickup is a Passenger Truck whatever its size ("small pickup trucks": not a small, light truck)
    (re.compile(r"(?<![a-z])pick[\s-]?ups?(?:[\s-]+trucks?)?(?![a-z])"), "pickup truck", 0.9),
    # NHTSA/EU multipurpose (passenger) vehicles; South Asian registers' "dual purpose" vehicles (people and goods:
    # cab, van, SUV); a "motor lorry" is a lorry; Austroads' "short vehicle" (class 1, towing: 2) is a car
    (re.compile(r"(?<![a-z])(?:multi|dual)[\s-]?purpose(?![a-z])"), "MPV", 0.9),
    (re.compile(r"^motor[\s-]+lorr(?:y|ies)$"), "lorry", 0.9),
    (re.compile(r"^short[\s-]+vehicles?(?:[\s-]+towing)?$"), "passenger car", 0.9),
    # US body types: a compact or large "utility" is a sport utility vehicle; walk-in and hi-cube vans deliver
    (re.compile(r"(?<![a-z])(?:compact|small|mid[\s-]?size|midsize|large|full[\s-]?size|sport)[\s-]+utility"
                r"(?:[\s-]+vehicles?)?$"), "SUV", 0.9),
    # a van named by its goods body or use ("Van, refrigerated", "moving van") carries goods; a van for a stated
    # number of people, or with windows, carries people
    (re.compile(rf"(?<![a-z])(?:step|walk[\s-]?in|hi(?:gh)?[\s-]?cube|covered|box|closed|blind|{_COLD}|moving|removals?)"
                rf"[\s-]?vans?(?![a-z])|^vans?[\s,]+(?:{_COLD}|box|closed|cargo|goods)$"), "cargo van", 0.9),
    (re.compile(r"(?<![a-z0-9])\d{1,2}[\s-]*(?:passenger|seat(?:er)?s?)[\s-]+vans?(?![a-z])|"
                r"(?<![a-z])window[\s-]+vans?(?![a-z])"), "passenger van", 0.9),
    # rental and sales classes: a door count names a car; four driven wheels alone an SUV (the drive train is
    # otherwise a modifier); a bare "utility (vehicle)" or ute is an SUV or pickup
    (re.compile(r"^(?!.*(?:vans?|trucks?|bus|lorr|pick[\s-]?up)).*(?<![a-z0-9])\d(?:\s*[-/]\s*\d)?[\s-]*doors?(?![a-z])"),
     "passenger car", 0.9),
    (re.compile(r"^(?:4wd|awd|four[\s-]wheel[\s-]drives?|all[\s-]wheel[\s-]drives?)(?:[\s-]+(?:vehicles?|cars?))?$"),
     "4x4", 0.9),
    (re.compile(r"^(?:utility|utes?)(?:[\s-]+vehicles?)?$"), "SUV", 0.85),
    # a pickup's cab style; a car's body style or seat count
    (re.compile(r"^(?:double|dual|crew|king|extended|super)[\s-]?cab(?:in)?s?(?:[\s-]+pick[\s-]?ups?)?$"), "pickup truck",
     0.9),
    (re.compile(r"(?<![a-z])(?:cabriolets?|roadsters?|speedsters?|landaul?ett?es?|landaulets?|targas?|shooting[\s-]brakes?|"
                r"liftbacks?|fastbacks?|notchbacks?|(?<![0-9])(?:two|2)[\s-]?seaters?)(?![a-z])"), "passenger car", 0.9),
    # a police car, named alone or at the end of a taxonomy path ("vehicle.emergency.police", "policecar")
    (re.compile(r"^(?:(?:vehicles?|emergency|object)[\s.]+)*police[\s-]?(?:cars?|vehicles?|cruisers?|interceptors?|"
                r"patrol[\s-]cars?)?$"), "passenger car", 0.85),
    # a taxi by another name: shared, jitney, private hire (a minicab); a jeepney runs a route as a small bus does
    (re.compile(r"(?<![a-z])hearses?(?![a-z])"), "passenger car", 0.9),  # a car body ("Hearse Coach")
    (re.compile(r"(?<![a-z])(?:jitneys?|liver(?:y|ies)|shared[\s-]+taxis?|taxi[\s-]+services?|minicabs?|"
                r"private[\s-]+hire(?:[\s-]+(?:service|cars?|vehicles?))*)(?![a-z])"), "taxi", 0.9),
    (re.compile(r"(?<![a-z])jeepneys?(?![a-z])"), "Transit Bus", 0.85),
    # registers that name buses "vehicles for passenger transport" (as against cars): a bus of no stated service
    (re.compile(r"(?<![a-z])passenger[\s-]+transport(?:ation)?(?![a-z])"), "bus", 0.85),
    (re.compile(r"(?<![a-z])off[\s-]?road(?:er)?[\s-]+(?:passenger[\s-]+)?cars?(?![a-z])"), "SUV", 0.9),
    (re.compile(r"(?<![a-z])(?:snow[\s-]?pl(?:ow|ough)s?|fire[\s-]?(?:engines?|tenders?|appliances?))(?![a-z])"),
     "专项作业车", 0.85),
    (re.compile(r"(?<![a-z])high[\s-]?sided[\s-]+vehicles?(?![a-z])"), "货车", 0.85),  # UK: lorries and tall vans
    (re.compile(r"^small[\s-]+vehicles?$"), "passenger car", 0.85),  # aerial image classes: small vehicle, large
    (re.compile(r"^(?:motori[sz]ed|powered)[\s-]+vehicles?$"), "vehicle", 0.9),  # generic: any motor vehicle
    (re.compile(r"(?<![a-z])ambulances?(?![a-z])"), "专项作业车", 0.85),  # a special-purpose body (GB/T 17350 救护车)
    (re.compile(r"(?<![a-z])(?:road|street)?[\s-]?sweepers?(?![a-z])"), "street sweeper", 0.9),
    (re.compile(r"^(?:light[\s-]+)(?:goods|cargo|freight|load)(?:[\s-]+(?:vehicles?|carriers?))?$"), "轻型货车", 0.9),
    (re.compile(r"^(?:(?:medium|heavy|dangerous|hazardous)[\s-]+)?(?:goods|cargo|freight|load)[\s-]+"
                r"(?:(?:carrying|transport|haulage)[\s-]+)?(?:vehicles?|carriers?)$|"
                r"^(?:medium|heavy)[\s-]+commercial[\s-]+(?:motor[\s-]+)?vehicles?$"), "货车", 0.9),
    (re.compile(r"^special(?:i[sz]ed)?(?:[\s-]+motor)?[\s-]+vehicles?$|"
                r"(?<![a-z])special[\s-]?purpose(?:[\s-]+motor)?[\s-]+vehicles?(?![a-z])|"
                r"^(?:特种|特殊用途|特别用途|专用)(?:车辆|汽车|车)$"), "专项作业车", 0.9),
    (re.compile(r"^heavy[\s-]+passenger(?![a-z])"), "bus", 0.9),  # a bus by its seats
    (re.compile(r"^light[\s-]+passenger(?:[\s-]+(?:motor[\s-]+)?vehicles?)?$"), "passenger car", 0.9),
    # CNOSSOS-EU and count classes: light vehicles (cars, vans <= 3.5 t) take the light-duty default; medium heavy
    # vehicles (two-axle, > 3.5 t) are rigid trucks
    (re.compile(r"^light(?:[\s-]+(?:motor[\s-]+)?vehicles?)?$"), "LDV", 0.9),
    (re.compile(r"^heavy(?:[\s-]+duty)?(?:[\s-]+(?:motor[\s-]+)?vehicles?)?$"), "heavy duty truck", 0.9),
    (re.compile(r"^大型车(?:辆)?$"), "货车", 0.9),  # large vehicles of a count (Japanese 大型車): the truck default
    (re.compile(r"^medium(?:[\s-]+heavy)?[\s-]+(?:motor[\s-]+)?vehicles?$"), "货车", 0.9),
    (re.compile(r"(?<![a-z])quadri?cycles?(?![a-z])"), "L6e", 0.9),  # EU L6e/L7e: with the two-wheelers
    (re.compile(r"(?<![a-z])(?:motori[sz]ed|motor|gas[\s-]?powered)[\s-]*bicycles?(?![a-z])"), "moped", 0.9),
    (re.compile(r"(?<![a-z])self[\s-]?propelled[\s-]+(?:caravans?|campers?)(?![a-z])"), "房车", 0.9),
    (re.compile(r"(?<![a-z])side[\s-]?cars?(?![a-z])"), "motorcycle with sidecar", 0.9),
    (re.compile(r"(?<![a-z])(?:auto|motor|e|electric|battery)[\s-]?rickshaws?(?![a-z])"), "L5e", 0.9),
    (re.compile(r"(?<![a-z])(?:(?:breakdown|recovery|wrecker)(?:[\s-]+recovery)?[\s-]+(?:vehicles?|trucks?|vans?|"
                r"lorr(?:y|ies))|wreckers?)(?![a-z])"), "tow truck", 0.9),
    # Taiwanese 機車 (机车 once folded) is a motorcycle when it has a size, a power or an engine size; alone it is
    # also the mainland's word for a locomotive
    (re.compile(r"(?:重型|轻型|小型|大型|普通|电动|\d+\s*cc)\S{0,4}机车|机车\s*[\(（]?\s*\d+\s*cc"), "摩托车", 0.9),
    # "three wheeler (goods)": a wheeler is a registered motor vehicle; a bicycle-like tricycle is "tricycle"
    (re.compile(r"(?<![a-z])(?:two|three|2|3)[\s-]?wheelers?(?![a-z])|"
                r"^(?:two|three|2|3)[\s-]?wheel(?:ed|s)?[\s-]+(?:motor[\s-]+)?vehicles?$"), "two wheeler", 0.9),
)
_TRICYCLE = re.compile(r"(?<![a-z])tri[\s-]?cycles?(?![a-z])")


_EXPLANATION = re.compile(r"\(\s*(?:includ|incl|inkl|einschl|e\.?\s?g\.?|such as|exclud|except)[^()]*\)")


# a taxi or bus on water or rails, or pedalled: another mode ("Water Taxi Service", "rail bus", "bike taxi")
_OTHER_MODE = re.compile(r"(?<![a-z])(?<!motor\s)(?:water|river|boat|sea|rail|air|aerial|bike|bicycle|cycle|pedal)[\s-]*"
                         r"(?:taxis?|bus(?:es)?)(?![a-z])|(?<![a-z])(?:air|rail|railway|water|sea|river|maritime)[\s-]+"
                         r"transport(?:ation)?(?![a-z])")


def _kinds(text: str, lookup: Lookup) -> Decision | None:
    text = _EXPLANATION.sub(" ", text)  # "Other (includes go-carts, sweepers)": what a bracket lists is no kind
    if _NOT_MOTORISED.search(text) or _OTHER_MODE.search(text):  # "triciclo no motorizado": no motor vehicle
        return None, 0.9
    if _HOME.search(text) and not _BUS.search(text):  # "special purpose vehicle (camping car)": the home decides
        return named("房车", lookup, 0.9)
    for pattern, name, confidence in _KINDS:
        if pattern.search(text):
            return named(name, lookup, confidence)
    if _TRICYCLE.search(text) and _POWERED.search(text):  # a motor tricycle, decided like 三轮摩托车
        return named("三轮摩托车", lookup, 0.9)
    return None


# A trailer has no engine: "semi-trailer", "full trailers" alone are not a source type; a trailer named with what
# tows it ("tractor-trailer", "single-trailer trucks", "semi-trailer truck") is the combination.
_TRAILER_EN = re.compile(r"(?<![a-z])(?:semi[\s-]?)?trailers?(?![a-z])")
_TOWING = re.compile(r"(?<![a-z])(?:trucks?|lorr(?:y|ies)|tractors?|combinations?|rigs?|articulated|prime[\s-]?movers?|"
                     r"units?|towing)(?![a-z])")


_LIGHT_BODY = re.compile(r"(?<![a-z])(?:pick[\s-]?ups?|panel|vans?|light|small)(?![a-z])")  # a light truck stays light
# "with trailer", "with removal trailer", "with 90 cubic metre trailer", "with caravan" (not "with or without")
_WITH_TRAILER = re.compile(r"(?:(?<![a-z])(?:with|towing|pulling)(?![a-z])|\+)\s*(?:an?\s+)?(?:(?!(?:without|or)\b)[\w.-]+\s+){0,4}?"
                           r"(?:drawbar\s+|full\s+|semi[\s-]?)?(?:trailers?|caravans?)(?![a-z])")
# campers towed or carried, not driven: a fifth-wheel or folding (pop-up, tent) camper is a trailer
_TOWED_CAMPER = re.compile(r"(?<![a-z])(?:fifth[\s-]?wheels?|(?:pop[\s-]?up|folding|tent)[\s-]+(?:campers?|caravans?|"
                           r"trailers?))(?![a-z])")
# "camper van / trailer", "passenger car with trailer": the motor vehicle is named, the trailer only goes with it
_MOTORIZED_HOME = re.compile(r"(?<![a-z])(?:camper[\s-]?vans?|motor[\s-]?homes?)(?![a-z])|"
                             r"\S.*(?:(?<![a-z])(?:with|without|towing|pulling)|\+)\s*(?:or\s+without\s+)?(?:an?\s+)?"
                             r"(?:semi[\s-]?)?trailers?(?![a-z])")


# EU driving-licence categories (Directive 2006/126/EC), read only with a trailer: a car (B), a truck with a trailer
# (C1E, CE: a combination), a minibus (D1) or a bus (D) towing one
_LICENCE = {"b": "passenger car", "c1": "半挂车", "c": "半挂车", "d1": "中巴", "d": "bus"}


def _trailer(text: str, lookup: Lookup) -> Decision | None:
    if _TRAILER_ONLY.match(text):
        return None, 0.92
    if m := _WITH_TRAILER.search(text):
        if _TRUCK.search(text) and not (_HOME.search(text) or _LIGHT_BODY.search(text)):
            return named("半挂车", lookup, 0.9)  # a straight truck pulling a trailer: FHWA's combination classes
        head = text[:m.start()].strip(" ,")  # "Car, with caravan", "SUV with boat trailer": what tows it
        found, label = _lookup_noun(head, lookup)
        if found and label is not None:
            return label, 0.9
        if head in _LICENCE:  # a driving-licence category with a trailer ("C1 with trailer": C1E)
            return named(_LICENCE[head], lookup, 0.85)
        if re.match(r"^(?:motor\s+)?vehicles?$", head) and re.search(r"caravans?", m.group(0)):
            return named("passenger car", lookup, 0.85)  # "vehicle with caravan": a caravan is towed by a car
    if _TRAILER_EN.search(text) and not (_TOWING.search(text) or _MOTORIZED_HOME.search(text) or _AXLE_COUNT.search(text)):
        return None, 0.92
    if _TOWED_CAMPER.search(text) and not _TRUCK.search(text):
        return None, 0.92
    return None


# A tractor on wheels or tracks for fields, gardens or building sites is machinery, not a road tractor unit
_NON_ROAD_TRACTOR = re.compile(r"(?<![a-z])(?:wheeled|wheels?|crawlers?|tracked|tracks?|track[\s-]type|farm|hand|"
                               r"agricultural|garden|walking|lawn|orchard|forestry)(?![a-z])")
_TRACTOR = re.compile(r"(?<![a-z])tractors?(?![a-z])")
# a tractor named alone: registers of the UK, Ireland, Spain or Czechia list the farm tractor so, and qualify the
# road tractor unit (road, truck, semi-trailer, head, a weight class)
_BARE_TRACTOR = re.compile(r"^\s*tractors?\s*$")
# a rickshaw without a motor ("cycle rickshaw", "rickshaw van"); auto-, motor- and e-rickshaws are L5e (_KINDS)
_PEDAL_RICKSHAW = re.compile(r"(?<![a-z])(?:(?:cycle|pedal|hand|manual)[\s-]?rickshaws?|rickshaw[\s-]?vans?)(?![a-z])")
_NOT_MOTORISED = re.compile(r"(?<![a-z])(?:non[\s-]?motori[sz]ed|unpowered|without\s+(?:a\s+)?motor|pedal[\s-]?cycles?)"
                            r"(?![a-z])")
_FIELD_TRACTOR = re.compile(r"(?<![a-z])(?:farm|agricultural|garden|lawn|orchard|forestry|walking|hand)(?![a-z])")
_ROAD_TRACTOR = re.compile(r"(?<![a-z])(?:road|truck|semi|highway|trailer)(?![a-z])")


# machinery and equipment of building sites, farms and mines is not a road vehicle (MOVES models it as nonroad)
_MACHINE = (r"(?:road[\s-]+)?rollers?|graders?|excavators?|bulldozers?|backhoes?|forklifts?|wheel[\s-]loaders?|compactors?|"
            r"cranes?|(?:power[\s-]+)?tillers?")
# machines named alone or as a list ("Roller, Graders, Cranes"): a crane on a truck is "crane truck", read as a truck
_MACHINES = re.compile(rf"^(?:{_MACHINE})(?:\s*(?:,|and|&|/)\s*(?:{_MACHINE}))*$")
_MACHINERY = re.compile(r"(?<![a-z])(?:mobile|non[\s-]?road|off[\s-]?road|construction|farm|agricultural|industrial|special|"
                        r"speciali[sz]ed|"
                        r"mining|forestry|road[\s-]?building|earth[\s-]?moving|work|working|self[\s-]?propelled)[\s-]+"
                        r"(?:equipment|machinery|machines?)"
                        r"(?![a-z])|(?<![a-z])(?:machinery|machines?|equipment)[\s-]+(?:for[\s-]+)?(?:construction|"
                        r"farming|agricultural|agriculture|mining|forestry)(?![a-z])")


# a cart or carriage drawn by an animal, and the recreational off-road vehicles MOVES models as nonroad
# equipment (all-terrain vehicles, snowmobiles): not road motor vehicles
_DRAWN = re.compile(r"(?<![a-z])(?:horse|animal|ox|oxen|mule|donkey|camel)[\s-]?drawn(?![a-z])|"
                    r"(?<![a-z])(?:all[\s-]?terrain[\s-]+(?:vehicles?|cycles?)|atvs?|atcs?|quad[\s-]?bikes?|"
                    r"snow[\s-]?mobiles?|snow[\s-]?scooters?|utvs?|side[\s-]?by[\s-]?sides?|"
                    r"(?:wheeled|mobility|micro[\s-]?mobility|personal)[\s-]+(?:transport(?:ation)?[\s-]+)?devices?)(?![a-z])")


def _non_road(text: str, lookup: Lookup) -> Decision | None:
    if _TRACTOR.search(text) and (_FIELD_TRACTOR.search(text) or (_NON_ROAD_TRACTOR.search(text)
                                                                  and not _ROAD_TRACTOR.search(text))):
        return None, 0.9  # a farm tractor stays one when it pulls a trailer
    if _MACHINERY.search(text) or _DRAWN.search(text) or _BARE_TRACTOR.match(text) or _PEDAL_RICKSHAW.search(text) \
            or _MACHINES.match(text):
        return None, 0.9
    return None


def _codes(text: str, lookup: Lookup) -> Decision | None:
    compact = text.replace(" ", "")
    if m := _DUTY_CODE.match(compact):
        return named(_DUTY_NAME[m.group(1)], lookup, 0.9)
    if m := _BUS_CODE.match(compact):
        return named("校车" if m.group(1) == "s" else "大巴", lookup, 0.9)
    if _FOUR_TIRE.search(text):
        return named("FHWA Class 3", lookup, 0.92)
    if m := _TOLL_SPECIAL.match(compact):
        return named(f"专{m.group(1)}", lookup, 0.92)
    if _AXLE_SINGLE_UNIT.match(compact):
        return named("single unit truck", lookup, 0.95)
    if _AXLE_COMBINATION.match(compact):
        return named("tractor-trailer", lookup, 0.95)
    if m := _CATEGORY.match(compact):
        code = m.group(1) or m.group(2)
        if code.startswith("l"):
            return named("L3e", lookup, 0.95)  # every L category is a two- or three-wheeler
        if code.startswith("o"):
            return None, 0.95  # trailers
        if code == "g":
            return named("M1G", lookup, 0.9)  # off-road vehicles
        return named(code.upper(), lookup, 0.95)
    return None


# a category stated inside a name ("Lkw Klasse N1", "trucks category N2"): the category decides, not the head
_STATED_CATEGORY = re.compile(r"(?<![a-z])(?:class|klasse|category|categorie|kategorie|categoria|cat)\.?\s*"
                              r"([mn][123])(?![a-z0-9])|[(\[]\s*([mn][123])\s*[)\]]")


# a numbered class of some toll or count scheme with what it holds in brackets: the words decide, not the number
_NUMBERED_CLASS = re.compile(r"^(?:class|category|cat|group|type|klasse|classe|clase|categoria|categorie|kategorie)\.?\s*"
                             r"[a-z]?\d{1,2}[a-z]?\s*[(\[]\s*([^()\[\]]+?)\s*[)\]]$")


def qualified(text: str, lookup: Lookup) -> Decision | None:
    """What a name's qualifiers decide before the rules engine strips them: a category defined by mass and seats
    (vehicle_definitions), and a bus whose owner or use makes it one of MOVES' "Other Buses" (私家巴士: 私家 is
    otherwise an ownership word that never changes the type)."""
    if code := vehicle_definitions.category(text):
        return named(code, lookup, 0.92)
    if m := _NUMBERED_CLASS.match(text):  # "CLASS 1 (cars)": the class number means something else in every scheme
        found, label = _lookup_noun(m.group(1), lookup)
        if found and label is not None:
            return label, 0.92
    if m := _STATED_CATEGORY.search(text):  # "Lkw Klasse N1", "Hópbifreið (M2)"
        return named((m.group(1) or m.group(2)).upper(), lookup, 0.92)
    if _BUS.search(text) and not _SCHOOL.search(text) and _OTHER_BUS.search(text):
        return named("大巴", lookup, 0.92)
    return None


# US rental and moving trucks by box length in feet: 10-14 ft are light trucks (class 2b-3), longer are rigid trucks
_FEET = re.compile(r"^(\d{1,2})[\s-]*(?:foot|feet|ft|')[\s-]+(?:box[\s-]+|moving[\s-]+|cargo[\s-]+)?(?:trucks?|vans?)$")
LIGHT_MAX_FT, RIGID_MAX_FT = 14, 30


def _length(text: str, lookup: Lookup) -> Decision | None:
    if (f := _FEET.match(text)) and 8 <= int(f.group(1)) <= RIGID_MAX_FT:
        return named("轻型货车" if int(f.group(1)) <= LIGHT_MAX_FT else "货车", lookup, 0.9)
    m = _LENGTH.match(text)
    if not m:
        return None
    metres = float(m.group(1))
    if not 2.0 <= metres <= 20.0:  # not a truck length
        return None
    name = "轻型货车" if metres <= LIGHT_MAX_M else "货车" if metres <= RIGID_MAX_M else "半挂车"
    return named(name, lookup, 0.9)


_METRES = r"\s*(?:m|meters?|metres?)(?![a-z])"
_LENGTH_SPAN = re.compile(rf"(\d{{1,2}}(?:[.,]\d)?)(?:{_METRES})?\s*(?:-|–|(?:up\s+)?to|bis)\s*(\d{{1,2}}(?:[.,]\d)?){_METRES}|"
                          rf"(?:over|above|more\s+than|>)\s*(\d{{1,2}}(?:[.,]\d)?){_METRES}")


def _stated_length(text: str) -> str | None:
    """The source type of a vehicle length a truck's name states ("10 to 20 m", "over 20 m"), or None."""
    if not (m := _LENGTH_SPAN.search(text)):
        return None
    low, high = (float(g.replace(",", ".")) if g else None for g in (m.group(1) or m.group(3), m.group(2)))
    return length_class(low, high)


RIGID_MAX_AXLES = 3  # two and three axles are single units (FHWA 5-6); four and more mostly combinations (8+)


def _by_axles(axles: str) -> str:
    """The catalog name a vehicle's axle count decides: a rigid truck up to three, a combination beyond."""
    return "货车" if int(axles) <= RIGID_MAX_AXLES else "半挂车"


def _compound(text: str, lookup: Lookup) -> Decision | None:
    """A head noun with a strong modifier: the modifier decides among the head's source types."""
    duty = m.group(1) if (m := _DUTY.search(text)) else None
    bus, truck = _BUS.search(text), _TRUCK.search(text) or duty is not None
    combination = _COMBINATION.search(text) or (duty == "heavy" and not _SINGLE_UNIT.search(text))
    if (truck or combination) and _REFUSE.search(text):
        return named("垃圾车", lookup, 0.92)
    # seats a name states: more than a car's nine (with the driver's) and at most a minibus's is an M2 minibus
    seats = vehicle_definitions.stated_seats(text)
    if seats is not None and seats <= vehicle_definitions.MINIBUS_SEATS and (bus or seats > vehicle_definitions.CAR_SEATS):
        return named("中巴", lookup, 0.9)  # "autobuses hasta 16 plazas", "wagon upto 12 seater"
    if bus:  # a bus head decides by its marker (school before transit before intercity), or not at all
        for marker, name in ((_SCHOOL, "校车"), (_OTHER_BUS, "大巴"), (_TRANSIT, "公交车"), (_INTERCITY, "长途客车"),
                             (_SMALL_BUS, "中巴")):
            if marker.search(text):
                return named(name, lookup, 0.92)
        return named("bus", lookup, 0.9) if re.search(_DECK, text) else None
    if (m := _AXLE_COUNT.search(text)) and not _AXLE_WHEELS.search(text):  # "axleCnt4Trailer", "with 4 or more axles"
        trailer = re.search(r"(?<![a-z])trailers?(?![a-z])", text)
        return named("半挂车" if trailer else _by_axles(m.group(1) or m.group(2)), lookup, 0.9)
    if _HOME.search(text):
        return named("房车", lookup, 0.9)
    if combination:
        if _SHORT_RE.search(text):
            return named("短途半挂车", lookup, 0.92)
        return named("半挂车", lookup, 0.9)
    if truck:
        if _SHORT_RE.search(text):
            return named("短途货车", lookup, 0.92)
        if _LONG_RE.search(text):
            return named("长途货车", lookup, 0.92)
        if _LIGHT.search(text):  # "light rigid trucks": a light truck, as 轻型货车 (not "light-heavy-duty")
            return named("轻型货车", lookup, 0.9)
        if _SINGLE_UNIT.search(text):
            return named("single unit truck", lookup, 0.9)
        if m := _AXLES.search(text):  # trucks counted by axles: up to three a rigid truck, four and more a combination
            return named(_by_axles(m.group(1)), lookup, 0.9)
        if duty:
            return named(_DUTY_NAME[duty], lookup, 0.9)
        if (label := _stated_length(text)) is not None:  # "Lkw 10 bis 20 Meter": a counter's length class
            return label, 0.85
        if _TRUCK_BODY.search(text):  # a body or cargo word never changes a truck's type
            return named("货车", lookup, 0.9)
        if re.search(_CHASSIS_CAB, text):
            return named("货车", lookup, 0.85)
    if m := _AXLE_CLASS.match(text):  # toll classes by axles alone ("upto 3 axle vehicle")
        return named(_by_axles(m.group(1)), lookup, 0.9)
    if m := _AXLE_WHEELS.search(text):  # toll classes by axles and wheels
        axles, wheels = int(m.group(1)), int(m.group(3) or m.group(2))
        if axles == 2:  # four wheels a light vehicle, dual rear wheels (five, six) a rigid truck
            return named("LDV" if wheels <= 4 else "货车", lookup, 0.9)
    return None


def _registration(text: str, lookup: Lookup) -> Decision | None:
    """重型罐式货车 -> 重型货车, 大型双层客车 -> 大型客车, 大型轿车 -> 轿车; bare 平板/厢式 -> a truck."""
    if m := _REGISTRATION.match(text):
        if _OFF_ROAD_CAR.match(text):
            return named("越野车", lookup, 0.9)
        size, kind = m.group(1) or m.group(3), m.group(2) or m.group(4)
        kind = _CANONICAL_TYPE.get(kind, kind)
        for name in (size + kind, kind):
            found = lookup(name)
            if found[0]:
                return found[1], 0.9
    if (m := _SHORT_SIZE.match(text)) and (found := lookup(f"{m.group(1)}型{m.group(2)}"))[0]:
        return found[1], 0.9
    if _BARE_BODY.match(text):
        return named("货车", lookup, 0.85)
    return None


# GB/T 17350 names special-purpose vehicles by the work they do (工程抢险车, 通信指挥车, 流动售货车): a body on a
# rigid chassis, decided like 专项作业车 (decisions.yaml)
_SPECIAL_PURPOSE = re.compile(r"(?:工程|作业|抢险|救援|救护|养护|维修|维护|检测|监测|测试|试验|勘察|勘探|通信|指挥|"
                              r"宣传|舞台|广告|售货|医疗|体检|采血|电源|照明|放映|图书|警务|清障)\S{0,2}车$")


def _special_purpose(text: str, lookup: Lookup) -> Decision | None:
    if _SPECIAL_PURPOSE.search(text) and not _BUS.search(text):
        return named("专项作业车", lookup, 0.85)
    return None

