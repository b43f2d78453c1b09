"""rlvr_rewards reward function for OpenRLHF: pass this file's path as ``--reward.remote_url``.

    python -m openrlhf.cli.train_ppo_ray ... \
        --reward.remote_url "$(rlvr-rewards plugin-path openrlhf)" --data.label_key answer

OpenRLHF loads it with ``importlib`` (module name ``reward_func``) and calls
``reward_func(queries, prompts, labels)`` once per sample. Configure with environment variables
(set them where the Ray workers start): ``RLVR_VERIFIER`` — a verifier name or spec such as
``accuracy`` (default), ``mcq``, ``"accuracy + 0.1*format"``; ``RLVR_TIMEOUT`` — the per-sample
deadline in seconds. An unknown spec fails here, at load time, not silently during training.
See docs/integrations/openrlhf.md.
"""

from rlvr_rewards.integrations.openrlhf import from_env

reward_func = from_env()
