"""Pollutant names read by their chemistry, in the languages of national inventories and monitoring networks.

Chemical nomenclature is systematic in every language: an element, an oxide word and a count ("dwutlenek
węgla" is carbon DIoxide, "oxidy dusíku" nitrogen oxideS, "typpidioksidi" nitrogen dioxide). So a name in a
language the catalog does not list reduces to a formula (CO2, NOx, NO2, SO2...) that the catalog decides,
including the formulas that are not standard values (NO2, NO). Particles reduce the same way: a particle word
with "fine" or "suspended" is particulate matter of that kind, a dust word with "fine" is PM10 (the catalog's
Feinstaub decision).

The stems are the element and compound names of chemistry in each language (carbon: węgiel, uhlík, углерод,
hiili, kol, szén, cacbon...); they are matched on the name without accents. A name reduces only when it holds an
element and an oxide word (or a hydrocarbon or particle word): "carbonyl sulfide" and "monitoring" say nothing.
"""

from __future__ import annotations

import re

from emstd.catalog.normalize import unaccent
from emstd.infer.catalog_names import Decision, Lookup, named

CONFIDENCE = 0.9  # a formula read from a name's words: below a catalog name (1.0), like the other grammars

def _any(*stems: str) -> re.Pattern:
    return re.compile("|".join(stems))


# elements (hydrocarbons first: they hold the carbon stems)
_HYDROCARBON = _any(r"hydrocarbon", r"idrocarbur", r"hydrocarbure", r"hidrocarbur", r"hidrocarbonet", r"hidrocacbon",
                    r"hidrokarbon", r"hydrokarbon", r"kohlenwasserstoff", r"koolwaterstof", r"weglowodor",
                    r"uhlovodik", r"углеводород", r"hiilived", r"kolvate", r"kulbrint", r"szenhidrogen",
                    r"υδρογονανθρακ", r"ไฮโดรคาร์บอน",
                    r"ugljikovodi", r"ugljovodoni", r"ogljikovodik", r"angliavandenil", r"ogludenraz", r"susivesinik",
                    r"въглеводород", r"угљоводон")
# "non-methane", "за вычетом метана" (less methane), "sin metano", "ohne Methan": the NMHC of each language
_NO_METHANE = _any(r"non[\s-]?metha", r"nonmetha", r"(?:excluding|without|minus|less|except)\s+methane",
                   r"ohne\s+methan", r"nicht[\s-]?methan", r"(?:sans|hors)\s+methane", r"non[\s-]?methaniq",
                   r"sin\s+metano", r"no[\s-]?metanic", r"non[\s-]?metanic", r"escluso\s+(?:il\s+)?metano",
                   r"bez\s+metanu", r"niemetan", r"вычетом\s+метана", r"без\s+метана", r"неметан",
                   r"nem[\s-]?metan", r"icke[\s-]?metan", r"ikke[\s-]?metan", r"niet[\s-]?methaan",
                   r"non[\s-]?metana", r"bukan\s+metana", r"μη\s+μεθανι",
                   r"(?<![a-z])ne[\s-]?metan", r"nemetanin", r"mittemetaan")
_AROMATIC = _any(r"aromat", r"polycycl", r"policicl", r"polycykl", r"полицикл", r"(?<![a-z])pah", r"多环芳烃")
_OZONE = _any(r"(?<![a-z])ozon", r"озон", r"οζον", r"オゾン", r"오존", r"臭氧", r"โอโซน", r"אוזון", r"الأوزون", r"أوزون",
               r"ازن", r"اوزون")
_ELEMENTS = (
    ("S", _any(r"sulf", r"sulph", r"zolfo", r"soufre", r"enxofre", r"azufre", r"schwefel", r"zwavel", r"siark",
               r"(?<![a-z])sir[yi]", r"(?<![а-я])сер[аыно]", r"(?<![a-z])rik(?:ki|in)", r"svavel", r"svovl",
               r"(?<![a-z])ken(?![a-z])", r"luu huynh", r"kukurt", r"belerang", r"θειου", r"θειο(?![α-ω])",
               r"ซัลเฟอร์", r"กำมะถัน", r"sumpor", r"сумпор", r"zvepl", r"(?<![a-z])sier[aou]s?(?![a-z])",
               r"(?<![a-z])ser[as](?![a-z])", r"vaavl", r"vaavel", r"(?<![а-я])серен", r"сяр", r"squfur", r"(?<![a-z])sofre",
               r"brennistein", r"גופרית", r"الكبريت", r"كبريت", r"گوگرد")),
    ("N", _any(r"nitrogen", r"azot", r"азот", r"dusi[kcn]", r"dusn", r"(?<![a-z])typ(?:pi|en)", r"kvave",
               r"kvaelstof", r"kvelstof", r"stikstof", r"stickstoff", r"(?<![a-z])nito(?![a-z])", r"nitrojen", r"αζωτ",
               r"ไนโตรเจน", r"slapek", r"lammastik", r"kofnunarefn", r"חנקן", r"النيتروجين", r"نيتروجين", r"نیتروژن")),
    ("C", _any(r"carbon", r"carbone", r"kohlen", r"(?<![a-z])kool", r"wegl", r"(?<![a-z])uh[le]", r"углерод",
               r"(?<![a-z])hiili", r"(?<![a-z])k[ou]l", r"(?<![a-z])szen", r"(?<![a-z])uhol", r"cacbon", r"karbon", r"ανθρακ",
               r"คาร์บอน", r"uglj", r"угљен", r"oglji", r"(?<![a-z])anglie?s?(?![a-z])", r"oglek", r"susinik", r"въглерод",
               r"פחמן", r"الكربون", r"كربون", r"کربن")),
)
# oxide words by count, most specific first
# Hebrew and Arabic count oxygens with their own words: דו-חמצני / ثاني أكسيد (di-), חד-חמצני / أول أكسيد (mono-)
_DI = _any(r"dioxid", r"dioxyd", r"biossido", r"dwutlenek", r"диоксид", r"dioksi", r"dioxit", r"icit[ya]", r"διοξειδ",
           r"ไดออกไซด์", r"דו[\s-]?חמצני", r"ثاني\s+أكسيد", r"ثاني\s+اكسيد", r"دی\s?اکسید")
_MONO = _any(r"monoxid", r"monooxid", r"monossido", r"monoxyd", r"монооксид", r"monoksi", r"monoxit", r"(?<=[a-z])nat[ya]\b",
             r"μονοξειδ", r"มอนอกไซด์", r"monooksi", r"חד[\s-]?חמצני",
             r"أول\s+أكسيد", r"اول\s+اكسيد", r"مونوکسید")
_PLURAL = _any(r"oxides", r"ossidi", r"oxydes", r"oxidos", r"tlenki", r"oxidy", r"оксиды", r"окислы", r"oksitler",
               r"oxider", r"oxiden", r"oxidok", r"oxizi", r"oksidit", r"oksider", r"οξειδια",
               r"oksidi(?![a-z])", r"oksidai", r"oksiidid", r"oksidet", r"оксиди", r"(?<![a-z])oxids", r"תחמוצות", r"أكاسيد",
               r"اكاسيد", r"اکسیدهای")
_OXIDE = _any(r"oxid", r"ossido", r"oxyd", r"tlenek", r"оксид", r"окись", r"oksi[dt]", r"oksiid", r"תחמוצת", r"أكسيد",
              r"اكسيد", r"اکسید", r"oxit", r"οξειδ", r"ออกไซด์",
               r"(?:kul|kvaelstof|svovl)ilte")
# what a count makes of each element (None: the count says nothing the catalog decides)
_FORMULA = {
    ("N", "di"): "NO2", ("N", "mono"): "NO", ("N", "plural"): "NOx", ("N", "one"): "NOx",
    ("C", "di"): "CO2", ("C", "mono"): "CO", ("C", "one"): "CO",
    ("S", "di"): "SO2", ("S", "plural"): "SOx", ("S", "one"): "SOx",
}
# particles
_PARTICLE = _any(r"particul", r"חלקיקים", r"الجسيمات", r"جسيمات", r"ذرات", r"particol", r"partikel", r"partikl", r"partikul", r"particel", r"particle", r"castic",
                 r"частиц", r"hiukka", r"σωματιδ", r"cestic", r"честиц", r"(?<![a-z])delci", r"dalel", r"dalin", r"osakes",
                 r"grimca", r"粒子", r"粒状", r"微粒", r"颗粒", r"ฝุ่นละออง", r"อนุภาค")
_DUST = _any(r"staub", r"stof(?![a-z])", r"(?<![a-z])pyl(?![a-z])", r"(?<![a-z])bui(?![a-z])", r"(?<![a-z])toz(?![a-z])",
             r"(?<![a-z])debu(?![a-z])", r"szallo por", r"粉じん", r"ばいじん")
_FINE = _any(r"(?<![a-z])fin[eoa]?s?(?![a-z])", r"fein", r"fijn", r"(?<![a-z])pien", r"(?<![a-z])min(?![a-z])",
             r"drobn", r"jemn", r"sitn", r"smulk", r"smalk", r"(?<![а-я])фин", r"(?<![a-z])ince(?![a-z])", r"halus", r"мелк", r"тонк", r"细", r"ขนาดเล็ก")
_RESPIRABLE = _any(r"respirab", r"inhalab", r"inalav", r"inhalav", r"thorac", r"torac", r"respirav", r"вдыхаем")
_SUSPENDED = _any(r"αιωρουμεν", r"lebdec", r"суспенд", r"kietosios",
                  r"suspen", r"zawieszon", r"взвешен", r"sospes", r"szallo", r"lebeg", r"askida", r"melayang",
                  r"lo lung", r"悬浮", r"浮游")  # 浮遊 (Japanese) folds to 浮游
_REDUCED = _any(r"(?<![a-z])reduced", r"reduzierte", r"reduit", r"reducid", r"ridott", r"восстановлен")
_MATTER = _any(r"matter", r"madde", r"materia", r"matiere", r"material", r"materie", r"anyag", r"вещество")


def methane_free(folded: str) -> bool:
    """Whether a name means hydrocarbons without methane (NMHC) in any language this module reads."""
    text = unaccent(folded)
    return bool(_HYDROCARBON.search(text) and _NO_METHANE.search(text))


def decide(folded: str, lookup: Lookup, written: str = "") -> Decision | None:
    """(label or None, confidence) for a name its chemistry decides, else None. `written`: the name as written,
    where a formula keeps its capitals ("EmisC2H6")."""
    text = unaccent(folded)
    if _HYDROCARBON.search(text):  # all hydrocarbons, unless methane is taken out (NMHC, not a standard value)
        if _AROMATIC.search(text):  # polycyclic aromatic hydrocarbons (PAH): a family of air toxics
            return None, CONFIDENCE
        return named("NMHC" if _NO_METHANE.search(text) else "HC", lookup, CONFIDENCE)
    if _OZONE.search(text):  # ozone, a secondary pollutant every monitoring network lists: not a standard value
        return named("O3", lookup, CONFIDENCE)
    if _REDUCED.search(text) and _ELEMENTS[0][1].search(text):  # reduced sulphur (H2S, mercaptans): not SO2
        return None, CONFIDENCE
    if m := _STATED_FORMULA.search(written):  # "Азотен оксид NO": the formula the name ends with decides
        found, label = lookup(m.group(1).lower())
        if found:
            return label, CONFIDENCE
    formula = _oxide_formula(text)
    if formula is not None:
        return named(formula, lookup, CONFIDENCE)
    return _particles(text, lookup) or _other_substance(text, written, lookup)


# A molecular formula of the elements of air pollutants, with counts (a count of 1 is never written): "c6h6",
# "CH2O", "N2O5". It needs a count: without one, "son" or "no" are words.
_COUNT = r"(?:[2-9]|[1-9]\d+)?"
_FORMULA_TOKEN = re.compile(rf"^(?:[chnos]{_COUNT}){{2,}}$")
_WRITTEN_FORMULA = re.compile(rf"(?:^|(?<=[^A-Z0-9]))((?:[CHNOS]{_COUNT}){{2,}})(?![A-Za-z0-9])")


# a formula written after a name, in capitals ("Азотен оксид NO", "oxyde d'azote (NO2)")
_STATED_FORMULA = re.compile(r"(?:^|[\s(\[,;:/-])(NOx|NOX|NO2|NO|SO2|SO3|CO2|CO|O3|N2O|NH3|H2S)\s*[)\]]?\s*$")


def _other_substance(text: str, written: str, lookup: Lookup) -> Decision | None:
    """A name whose formulas are all another substance's ("c2h4", "conc_CH2O") is not a standard value: an
    embedding would answer it with a look-alike formula. Silent when a formula is one of ours ("so2_ugm3")."""
    formulas = {t for t in re.split(r"[^a-z0-9]+", text) if _FORMULA_TOKEN.match(t)}
    formulas |= {f.lower() for f in _WRITTEN_FORMULA.findall(written)}
    formulas = {f for f in formulas if re.search(r"\d", f)}
    if not formulas or any(lookup(f)[1] is not None for f in formulas):
        return None
    return None, CONFIDENCE


def _oxide_formula(text: str) -> str | None:
    count = ("di" if _DI.search(text) else "mono" if _MONO.search(text) else "plural" if _PLURAL.search(text)
             else "one" if _OXIDE.search(text) else None)
    if count is None:
        return None
    elements = [symbol for symbol, stem in _ELEMENTS if stem.search(text)]
    if len(elements) != 1:  # none, or a compound of two elements ("carbonyl sulfide"): not ours to read
        return None
    return _FORMULA.get((elements[0], count))


_STATED_SIZE = re.compile(r"(?<![a-z0-9])pm\s?[_.]?\s?(2[.,_]5|10)(?![0-9])")
# a size written after the particle words ("particulate_matter_0_1", "particles 2,5 µm"): PM2.5, PM10, or another
# size fraction (PM0.1, PM1, PM4...), which is not a standard value
_SIZE_AFTER = re.compile(r"(?<![0-9a-z.,])(\d{1,2}(?:[.,_]\d{1,2})?)\s*(?:um|µm|μm|microns?|micromet(?:er|re)s?)?(?![0-9a-z])")
_SIZES = {"2.5": "PM2.5", "10": "PM10", "0.1": None, "0.3": None, "0.5": None, "1": None, "1.0": None, "4": None,
          "5": None}
# Estonian names PM10 "peened osakesed" (fine particles) and PM2.5 "eriti peened" (very fine), as German Feinstaub
_EE_FINE, _EE_VERY_FINE = re.compile(r"(?<![a-z])peen"), re.compile(r"(?<![a-z])(?:eriti|vaga|uli)[\s-]*peen")


def _particles(text: str, lookup: Lookup) -> Decision | None:
    if not (_PARTICLE.search(text) or _DUST.search(text)):
        return None
    if m := _STATED_SIZE.search(text):  # "pył zawieszony PM2,5": a stated size decides, whatever the words say
        return named("PM10" if m.group(1) == "10" else "PM2.5", lookup, CONFIDENCE)
    sizes = [re.sub("[,_]", ".", m.group(1)) for m in _SIZE_AFTER.finditer(text)]
    if sizes and sizes[-1] in _SIZES:
        label = _SIZES[sizes[-1]]
        return (None, CONFIDENCE) if label is None else named(label, lookup, CONFIDENCE)
    if _EE_FINE.search(text) and _PARTICLE.search(text):
        return named("PM2.5" if _EE_VERY_FINE.search(text) else "Feinstaub", lookup, CONFIDENCE)
    if _PARTICLE.search(text) and _RESPIRABLE.search(text) and not _FINE.search(text):  # respirable, inhalable: PM10
        return named("PM10", lookup, CONFIDENCE)
    if re.search("悬浮|浮游", text) and _PARTICLE.search(text) and not _FINE.search(text):
        return named("PM10", lookup, CONFIDENCE)  # 懸浮微粒 (Taiwan), 浮遊粒子 (Japan SPM): PM10; 細懸浮 is PM2.5
    if _PARTICLE.search(text):
        said = _FINE.search(text) or _SUSPENDED.search(text) or _MATTER.search(text) or len(text.split()) == 1
        return named("PM", lookup, CONFIDENCE) if said else None
    if _DUST.search(text) and (_FINE.search(text) or _SUSPENDED.search(text)):
        return named("Feinstaub", lookup, CONFIDENCE)  # fine dust: PM10, as the catalog decides Feinstaub
    return None

