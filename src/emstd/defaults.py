"""Facts that several layers share, defined once: limits, the default base model, sequence lengths.

This module imports nothing from emstd, so any layer may import it.
"""

from __future__ import annotations

import os
from pathlib import Path

# The production base model of both adapters (docs/training.md).
DEFAULT_BASE_MODEL = "Qwen/Qwen2.5-3B-Instruct"

# A value or header longer than this is not a name: it is answered null ("too_long") by the Standardizer and
# never matched by the rules or sent to a model.
MAX_VALUE_CHARS = 200
# Headers of one table sent to a column model (wider tables keep the rules' answers for the rest).
MAX_HEADERS = 200

# The seed's max_length per model, in tokens of the base model's tokenizer: the dataset builder keeps every
# example within it, `emstd data check` enforces it, and the training configs use it.
MAX_LENGTH = {"unified": 256, "column": 512}
# Beside a unified adapter: the retrieval confidence at or above which `auto` does not ask that adapter, chosen on the
# eval split by `emstd eval` (eval/routing.py) and read by the backend factory.
ROUTING_FILE = "routing.json"
# Tokens a column model may generate for one table (a mapping of ~40 headers fits in ~300).
COLUMN_MAX_NEW_TOKENS = 384

# Prompts per forward pass of the local backend. With the shared-prompt-prefix cache only each name's suffix
# (~50 tokens) runs, sorted by length; on CPU larger batches buy nothing and pad more (docs/benchmarks.md).
LOCAL_BATCH_SIZE = 8
# torch threads for the local backend on CPU (the environment variable EMSTD_TORCH_THREADS overrides it; 0:
# torch's default). On 2 cores shared with other work, two OpenMP threads wait at every operator's barrier for a
# core that is busy elsewhere: measured ~4x slower for batched answers, ~13x for one-by-one generation.
LOCAL_CPU_THREADS = 1
# Weights' dtype for local inference (the environment variable EMSTD_INFER_DTYPE overrides it): auto = bf16 on a
# GPU with bf16 and on a CPU with bf16 matrix units (AVX512-BF16 / AMX), else fp32. On this project's CPU (AMX)
# a SmolLM2 forward pass is ~4x faster in bf16; answers agree with fp32 (docs/benchmarks.md). Training keeps the
# config's precision.
INFER_DTYPES = ("auto", "fp32", "bf16")
INFER_DTYPE = "auto"


def cache_root() -> Path:
    """Where emstd caches what it builds once (the Qwen2.5 tokenizer, retrieval indexes): EMSTD_CACHE, else
    ~/.cache/emstd."""
    return Path(os.environ.get("EMSTD_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "emstd"))
