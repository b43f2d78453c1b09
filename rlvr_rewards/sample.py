"""One grading problem: a completion, its gold and options, with lazily computed stages.

Verifiers receive a :class:`Sample` and read only what they need; extraction and parsing run at
most once per sample however many verifiers look at it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from .config import DEFAULT_CONFIG, GradeConfig
from .extraction import Extraction, extract_answer
from .letters import option_label, strip_option_label
from .parsing.gold import gold_texts, parse_gold
from .parsing.values import Value, parse_value
from .prose import collection_text, is_collection
from .protocol import NOW

MAX_COMPLETION_CHARS = 50_000_000
_UNSET = object()
_LABEL_START = frozenset("(abcdefghijABCDEFGHIJ")


def to_text(obj: Any) -> str:
    """Any completion-like input as text: bytes decoded, lone surrogates replaced, None empty.

    A conversation (a list of messages) gives its assistant turns only, joined in order: a user,
    system or tool turn is never graded as the model's answer. A message without a ``role`` counts
    as the model's; content blocks keep their text; a split-out ``reasoning_content`` is put back
    as ``<think>``. Used by the core (``check``, ``check_batch``) and every trainer adapter.
    """
    if obj is None:
        return ""
    if isinstance(obj, str):
        text = obj
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        text = bytes(obj).decode("utf-8", errors="replace")
    elif isinstance(obj, (list, tuple)):
        text = "\n".join(
            message_text(m) for m in obj if not isinstance(m, Mapping) or m.get("role", "assistant") == "assistant"
        )
    elif isinstance(obj, Mapping):
        text = message_text(obj)
    else:
        text = str(obj)
    if len(text) > MAX_COMPLETION_CHARS:
        text = text[-MAX_COMPLETION_CHARS:]
    if text.isascii():
        return text
    try:
        text.encode("utf-8")  # lone surrogates cannot be encoded: replace them
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def message_text(message: Any) -> str:
    """Text of one chat message (or of any other item of a completion list)."""
    if not isinstance(message, Mapping):
        return to_text(message)
    content = message.get("content", "")
    if isinstance(content, (list, tuple)):  # content blocks: keep the text ones
        content = "".join(
            to_text(b.get("text", "")) if isinstance(b, Mapping) else to_text(b)
            for b in content
            if not isinstance(b, Mapping) or b.get("type", "text") == "text"
        )
    text = to_text(content)
    reasoning = message.get("reasoning_content") or message.get("reasoning") or message.get("thinking")
    if reasoning:
        text = f"<think>{to_text(reasoning)}</think>{text}"
    return text


class Sample:
    """A completion to grade against a gold, plus optional MCQ options and question: read-only.

    The inputs are read-only attributes; the stages (``extraction``, ``pred``, ``golds``) are
    computed on first use and cached, so however many verifiers look at a sample, extraction and
    parsing run once. ``extraction`` may pass ``extract_answer(completion)`` when the caller has
    it already. ``deadline`` (a ``time.monotonic()`` value, None for none) and :meth:`time_left`
    tell slow work how long it may take; the engine sets them.
    """

    __slots__ = (
        "_completion", "_gold", "_options", "_question", "_config", "_token_ids",
        "_ext", "_pred", "_golds",
        # engine bookkeeping (rlvr_rewards.protocol / rlvr_rewards.engine), not API:
        "_deadline", "_phase", "_pending", "_memo",
    )

    def __init__(
        self,
        completion: Any,
        gold: Any,
        *,
        options: Sequence[str] | None = None,
        question: str | None = None,
        config: GradeConfig = DEFAULT_CONFIG,
        deadline: float | None = None,
        token_ids: Sequence[int] | None = None,
        extraction: Extraction | None = None,
    ) -> None:
        self._completion = to_text(completion)
        self._token_ids = list(token_ids) if token_ids is not None else None
        self._gold = gold
        self._options = list(options) if options else None
        self._question = question
        self._config = config
        self._deadline = deadline
        self._phase = NOW
        self._pending = False
        self._ext = extraction  # given: extract_answer(completion) computed already (batch dedupe)
        self._pred: Value | None | object = _UNSET  # _UNSET: not parsed yet (None is a result)
        self._golds: tuple[Value, ...] | None | object = _UNSET
        self._memo: dict[int, Any] = {}  # per-sample results shared between composed parts

    completion = property(lambda self: self._completion, doc="The completion as text (see :func:`to_text`).")
    gold = property(lambda self: self._gold, doc="The gold answer as given.")
    options = property(lambda self: self._options, doc="MCQ option texts in letter order, or None.")
    question = property(lambda self: self._question, doc="The prompt, or None (used by the judge).")
    config = property(lambda self: self._config, doc="The :class:`GradeConfig` of this grading call.")
    token_ids = property(lambda self: self._token_ids, doc="The completion's token ids, or None.")
    deadline = property(lambda self: self._deadline, doc="When slow work must be done (monotonic clock), or None.")

    def time_left(self) -> float:
        """Seconds until the deadline (the config's timeout when none is set)."""
        if self._deadline is None:
            return self._config.timeout
        return self._deadline - time.monotonic()

    @property
    def length(self) -> int:
        """Completion length: tokens when the trainer gave token ids, else characters."""
        return len(self.token_ids) if self.token_ids is not None else len(self.completion)

    @property
    def extraction(self) -> Extraction:
        if self._ext is None:
            self._ext = extract_answer(self.completion, max_bare_len=self.config.max_bare_len)
        return self._ext

    @property
    def pred(self) -> Value | None:
        """The extracted answer parsed into a typed value (None: no answer or unparseable)."""
        if self._pred is _UNSET:
            ext = self.extraction
            answer = ext.answer
            if answer is not None and is_collection(self.golds):
                answer = collection_text(ext) or answer  # "\\boxed{1} and \\boxed{3}" vs gold "1, 3"
            elif answer is not None and ext.hedge and len(ext.candidates) > 1:
                # "0.1814 or 18.14%": one of the answers (the gate lets such a "hedge" through only
                # when they all give the same number)
                answer = ext.candidates[-1]
            if answer is not None and answer[:1] in _LABEL_START:
                # "(B) no", "(d) 0.5θ^-2": the value after the label; but against a gold that is a
                # label itself ("(b)"), the label is the answer
                label_gold = any(option_label(g.raw) for g in self.golds or ())
                answer = option_label(answer) or answer if label_gold else strip_option_label(answer)
            self._pred = parse_value(answer) if answer is not None else None
        return self._pred  # type: ignore[return-value]

    @property
    def golds(self) -> tuple[Value, ...] | None:
        """The parsed gold alternatives (None: bad gold)."""
        if self._golds is _UNSET:
            self._golds = parse_gold(self.gold)
        return self._golds  # type: ignore[return-value]

    @property
    def gold_text(self) -> str | None:
        """The gold as given, alternatives joined by `` | `` (for verdicts and logs)."""
        gold = self.gold
        if isinstance(gold, str):
            return gold
        texts = gold_texts(gold)
        return " | ".join(texts) if texts else None
