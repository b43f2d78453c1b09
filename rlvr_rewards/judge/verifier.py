"""The registered judge verifiers.

``judge``: a verifier model decides alone (after the gold gate).
``accuracy_judge``: the rules decide first (the ``accuracy`` verifier); the judge is asked only
when their outcome is in ``judge_on`` (default: incorrect, timeout, error). It never sees a bad
gold or a hedge, and it can only *add* a decision: when it fails, the rule verdict stands.

Both read ``REWARD_MODEL_URL`` / ``REWARD_MODEL_NAME`` / ``REWARD_MODEL_API_KEY`` when no
``url`` / ``model`` / ``api_key`` is given. In ``check_batch`` every judge call of a batch starts
during the cheap first phase and is collected in the second, so a batch's calls run
concurrently (up to the client's ``concurrency``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

from ..protocol import Deferred, pending
from ..registry import create_verifier, register
from ..sample import Sample
from ..verdict import Decision, Outcome
from ..verifiers.base import Verifier, evaluate, same_candidates
from ..verifiers.compose import Cascade, Product, Weighted
from ..verifiers.specs import build
from .client import JudgeClient, JudgeResult, JudgeStats
from .prompt import ANSWER_MODES, answer_region, suspicious

JUDGE_ON_DEFAULT = ("incorrect", "timeout", "error")
JUDGEABLE = frozenset({"incorrect", "no_answer", "timeout", "error"})
_PREFETCH_LIMIT = 16_384  # an evicted entry only costs a second cache lookup


def _hedge(sample: Sample) -> Decision | None:
    """Several different final answers: rejected by the rules, never shown to a judge."""
    ext = sample.extraction
    if ext.hedge and (ext.answer is None or not same_candidates(ext.candidates)):
        return Decision(Outcome.INCORRECT, 0.0, "hedge: several different final answers", by="extraction")
    return None


def _question(sample: Sample) -> str | None:
    q = sample.question.strip() if isinstance(sample.question, str) else None
    if sample.options:
        opts = "\n".join(f"{chr(65 + i)}. {o}" for i, o in enumerate(sample.options[:10]))
        q = f"{q}\n{opts}" if q else f"Options:\n{opts}"
    return q or None


class _JudgeBase(Verifier):
    """Client ownership, the answer region, and batch prefetching shared by both verifiers."""

    def __init__(
        self,
        url: str | None,
        model: str | None,
        api_key: str | None,
        client: JudgeClient | None,
        answer: str,
        max_answer_chars: int | None,
        client_options: dict[str, Any],
    ) -> None:
        if answer not in ANSWER_MODES:
            raise ValueError(f"answer must be one of {ANSWER_MODES}, not {answer!r}")
        if client is None:
            client = JudgeClient(url, model, api_key, **client_options)
        elif url or model or api_key or client_options:
            raise ValueError("pass either client= or the client options, not both")
        self.client = client
        self.answer = answer
        self.max_answer_chars = max_answer_chars
        self.answer_only = answer == "extracted"
        self._prefetched: OrderedDict[int, tuple[Sample, Future[JudgeResult]]] = OrderedDict()
        self._prefetch_lock = threading.Lock()

    @property
    def stats(self) -> JudgeStats:
        return self.client.stats

    def close(self) -> None:
        self.client.close()

    def region(self, sample: Sample, *, tail_if_no_answer: bool = False) -> str | None:
        """The part of the completion the judge is shown (None: nothing to show)."""
        mode = self.answer
        extracted = sample.extraction.answer
        if mode == "extracted" and extracted is None and tail_if_no_answer:
            mode = "tail"
        return answer_region(sample.completion, extracted, mode, self.max_answer_chars)

    def _ask(self, sample: Sample, region: str, then: Any) -> Deferred:
        """The judge call is slow work: ``then(result)`` runs on the judge's verdict on ``region``.

        In a batch's fast phase the request is sent at once (``prefetch``) and collected in the
        slow phase, so every judge call of a batch is in flight together.
        """
        return Deferred(lambda: then(self._result(sample, region)), prefetch=lambda: self._prefetch(sample, region))

    def _prefetch(self, sample: Sample, region: str) -> None:
        fut = self.client.submit(self.client.messages(_question(sample), region, sample.gold_text or str(sample.gold)))
        with self._prefetch_lock:
            self._prefetched[id(sample)] = (sample, fut)
            while len(self._prefetched) > _PREFETCH_LIMIT:
                self._prefetched.popitem(last=False)

    def _result(self, sample: Sample, region: str) -> JudgeResult:
        with self._prefetch_lock:
            entry = self._prefetched.pop(id(sample), None)
        if entry is not None and entry[0] is sample:
            return self.client.wait(entry[1])
        return self.client.judge(_question(sample), region, sample.gold_text or str(sample.gold))

    def _model(self) -> str:
        return self.client.model or "judge"


@register("judge", aliases=("llm_judge",))
class JudgeVerifier(_JudgeBase):
    """A verifier model (OpenAI-compatible server, e.g. xVerify on vLLM) decides alone."""

    name = "judge"
    needs_gold = True

    def __init__(
        self,
        url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        *,
        client: JudgeClient | None = None,
        answer: str = "extracted",
        max_answer_chars: int | None = None,
        on_failure: str = "error",
        **client_options: Any,
    ) -> None:
        super().__init__(url, model, api_key, client, answer, max_answer_chars, client_options)
        if on_failure not in ("error", "undecided"):
            raise ValueError("on_failure must be 'error' or 'undecided'")
        self.on_failure = on_failure
        self.needs_answer = answer == "extracted"  # the gates reject missing answers and hedges

    def decide(self, sample: Sample) -> Decision | None:
        hedge = _hedge(sample)
        if hedge is not None:
            return hedge
        region = self.region(sample)
        if region is None:
            return Decision(Outcome.NO_ANSWER, 0.0, "no final answer to show the judge", by="extraction")
        flagged = suspicious(region)
        if flagged is not None:
            self.stats.add("suspicious")
            return Decision(Outcome.INCORRECT, 0.0, f"the answer addresses the judge ({flagged!r}); judge not asked", by=self.name)
        return self._ask(sample, region, self._decision)

    def _decision(self, result: JudgeResult) -> Decision | None:
        if result.ok:
            return Decision(
                Outcome.CORRECT if result.verdict else Outcome.INCORRECT, float(bool(result.verdict)),
                f"judge {self._model()}: {'correct' if result.verdict else 'incorrect'}", by=self.name,
            )
        if self.on_failure == "undecided":
            return None
        return Decision(Outcome.ERROR, 0.0, f"judge failed ({result.status}: {result.detail})"[:300], by=self.name)


@register("accuracy_judge", aliases=("rules_then_judge",))
class AccuracyJudgeVerifier(_JudgeBase):
    """Rules first (accuracy); a verifier model is asked only when they say incorrect/undecided."""

    name = "accuracy_judge"
    needs_gold = True  # a bad gold is bad_gold before anything else: never judged
    needs_answer = False  # the rules gate their own answers; no_answer may go to the judge

    def __init__(
        self,
        url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        *,
        client: JudgeClient | None = None,
        rules: str | Verifier = "accuracy",
        judge_on: Iterable[str] = JUDGE_ON_DEFAULT,
        answer: str = "extracted",
        max_answer_chars: int | None = None,
        **client_options: Any,
    ) -> None:
        judge_on = tuple(str(o) for o in ([judge_on] if isinstance(judge_on, str) else judge_on))
        bad = set(judge_on) - JUDGEABLE
        if bad:
            raise ValueError(f"judge_on may name only {sorted(JUDGEABLE)}; not {sorted(bad)} (a bad gold is never judged)")
        super().__init__(url, model, api_key, client, answer, max_answer_chars, client_options)
        self.rules = build(rules)
        self.judge_on = frozenset(judge_on)
        self.answer_only = self.answer_only and getattr(self.rules, "answer_only", False)

    def decide(self, sample: Sample) -> Decision | None:
        rule = evaluate(self.rules, sample)
        if pending(sample):
            return None  # a slow rule tier must finish first (the batch's slow phase)
        if rule.outcome.value not in self.judge_on or rule.outcome is Outcome.BAD_GOLD:
            return rule
        if rule.detail.startswith("hedge") or _hedge(sample):
            return rule  # hedges stay rejected: a judge may accept "3 or 4"
        region = self.region(sample, tail_if_no_answer=rule.outcome is Outcome.NO_ANSWER)
        if region is None:
            return rule
        flagged = suspicious(region)
        if flagged is not None:
            self.stats.add("suspicious")
            return _note(rule, f"judge not asked: the answer addresses the judge ({flagged!r})")
        return self._ask(sample, region, lambda result: self._combine(rule, result))

    def _combine(self, rule: Decision, result: JudgeResult) -> Decision:
        said = f"{rule.outcome.value}" + (f": {rule.detail}" if rule.detail else "")
        if result.verdict is True:
            self.stats.add("overturned")
            return Decision(Outcome.CORRECT, 1.0, f"judge {self._model()}: correct (rules: {said})"[:300], by="judge")
        if result.verdict is False:
            if rule.outcome is Outcome.INCORRECT:
                self.stats.add("confirmed")
                return _note(rule, "judge agrees: incorrect")
            self.stats.add("resolved")
            return Decision(Outcome.INCORRECT, 0.0, f"judge {self._model()}: incorrect (rules: {said})"[:300], by="judge")
        self.stats.add("kept_on_failure")
        return _note(rule, f"judge failed ({result.status}: {result.detail}); rule verdict kept")


def _note(rule: Decision, note: str) -> Decision:
    detail = f"{rule.detail}; {note}" if rule.detail else note
    return Decision(rule.outcome, rule.score, detail[:400], rule.by, rule.parts)


JUDGE_NAMES = frozenset({"judge", "llm_judge", "accuracy_judge", "rules_then_judge"})


def with_judge(
    spec: str | Verifier = "accuracy",
    *,
    url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    **options: Any,
) -> Verifier:
    """``spec`` with a judge behind it (what ``rlvr-rewards grade --judge-url`` uses).

    A judge name (``judge``, ``accuracy_judge``) gets the connection settings; any other
    verifier or spec becomes the ``rules`` of an ``accuracy_judge``. Settings left out come from
    ``REWARD_MODEL_URL`` / ``REWARD_MODEL_NAME`` / ``REWARD_MODEL_API_KEY``.
    """
    if isinstance(spec, str) and spec.strip() in JUDGE_NAMES:
        return create_verifier(spec.strip(), url=url, model=model, api_key=api_key, **options)
    return AccuracyJudgeVerifier(url, model, api_key, rules=spec, **options)


def judge_verifiers(verifier: Any) -> list[_JudgeBase]:
    """The judge verifiers inside a (composed) verifier or spec."""
    found: list[_JudgeBase] = []

    def walk(v: Any) -> None:
        if isinstance(v, _JudgeBase):
            found.append(v)
        elif isinstance(v, (Cascade, Product)):
            for sub in v.verifiers:
                walk(sub)
        elif isinstance(v, Weighted):
            for _, sub in v.parts:
                walk(sub)

    walk(build(verifier) if isinstance(verifier, str) else verifier)
    return found


def judge_metrics(verifier: Any, prefix: str = "judge/") -> dict[str, Any]:
    """Judge counters of a (composed) verifier as a flat dict for a trainer's logger
    (empty when it has no judge). Several judges with different clients are keyed by name."""
    stats: dict[int, tuple[str, JudgeStats]] = {}
    for v in judge_verifiers(verifier):
        stats.setdefault(id(v.stats), (v.name, v.stats))
    if len(stats) == 1:
        (_, s), = stats.values()
        return {f"{prefix}{k}": val for k, val in s.snapshot().items()}
    return {f"{prefix}{name}/{k}": val for name, s in stats.values() for k, val in s.snapshot().items()}
