"""Names in other languages, read word by word into English (catalog/data/vehicle_words.yaml, column_words.yaml).

A vehicle class name in another language is built like an English one: a kind, a size or use, a body word
("caminhão trator", "autobús urbano", "samochody ciężarowe"); a column header too ("velocidad media", "Débit
horaire"). `gloss` rewrites the words it knows into English and leaves the rest, and the rules then decide the
English name with the catalog and the grammar, so the catalog's documented defaults decide foreign names too
("semirremolque" -> "semi-trailer" -> not a source type). A name none of whose words are known is not glossed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import yaml

from emstd.catalog.normalize import fold, unaccent
from emstd.errors import CatalogError

GLOSSARIES = {"vehicle": "vehicle_words.yaml", "column": "column_words.yaml"}
# Thai, Lao, Japanese and Korean do not separate words: their entries match inside a longer word
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # Thai, Lao, kana, CJK, Hangul
# "MAQ.AGRICOLA", "Pers./stasjonsv.": abbreviations are words; a decimal point stays ("3.5 t")
_SEPARATORS = re.compile(r"[\s_\-/;:()\[\]]+|(?<!\d)[.,]+|[.,]+(?!\d)")
_RANGE_BIS = re.compile(r"(?<![^\W\d_])bis\s+(?=\d)")
MIN_HEAD = 4  # shorter words ("bil", "bus") are too often the end of an unrelated word to be a compound's head


def surface(text: str) -> str:
    """The form both the words and the names are matched in: folded, without accents, one space between words; a
    Cyrillic word with a Latin look-alike letter in it ("возилo", typed on a mixed keyboard) reads as Cyrillic."""
    words = _SEPARATORS.sub(" ", unaccent(fold(text))).split()
    return " ".join(w.translate(_TO_CYRILLIC) if _CYRILLIC.search(w) else w for w in words)


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_TO_CYRILLIC = str.maketrans("aceopxyijs", "асеорхуіјѕ")  # Latin letters drawn like Cyrillic ones


MIN_STEM = 4  # an inflected word is read by its stem only when this much is left ("так" is no stem of "такси")


@dataclass(frozen=True)
class Inflection:
    """The words of the inflecting languages, each form led back to one dictionary word: a form is the word, or
    the word without one of the language's case and number endings ("автобусов", "автобуса" -> автобус)."""
    endings: tuple[str, ...] = ()  # longest first
    forms: dict[str, str] | None = None  # a form (word or stem) -> the dictionary word it stands for

    def candidates(self, word: str) -> list[str]:
        return [word] + [word[:-len(e)] for e in self.endings if word.endswith(e) and len(word) - len(e) >= MIN_STEM]

    def dictionary_word(self, word: str) -> str:
        for form in self.candidates(word):
            if form in (self.forms or {}):
                return self.forms[form]
        return word

    def learn(self, word: str) -> str:
        """Register a word of the glossary; returns the dictionary word it is stored under."""
        known = self.dictionary_word(word)
        for form in self.candidates(word):
            self.forms.setdefault(form, known)
        return known

    def read(self, text: str) -> str:
        """Each word of the text as its dictionary word: "школьного автобуса" -> "школьный автобус"."""
        return " ".join(self.dictionary_word(w) for w in text.split(" ")) if self.forms else text


@dataclass(frozen=True)
class Lexicon:
    words: re.Pattern  # every word and phrase, longest first, as whole words (substrings in unspaced scripts)
    heads: re.Pattern  # the words of compounding languages, as the last part of a longer word
    glosses: dict[str, str]
    inflection: Inflection = Inflection()


@lru_cache(maxsize=None)
def lexicon(task: str = "vehicle") -> Lexicon:
    """The built-in words of a task (GLOSSARIES), compiled once."""
    name = GLOSSARIES[task]
    text = files("emstd.catalog").joinpath("data", name).read_text(encoding="utf-8")
    return compile_lexicon(yaml.safe_load(text), name)


def compile_lexicon(doc: dict, name: str = "glossary") -> Lexicon:
    """The words and their English. A word given two different glosses in two languages is an error in the file:
    the name could not be read one way. German, Dutch, the Nordic languages and Finnish write a compound as one
    word whose last part is its head ("Sattelzugmaschine", "straatveegwagen"): their words also match there."""
    glosses: dict[str, str] = {}
    heads: set[str] = set()
    clashes = []
    compounding = set(doc.get("compounding", ()))
    inflecting = doc.get("inflecting") or {}
    endings = sorted({surface(e) for language in inflecting.values() for e in language}, key=len, reverse=True)
    inflection = Inflection(tuple(endings), {})
    for language, words in doc["glosses"].items():  # any case or number of these words matches their stem
        if language in inflecting:
            for word in words:
                for w in surface(str(word)).split(" "):
                    inflection.learn(w)
    for language, words in doc["glosses"].items():
        for word, gloss in words.items():
            # stored as the text will be read: a word of any language that is also a form of an inflecting
            # language's word ("automobili") is read as that dictionary word, in the name and in the key alike
            k = inflection.read(surface(str(word)))
            if k in glosses and glosses[k] != gloss:
                clashes.append(f"{language}: {word!r} -> {gloss!r}, already {glosses[k]!r}")
            glosses[k] = str(gloss)
            if language in compounding and " " not in k and len(k) >= MIN_HEAD and str(gloss).strip():
                heads.add(k)
    if clashes:
        raise CatalogError(f"{name}: a word with two glosses ({'; '.join(clashes)}); give each word one")
    ordered = sorted(glosses, key=len, reverse=True)
    spaced = "|".join(re.escape(k) for k in ordered if not _UNSPACED.search(k))
    unspaced = "|".join(re.escape(k) for k in ordered if _UNSPACED.search(k))
    words = re.compile(rf"(?<![^\W\d_])(?:{spaced})(?![^\W\d_])" + (f"|{unspaced}" if unspaced else ""))
    head_alternatives = "|".join(re.escape(k) for k in sorted(heads, key=len, reverse=True)) or r"(?!)"
    # a compound: at least three letters of modifier, then a head word ending the word
    compound = re.compile(rf"(?<![^\W\d_])([^\W\d_]{{3,}}?)({head_alternatives})(?![^\W\d_])")
    return Lexicon(words, compound, glosses, inflection)


def gloss(text: str, task: str = "vehicle") -> str | None:
    """The name with every known word in English ("CAMINHAO TRATOR" -> "truck tractor"), or None when no word
    that names something was known (function words alone, "de", "für", do not make a gloss). A compound whose
    head is known reads as its modifier, glossed when known, then the head ("opleggertrekker" -> "semi-trailer
    tractor")."""
    lex = lexicon(task)
    named = False

    def english(word: str) -> str:
        nonlocal named
        found = lex.glosses[word]
        named = named or bool(found.strip())
        return f" {found} "

    def compound(m: re.Match) -> str:
        modifier = m.group(1)
        return (english(modifier) if modifier in lex.glosses else f" {modifier} ") + english(m.group(2))

    text = _RANGE_BIS.sub("up to ", surface(text))  # German "bis 3,5 t" is a range, not the Indonesian "bis" (bus)
    rewritten = lex.words.sub(lambda m: english(m.group(0)), lex.inflection.read(text))
    rewritten = lex.heads.sub(compound, rewritten)
    return " ".join(rewritten.split()) if named else None
