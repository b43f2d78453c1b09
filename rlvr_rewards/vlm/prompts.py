"""Prompt templates for multimodal RLVR and their rendering for TRL, veRL and ms-swift.

.. code-block:: python

    from rlvr_rewards.vlm import prompts
    prompts.build_messages(record, "r1")            # TRL conversational messages
    prompts.render(record, "clevr", target="verl")  # {"prompt": [{"role": "user", "content": "<image>..."}]}
    prompts.reward_spec(record, template="r1")      # "accuracy + 0.1*format"

Templates (:data:`TEMPLATES`) are format strings over ``{question}`` and ``{options}``
(``{options}`` is ``""`` or ``"\\nOptions:\\nA. …\\nB. …"``):

- ``final_answer``: reason, then a last line ``Final answer: <answer>`` (graded by ``accuracy``);
- ``r1``: the DeepSeek-R1 / R1-V recipe, a system prompt asking for
  ``<think>…</think><answer>…</answer>`` (graded by ``accuracy + 0.1*format``);
- ``clevr``: the ms-swift CLEVR-counting suffix (`` Output the thinking process in <think>
  </think> and final answer (number) in <answer> </answer> tags.``).

Any other string with a ``{question}`` field is used as a template as it is.

Image placeholders: TRL messages carry one ``{"type": "image"}`` entry per image before the text
(``<image>`` tags in the question are removed from the text); veRL and ms-swift take one
``<image>`` tag per image in the content string — a question that already holds exactly one tag
per image (geometry3k) keeps its tags and gets no more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..letters import bare_letter
from .records import VLMRecord

__all__ = [
    "IMAGE_TAG",
    "R1_SYSTEM_PROMPT",
    "TEMPLATES",
    "build_messages",
    "format_options",
    "format_text",
    "render",
    "reward_spec",
]

IMAGE_TAG = "<image>"

R1_SYSTEM_PROMPT = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant "
    "solves it. The assistant first thinks about the reasoning process in the mind and then "
    "provides the user with the answer. The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process "
    "here </think><answer> answer here </answer>"
)

CLEVR_SUFFIX = (
    " Output the thinking process in <think> </think> and final answer (number) in "
    "<answer> </answer> tags."
)

TEMPLATES: dict[str, str] = {
    "final_answer": (
        "{question}{options}\n\nSolve the problem step by step, then write your final answer on "
        'the last line as "Final answer: <answer>".'
    ),
    "r1": "{question}{options}",
    "clevr": "{question}{options}" + CLEVR_SUFFIX,
}

#: templates whose completions are expected in ``<think>…</think><answer>…</answer>`` form
R1_STYLE = frozenset({"r1", "clevr"})

_SYSTEM = {"r1": R1_SYSTEM_PROMPT}
_TAG_RE = re.compile(r"[ \t]*<image>[ \t]*\n?")
_MCQ_TYPES = frozenset({"choice", "mcq", "multiple-choice", "multiple_choice", "multi_choice"})
_TARGETS = ("trl", "verl", "swift")


def format_options(options: list[str] | None) -> str:
    """``"\\nOptions:\\nA. x\\nB. y"`` (empty without options)."""
    if not options:
        return ""
    return "\n" + "Options:\n" + "\n".join(f"{chr(65 + i)}. {o}" for i, o in enumerate(options))


def _template_text(template: str) -> str:
    if template in TEMPLATES:
        return TEMPLATES[template]
    if "{question}" not in template:
        raise ValueError(
            f"unknown template {template!r}: use one of {sorted(TEMPLATES)} or a format string "
            "with a {question} field (and optionally {options})"
        )
    return template


def format_text(record: VLMRecord, template: str = "final_answer") -> str:
    """The user text for ``record`` (``<image>`` tags in the question kept as they are)."""
    question = record.question or ""
    options = format_options(record.options)
    # options already spelled out in the question (as many MCQ datasets do) are not repeated
    if record.options and all(o in question for o in record.options):
        options = ""
    return _template_text(template).format(question=question, options=options)


def _system_message(template: str) -> list[dict[str, Any]]:
    system = _SYSTEM.get(template)
    if not system:
        return []
    return [{"role": "system", "content": [{"type": "text", "text": system}]}]


def build_messages(record: VLMRecord, template: str = "final_answer") -> list[dict[str, Any]]:
    """TRL conversational messages: an optional system message (``r1``) and one user message
    whose content is ``{"type": "image"}`` × ``len(record.images)`` then ``{"type": "text"}``."""
    text = format_text(record, template)
    if IMAGE_TAG in text:
        text = _TAG_RE.sub(" ", text).strip()
    content: list[dict[str, Any]] = [{"type": "image"} for _ in record.images]
    content.append({"type": "text", "text": text})
    return _system_message(template) + [{"role": "user", "content": content}]


def _tagged_text(record: VLMRecord, template: str) -> str:
    """The user text with exactly one ``<image>`` tag per image."""
    text = format_text(record, template)
    n = len(record.images)
    found = text.count(IMAGE_TAG)
    if found == n:
        return text
    if found:
        text = _TAG_RE.sub(" ", text).strip()
    return IMAGE_TAG * n + text


def render(record: VLMRecord, template: str = "final_answer", target: str = "trl") -> dict[str, Any]:
    """The prompt for ``record`` in a trainer's dataset format.

    - ``trl``: ``{"prompt": build_messages(record, template)}``;
    - ``verl``: ``{"prompt": [{"role": "user", "content": "<image>" * n + text}]}``;
    - ``swift``: ``{"messages": [{"role": "user", "content": "<image>" * n + text}]}``.

    For veRL and ms-swift, the ``r1`` system prompt comes as a ``{"role": "system"}`` message
    with string content. The number of ``<image>`` tags always equals ``len(record.images)``.
    """
    if target == "trl":
        return {"prompt": build_messages(record, template)}
    if target not in _TARGETS:
        raise ValueError(f"unknown target {target!r}: use one of {_TARGETS}")
    messages: list[dict[str, Any]] = []
    if template in _SYSTEM:
        messages.append({"role": "system", "content": _SYSTEM[template]})
    messages.append({"role": "user", "content": _tagged_text(record, template)})
    return {"prompt": messages} if target == "verl" else {"messages": messages}


def _is_r1_style(template: str | None) -> bool:
    if template is None:
        return False
    return template in R1_STYLE or ("<answer>" in template and "<think>" in template)


def reward_spec(answer_types: Iterable[str] | VLMRecord, template: str | None = None) -> str:
    """The verifier spec for data with these answer types (or for this record).

    Answer types are those of :func:`rlvr_rewards.vlm.analysis.answer_type` (``choice``,
    ``number``, …) or record formats (``multiple-choice``, ``free-form``). All multiple-choice
    → ``"mcq"``, otherwise ``"accuracy"`` (which itself sends letter golds to ``mcq``); with an
    R1-style template (``r1``, ``clevr``, or one asking for ``<think>``/``<answer>`` tags) the
    spec gets ``+ 0.1*format``, e.g. ``"accuracy + 0.1*format"``.
    """
    if isinstance(answer_types, VLMRecord):
        rec = answer_types
        letter = bare_letter((rec.answer or "").strip(), colon=False) is not None
        mcq = (rec.format or "").lower() in _MCQ_TYPES or (bool(rec.options) and letter)
        types = ["choice"] if mcq else [rec.format or "free-form"]
    else:
        types = [str(t).lower() for t in answer_types]
    base = "mcq" if types and all(t in _MCQ_TYPES for t in types) else "accuracy"
    return f"{base} + 0.1*format" if _is_r1_style(template) else base
