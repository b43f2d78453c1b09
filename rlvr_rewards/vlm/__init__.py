"""The ``vlm`` extra: multimodal RLVR pipeline — datasets, analysis, prompts, rollouts, GRPO
advantages and exports for TRL, veRL and ms-swift.

Needs ``pip install "rlvr-rewards[vlm]"``. Nothing here is imported by ``import rlvr_rewards``.
"""
