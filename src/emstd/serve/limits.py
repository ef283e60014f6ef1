"""Request limits beyond the body size: counts answer 413 (too much), lengths and shape 422 (unusable as sent).
Every message names the limit, its value and the flag that changes it.

Text is also checked to be encodable: JSON may carry a lone surrogate as an escape ("\\udc80"), which Python
accepts as a str but which no tokenizer, file or JSON answer can hold. Such a value is refused by its index
before it joins a shared batch, where it would fail the model call of every request in it."""

from __future__ import annotations

from fastapi import HTTPException

from emstd.serve.settings import ServeSettings

TOO_MUCH, UNUSABLE = 413, 422


def check_values(values: list, settings: ServeSettings) -> None:
    if len(values) > settings.max_values:
        raise HTTPException(TOO_MUCH, f"values: {len(values)} given; "
                                      f"the limit is {settings.describe_limit('max_values')}")
    _check_lengths("values", values, settings)


def check_columns(headers: list[str], samples: dict | None, settings: ServeSettings) -> None:
    if not headers:
        raise HTTPException(UNUSABLE, "headers: give at least one header")
    if len(headers) > settings.max_headers:
        raise HTTPException(TOO_MUCH, f"headers: {len(headers)} given; "
                                      f"the limit is {settings.describe_limit('max_headers')}")
    _check_lengths("headers", headers, settings)
    if len(set(headers)) != len(headers):
        raise HTTPException(UNUSABLE, "headers: every header must be distinct (the answer maps each header once)")
    for header, values in (samples or {}).items():
        if header not in headers:
            raise HTTPException(UNUSABLE, f"samples: {header[:50]!r} is not one of the headers")
        if len(values) > settings.max_samples_per_header:
            raise HTTPException(TOO_MUCH, f"samples[{header[:50]!r}]: {len(values)} values given; the limit is "
                                          f"{settings.describe_limit('max_samples_per_header')}")
        _check_lengths(f"samples[{header[:50]!r}]", values, settings)


def _check_lengths(field: str, texts: list, settings: ServeSettings) -> None:
    for i, text in enumerate(texts):
        if text is not None and len(text) > settings.max_value_chars:
            raise HTTPException(UNUSABLE, f"{field}[{i}]: {len(text)} characters; the limit is "
                                          f"{settings.describe_limit('max_value_chars')}")
        problem = unencodable(text)
        if problem:
            raise HTTPException(UNUSABLE, f"{field}[{i}]: {problem}")


def unencodable(text: str | None) -> str | None:
    """Why `text` cannot be written as UTF-8, or None when it can."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"not valid Unicode text: a lone surrogate U+{ord(text[exc.start]):04X} at character {exc.start}, "
                f"which UTF-8 cannot encode. Send UTF-8 text (a \\ud800-\\udfff escape must be half of a pair)")
    return None
