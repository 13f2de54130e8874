"""Tests for nic1000.algorithms.affinity (pure; run with -p no:django)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from nic1000.algorithms.affinity import (
    AffinityConfig,
    AffinityWeights,
    CandidacyProfile,
    EvaluatorExpertise,
    compute_affinity,
    explain_affinity,
    ipc_affinity,
    ipc_parts,
    keyword_affinity,
    ksic_affinity,
    ksic_division,
    ksic_section,
    normalize_keyword,
    text_affinity,
)

SEMI = CandidacyProfile(
    ksic_code="C26110",
    keywords=("반도체", "Semiconductor "),
    ipc_classes=("H01L 21/02", "G06N 3/08"),
    text="반도체 공정 장비 및 웨이퍼 세정 기술. Semiconductor wafer cleaning equipment.",
)
BIO = CandidacyProfile(
    ksic_code="21",
    keywords=("신약",),
    ipc_classes=("A61K 31/00",),
    text="항체 신약 개발 플랫폼. Antibody drug discovery platform.",
)
E_SEMI = EvaluatorExpertise(
    ksic_divisions=("26",),
    keywords=("semiconductor", "디스플레이"),
    ipc_classes=("H01L",),
    text="반도체 소자 및 공정 전문가, semiconductor process engineer",
)
E_BIO = EvaluatorExpertise(
    ksic_sections=("C",), keywords=("신약", "바이오"), ipc_classes=("A61",), text="바이오 신약 항체 개발 연구"
)
E_EMPTY = EvaluatorExpertise()


def test_codes():
    assert ksic_section("C26110") == "C" and ksic_division("C26110") == "26"
    assert ksic_section("26110") == "C" and ksic_division("26110") == "26"
    assert ksic_section("62") == "J" and ksic_section("J") == "J"
    assert ksic_section("") is None and ksic_division("C") is None and ksic_division("04") is None
    assert ipc_parts("H01L 21/02") == ("H", "H01", "H01L")
    assert ipc_parts("g06n") == ("G", "G06", "G06N")
    assert ipc_parts("H01") == ("H", "H01", None)
    assert ipc_parts("xyz") == (None, None, None)
    assert normalize_keyword("  Semiconductor  Wafer. ") == "semiconductor wafer"
    assert normalize_keyword("ＡＩ") == "ai"  # full-width → NFKC


def test_component_values_by_hand():
    c, e = [SEMI, BIO], [E_SEMI, E_BIO, E_EMPTY]
    # KSIC: SEMI division 26 matches E_SEMI (1.0); section C matches E_BIO (0.5)
    #       BIO division 21 is in section C: E_SEMI (via division 26 → C) 0.5, E_BIO 0.5
    assert ksic_affinity(c, e) == pytest.approx(np.array([[1, 0.5, 0], [0.5, 0.5, 0]]))
    # keywords: SEMI {반도체, semiconductor} vs E_SEMI {semiconductor, 디스플레이} → 1 / min(2, 2)
    assert keyword_affinity(c, e).toarray() == pytest.approx(np.array([[0.5, 0, 0], [0, 1, 0]]))
    # IPC: subclass H01L overlaps (1.0); A61K vs class A61 → class credit 0.5 × 1
    assert ipc_affinity(c, e).toarray() == pytest.approx(np.array([[1, 0, 0], [0, 0.5, 0]]))


def test_weights_and_range():
    c, e = [SEMI, BIO], [E_SEMI, E_BIO, E_EMPTY]
    only_ksic = AffinityConfig(weights=AffinityWeights(text=0, keywords=0, ksic=1, ipc=0))
    assert compute_affinity(c, e, only_ksic) == pytest.approx(np.array([[1, 0.5, 0], [0.5, 0.5, 0]]))
    a = compute_affinity(c, e)
    assert a.shape == (2, 3) and a.dtype == np.float32
    assert (a >= 0).all() and (a <= 1).all()
    assert a[0, 0] > a[0, 1] and a[1, 1] > a[1, 0]  # the expert of the field wins
    assert (a[:, 2] == 0).all()
    with pytest.raises(ValueError):
        AffinityWeights(text=-1).normalised()


def test_korean_and_english_text_similarity():
    c = [
        CandidacyProfile(text="이차전지 양극재 소재 제조 기술"),
        CandidacyProfile(text="lithium ion battery cathode material manufacturing"),
    ]
    e = [
        EvaluatorExpertise(text="이차전지 소재 전문가"),
        EvaluatorExpertise(text="battery materials expert"),
        EvaluatorExpertise(text="항공 우주 추진 기관"),
    ]
    t = text_affinity(c, e)
    assert t[0, 0] > t[0, 2] and t[0, 0] > 0.2
    assert t[1, 1] > t[1, 2] and t[1, 1] > 0.2


def test_text_pruning_is_exact():
    rng = np.random.default_rng(0)
    words = ["반도체", "배터리", "인공지능", "로봇", "바이오", "drone", "cloud", "sensor", "수소", "quantum"]
    c = [CandidacyProfile(text=" ".join(rng.choice(words, 12))) for _ in range(30)]
    e = [EvaluatorExpertise(text=" ".join(rng.choice(words, 4)) + f" 고유어{i}") for i in range(10)]
    ours = text_affinity(c, e, AffinityConfig(dense_text_limit=0))  # sparse path
    ours_dense = text_affinity(c, e)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)
    x = vec.fit_transform([p.text for p in c] + [p.text for p in e])
    ref = (x[:30] @ x[30:].T).toarray()
    assert ours == pytest.approx(ref, abs=1e-5)
    assert ours_dense == pytest.approx(ref, abs=1e-5)


def test_top_k_sparse_result():
    rng = np.random.default_rng(1)
    words = ["반도체", "배터리", "인공지능", "로봇", "바이오", "drone", "cloud"]
    c = [
        CandidacyProfile(text=" ".join(rng.choice(words, 6)), keywords=tuple(rng.choice(words, 2)))
        for _ in range(20)
    ]
    e = [
        EvaluatorExpertise(text=" ".join(rng.choice(words, 3)), keywords=tuple(rng.choice(words, 2)))
        for _ in range(9)
    ]
    dense = compute_affinity(c, e)
    top = compute_affinity(c, e, AffinityConfig(top_k=3))
    assert sp.issparse(top) and top.shape == (20, 9)
    assert (np.diff(top.indptr) <= 3).all()
    for i in range(20):
        row = top.getrow(i).toarray().ravel()
        kept = row[row > 0]
        assert np.sort(kept)[::-1] == pytest.approx(np.sort(dense[i])[::-1][: len(kept)])


def test_empty_inputs_do_not_crash():
    a = compute_affinity([CandidacyProfile()], [EvaluatorExpertise(), EvaluatorExpertise(text="x")])
    assert a.shape == (1, 2) and (a == 0).all()


def test_explain_affinity():
    exp = explain_affinity(SEMI, E_SEMI)
    assert exp["ksic"] == 1.0 and exp["ipc"] == 1.0 and exp["keywords"] == 0.5
    w = AffinityWeights()
    expected = 0.4 * exp["text"] + 0.25 * 0.5 + 0.2 * 1.0 + 0.15 * 1.0
    assert exp["total"] == pytest.approx(expected / (w.text + w.keywords + w.ksic + w.ipc))
