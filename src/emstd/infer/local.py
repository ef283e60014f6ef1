"""The `local` backend: transformers + PEFT in this process.

The base model is loaded once; both adapters are loaded once onto it under the names `unified` and `column` and
switched with `set_adapter` (never reloaded per call, unlike the origin client). Unified answers come from
constrained decoding over the label set; column answers are generated greedily and validated.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from emstd.catalog import UNKNOWN, load_catalog
from emstd.errors import EmstdError
from emstd.infer.column_answer import model_column_mapping, parse_column_answer
from emstd.infer.column_rules import ColumnMapping, default_column_rules
from emstd.infer.constrained import AnswerTrie, constrained_generate
from emstd.defaults import COLUMN_MAX_NEW_TOKENS, MAX_HEADERS, MAX_VALUE_CHARS
from emstd.infer.rules import Answer
from emstd.prompts import column_messages, unified_candidates, unified_messages



def load_for_inference(base_model: str, gguf_file: str | None = None):
    """(tokenizer, model) for generation: bf16 on a GPU that has it, fp32 on CPU; loaded as training loads them."""
    import torch

    from emstd.hf import load_causal_lm, load_tokenizer

    tokenizer = load_tokenizer(base_model, gguf_file, padding_side="left")  # batched generation pads on the left
    dtype = torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32
    model = load_causal_lm(base_model, gguf_file, dtype=dtype)
    if torch.cuda.is_available():
        model.to("cuda")
    return tokenizer, model


class LocalBackend:
    name = "local"
    uses_candidates = True  # unified prompts carry retrieval candidates (standardize_values takes `retrieved`)

    def __init__(self, base_model: str, unified_adapter: str | None = None, column_adapter: str | None = None,
                 gguf_file: str | None = None, batch_size: int = 16, device: str | None = None, retrieval=None):
        """`retrieval`: the RetrievalIndex (or a Lazy of it) whose candidates go into unified prompts."""
        self.catalog = load_catalog()
        self.retrieval = retrieval
        self.tokenizer, model = load_for_inference(base_model, gguf_file)
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
        self.lock = threading.Lock()  # one model call at a time: generate is not re-entrant on one model
        self.model_calls = 0
        end_id = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        if end_id is None or end_id == self.tokenizer.unk_token_id:
            end_id = self.tokenizer.eos_token_id
        self.end_token_id = end_id
        self.tries = {t: AnswerTrie(self.tokenizer, self.catalog.answer_set(t), end_id) for t in ("vehicle", "pollutant")}

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
            self.model.eval()

    @contextmanager
    def _use(self, name: str):
        """Run the body with adapter `name` active, or with the bare base model in zero-shot mode."""
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
            results = constrained_generate(self.model, self.tokenizer, prompts, self.tries[task], self.batch_size)
            self.model_calls += 1
        return [Answer(v, None if label in (None, UNKNOWN) else label, "model", confidence)
                for v, (label, confidence) in zip(values, results)]

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
            with torch.no_grad():
                out = self.model.generate(
                    **enc, max_new_tokens=COLUMN_MAX_NEW_TOKENS, do_sample=False, num_beams=1,
                    output_scores=True, return_dict_in_generate=True, eos_token_id=self.end_token_id,
                    pad_token_id=self.tokenizer.pad_token_id,
                )
            self.model_calls += 1
        new = out.sequences[0, enc["input_ids"].shape[1]:]
        logps = [torch.log_softmax(s[0].float(), -1)[t].item() for s, t in zip(out.scores, new.tolist())]
        confidence = float(torch.tensor(logps).mean().exp()) if logps else 0.0
        return self.tokenizer.decode(new, skip_special_tokens=True), round(confidence, 4)

