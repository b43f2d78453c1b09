"""rlvr_rewards ORMs for ms-swift GRPO, loaded with ``--external_plugins``::

    swift rlhf --rlhf_type grpo ... \\
        --external_plugins $(rlvr-rewards plugin-path swift) \\
        --reward_funcs rlvr_accuracy rlvr_format

Registers in swift's ``orms`` registry (``swift.rewards`` in 4.x, ``swift.plugin`` in 3.x):

    rlvr_accuracy  "accuracy"   letter gold -> mcq, otherwise the math cascade
    rlvr_math      "math"       exact > numeric > fraction > latex > symbolic
    rlvr_mcq       "mcq"        option letters A-J
    rlvr_format    "format"     <think>...</think><answer>...</answer>
    rlvr_r1        "r1"         accuracy + 0.1*format
    rlvr_cosine    "cosine"     length-scaled correctness (tokens from response_token_ids)
    rlvr_repetition "repetition" n-gram repetition penalty
    rlvr_overlong  "overlong"   DAPO soft overlong punishment
    rlvr_tag_count "tag_count"  a quarter per think/answer tag present once
    rlvr_think_format "think_format"  one leading <think>...</think>, then the answer (TRL's)
    rlvr_length    "length"     Kimi 1.5 / open-r1 len_reward, per prompt_id group
    rlvr_reasoning_steps "reasoning_steps"  min(1, step markers / 3) (open-r1's)
    rlvr_code_format "code_format"  a ```<language column> block inside <answer> (open-r1's)
    rlvr_overlong_linear "overlong_linear"  swift's soft_overlong form: no -1 floor
    rlvr_repetition_words / rlvr_repetition_chars  repetition over words / characters

The gold is read from the ``solution`` column (else ``answer``, ``ground_truth``, ``gold``,
``label``). To register other specs, copy this file and call ``register_orm`` yourself.
"""

import os
import sys

# swift puts this file's directory at the front of sys.path before importing it. The file ships
# alone in its directory, so nothing there can shadow another package; take the entry off anyway
# (the package is imported by its installed name).
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if not p or os.path.abspath(p) != _here]

from rlvr_rewards.integrations.swift import register_orm, register_orms  # noqa: E402

ORMS = register_orms()

__all__ = ["ORMS", "register_orm"]
