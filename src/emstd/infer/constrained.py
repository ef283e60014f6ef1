"""Answers valid by construction: greedy decoding restricted to a fixed set of answers (a token trie).

For the unified model the answer set is the task's labels plus UNKNOWN, each followed by the end-of-turn token.
At every step only tokens that continue some answer are allowed, so even a random-weight model can only say a
catalog label. The confidence is the product of the chosen tokens' probabilities under the restricted
distribution: the model's probability of its answer among the allowed answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Node:
    children: dict[int, "_Node"] = field(default_factory=dict)
    answer: str | None = None  # set on the node reached after the answer's last token (the end-of-turn token)
    only: str | None = None  # the one answer below this node, when there is exactly one


class AnswerTrie:
    """Token trie of `answer + end-of-turn` for each answer in a fixed set."""

    def __init__(self, tokenizer, answers: list[str], end_token_id: int):
        self.root = _Node()
        self.end_token_id = end_token_id
        self.max_len = 0
        for answer in answers:
            ids = answer_token_ids(tokenizer, answer) + [end_token_id]
            node = self.root
            for t in ids:
                node = node.children.setdefault(t, _Node())
            node.answer = answer
            self.max_len = max(self.max_len, len(ids))
        _mark_settled(self.root)

    def allowed(self, generated: list[int]) -> list[int]:
        node = self.root
        for t in generated:
            node = node.children.get(t)
            if node is None:
                return [self.end_token_id]
        return list(node.children) or [self.end_token_id]

    def answer_of(self, generated: list[int]) -> str | None:
        node = self.root
        for t in generated:
            node = node.children.get(t)
            if node is None:
                return None
            if node.answer is not None:
                return node.answer
        return node.answer


def _mark_settled(node: _Node) -> set[str]:
    """Set `only` on every node below which a single answer remains; return the answers below `node`."""
    below = {node.answer} if node.answer is not None else set()
    for child in node.children.values():
        below |= _mark_settled(child)
    node.only = next(iter(below)) if len(below) == 1 else None
    return below


def answer_token_ids(tokenizer, answer: str) -> list[int]:
    """Token ids of an answer as they appear after the assistant header in a training example.

    The prompt ends with "<|im_start|>assistant\\n"; Qwen's pre-tokenizer splits at that newline, so the answer's
    tokens are the same whether tokenized alone or inside the full conversation (a test checks this).
    """
    return tokenizer(answer, add_special_tokens=False)["input_ids"]


def constrained_generate(model, tokenizer, prompts: list[str], trie: AnswerTrie, batch_size: int = 16):
    """Greedy restricted decoding for a batch of rendered prompts. Returns [(answer, confidence)] in order."""
    import torch

    results: list[tuple[str, float]] = []
    tokenizer.padding_side = "left"  # batched generation needs left padding
    for start in range(0, len(prompts), batch_size):
        chunk = prompts[start : start + batch_size]
        enc = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
        prompt_len = enc["input_ids"].shape[1]

        def allowed(batch_id, input_ids):
            return trie.allowed(input_ids[prompt_len:].tolist())

        with torch.no_grad():
            out = model.generate(
                **enc, max_new_tokens=trie.max_len, do_sample=False, num_beams=1,
                prefix_allowed_tokens_fn=allowed, output_scores=True, return_dict_in_generate=True,
                eos_token_id=trie.end_token_id, pad_token_id=tokenizer.pad_token_id,
            )
        new_tokens = out.sequences[:, prompt_len:]
        # scores are the processed logits (disallowed tokens at -inf): softmax gives the restricted distribution
        probs = [torch.softmax(s.float(), dim=-1) for s in out.scores]
        for row in range(new_tokens.shape[0]):
            ids, confidence = [], 1.0
            for step, token in enumerate(new_tokens[row].tolist()):
                if step >= len(probs):
                    break
                confidence *= float(probs[step][row, token])
                ids.append(token)
                if token == trie.end_token_id:
                    break
            answer = trie.answer_of(ids)
            results.append((answer, round(confidence, 4)))
    return results


def constrained_generate_cached(model, prefix, suffixes: list[list[int]], trie: AnswerTrie, pad_token_id: int,
                                batch_size: int = 16) -> list[tuple[str, float]]:
    """What constrained_generate answers, for prompts that all start with `prefix` (an emstd.infer.prefix_cache
    Prefix computed with the active adapter): `suffixes` are each prompt's tokens after it.

    Only the suffixes run through the model, on a copy of the prefix's keys/values. Batches hold suffixes of
    similar length (little padding); each suffix is padded on its left, between prefix and suffix, masked, with
    position ids that continue the prefix, so every row sees what it would see alone. A row stops as soon as one
    answer remains below its trie node: the rest of that answer is forced, each token with probability 1 under
    the restricted distribution, so its answer and confidence are already final.
    """
    if trie.root.only is not None:
        return [(trie.root.only, 1.0)] * len(suffixes)
    order = sorted(range(len(suffixes)), key=lambda i: len(suffixes[i]))
    results: list = [None] * len(suffixes)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        for i, result in zip(rows, _decode_batch(model, prefix, [suffixes[i] for i in rows], trie, pad_token_id)):
            results[i] = result
    return results


class _Scorer:
    """The decoder stack, and the output layer's rows for just the tokens the trie allows: the restricted
    distribution needs no other logits (a full 49,152-152,064-column projection per step otherwise)."""

    def __init__(self, model):
        import torch

        from emstd.infer.prefix_cache import cache_kwarg, causal_lm, decoder_of

        lm = causal_lm(model)
        self.decoder, self.cache_name, self.device = decoder_of(model), cache_kwarg(decoder_of(model)), model.device
        self.head = lm.get_output_embeddings()
        # A plain linear head can be cut to rows; anything else (a soft-capped or adapted head) runs whole.
        self.rows_only = type(self.head) is torch.nn.Linear and not getattr(lm.config, "final_logit_softcapping", None)

    def last_hidden(self, ids, mask, positions, cache):
        out = self.decoder(input_ids=ids.to(self.device), attention_mask=mask.to(self.device),
                           position_ids=positions.to(self.device), use_cache=True, **{self.cache_name: cache})
        return out.last_hidden_state[:, -1]

    def logits(self, hidden, tokens: list[int]):
        """(rows, len(tokens)) logits of `tokens` at each row's hidden state."""
        import torch

        if not self.rows_only:
            return self.head(hidden)[:, tokens].float()
        index = torch.tensor(tokens, device=hidden.device)
        bias = self.head.bias[index] if self.head.bias is not None else None
        return torch.nn.functional.linear(hidden, self.head.weight[index], bias).float()


def _decode_batch(model, prefix, suffixes: list[list[int]], trie: AnswerTrie, pad_token_id: int):
    import torch

    n, width, start = len(suffixes), max(len(s) for s in suffixes), len(prefix.ids)
    ids = torch.full((n, width), pad_token_id, dtype=torch.long)
    suffix_mask = torch.zeros((n, width), dtype=torch.long)
    for row, s in enumerate(suffixes):
        ids[row, width - len(s):] = torch.tensor(s, dtype=torch.long)
        suffix_mask[row, width - len(s):] = 1
    mask = torch.cat([torch.ones((n, start), dtype=torch.long), suffix_mask], dim=1)
    positions = start + (suffix_mask.cumsum(1) - 1).clamp(min=0)  # padding takes any position: it is masked
    next_position = start + suffix_mask.sum(1)
    scorer, cache = _Scorer(model), prefix.cache(model, n)
    nodes, confidence = [trie.root] * n, [1.0] * n
    live, results = list(range(n)), [None] * n  # live: rows still choosing, in the order of the model's batch
    while live:
        with torch.no_grad():
            hidden = scorer.last_hidden(ids, mask, positions, cache)
            # ascending ids: ties go to the lowest id, as generate's argmax over the whole vocabulary
            allowed = [sorted(nodes[row].children) for row in live]
            union = sorted(set().union(*allowed))
            column = {t: i for i, t in enumerate(union)}
            logits = scorer.logits(hidden, union)
        keep, chosen = [], []
        for j, row in enumerate(live):
            probs = torch.softmax(logits[j, [column[t] for t in allowed[j]]], dim=-1)
            k = int(torch.argmax(probs))
            confidence[row] *= float(probs[k])
            nodes[row] = nodes[row].children[allowed[j][k]]
            if nodes[row].only is not None:
                results[row] = (nodes[row].only, round(confidence[row], 4))
            else:
                keep.append(j)
                chosen.append(allowed[j][k])
        if len(keep) < len(live):
            index = torch.tensor(keep, dtype=torch.long)
            cache.batch_select_indices(index.to(scorer.device))
            mask, next_position = mask[index], next_position[index]
        live = [live[j] for j in keep]
        ids = torch.tensor(chosen, dtype=torch.long).unsqueeze(1)
        mask = torch.cat([mask, torch.ones((len(live), 1), dtype=torch.long)], dim=1)
        positions, next_position = next_position.unsqueeze(1), next_position + 1
    return results
