"""atheris fuzz target: grade/check on arbitrary bytes must return a score in [0, 1].

Run: python tests/fuzz/fuzz_grade.py -max_total_time=60  (libFuzzer flags). The test suite runs a
short bounded session (tests/test_fuzz.py). The deadline is small so runaways stay cheap.
"""

import sys

import atheris

with atheris.instrument_imports(include=["rlvr_rewards"]):
    from rlvr_rewards import check, grade
    from rlvr_rewards.verdict import Outcome

VERIFIERS = ["accuracy", "math", "mcq", "format", "latex", "numeric", "exact", "accuracy + 0.1*format"]


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    verifier = VERIFIERS[fdp.ConsumeIntInRange(0, len(VERIFIERS) - 1)]
    mode = fdp.ConsumeIntInRange(0, 3)
    gold = fdp.ConsumeUnicode(64) if mode != 3 else fdp.ConsumeBytes(32)
    completion = fdp.ConsumeUnicodeNoSurrogates(2048) if mode == 0 else fdp.ConsumeUnicode(2048)
    if mode == 2:
        completion = "\\boxed{" + completion + "}"
    v = check(completion, gold, verifier=verifier, timeout=0.2)
    assert isinstance(v.outcome, Outcome)
    assert -1e-9 <= v.score <= 1.1 + 1e-9, v
    s = grade(completion, gold, timeout=0.2)
    assert 0.0 <= s <= 1.0


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
