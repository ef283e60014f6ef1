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


def cache_root() -> Path:
    """Where emstd caches what it builds once (the Qwen2.5 tokenizer, retrieval indexes): EMSTD_CACHE, else
    ~/.cache/emstd."""
    return Path(os.environ.get("EMSTD_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "emstd"))
