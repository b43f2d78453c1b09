"""The model judge against a real OpenAI-compatible server (run by ``nox -s judge``).

The server is ``transformers serve`` (transformers[serving]) on 127.0.0.1, started by this module in a
process of its own, offline (``HF_HUB_OFFLINE=1``, an empty ``HF_HOME``): the model it serves is a
tiny, randomly initialised Qwen2 chat model built here (a config with tiny sizes, a byte-level BPE
tokenizer trained with ``tokenizers``, a ChatML chat template). The client is ours, on the openai
SDK, unpatched. A random model answers nonsense, which is the point of several checks: nonsense
never turns a rule verdict into ``correct``.

Timings are asserted only as "within the call's deadline (plus a margin)"; the figures are printed
(``-s``) and written as JSON to ``$RLVR_JUDGE_FIGURES`` when set.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

from rlvr_rewards import Outcome, check, check_batch
from rlvr_rewards.judge import DEFAULT_TEMPLATE, JudgeClient, judge_metrics
from rlvr_rewards.verifiers import create_verifier

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
WRONG_BY_RULES = r"So the answer is \boxed{twelve}."  # right, but the rules say incorrect
MARGIN = 15.0  # seconds past a call's deadline still counted as "within it" (a loaded 2-core box)
STARTUP = 300.0  # seconds for the server to import torch/transformers and load the model
FIGURES: dict = {}


# -- the tiny chat model ----------------------------------------------------------------------------
def build_model(path: Path) -> None:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(vocab_size=512, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    corpus = [DEFAULT_TEMPLATE, "Correct Incorrect twelve dozen eggs apples 12 13 answer \\boxed{}", "user assistant system"]
    tok.train_from_iterator(corpus * 5, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<|endoftext|>", eos_token="<|im_end|>",
        additional_special_tokens=specials[1:], chat_template=CHAT_TEMPLATE,
    )
    torch.manual_seed(0)
    cfg = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096, tie_word_embeddings=False,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, bos_token_id=None,
    )
    model = Qwen2ForCausalLM(cfg)  # random weights
    # Never a special or a blank token: the nonsense is visible text, and runs to max_tokens.
    blank = [i for i in range(len(tokenizer)) if not tokenizer.decode([i], skip_special_tokens=True).strip()]
    with torch.no_grad():
        model.get_output_embeddings().weight[blank] = 0.0
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)


# -- the server -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TransformersServe:
    """``transformers serve <model dir>`` on 127.0.0.1 in a subprocess; start / kill / start again."""

    def __init__(self, model_dir: Path, workdir: Path) -> None:
        self.model_dir = str(model_dir)
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HOME=str(self.workdir / "hf-home"),
                   HF_HUB_DISABLE_TELEMETRY="1", TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1")
        self.starts += 1
        self.log = self.workdir / f"serve-{self.starts}.log"
        cmd = [sys.executable, "-m", "transformers.cli.transformers", "serve", self.model_dir,
               "--host", "127.0.0.1", "--port", str(self.port), "--device", "cpu", "--log-level", "warning"]
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < STARTUP:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=5) as r:
                    if r.status == 200:
                        FIGURES.setdefault("server_start_s", []).append(round(time.monotonic() - t0, 1))
                        return
            except OSError:
                time.sleep(0.5)
        self.kill()
        raise RuntimeError(f"transformers serve did not come up in {STARTUP:.0f} s:\n{self.log.read_text()[-3000:]}")

    def pause(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("judge-e2e")
    build_model(work / "tiny-judge")
    srv = TransformersServe(work / "tiny-judge", work)
    srv.start()
    yield srv
    srv.kill()
    figures = json.dumps(FIGURES, indent=1, sort_keys=True)
    print(f"\njudge end-to-end figures:\n{figures}")
    if os.environ.get("RLVR_JUDGE_FIGURES"):
        Path(os.environ["RLVR_JUDGE_FIGURES"]).write_text(figures)


def made(server, **kw) -> JudgeClient:
    kw.setdefault("timeout", 120.0)
    kw.setdefault("max_tokens", 16)
    return JudgeClient(server.url, kw.pop("model", None), **kw)


def within_deadline(client: JudgeClient, elapsed: list[float]) -> None:
    limit = client.max_call_time() + MARGIN
    assert max(elapsed) <= limit, (max(elapsed), limit)


# -- the request the server accepts; model discovery -------------------------------------------------
def test_request_accepted_and_model_discovered(server):
    listed = server.get("/v1/models")["data"]
    assert [m["id"] for m in listed] == [server.model_dir]
    with made(server, max_tokens=5) as client:  # no model name: discovered at /v1/models
        assert client.model is None
        first = client.judge("How many eggs are in a dozen?", "twelve", "12")
        assert client.model == server.model_dir
        # The server answered the chat completion it was sent: 200 with a completion for our model,
        # at most max_tokens tokens long. A random model says nothing usable.
        assert first.status == "unparseable" and first.reply, first
        assert first.model == server.model_dir and first.attempts == 2  # GET /v1/models, then the POST
        assert 0 < first.completion_tokens <= 5 and first.prompt_tokens > 50
        assert first.finish_reason in ("length", "stop")
        # temperature 0 is greedy decoding on this server: the same request gives the same reply
        client.clear_cache()  # (failures are not cached anyway)
        again = client.judge("How many eggs are in a dozen?", "twelve", "12")
        assert again.reply == first.reply and again.attempts == 1
        FIGURES["reply_example"] = first.reply
        FIGURES["prompt_tokens"] = first.prompt_tokens
    # The same body by hand is accepted; the server checks what it is sent: an unknown field is a
    # 422, and a model name it does not serve a 400 (which the client reports, without retrying).
    body = {"model": server.model_dir, "messages": [{"role": "user", "content": "Judgement:"}],
            "max_tokens": 3, "temperature": 0.0}
    status, reply = server.post("/v1/chat/completions", body)
    assert status == 200 and reply["usage"]["completion_tokens"] <= 3
    assert server.post("/v1/chat/completions", {**body, "no_such_field": 1})[0] == 422
    with made(server, model="xverify", max_retries=3) as wrong:
        r = wrong.judge(None, "twelve", "12")
        assert r.status == "http_error" and "HTTP 400" in r.detail and r.attempts == 1


# -- a judge that answers nonsense --------------------------------------------------------------------
def test_nonsense_never_turns_a_rule_verdict_into_correct(server):
    v = create_verifier("accuracy_judge", url=server.url, timeout=120.0, max_tokens=16)
    try:
        cases = [
            (WRONG_BY_RULES, "12", "How many eggs are in a dozen?"),
            (r"The answer is \boxed{13}.", "12", None),
            (r"<think>half an hour</think>\boxed{30 \text{ minutes}}", r"\frac{1}{2}\text{ hour}", None),
            (r"\boxed{C}", "B", "Capital of the UK? A. Paris B. London C. Rome"),
        ]
        for completion, gold, question in cases:
            rule = check(completion, gold, verifier="accuracy")
            verdict = check(completion, gold, verifier=v, question=question)
            assert rule.outcome is Outcome.INCORRECT
            assert verdict.outcome is rule.outcome and verdict.score == 0.0, verdict
            assert "judge failed (unparseable: no plain Correct/Incorrect in the reply" in verdict.detail
            assert "rule verdict kept" in verdict.detail
        group = [WRONG_BY_RULES, r"\boxed{12}", r"\boxed{13}", WRONG_BY_RULES, r"\boxed{dozen}"]
        batch = check_batch(group, "12", verifier=v)
        assert [x.outcome for x in batch] == [Outcome.INCORRECT, Outcome.CORRECT, Outcome.INCORRECT, Outcome.INCORRECT, Outcome.INCORRECT]
        assert batch[1].verifier != "judge"  # the rules decided; the judge was not asked
        m = judge_metrics(v)
        assert m["judge/overturned"] == 0 and m["judge/successes"] == 0
        assert m["judge/failures_unparseable"] == m["judge/calls"] == len(cases) + 3
        assert m["judge/kept_on_failure"] == len(cases) + 3  # check_batch grades the repeated answer once
    finally:
        v.close()
    alone = create_verifier("judge", url=server.url, timeout=120.0, max_tokens=16)
    try:
        verdict = check(WRONG_BY_RULES, "12", verifier=alone)
        assert verdict.outcome is Outcome.ERROR and verdict.score == 0.0 and "unparseable" in verdict.detail
    finally:
        alone.close()


# -- 64 requests in flight ----------------------------------------------------------------------------
def _overlap(spans: list[tuple[float, float]]) -> int:
    """Most calls in flight at once (submitted and not yet answered)."""
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    peak = now = 0
    for _, d in events:
        now += d
        peak = max(peak, now)
    return peak


def test_64_in_flight_from_threads_and_from_asyncio(server):
    n = 64
    with made(server, concurrency=n, cache_size=0, max_tokens=8) as client:
        client.judge(None, "warm-up", "12")
        results: list = [None] * n
        spans: list = [None] * n

        def one(i: int) -> None:
            t = time.monotonic()
            results[i] = client.judge(None, f"thread answer {i}", "12")
            spans[i] = (t, time.monotonic())

        # The server is paused (SIGSTOP) until all 64 calls are sent, so all 64 are in flight
        # together however the threads are scheduled; the kernel queues the connections meanwhile.
        server.pause()
        t0 = time.monotonic()
        try:
            with ThreadPoolExecutor(n) as pool:
                futures = [pool.submit(one, i) for i in range(n)]
                while client.stats.calls < n + 1 and time.monotonic() - t0 < 60:
                    time.sleep(0.01)
                paused_s = time.monotonic() - t0
                server.resume()
                for f in futures:
                    f.result(timeout=client.max_call_time() + 120)  # no deadlock
        finally:
            server.resume()
        wall_threads = time.monotonic() - t0
        assert all(r is not None and r.status == "unparseable" and r.reply for r in results), results
        within_deadline(client, [e - s for s, e in spans])
        peak_threads = _overlap(spans)

        async def many() -> tuple[list, list]:
            async def timed(i: int):
                t = time.monotonic()
                r = await client.ajudge(None, f"async answer {i}", "12")
                return r, (t, time.monotonic())

            out = await asyncio.wait_for(asyncio.gather(*(timed(i) for i in range(n))), client.max_call_time() + 120)
            return [r for r, _ in out], [s for _, s in out]

        t0 = time.monotonic()
        aresults, aspans = asyncio.run(many())
        wall_async = time.monotonic() - t0
        assert all(r.status == "unparseable" and r.reply for r in aresults), aresults
        within_deadline(client, [e - s for s, e in aspans])
        peak_async = _overlap(aspans)
        assert peak_threads == n and peak_async == n  # all 64 were in flight together
        s = client.stats.snapshot()
        assert s["calls"] == 2 * n + 1 and s["failures_unparseable"] == 2 * n + 1 and s["failures"] == 2 * n + 1
        lat = sorted(e - s for s, e in spans + aspans)
        FIGURES["in_flight_64"] = {
            "threads_wall_s": round(wall_threads, 2), "threads_paused_s": round(paused_s, 2),
            "asyncio_wall_s": round(wall_async, 2),
            "peak_in_flight": [peak_threads, peak_async],
            "call_s_p50": round(lat[len(lat) // 2], 2), "call_s_max": round(lat[-1], 2),
            "deadline_s": client.max_call_time(),
        }


# -- what one call costs ------------------------------------------------------------------------------
def test_cost_per_call(server):
    """One call at a time: with max_tokens=1 (prompt + one token: what a one-word verifier costs)
    and max_tokens=16 (the random model always writes all of them), against the rules alone."""
    figures: dict = {}
    for max_tokens in (1, 16):
        with made(server, cache_size=0, max_tokens=max_tokens) as client:
            client.judge(None, "warm-up", "12")
            times, rules = [], []
            for i in range(10):
                t = time.perf_counter()
                check(rf"\boxed{{answer {i}}}", "12", verifier="accuracy")
                rules.append(time.perf_counter() - t)
                t = time.perf_counter()
                r = client.judge(None, f"answer {i}", "12")
                times.append(time.perf_counter() - t)
                assert r.status == "unparseable" and 0 < r.completion_tokens <= max_tokens
            times.sort()
            figures[f"max_tokens_{max_tokens}"] = {
                "completion_tokens": r.completion_tokens, "prompt_tokens": r.prompt_tokens,
                "call_ms_p50": round(1e3 * times[len(times) // 2], 1), "call_ms_max": round(1e3 * times[-1], 1),
            }
            figures["rules_ms_p50"] = round(1e3 * sorted(rules)[len(rules) // 2], 3)
    one, many = figures["max_tokens_1"], figures["max_tokens_16"]
    figures["ms_per_generated_token"] = round(
        (many["call_ms_p50"] - one["call_ms_p50"]) / max(1, many["completion_tokens"] - one["completion_tokens"]), 1
    )
    FIGURES["cost_per_call"] = figures


# -- the server killed mid-run, then back -------------------------------------------------------------
def test_server_killed_mid_run_then_back(server):
    client = made(server, cache_size=0, timeout=60.0, max_retries=2, breaker_threshold=8, breaker_cooldown=2.0, concurrency=16)
    v = create_verifier("accuracy_judge", client=client)
    n = 64
    verdicts: list = [None] * n
    elapsed: list = [0.0] * n
    try:
        def one(i: int) -> None:
            t = time.monotonic()
            verdicts[i] = check(rf"So the answer is \boxed{{number {i}}}.", "12", verifier=v)
            elapsed[i] = time.monotonic() - t

        with ThreadPoolExecutor(n) as pool:
            futures = [pool.submit(one, i) for i in range(n)]
            t0 = time.monotonic()
            while client.stats.failures["unparseable"] < 4 and time.monotonic() - t0 < 300:
                time.sleep(0.05)
            server.kill()  # SIGKILL, mid-run: some calls answered, some in flight, some queued
            killed_at = time.monotonic()
            for f in futures:
                f.result(timeout=client.max_call_time() + 120)
        after_kill = time.monotonic() - killed_at
        for x in verdicts:  # rule verdicts, every one
            assert x.outcome is Outcome.INCORRECT and x.score == 0.0 and x.verifier != "judge", x
            assert "rule verdict kept" in x.detail
        within_deadline(client, elapsed)
        s = client.stats.snapshot()
        down = s.get("failures_connect_error", 0) + s.get("failures_unavailable", 0) + s.get("failures_timeout", 0)
        assert s["failures_unparseable"] >= 4 and down >= 1 and s["failures_unparseable"] + down == n
        FIGURES["killed_mid_run"] = {
            "answered_before": s["failures_unparseable"], "connect_error": s.get("failures_connect_error", 0),
            "unavailable": s.get("failures_unavailable", 0), "timeout": s.get("failures_timeout", 0),
            "all_done_after_kill_s": round(after_kill, 2), "call_s_max": round(max(elapsed), 2),
            "deadline_s": client.max_call_time(),
        }
        # while it is down: rule verdicts, at once (refused, or the breaker is open)
        t = time.monotonic()
        down_verdict = check(WRONG_BY_RULES, "12", verifier=v)
        assert down_verdict.outcome is Outcome.INCORRECT and "rule verdict kept" in down_verdict.detail
        assert time.monotonic() - t <= client.max_call_time() + MARGIN

        server.start()  # back, on the same port
        time.sleep(client.breaker_cooldown + 0.5)
        before = client.stats.snapshot()["http_requests"]
        back = check(WRONG_BY_RULES, "12", verifier=v)
        assert "judge failed (unparseable" in back.detail  # the judge answered again (nonsense)
        assert back.outcome is Outcome.INCORRECT and back.score == 0.0
        assert client.stats.snapshot()["http_requests"] > before
        r = client.judge(None, "after the restart", "12")
        assert r.status == "unparseable" and r.reply and r.model == server.model_dir
    finally:
        v.close()

