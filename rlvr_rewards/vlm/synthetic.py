"""A procedural generator of verifiable visual reasoning tasks drawn with PIL.

The embedded default dataset of ``rlvr-rewards pipeline``: no download, deterministic by seed
(record ``i`` of seed ``s`` depends only on ``(s, i)``), in the normalised
:class:`~rlvr_rewards.vlm.records.VLMRecord` type.

Tasks (``domain`` / ``sub_domain`` / ``format``):

- ``counting`` / ``shapes`` / ``free-form``: "How many circles are in the image?" → ``"4"``
- ``counting`` / ``fraction`` / ``free-form``: "What fraction of the shapes are squares?" →
  ``"\\frac{2}{5}"`` (reduced)
- ``charts`` / ``bar-max`` / ``free-form``: "What is the value of the tallest bar?" → ``"37"``
- ``charts`` / ``bar-label`` / ``multiple-choice``: "Which bar is the tallest?" with options →
  a letter
- ``geometry`` / ``triangle-angle`` / ``free-form``: two angles marked, the third asked →
  ``"65"`` (degrees)
- ``geometry`` / ``triangle-angle`` / ``multiple-choice``: the same with four options → a letter

:func:`clevr_counting` makes CLEVR-counting-style records (R1-V / ms-swift's CLEVR GRPO recipe):
"How many items are there in the image?" over an image of ``size`` pixels, gold the count.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

from .records import VLMRecord

SOURCE = "rlvr_rewards/synthetic"
TASKS = ("count", "fraction", "bar_max", "bar_label_mcq", "angle", "angle_mcq")
_COLORS = {"red": (220, 50, 47), "blue": (38, 139, 210), "green": (60, 160, 60), "orange": (230, 140, 20), "purple": (130, 80, 180)}
_SHAPES = ("circle", "square", "triangle")
_LETTERS = "ABCDEFGHIJ"


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _shape(draw: Any, kind: str, cx: int, cy: int, r: int, fill: tuple[int, int, int]) -> None:
    if kind == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill, outline=(0, 0, 0))
    elif kind == "square":
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fill, outline=(0, 0, 0))
    else:
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fill, outline=(0, 0, 0))


def _scatter(rng: random.Random, n: int, size: int, r: int) -> list[tuple[int, int]]:
    """``n`` non-overlapping centres on a ``size``² canvas (grid cells, shuffled)."""
    cells = size // (2 * r + 8)
    slots = [(i, j) for i in range(cells) for j in range(cells)]
    rng.shuffle(slots)
    step = size / cells
    return [(int((i + 0.5) * step), int((j + 0.5) * step)) for i, j in slots[:n]]


def _shapes_image(rng: random.Random, counts: dict[str, int], size: int = 320) -> Any:
    from PIL import Image, ImageDraw

    r = max(4, size // 16)
    img = Image.new("RGB", (size, size), (250, 250, 245))
    draw = ImageDraw.Draw(img)
    kinds = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(kinds)
    for kind, (cx, cy) in zip(kinds, _scatter(rng, len(kinds), size, r)):
        _shape(draw, kind, cx, cy, r, rng.choice(list(_COLORS.values())))
    return img


def _bar_image(rng: random.Random, labels: list[str], values: list[int]) -> Any:
    from PIL import Image, ImageDraw

    w, h = 400, 300
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    font = _font(14)
    left, bottom, top = 50, h - 40, 20
    vmax = 50
    d.line([(left, top), (left, bottom), (w - 10, bottom)], fill="black", width=2)
    for t in range(0, vmax + 1, 10):
        y = bottom - (bottom - top) * t / vmax
        d.line([(left - 5, y), (left, y)], fill="black")
        d.line([(left + 1, y), (w - 10, y)], fill=(225, 225, 225))
        d.text((left - 30, y - 8), str(t), fill="black", font=font)
    bw = (w - left - 30) / len(values)
    for i, (lab, v) in enumerate(zip(labels, values)):
        x0 = left + 10 + i * bw
        y = bottom - (bottom - top) * v / vmax
        d.rectangle([x0, y, x0 + bw * 0.7, bottom - 1], fill=rng.choice(list(_COLORS.values())), outline="black")
        d.text((x0 + bw * 0.35 - 4 * len(str(v)), y - 18), str(v), fill="black", font=font)
        d.text((x0 + bw * 0.35 - 4 * len(lab), bottom + 8), lab, fill="black", font=font)
    return img


def _triangle_image(rng: random.Random, a: int, b: int) -> Any:
    """A triangle with angles ``a`` at A (left) and ``b`` at B (right) marked; C unknown."""
    from PIL import Image, ImageDraw

    w, h = 360, 300
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    font = _font(16)
    base = 260.0
    ra, rb = math.radians(a), math.radians(b)
    # C from the law of sines: |AC| = base * sin(b) / sin(a + b)
    ac = base * math.sin(rb) / math.sin(ra + rb)
    ax, ay = 50.0, 250.0
    bx, by = ax + base, ay
    cx, cy = ax + ac * math.cos(ra), ay - ac * math.sin(ra)
    scale = min(1.0, (ay - 30) / max(1.0, ay - cy))
    cy = ay - (ay - cy) * scale
    cx = ax + (cx - ax) * scale if scale < 1 else cx
    d.polygon([(ax, ay), (bx, by), (cx, cy)], outline="black", fill=(235, 242, 250))
    d.line([(ax, ay), (bx, by), (cx, cy), (ax, ay)], fill="black", width=2)
    d.text((ax - 18, ay - 4), "A", fill="black", font=font)
    d.text((bx + 6, by - 4), "B", fill="black", font=font)
    d.text((cx - 5, cy - 22), "C", fill="black", font=font)
    d.text((ax + 28, ay - 24), f"{a}°", fill=(200, 30, 30), font=font)
    d.text((bx - 58, by - 24), f"{b}°", fill=(200, 30, 30), font=font)
    d.text((cx - 8, cy + 14), "?", fill=(30, 30, 200), font=font)
    return img


def _mcq(rng: random.Random, correct: str, distractors: list[str]) -> tuple[list[str], str]:
    opts = [correct, *distractors[:3]]
    rng.shuffle(opts)
    return opts, _LETTERS[opts.index(correct)]


def _with_options(question: str, options: list[str]) -> str:
    lines = "\n".join(f"{_LETTERS[i]}. {o}" for i, o in enumerate(options))
    return f"{question}\n{lines}\nAnswer with the option's letter."


def make_record(index: int, seed: int = 0, task: str | None = None) -> VLMRecord:
    """Record ``index`` of the synthetic dataset for ``seed`` (task cycles through :data:`TASKS`)."""
    rng = random.Random(f"{seed}:{index}")
    task = task or TASKS[index % len(TASKS)]
    rid = f"synth-{seed}-{index:05d}"
    options = None
    if task in ("count", "fraction"):
        counts = {s: rng.randint(0 if task == "count" else 1, 6) for s in _SHAPES}
        target = rng.choice(_SHAPES)
        counts[target] = max(counts[target], 1)
        img = _shapes_image(rng, counts)
        if task == "count":
            q, a, dom, sub = f"How many {target}s are in the image?", str(counts[target]), "counting", "shapes"
        else:
            fr = Fraction(counts[target], sum(counts.values()))
            a = str(fr.numerator) if fr.denominator == 1 else f"\\frac{{{fr.numerator}}}{{{fr.denominator}}}"
            q, dom, sub = f"What fraction of the shapes in the image are {target}s? Give a reduced fraction.", "counting", "fraction"
        fmt = "free-form"
    elif task in ("bar_max", "bar_label_mcq"):
        labels = rng.sample(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], rng.randint(4, 6))
        values = rng.sample(range(3, 50), len(labels))
        img = _bar_image(rng, labels, values)
        top = max(range(len(values)), key=values.__getitem__)
        dom = "charts"
        if task == "bar_max":
            q, a, sub, fmt = "What is the value of the tallest bar in the chart?", str(values[top]), "bar-max", "free-form"
        else:
            others = [lab for i, lab in enumerate(labels) if i != top]
            rng.shuffle(others)
            options, a = _mcq(rng, labels[top], others)
            q, sub, fmt = _with_options("Which bar in the chart is the tallest?", options), "bar-label", "multiple-choice"
    elif task in ("angle", "angle_mcq"):
        a_ang, b_ang = rng.randint(30, 80), rng.randint(30, 80)
        c_ang = 180 - a_ang - b_ang
        img = _triangle_image(rng, a_ang, b_ang)
        base_q = f"In triangle ABC, angle A = {a_ang}° and angle B = {b_ang}° as marked. What is the measure of angle C in degrees?"
        dom, sub = "geometry", "triangle-angle"
        if task == "angle":
            q, a, fmt = base_q, str(c_ang), "free-form"
        else:
            wrong = sorted({c_ang + d for d in (-20, -10, 10, 20, 30) if 0 < c_ang + d < 180} - {c_ang})
            rng.shuffle(wrong)
            options, a = _mcq(rng, f"{c_ang}°", [f"{x}°" for x in wrong])
            q, fmt = _with_options(base_q, options), "multiple-choice"
    else:
        raise ValueError(f"unknown synthetic task {task!r}; choose from {TASKS}")
    return VLMRecord(
        id=rid, question=q, answer=a, images=[img], domain=dom, sub_domain=sub, format=fmt,
        source=SOURCE, options=options, meta={"task": task, "seed": seed, "index": index},
    )


def generate(n: int = 60, seed: int = 0, tasks: tuple[str, ...] | None = None) -> list[VLMRecord]:
    """``n`` synthetic records; the same ``(n, seed)`` always gives the same records and images."""
    if tasks:
        return [make_record(i, seed, tasks[i % len(tasks)]) for i in range(n)]
    return [make_record(i, seed) for i in range(n)]


CLEVR_QUESTION = "How many items are there in the image?"


def clevr_counting(n: int = 8, seed: int = 0, *, size: int = 112, counts: tuple[int, ...] = (2, 3, 4, 5, 6)) -> list[VLMRecord]:
    """``n`` CLEVR-counting-style records: shapes of every kind on a ``size``² canvas, the
    question :data:`CLEVR_QUESTION`, the gold the number of shapes (drawn from ``counts``).
    Deterministic by ``(seed, index)``. Exported with ``solution_format="<answer> {answer} </answer>"``
    they have the R1-V CLEVR dataset's ``solution`` column."""
    out = []
    for i in range(n):
        rng = random.Random(f"clevr:{seed}:{i}")
        total = rng.choice(counts)
        kinds = [rng.choice(_SHAPES) for _ in range(total)]
        img = _shapes_image(rng, {k: kinds.count(k) for k in _SHAPES}, size=size)
        out.append(VLMRecord(
            id=f"clevr-{seed}-{i:05d}", question=CLEVR_QUESTION, answer=str(total), images=[img],
            domain="counting", sub_domain="clevr", format="free-form", source=SOURCE,
            meta={"task": "clevr", "seed": seed, "index": i},
        ))
    return out
