"""Prometheus metrics in the text exposition format (0.0.4), written here: a few counters and one histogram do
not need a dependency. Updated only on the event loop thread; the standardizer's counters are read at scrape time.
"""

from __future__ import annotations

from collections import defaultdict

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Histogram:
    def __init__(self, buckets: tuple[float, ...]):
        self.buckets = buckets
        self.counts = [0] * len(buckets)  # per bucket, not cumulative (cumulated when rendered)
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.total += 1
        self.sum += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1
                break


class Metrics:
    def __init__(self):
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, _Histogram] = {}

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        self.requests[(endpoint, method, status)] += 1
        self.latency.setdefault(endpoint, _Histogram(LATENCY_BUCKETS)).observe(seconds)

    def render(self, gauges: dict[str, tuple[str, str, float, dict]]) -> str:
        """Text format. `gauges`: name -> (type, help, value, labels) for values owned elsewhere."""
        lines = [
            "# HELP emstd_http_requests_total HTTP requests answered, by endpoint, method and status.",
            "# TYPE emstd_http_requests_total counter",
        ]
        for (endpoint, method, status), n in sorted(self.requests.items()):
            lines.append(f"emstd_http_requests_total{_labels(endpoint=endpoint, method=method, status=status)} {n}")
        lines += [
            "# HELP emstd_http_request_duration_seconds Time from request start to response end, by endpoint.",
            "# TYPE emstd_http_request_duration_seconds histogram",
        ]
        for endpoint, h in sorted(self.latency.items()):
            lines += _histogram_lines("emstd_http_request_duration_seconds", h, endpoint=endpoint)
        for name, (kind, help_text, value, labels) in gauges.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name}{_labels(**labels)} {_num(value)}"]
        return "\n".join(lines) + "\n"


def _histogram_lines(name: str, h: _Histogram, **labels) -> list[str]:
    out, cumulative = [], 0
    for bound, count in zip(h.buckets, h.counts):
        cumulative += count
        out.append(f"{name}_bucket{_labels(**labels, le=_num(bound))} {cumulative}")
    out.append(f"{name}_bucket{_labels(**labels, le='+Inf')} {h.total}")
    out.append(f"{name}_sum{_labels(**labels)} {_num(h.sum)}")
    out.append(f"{name}_count{_labels(**labels)} {h.total}")
    return out


def _labels(**labels) -> str:
    if not labels:
        return ""
    parts = []
    for k, v in labels.items():
        text = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        parts.append(f'{k}="{text}"')
    return "{" + ",".join(parts) + "}"


def _num(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)
