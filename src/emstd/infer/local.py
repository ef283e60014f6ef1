"""The `local` backend: transformers + PEFT in this process.

The base model is loaded once; both adapters are loaded once onto it under the names `unified` and `column` and
switched with `set_adapter` (never reloaded per call, unlike the origin client). Unified answers come from
constrained decoding over the label set; column answers are generated greedily and validated.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from emstd.catalog import UNKNOWN, load_catalog
from emstd.errors import EmstdError
from emstd.infer.column_answer import model_column_mapping, parse_column_answer
from emstd.infer.column_rules import ColumnMapping, default_column_rules
from emstd.infer.constrained import AnswerTrie, constrained_generate, constrained_generate_cached
from emstd.infer.prefix_cache import PrefixStore, cache_kwarg, can_share_prefix, common_prefix_ids
from emstd.defaults import (COLUMN_MAX_NEW_TOKENS, INFER_DTYPE, INFER_DTYPES, LOCAL_BATCH_SIZE, LOCAL_CPU_THREADS,
                            MAX_HEADERS, MAX_VALUE_CHARS)
from emstd.infer.rules import Answer
from emstd.prompts import column_messages, unified_candidates, unified_messages



def cpu_threads() -> int | None:
    """torch threads for model calls on CPU: EMSTD_TORCH_THREADS if set (0: torch's default), else the default."""
    raw = os.environ.get("EMSTD_TORCH_THREADS", "").strip()
    if not raw:
        return LOCAL_CPU_THREADS
    if not raw.isdigit():
        raise EmstdError(f"EMSTD_TORCH_THREADS={raw!r}: give a whole number of threads (0: torch's default)")
    return int(raw) or None


def infer_dtype(name: str | None = None) -> str:
    """`fp32` or `bf16`: `name` (auto/fp32/bf16), else EMSTD_INFER_DTYPE, else the default; `auto` takes bf16
    where the hardware multiplies in it (a bf16 GPU, a CPU with AVX512-BF16 or AMX) and fp32 elsewhere."""
    import torch

    name = (name or os.environ.get("EMSTD_INFER_DTYPE", "").strip() or INFER_DTYPE).lower()
    if name not in INFER_DTYPES:
        raise EmstdError(f"inference dtype {name!r}: give one of {', '.join(INFER_DTYPES)} (--dtype or EMSTD_INFER_DTYPE)")
    if name != "auto":
        return name
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_has_bf16() else "fp32"


def cpu_has_bf16() -> bool:
    """Whether this CPU multiplies bf16 in hardware (without it bf16 is emulated and slower than fp32)."""
    import torch

    probes = [getattr(torch.cpu, n, None) for n in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(p is not None and p() for p in probes)


def load_for_inference(base_model: str, gguf_file: str | None = None, dtype: str | None = None):
    """(tokenizer, model) for generation in `infer_dtype(dtype)`, on the GPU when there is one; loaded as
    training loads them."""
    import torch

    from emstd.hf import load_causal_lm, load_tokenizer, torch_dtype

    tokenizer = load_tokenizer(base_model, gguf_file, padding_side="left")  # batched generation pads on the left
    model = load_causal_lm(base_model, gguf_file, dtype=torch_dtype(infer_dtype(dtype)))
    if torch.cuda.is_available():
        model.to("cuda")
    return tokenizer, model


class LocalBackend:
    name = "local"
    uses_candidates = True  # unified prompts carry retrieval candidates (standardize_values takes `retrieved`)

    def __init__(self, base_model: str, unified_adapter: str | None = None, column_adapter: str | None = None,
                 gguf_file: str | None = None, batch_size: int = LOCAL_BATCH_SIZE, device: str | None = None,
                 retrieval=None, dtype: str | None = None):
        """`retrieval`: the RetrievalIndex (or a Lazy of it) whose candidates go into unified prompts. `dtype`:
        auto | fp32 | bf16 (default: EMSTD_INFER_DTYPE, else auto: infer_dtype)."""
        threads = cpu_threads()
        self.catalog = load_catalog()
        self.retrieval = retrieval
        self.tokenizer, model = load_for_inference(base_model, gguf_file, dtype)
        self.adapters: list[str] = []  # adapters loaded at start
        self.roles: dict[str, str] = {}  # role (unified/column) -> the PEFT adapter name that plays it
        self._loaded = 0
        for name, path in (("unified", unified_adapter), ("column", column_adapter)):
            if path:
                model = self._attach(model, name, path)
        if device:
            model.to(device)
        model.eval()
        self.model = model
        self.zero_shot = False  # True: answer with the base model alone (adapters disabled), for baselines
        self.batch_size = batch_size
        self.column_max_new_tokens = COLUMN_MAX_NEW_TOKENS
        self.threads = None if self.model.device.type == "cuda" else threads  # set around model calls
        self.lock = threading.Lock()  # one model call at a time: generate is not re-entrant on one model
        self.model_calls = 0
        end_id = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        if end_id is None or end_id == self.tokenizer.unk_token_id:
            end_id = self.tokenizer.eos_token_id
        self.end_token_id = end_id
        self.tries = {t: AnswerTrie(self.tokenizer, self.catalog.answer_set(t), end_id) for t in ("vehicle", "pollutant")}
        self.prefixes = PrefixStore()  # the prompts' shared start, run once per adapter (infer/prefix_cache.py)
        self.share_prefix = True  # False: every prompt runs whole (the reference the tests compare against)

    def _attach(self, model, name: str, path: str):
        from peft import PeftModel

        adapter_dir = Path(path)
        if not (adapter_dir / "adapter_config.json").exists():
            raise EmstdError(f"{adapter_dir}: not an adapter directory (no adapter_config.json). "
                             f"Give a run's final/ or checkpoint-N/ directory.")
        try:
            if not self.adapters:
                model = PeftModel.from_pretrained(model, str(adapter_dir), adapter_name=name, is_trainable=False)
            else:
                model.load_adapter(str(adapter_dir), adapter_name=name, is_trainable=False)
        except (RuntimeError, ValueError, KeyError) as exc:
            base = json.loads((adapter_dir / "adapter_config.json").read_text()).get("base_model_name_or_path")
            raise EmstdError(
                f"{adapter_dir}: this adapter does not fit the loaded base model (it was trained on {base!r}): "
                f"{str(exc).splitlines()[0][:300]}. Pass the matching --base-model."
            ) from exc
        self.adapters.append(name)
        self.roles[name] = name
        return model

    def can(self, role: str) -> bool:
        """Whether this backend has a model for `role` (unified / column)."""
        return self.zero_shot or role in self.roles

    def swap_adapter(self, name: str, path: str) -> None:
        """Replace the adapter playing role `name` by another (checkpoint comparison in evaluation)."""
        with self.lock:
            self._loaded += 1
            new = f"{name}-{self._loaded}"
            self.model.load_adapter(path, adapter_name=new, is_trainable=False)
            self.model.set_adapter(new)
            old = self.roles.get(name)
            self.roles[name] = new
            if old is not None:
                self.model.delete_adapter(old)
                self.prefixes.forget(old)
            self.model.eval()

    def _weights(self, name: str) -> str | None:
        """Which weights answer for role `name` now: its PEFT adapter, or None for the bare base model."""
        return None if self.zero_shot or not self.adapters else self.roles[name]

    def _prefix(self, role: str, kind: str, render_input):
        """The shared prefix of prompts `render_input(x)` under the active weights, or None when it cannot be
        shared (prefix-tuning adapters, or switched off)."""
        if not self.share_prefix or not can_share_prefix(self.model):
            return None
        ids = lambda: common_prefix_ids(self.tokenizer, lambda x: self._render(render_input(x)))
        return self.prefixes.get(self.model, self._weights(role), kind, ids)

    @contextmanager
    def _use(self, name: str):
        """Run the body with adapter `name` active (or the bare base model in zero-shot mode), on self.threads."""
        import torch

        before = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            with self._active(name):
                yield
        finally:
            torch.set_num_threads(before)

    @contextmanager
    def _active(self, name: str):
        if self.zero_shot or not self.adapters:
            if not self.zero_shot:
                raise EmstdError(f"the local backend has no {name} adapter. Pass --{name}-adapter DIR.")
            with self.model.disable_adapter() if self.adapters else nullcontext():
                yield
            return
        if name not in self.roles:
            raise EmstdError(f"the local backend has no {name} adapter. Pass --{name}-adapter DIR.")
        self.model.set_adapter(self.roles[name])
        yield

    # --- values -------------------------------------------------------------------------------------------

    def standardize_values(self, values: list[str], task: str, retrieved: list | None = None) -> list[Answer]:
        """Constrained answers for values the Standardizer let through (never empty or over-long). `retrieved`:
        each value's retrieval result (searched here when not given)."""
        if not values:
            return []
        candidates = unified_candidates(self.retrieval, values, task, retrieved)
        prompts = [self._render(unified_messages(task, v, candidates=c)) for v, c in zip(values, candidates)]
        with self.lock, self._use("unified"):
            results = self._constrained(prompts, task)
            self.model_calls += 1
        return [Answer(v, None if label in (None, UNKNOWN) else label, "model", confidence)
                for v, (label, confidence) in zip(values, results)]

    def _constrained(self, prompts: list[str], task: str) -> list[tuple[str, float]]:
        """Constrained answers: prompts that start with the shared prefix run from its cache, any other whole."""
        trie = self.tries[task]
        prefix = self._prefix("unified", f"unified:{task}", lambda v: unified_messages(task, v))
        suffixes = [None] * len(prompts)
        if prefix is not None:
            suffixes = [prefix.suffix(ids) for ids in self.tokenizer(prompts, add_special_tokens=False)["input_ids"]]
        results: list = [None] * len(prompts)
        cached = [i for i, s in enumerate(suffixes) if s is not None]
        if cached:
            answers = constrained_generate_cached(self.model, prefix, [suffixes[i] for i in cached], trie,
                                                  self.tokenizer.pad_token_id, self.batch_size)
            for i, answer in zip(cached, answers):
                results[i] = answer
        whole = [i for i, s in enumerate(suffixes) if s is None]
        if whole:
            answers = constrained_generate(self.model, self.tokenizer, [prompts[i] for i in whole], trie,
                                           self.batch_size)
            for i, answer in zip(whole, answers):
                results[i] = answer
        return results

    def _render(self, messages: list[dict]) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    # --- columns ------------------------------------------------------------------------------------------

    def map_columns(self, headers, samples=None, task=None) -> ColumnMapping:
        safe = [h for h in headers if len(h) <= MAX_VALUE_CHARS][:MAX_HEADERS]
        text, confidence = self._generate_column(safe, samples)
        targets = self.catalog.column_targets(task) if task else self.catalog.column_targets()
        mapping, problems = parse_column_answer(text, safe, targets)
        if mapping is None:
            rules = default_column_rules().map_columns(headers, samples, task)
            rules.notes.append(f"column model answer unusable ({problems[0]}); rules used instead")
            rules.valid_json = False
            return rules
        return model_column_mapping(headers, mapping, confidence, task, samples, problems)

    def _generate_column(self, headers: list[str], samples) -> tuple[str, float]:
        import torch

        short = {h: [str(x)[:30] for x in (samples or {}).get(h, [])[:3]] for h in headers} if samples else None
        prompt = self._render(column_messages(headers, short))
        with self.lock, self._use("column"):
            enc = self.tokenizer([prompt], return_tensors="pt", add_special_tokens=False).to(self.model.device)
            prefix = self._prefix("column", "column", lambda h: column_messages([h]))
            cached = {}
            if prefix is not None and prefix.suffix(enc["input_ids"][0].tolist()) is not None:
                cached = {cache_kwarg(self.model): prefix.cache(self.model, 1)}  # generate runs only the rest
            with torch.no_grad():
                out = self.model.generate(
                    **enc, max_new_tokens=self.column_max_new_tokens, do_sample=False, num_beams=1,
                    output_scores=True, return_dict_in_generate=True, eos_token_id=self.end_token_id,
                    pad_token_id=self.tokenizer.pad_token_id, **cached,
                )
            self.model_calls += 1
        new = out.sequences[0, enc["input_ids"].shape[1]:]
        logps = [torch.log_softmax(s[0].float(), -1)[t].item() for s, t in zip(out.scores, new.tolist())]
        confidence = float(torch.tensor(logps).mean().exp()) if logps else 0.0
        return self.tokenizer.decode(new, skip_special_tokens=True), round(confidence, 4)

