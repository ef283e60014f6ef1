"""The `remote` backend: an OpenAI-compatible server (vLLM) serving the adapters as models `unified` and `column`.

Answers stay valid by construction: unified requests use vLLM's structured outputs `choice` over the label set,
column requests a JSON schema whose keys are the table's headers and whose values are the allowed targets; the
answer is validated again on arrival (a server without structured outputs cannot break the contract).
"""

from __future__ import annotations

import math

from emstd.catalog import UNKNOWN, load_catalog
from emstd.errors import EmstdError
from emstd.infer.column_answer import column_json_schema, model_column_mapping, parse_column_answer
from emstd.infer.column_rules import ColumnMapping, default_column_rules
from emstd.infer.rules import Answer
from emstd.prompts import column_messages, unified_candidates, unified_messages


class RemoteError(EmstdError):
    """The remote server failed or answered something unusable."""


class RemoteBackend:
    name = "remote"
    uses_candidates = True  # unified prompts carry retrieval candidates (standardize_values takes `retrieved`)

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 30.0, unified_model: str = "unified",
                 column_model: str = "column", transport=None, concurrency: int = 16, retrieval=None):
        import httpx

        self.retrieval = retrieval  # candidates for unified prompts, as the adapter was trained with
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout, transport=transport)
        self.catalog = load_catalog()
        self.models = {"unified": unified_model, "column": column_model}
        self.model_calls = 0  # requests sent (httpx.Client is thread-safe; the counter is approximate under threads)
        self.concurrency = concurrency

    def can(self, role: str) -> bool:
        return True  # the server is expected to serve both adapters (emstd vllm-command)

    def _chat(self, model: str, messages: list[dict], extra: dict, max_tokens: int) -> tuple[str, float]:
        import httpx

        body = {"model": self.models[model], "messages": messages, "temperature": 0, "max_tokens": max_tokens,
                "logprobs": True, **extra}
        try:
            resp = self.client.post("/v1/chat/completions", json=body)
        except httpx.TimeoutException as exc:
            raise RemoteError(f"{self.url}: no answer within {self.client.timeout.read} s. "
                              f"Check the server is up, or raise the time-out.") from exc
        except httpx.HTTPError as exc:
            raise RemoteError(f"{self.url}: cannot reach the server ({type(exc).__name__}: {exc}). "
                              f"Check --url and that the server is running.") from exc
        self.model_calls += 1
        if resp.status_code == 401:
            raise RemoteError(f"{self.url}: the server refused the API key (401). Check --api-key.")
        if resp.status_code >= 400:
            raise RemoteError(f"{self.url}: the server answered {resp.status_code}: {resp.text[:300]}")
        try:
            choice = resp.json()["choices"][0]
            text = choice["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise RemoteError(f"{self.url}: the answer is not an OpenAI chat completion: {resp.text[:200]}") from exc
        return text, _confidence(choice)

    def standardize_values(self, values: list[str], task: str, retrieved: list | None = None) -> list[Answer]:
        """One request per value, `concurrency` at a time: vLLM batches concurrent requests on its side."""
        from concurrent.futures import ThreadPoolExecutor

        choices = self.catalog.answer_set(task)
        candidates = dict(zip(values, unified_candidates(self.retrieval, values, task, retrieved)))

        def one(v: str) -> Answer:
            text, confidence = self._chat("unified", unified_messages(task, v, candidates=candidates[v]),
                                          {"structured_outputs": {"choice": choices}}, 16)
            text = text.strip()
            if text not in choices:  # a server that ignored structured outputs: never pass a non-label through
                return Answer(v, None, "invalid_model_answer", 0.0)
            return Answer(v, None if text == UNKNOWN else text, "model", confidence)

        if len(values) <= 1:
            return [one(v) for v in values]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(values))) as pool:
            return list(pool.map(one, values))  # in input order; the first error propagates

    def map_columns(self, headers, samples=None, task=None) -> ColumnMapping:
        targets = self.catalog.column_targets(task) if task else self.catalog.column_targets()
        schema = column_json_schema(headers, targets)
        text, confidence = self._chat("column", column_messages(headers, samples), {"structured_outputs": {"json": schema}}, 512)
        mapping, problems = parse_column_answer(text, headers, targets)
        if mapping is None:
            rules = default_column_rules().map_columns(headers, samples, task)
            rules.notes.append(f"remote column answer unusable ({problems[0]}); rules used instead")
            return rules
        return model_column_mapping(headers, mapping, confidence, task, samples, problems)


def _confidence(choice: dict) -> float:
    """exp(mean token logprob) when the server returns logprobs; 1.0 when it does not say."""
    try:
        tokens = choice["logprobs"]["content"]
        lps = [t["logprob"] for t in tokens if t.get("logprob") is not None]
    except (KeyError, TypeError):
        return 1.0
    return round(math.exp(sum(lps) / len(lps)), 4) if lps else 1.0
