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
