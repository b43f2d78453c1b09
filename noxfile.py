"""Integration test environments: one per trainer, since their pins conflict.

``nox`` (all sessions) or ``nox -s trl``. Each session builds its own virtual environment with uv,
installs torch 2.13.0 CPU (the local wheel in $PIP_FIND_LINKS, so no CUDA packages are pulled),
the framework and this package under two constraints files (`-c`: constraints.txt, the scoring stack,
and tests/integrations/e2e/constraints-<name>.txt, the trainer stack, exact versions), then runs
tests/integrations/e2e/test_<name>.py (`judge`: the model judge against `transformers serve`, a real
OpenAI-compatible server). uv takes wheels from its cache (~/.cache/uv) when it has them.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True

FIND_LINKS = os.environ.get("PIP_FIND_LINKS", "/opt/wheels")
# uv verifies TLS with its bundled roots unless told otherwise; behind a proxy with its own CA
# (as on CI machines here) use the system store, as pip does.
os.environ.setdefault("UV_SYSTEM_CERTS", "1")
if os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
    os.environ.setdefault("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
TORCH = "torch==2.13.0+cpu"


E2E = "tests/integrations/e2e"
# What each session asks for; the versions come from the constraints files.
REQUIRES = {
    "trl": ["trl", "transformers", "datasets", "pillow", "tokenizers"],
    "swift": ["ms-swift", "msgspec", "trl", "transformers", "pillow", "tokenizers"],
    "verl": ["verl", "hydra-core", "omegaconf", "openai", "transformers", "pillow", "numpy", "tokenizers"],
    "openrlhf": ["transformers", "pylatexenc", "aiohttp", "tokenizers"],
    "judge": ["transformers[serving]", "openai", "tokenizers"],
}


def _install(session: nox.Session, name: str) -> None:
    constraints = f"{E2E}/constraints-{name}.txt"
    pins = ("-c", "constraints.txt", "-c", constraints)
    session.install("--find-links", FIND_LINKS, *pins, TORCH, *REQUIRES[name], "-e", ".", "pytest")
    # A framework whose own pins cannot be installed here (OpenRLHF: flash-attn, deepspeed, vLLM) is
    # listed in its constraints file as "# no-deps: name==version" and installed without dependencies.
    with open(constraints) as f:
        no_deps = [line.split(":", 1)[1].strip() for line in f if line.startswith("# no-deps:")]
    if no_deps:
        session.install("--no-deps", *no_deps)


def _run(session: nox.Session, name: str, env: dict[str, str] | None = None) -> None:
    _install(session, name)
    session.run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{E2E}/test_{name}.py",
        *session.posargs, env={"RLVR_INTEGRATION": name, **(env or {})},
    )


@nox.session(python="3.11")
def trl(session: nox.Session) -> None:
    """TRL GRPOTrainer with our reward functions."""
    _run(session, "trl")


@nox.session(python="3.11")
def swift(session: nox.Session) -> None:
    """ms-swift ORM plugin loaded by swift itself; `swift rlhf` GRPO (multimodal CLEVR recipe, tiny
    Qwen2.5-VL built locally) trains two steps on CPU with our rewards."""
    _run(session, "swift")


@nox.session(python="3.11")
def verl(session: nox.Session) -> None:
    """veRL reward manager with our compute_score (and the VLM recipe's compute_score_vlm, scripted
    judge); a mixed text + image parquet read back through veRL's RLHFDataset."""
    _run(session, "verl")


@nox.session(python="3.11")
def openrlhf(session: nox.Session) -> None:
    """OpenRLHF agent executor with our reward_func file."""
    _run(session, "openrlhf")


@nox.session(python="3.11")
def judge(session: nox.Session) -> None:
    """The model judge against a real OpenAI-compatible server: `transformers serve` with a tiny
    random chat model built by the test, on loopback, offline (no model hub)."""
    _run(session, "judge", env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
