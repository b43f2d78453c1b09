"""Thin adapters from trainers' calling conventions to :func:`rlvr_rewards.check`.

No grading logic lives here: each module translates arguments in and Verdicts out.
Framework packages are never imported at module load.
"""
