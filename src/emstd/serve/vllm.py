"""The `vllm serve` line that serves the base model with both adapters (what `--backend remote` talks to).

- `--max-lora-rank 32`: vLLM's default is 16 and the column adapter is r=32 (configs/column_lora.yaml).
- `--max-loras 2`: vLLM's default is 1 adapter per batch; unified and column requests are batched together.
- `--max-model-len`: training column prompts are up to 512 tokens (the column config's data.max_length); answers
  are up to 512 tokens (the remote backend's max_tokens; the local backend stops at 384): 1024 needed. The
  default doubles that to 2048 so a table wider than the training ones (the service allows 200 headers, about
  1,200 prompt tokens) still fits; vLLM reserves memory for what sequences use, not for this maximum.
  Unified prompts are far shorter.
- Adapters must not carry `modules_to_save` (vLLM refuses them); checked here when the directory is local.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from emstd.errors import ConfigError
from emstd.hf import looks_like_path
from emstd.defaults import COLUMN_MAX_NEW_TOKENS, DEFAULT_BASE_MODEL, MAX_LENGTH

DEFAULT_UNIFIED_ADAPTER = "runs/unified_lora/final"
DEFAULT_COLUMN_ADAPTER = "runs/column_lora/final"
COLUMN_PROMPT_MAX_TOKENS = MAX_LENGTH["column"]
COLUMN_ANSWER_MAX_TOKENS = max(512, COLUMN_MAX_NEW_TOKENS)  # 512: the max_tokens of remote.py's column requests
HEADROOM = 2  # for tables wider than the training prompts
MAX_LORA_RANK = 32
MAX_LORAS = 2


def needed_model_len() -> int:
    return COLUMN_PROMPT_MAX_TOKENS + COLUMN_ANSWER_MAX_TOKENS


def default_max_model_len() -> int:
    return HEADROOM * needed_model_len()


def adapter_problems(name: str, path: str) -> list[str]:
    """What vLLM would refuse in an adapter: a directory that does not exist or holds no adapter, a rank above the
    cap, modules_to_save. A hub id (org/name, not a path here) is left to vLLM."""
    adapter = Path(path)
    if not adapter.exists():
        if not looks_like_path(path) and path.count("/") == 1:
            return []
        return [f"{name} adapter {path}: does not exist; give the adapter directory (a run's final/) with "
                f"--{name}-adapter"]
    config = adapter / "adapter_config.json"
    if not config.is_file():
        return [f"{name} adapter {path}: not an adapter directory (no adapter_config.json); give a run's final/"]
    try:
        cfg = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return [f"{name} adapter {path}: adapter_config.json is not readable JSON"]
    problems = []
    if int(cfg.get("r") or 0) > MAX_LORA_RANK:
        problems.append(f"{name} adapter {path}: rank r={cfg['r']} is above --max-lora-rank {MAX_LORA_RANK}")
    if cfg.get("modules_to_save"):
        problems.append(f"{name} adapter {path}: modules_to_save={cfg['modules_to_save']} (vLLM refuses these "
                        f"adapters; train without lm_head/embed_tokens)")
    return problems


def vllm_command(base_model: str = DEFAULT_BASE_MODEL, unified_adapter: str = DEFAULT_UNIFIED_ADAPTER,
                 column_adapter: str = DEFAULT_COLUMN_ADAPTER, max_model_len: int | None = None,
                 host: str = "127.0.0.1", port: int = 8001) -> str:
    problems = adapter_problems("unified", unified_adapter) + adapter_problems("column", column_adapter)
    if problems:
        raise ConfigError("vLLM adapters", problems)
    args = [
        "vllm", "serve", base_model,
        "--enable-lora",
        # The module names are the model names the remote backend asks for ("unified", "column").
        "--lora-modules", f"unified={unified_adapter}", f"column={column_adapter}",
        "--max-lora-rank", str(MAX_LORA_RANK),
        "--max-loras", str(MAX_LORAS),
        "--max-model-len", str(max_model_len or default_max_model_len()),
        "--host", host, "--port", str(port),
    ]
    return shlex.join(args)
