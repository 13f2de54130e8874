"""Evaluator assignment at programme scale: 10,000 candidacies × 2,000 evaluators × 3 reviews.

Affinities are built with ``nic1000.algorithms.affinity`` from synthetic Korean/English expertise and company
texts, keywords, KSIC codes and IPC classes (seeded); loads 10–20 per evaluator, 1% random conflicts and 300
locked pairs.  Prints the affinity build time, the assignment time (target < 30 s on a 2-core machine) and
the gap to the LP bound of the full problem.  Measures only; never asserts.

    .venv/bin/python -m bench.bench_assignment
    BENCH_ASSIGN_CANDIDACIES=2000 BENCH_ASSIGN_EVALUATORS=400 .venv/bin/python -m bench.bench_assignment
    BENCH_ASSIGN_AFFINITY=matrix .venv/bin/python -m bench.bench_assignment   # seeded matrix, no texts
"""

from __future__ import annotations

import os
import time

import numpy as np

from nic1000.algorithms.affinity import CandidacyProfile, EvaluatorExpertise, compute_affinity
from nic1000.algorithms.assignment import assign

CANDIDACIES = int(os.environ.get("BENCH_ASSIGN_CANDIDACIES", "10000"))
EVALUATORS = int(os.environ.get("BENCH_ASSIGN_EVALUATORS", "2000"))
AFFINITY = os.environ.get("BENCH_ASSIGN_AFFINITY", "text")
REVIEWS, MIN_LOAD, MAX_LOAD = 3, 10, 20
CONFLICT_RATE = 0.01
LOCKED = 300

# topic → (KSIC division, IPC subclasses, words)
TOPICS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("26", ("H01L", "H10K"), ("반도체", "웨이퍼", "식각", "증착", "semiconductor", "wafer", "lithography")),
    ("28", ("H01M", "H02J"), ("이차전지", "양극재", "음극재", "전해질", "battery", "cathode", "electrolyte")),
    ("21", ("A61K", "C07K"), ("신약", "항체", "임상", "바이오", "antibody", "drug", "clinical")),
    ("27", ("A61B", "G16H"), ("의료기기", "진단", "영상", "센서", "diagnostic", "imaging", "device")),
    ("62", ("G06N", "G06F"), ("인공지능", "머신러닝", "데이터", "플랫폼", "machine learning", "AI", "model")),
    ("29", ("B25J", "G05B"), ("로봇", "자동화", "협동로봇", "제어", "robot", "automation", "control")),
    ("30", ("B60W", "G01S"), ("자율주행", "라이다", "차량", "모빌리티", "autonomous", "lidar", "vehicle")),
    ("35", ("C25B", "H01M"), ("수소", "연료전지", "수전해", "에너지", "hydrogen", "fuel cell", "energy")),
    ("26", ("G09G", "H10K"), ("디스플레이", "OLED", "패널", "광학", "display", "panel", "optics")),
    ("20", ("C08L", "C08K"), ("소재", "고분자", "복합재", "화학", "polymer", "composite", "material")),
    ("61", ("H04W", "H04L"), ("통신", "5G", "네트워크", "안테나", "network", "wireless", "antenna")),
    ("31", ("B64C", "B64G"), ("드론", "항공", "우주", "위성", "drone", "aerospace", "satellite")),
    ("58", ("G06Q", "H04L"), ("보안", "클라우드", "소프트웨어", "인증", "security", "cloud", "software")),
    ("10", ("A23L", "C12N"), ("식품", "발효", "기능성", "소재", "food", "fermentation", "nutrition")),
    ("29", ("B23K", "B22F"), ("장비", "정밀가공", "레이저", "적층제조", "laser", "machining", "additive")),
    ("72", ("G01N", "G01M"), ("시험", "분석", "계측", "품질", "testing", "measurement", "inspection")),
]
GENERIC = (
    "기술",
    "개발",
    "제조",
    "공정",
    "연구",
    "사업화",
    "글로벌",
    "혁신",
    "technology",
    "development",
    "process",
)


def synthetic_profiles(
    n_c: int, n_e: int, seed: int = 7
) -> tuple[list[CandidacyProfile], list[EvaluatorExpertise]]:
    rng = np.random.default_rng(seed)
    n_t = len(TOPICS)

    def text(topics: np.ndarray, n_words: int) -> str:
        words = []
        for _ in range(n_words):
            if rng.random() < 0.25:
                words.append(GENERIC[rng.integers(len(GENERIC))])
            else:
                t = TOPICS[topics[rng.integers(len(topics))]]
                words.append(t[2][rng.integers(len(t[2]))])
        return " ".join(words)

    companies = []
    for _ in range(n_c):
        topics = rng.choice(n_t, size=rng.integers(1, 3), replace=False)
        main = TOPICS[topics[0]]
        companies.append(
            CandidacyProfile(
                ksic_code=f"{main[0]}{rng.integers(100, 999)}",
                keywords=tuple({TOPICS[t][2][rng.integers(7)] for t in topics for _ in range(2)}),
                ipc_classes=tuple(
                    f"{TOPICS[t][1][rng.integers(2)]} {rng.integers(1, 99)}/{rng.integers(0, 99):02d}"
                    for t in topics
                ),
                text=text(topics, int(rng.integers(25, 45))),
            )
        )
    evaluators = []
    for _ in range(n_e):
        topics = rng.choice(n_t, size=rng.integers(1, 4), replace=False)
        evaluators.append(
            EvaluatorExpertise(
                ksic_divisions=tuple({TOPICS[t][0] for t in topics}),
                keywords=tuple({TOPICS[t][2][rng.integers(7)] for t in topics for _ in range(3)}),
                ipc_classes=tuple({TOPICS[t][1][0] for t in topics}),
                text=text(topics, int(rng.integers(6, 14))),
            )
        )
    return companies, evaluators


def seeded_matrix(n_c: int, n_e: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.dirichlet(np.full(20, 0.2), size=n_c)
    w = rng.dirichlet(np.full(20, 0.2), size=n_e)
    a = z @ w.T
    return (0.8 * a / a.max() + 0.2 * rng.random((n_c, n_e))).astype(np.float32)


def main() -> None:
    n_c, n_e = CANDIDACIES, EVALUATORS
    print(
        f"  instance: {n_c:,} candidacies × {n_e:,} evaluators × {REVIEWS} reviews, loads {MIN_LOAD}–{MAX_LOAD}"
    )
    t0 = time.perf_counter()
    if AFFINITY == "matrix":
        affinity = seeded_matrix(n_c, n_e)
        print(f"  affinity: seeded matrix                {time.perf_counter() - t0:7.2f} s")
    else:
        companies, evaluators = synthetic_profiles(n_c, n_e)
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        affinity = compute_affinity(companies, evaluators)
        t_aff = time.perf_counter() - t0
        print(f"  synthetic profiles:                    {t_gen:7.2f} s")
        print(
            f"  affinity.compute_affinity (TF-IDF etc): {t_aff:7.2f} s  (mean {affinity.mean():.3f}, max {affinity.max():.3f})"
        )

    rng = np.random.default_rng(11)
    conflicts = rng.random((n_c, n_e)) < CONFLICT_RATE
    locked_c = rng.choice(n_c, size=LOCKED, replace=False)
    locked = [
        (int(c), int(e))
        for c, e in zip(locked_c, rng.integers(0, n_e, LOCKED), strict=True)
        if not conflicts[c, e]
    ]

    t0 = time.perf_counter()
    res = assign(
        affinity,
        reviews_per_candidacy=REVIEWS,
        min_load=MIN_LOAD,
        max_load=MAX_LOAD,
        forbidden=conflicts,
        locked=locked,
    )
    seconds = time.perf_counter() - t0
    pairs_c = np.array([p.candidacy for p in res.pairs])
    pairs_e = np.array([p.evaluator for p in res.pairs])
    print(f"  assignment.assign:                     {seconds:7.2f} s  (target < 30 s)")
    print(
        f"  status {res.status}; {len(res.pairs):,} pairs; min-cost-flow solves {res.rounds}; candidate arcs {res.n_arcs:,}"
    )
    print(f"  objective {res.objective:,.4f}  LP bound (full problem) {res.bound:,.4f}")
    print(f"  gap to LP bound: {res.abs_gap:.6f} absolute, {res.gap:.2e} relative")
    print(
        f"  simple bound (top-3 per candidacy, loads ignored) {res.simple_bound:,.4f}: gap {(res.simple_bound - res.objective) / res.simple_bound:.2%}"
    )
    print(
        f"  loads {res.loads.min()}–{res.loads.max()}; conflicts assigned {int(conflicts[pairs_c, pairs_e].sum())}; "
        f"locked kept {len(res.locked & {(int(c), int(e)) for c, e in zip(pairs_c, pairs_e, strict=True)})}/{len(locked)}"
    )


if __name__ == "__main__":
    main()
