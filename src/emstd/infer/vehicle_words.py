"""Vehicle class names in other languages, read word by word into English (catalog/data/vehicle_words.yaml).

A class name in another language is built like an English one: a kind, a size or use, a body word ("caminhão
trator", "autobús urbano", "samochody ciężarowe"). `gloss` rewrites the words it knows into English and leaves
the rest, and the rules engine then decides the English name with the catalog and the grammar, so the
catalog's documented defaults decide foreign names too ("semirremolque" -> "semi-trailer" -> not a source
type). A name none of whose words are known is not glossed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

import yaml

from emstd.catalog.normalize import fold, unaccent
from emstd.errors import CatalogError

WORDS_FILE = "vehicle_words.yaml"
# Thai, Japanese and Korean do not separate words: their entries match inside a longer word
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SEPARATORS = re.compile(r"[\s_\-]+")


def surface(text: str) -> str:
    """The form both the words and the names are matched in: folded, without accents, one space between words."""
    return _SEPARATORS.sub(" ", unaccent(fold(text))).strip()


@lru_cache(maxsize=1)
def lexicon() -> tuple[re.Pattern, dict[str, str]]:
    """The built-in words (catalog/data/vehicle_words.yaml), compiled once."""
    return compile_lexicon(yaml.safe_load(files("emstd.catalog").joinpath("data", WORDS_FILE).read_text(encoding="utf-8")))


def compile_lexicon(doc: dict) -> tuple[re.Pattern, dict[str, str]]:
    """(one pattern for every word, longest first; word -> English gloss). A word given two different glosses
    in two languages is an error in the file: the name could not be read one way."""
    glosses: dict[str, str] = {}
    clashes = []
    for language, words in doc["glosses"].items():
        for word, gloss in words.items():
            k = surface(str(word))
            if k in glosses and glosses[k] != gloss:
                clashes.append(f"{language}: {word!r} -> {gloss!r}, already {glosses[k]!r}")
            glosses[k] = str(gloss)
    if clashes:
        raise CatalogError(f"{WORDS_FILE}: a word with two glosses ({'; '.join(clashes)}); give each word one")
    ordered = sorted(glosses, key=len, reverse=True)
    spaced = "|".join(re.escape(k) for k in ordered if not _UNSPACED.search(k))
    unspaced = "|".join(re.escape(k) for k in ordered if _UNSPACED.search(k))
    pattern = re.compile(rf"(?<![^\W\d_])(?:{spaced})(?![^\W\d_])" + (f"|{unspaced}" if unspaced else ""))
    return pattern, glosses


def gloss(text: str) -> str | None:
    """The name with every known word in English ("CAMINHAO TRATOR" -> "truck tractor"), or None when no word
    that names something was known (function words alone, "de", "für", do not make a gloss)."""
    pattern, glosses = lexicon()
    named = False

    def english(m: re.Match) -> str:
        nonlocal named
        word = glosses[m.group(0)]
        named = named or bool(word.strip())
        return f" {word} "

    rewritten = pattern.sub(english, surface(text))
    return " ".join(rewritten.split()) if named else None
