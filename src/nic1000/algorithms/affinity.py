"""Affinity between evaluators and candidacies (pure: numpy / scipy / scikit-learn, no Django).

The affinity of evaluator *e* for candidacy *c* is a weighted mean of four components, each in [0, 1]:

============  =====  =============================================================================
component     weight what it measures
============  =====  =============================================================================
``text``      0.40   cosine similarity of TF-IDF vectors of the evaluator's expertise text and the
                     company's text (technologies, patent titles and abstracts).  Character n-grams
                     within word boundaries (``analyzer='char_wb'``, ``ngram_range=(2, 3)``) so that
                     Korean and English both work without a tokenizer or dictionary.
``keywords``  0.25   overlap coefficient ``|K_e ∩ K_c| / min(|K_e|, |K_c|)`` of the normalised
                     (NFKC, case-folded, whitespace-collapsed) technology keywords.
``ksic``      0.20   1 if the company's KSIC division (2 digits) is one of the evaluator's divisions;
                     ``ksic_section_credit`` (0.5) if only the KSIC section (letter A–U) matches one of
                     the evaluator's sections (explicit, or implied by the evaluator's divisions); else 0.
``ipc``       0.15   overlap coefficient of IPC subclasses (``H01L``) between the evaluator's IPC
                     expertise and the company's patents; if only IPC classes (``H01``) overlap,
                     ``ipc_class_credit`` (0.5) times the class-level overlap coefficient.
============  =====  =============================================================================

The weights are divided by their sum, so the result is always in [0, 1].  A component that is empty for a
candidacy (no patents, no KSIC code) scores 0 for every evaluator of that candidacy; this shifts the whole
row by a constant and therefore never changes which evaluators the assignment prefers for it.

Scale: 10,000 candidacies × 2,000 evaluators.  Keyword, KSIC and IPC components are sparse incidence
products.  For the text component, n-grams that do not occur on *both* sides are dropped after the TF-IDF
vectors have been L2-normalised (they cannot contribute to any evaluator–candidacy dot product, so this is
exact) and the product is formed in row blocks.  ``top_k`` keeps only each candidacy's ``top_k`` best
evaluators in a CSR matrix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = [
    "KSIC_SECTION_DIVISIONS",
    "AffinityConfig",
    "AffinityWeights",
    "CandidacyProfile",
    "EvaluatorExpertise",
    "compute_affinity",
    "explain_affinity",
    "ipc_affinity",
    "ipc_parts",
    "keyword_affinity",
    "ksic_affinity",
    "ksic_division",
    "ksic_section",
    "normalize_keyword",
    "text_affinity",
]

#: KSIC (10th revision) sections and the two-digit divisions they contain.
KSIC_SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3),
    "B": (5, 8),
    "C": (10, 34),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 42),
    "G": (45, 47),
    "H": (49, 52),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (70, 73),
    "N": (74, 76),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 87),
    "R": (90, 91),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}
_SECTION_OF_DIVISION: dict[int, str] = {
    d: s for s, (lo, hi) in KSIC_SECTION_DIVISIONS.items() for d in range(lo, hi + 1)
}
_SECTIONS = tuple(KSIC_SECTION_DIVISIONS)


@dataclass(frozen=True)
class EvaluatorExpertise:
    """What an evaluator knows.  All fields optional."""

    ksic_sections: Sequence[str] = ()  # e.g. ("C", "J")
    ksic_divisions: Sequence[str] = ()  # e.g. ("26", "C27", "62")
    keywords: Sequence[str] = ()  # e.g. ("반도체", "semiconductor", "이차전지")
    ipc_classes: Sequence[str] = ()  # IPC expertise: "H01L", "G06N", "H01" or full "H01L 21/02"
    text: str = ""  # free expertise text (career, papers, fields)


@dataclass(frozen=True)
class CandidacyProfile:
    """What the candidacy's company does.  All fields optional."""

    ksic_code: str = ""  # e.g. "C26110", "26110" or "26"
    keywords: Sequence[str] = ()  # technology keywords of the company's technologies
    ipc_classes: Sequence[str] = ()  # IPC codes of the company's patents
    text: str = ""  # technology descriptions, patent titles and abstracts


@dataclass(frozen=True)
class AffinityWeights:
    """Weights of the four components (divided by their sum) and the partial credits."""

    text: float = 0.40
    keywords: float = 0.25
    ksic: float = 0.20
    ipc: float = 0.15
    ksic_section_credit: float = 0.5
    ipc_class_credit: float = 0.5

    def normalised(self) -> tuple[float, float, float, float]:
        """(text, keywords, ksic, ipc) weights summing to 1; refuses negative or all-zero weights."""
        w = np.array([self.text, self.keywords, self.ksic, self.ipc], dtype=float)
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError("affinity weights must be non-negative with a positive sum")
        w = w / w.sum()
        return float(w[0]), float(w[1]), float(w[2]), float(w[3])


@dataclass(frozen=True)
class AffinityConfig:
    """Weights, TF-IDF settings and the memory/speed knobs of :func:`compute_affinity`."""

    weights: AffinityWeights = field(default_factory=AffinityWeights)
    analyzer: str = "char_wb"
    ngram_range: tuple[int, int] = (2, 3)
    sublinear_tf: bool = True
    min_df: int | float = 1
    max_df: int | float = 1.0
    top_k: int | None = None  # keep only the top_k evaluators per candidacy (sparse CSR result)
    dtype: type = np.float32
    block_rows: int = 2048  # candidacy rows per block in the dense products
    dense_text_limit: int = 60_000_000  # use a dense evaluator matrix when shared n-grams × evaluators ≤ this


# ---------------------------------------------------------------------------------------------- codes


def normalize_keyword(keyword: str) -> str:
    """NFKC, case-fold, collapse whitespace, strip surrounding punctuation."""
    s = unicodedata.normalize("NFKC", keyword).casefold()
    s = re.sub(r"\s+", " ", s).strip()
    return s.strip(" .,;:·/\\-_'\"()[]{}")


def ksic_division(code: str) -> str | None:
    """Two-digit KSIC division of a code such as ``"C26110"``, ``"26110"`` or ``"26"``; None if absent."""
    s = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    if s[:1].isalpha():
        s = s[1:]
    if len(s) >= 2 and s[:2].isdigit() and int(s[:2]) in _SECTION_OF_DIVISION:
        return s[:2]
    return None


def ksic_section(code: str) -> str | None:
    """KSIC section letter (A–U) of a code: explicit leading letter, else derived from the division."""
    s = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    if s[:1].isalpha():
        return s[0] if s[0] in KSIC_SECTION_DIVISIONS else None
    div = ksic_division(s)
    return _SECTION_OF_DIVISION[int(div)] if div else None


def ipc_parts(code: str) -> tuple[str | None, str | None, str | None]:
    """(section, class, subclass) of an IPC code: ``"H01L 21/02"`` → ``("H", "H01", "H01L")``."""
    s = re.sub(r"\s+", "", code or "").upper()
    m = re.match(r"^([A-H])(\d{2})?([A-Z])?", s)
    if not m:
        return None, None, None
    section = m.group(1)
    klass = section + m.group(2) if m.group(2) else None
    sub = klass + m.group(3) if klass and m.group(3) else None
    return section, klass, sub


# ------------------------------------------------------------------------------------------ helpers


def _incidence(sets: Sequence[Iterable[str]], vocab: dict[str, int]) -> sp.csr_matrix:
    """Sparse 0/1 matrix of set membership; ``vocab`` grows so both sides share one column space."""
    rows: list[int] = []
    cols: list[int] = []
    for i, items in enumerate(sets):
        for it in set(items):
            j = vocab.setdefault(it, len(vocab))
            rows.append(i)
            cols.append(j)
    n = len(sets)
    m = sp.csr_matrix(
        (
            np.ones(len(rows), dtype=np.float64),
            (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)),
        ),
        shape=(n, max(len(vocab), 1)),
    )
    return m


def _overlap_coefficient(c_sets: Sequence[set[str]], e_sets: Sequence[set[str]]) -> sp.csr_matrix:
    """Sparse matrix of |C ∩ E| / min(|C|, |E|) (0 where either set is empty)."""
    vocab: dict[str, int] = {}
    mc = _incidence(c_sets, vocab)
    me = _incidence(e_sets, vocab)
    width = max(len(vocab), 1)
    mc = sp.csr_matrix((mc.data, mc.indices, mc.indptr), shape=(mc.shape[0], width))
    me = sp.csr_matrix((me.data, me.indices, me.indptr), shape=(me.shape[0], width))
    inter = (mc @ me.T).tocoo()
    nc = np.array([len(s) for s in c_sets], dtype=np.float64)
    ne = np.array([len(s) for s in e_sets], dtype=np.float64)
    denom = np.minimum(nc[inter.row], ne[inter.col])
    vals = np.divide(inter.data, denom, out=np.zeros_like(inter.data), where=denom > 0)
    return sp.csr_matrix((np.minimum(vals, 1.0), (inter.row, inter.col)), shape=(len(c_sets), len(e_sets)))


# --------------------------------------------------------------------------------------- components


def keyword_affinity(
    candidacies: Sequence[CandidacyProfile], evaluators: Sequence[EvaluatorExpertise]
) -> sp.csr_matrix:
    """Overlap coefficient of normalised technology keywords (sparse, in [0, 1])."""
    cs = [{k for k in map(normalize_keyword, c.keywords) if k} for c in candidacies]
    es = [{k for k in map(normalize_keyword, e.keywords) if k} for e in evaluators]
    return _overlap_coefficient(cs, es)


def ksic_affinity(
    candidacies: Sequence[CandidacyProfile],
    evaluators: Sequence[EvaluatorExpertise],
    section_credit: float = 0.5,
) -> np.ndarray:
    """1 for a division match, ``section_credit`` for a section-only match, else 0.

    Dense float32 (n_candidacies, n_evaluators): most companies share a handful of sections, so this
    component is mostly non-zero and a dense product of one-hot matrices is the cheapest form.
    """
    divisions = sorted(_SECTION_OF_DIVISION)
    d_index = {f"{d:02d}": j for j, d in enumerate(divisions)}
    s_index = {s: j for j, s in enumerate(_SECTIONS)}
    c_div = np.zeros((len(candidacies), len(divisions)), dtype=np.float32)
    c_sec = np.zeros((len(candidacies), len(_SECTIONS)), dtype=np.float32)
    for i, c in enumerate(candidacies):
        if d := ksic_division(c.ksic_code):
            c_div[i, d_index[d]] = 1.0
        if s := ksic_section(c.ksic_code):
            c_sec[i, s_index[s]] = 1.0
    e_div = np.zeros((len(evaluators), len(divisions)), dtype=np.float32)
    e_sec = np.zeros((len(evaluators), len(_SECTIONS)), dtype=np.float32)
    for i, e in enumerate(evaluators):
        for d in (ksic_division(x) for x in e.ksic_divisions):
            if d:
                e_div[i, d_index[d]] = 1.0
                e_sec[i, s_index[_SECTION_OF_DIVISION[int(d)]]] = 1.0
        for s in (ksic_section(x) for x in e.ksic_sections):
            if s:
                e_sec[i, s_index[s]] = 1.0
    div = (c_div @ e_div.T) > 0
    sec = (c_sec @ e_sec.T) > 0
    return np.where(div, np.float32(1.0), np.where(sec, np.float32(section_credit), np.float32(0.0)))


def ipc_affinity(
    candidacies: Sequence[CandidacyProfile],
    evaluators: Sequence[EvaluatorExpertise],
    class_credit: float = 0.5,
) -> sp.csr_matrix:
    """max(subclass overlap coefficient, ``class_credit`` × class overlap coefficient) (sparse)."""

    def parts(codes: Sequence[str]) -> tuple[set[str], set[str]]:
        """(IPC subclasses, IPC classes) of a list of codes."""
        subs: set[str] = set()
        classes: set[str] = set()
        for code in codes:
            _, klass, sub = ipc_parts(code)
            if sub:
                subs.add(sub)
            if klass:
                classes.add(klass)
        return subs, classes

    cp = [parts(c.ipc_classes) for c in candidacies]
    ep = [parts(e.ipc_classes) for e in evaluators]
    sub = _overlap_coefficient([p[0] for p in cp], [p[0] for p in ep])
    cls = _overlap_coefficient([p[1] for p in cp], [p[1] for p in ep])
    return sub.maximum(cls * float(class_credit)).tocsr()


def _tfidf(
    candidacy_texts: Sequence[str], evaluator_texts: Sequence[str], config: AffinityConfig
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """L2-normalised TF-IDF of both sides fitted together, keeping only n-grams present on both sides."""
    docs = [t or "" for t in candidacy_texts] + [t or "" for t in evaluator_texts]
    n_c = len(candidacy_texts)
    if not any(d.strip() for d in docs):
        return sp.csr_matrix((n_c, 0)), sp.csr_matrix((len(evaluator_texts), 0))
    vec = TfidfVectorizer(
        analyzer=config.analyzer,
        ngram_range=config.ngram_range,
        sublinear_tf=config.sublinear_tf,
        min_df=config.min_df,
        max_df=config.max_df,
        dtype=np.float32,
        norm="l2",
    )
    try:
        x = vec.fit_transform(docs).tocsr()
    except ValueError:  # empty vocabulary (e.g. only one-character texts)
        return sp.csr_matrix((n_c, 0)), sp.csr_matrix((len(evaluator_texts), 0))
    xc, xe = x[:n_c], x[n_c:]
    # Exact pruning: an n-gram absent on either side contributes nothing to any cross dot product.
    shared = np.flatnonzero(np.diff(xc.tocsc().indptr) > 0)
    shared = shared[np.diff(xe.tocsc().indptr)[shared] > 0]
    return xc[:, shared].tocsr(), xe[:, shared].tocsr()


def text_affinity(
    candidacies: Sequence[CandidacyProfile],
    evaluators: Sequence[EvaluatorExpertise],
    config: AffinityConfig | None = None,
) -> np.ndarray:
    """Dense (n_candidacies, n_evaluators) cosine similarity of char n-gram TF-IDF vectors."""
    config = config or AffinityConfig()
    xc, xe = _tfidf([c.text for c in candidacies], [e.text for e in evaluators], config)
    out: np.ndarray = np.zeros((len(candidacies), len(evaluators)), dtype=config.dtype)
    if xc.shape[1] == 0:
        return out
    dense_e = xc.shape[1] * len(evaluators) <= config.dense_text_limit
    et = xe.T.toarray() if dense_e else xe.T.tocsr()
    for start in range(0, len(candidacies), config.block_rows):
        block = xc[start : start + config.block_rows]
        prod = block @ et
        out[start : start + block.shape[0]] = prod if dense_e else prod.toarray()
    np.clip(out, 0.0, 1.0, out=out)
    return out


# ------------------------------------------------------------------------------------------ combined


def _top_k_rows(dense: np.ndarray, k: int) -> sp.csr_matrix:
    """CSR matrix keeping each row's ``k`` largest entries (zeros dropped)."""
    n, m = dense.shape
    k = min(k, m)
    if k <= 0:
        return sp.csr_matrix((n, m), dtype=dense.dtype)
    idx = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    idx.sort(axis=1)
    vals = np.take_along_axis(dense, idx, axis=1)
    indptr = np.arange(0, n * k + 1, k, dtype=np.int64)
    mat = sp.csr_matrix((vals.ravel(), idx.ravel(), indptr), shape=(n, m))
    mat.eliminate_zeros()
    return mat


def compute_affinity(
    candidacies: Sequence[CandidacyProfile],
    evaluators: Sequence[EvaluatorExpertise],
    config: AffinityConfig | None = None,
) -> np.ndarray | sp.csr_matrix:
    """Affinity matrix of shape (n_candidacies, n_evaluators) with values in [0, 1].

    Dense ``np.ndarray`` (dtype ``config.dtype``) unless ``config.top_k`` is set, in which case a CSR matrix
    keeping each candidacy's ``top_k`` highest entries (missing entries mean "not among the top", and
    ``assignment.assign`` treats them as affinity 0).
    """
    config = config or AffinityConfig()
    w_text, w_kw, w_ksic, w_ipc = config.weights.normalised()
    out = text_affinity(candidacies, evaluators, config) if w_text > 0 else None
    if out is None:
        out = np.zeros((len(candidacies), len(evaluators)), dtype=config.dtype)
    else:
        out *= w_text
    if w_ksic > 0:
        ksic = ksic_affinity(candidacies, evaluators, config.weights.ksic_section_credit)
        out += (ksic * w_ksic).astype(out.dtype)
    sparse_parts: list[sp.csr_matrix] = []
    if w_kw > 0:
        sparse_parts.append(keyword_affinity(candidacies, evaluators) * w_kw)
    if w_ipc > 0:
        sparse_parts.append(ipc_affinity(candidacies, evaluators, config.weights.ipc_class_credit) * w_ipc)
    for part in sparse_parts:
        coo = sp.csr_matrix(part).tocoo()  # canonical: no duplicate entries, so fancy-index += is exact
        out[coo.row, coo.col] += coo.data.astype(out.dtype)
    np.clip(out, 0.0, 1.0, out=out)
    if config.top_k is not None:
        return _top_k_rows(out, config.top_k)
    return out


def explain_affinity(
    candidacy: CandidacyProfile, evaluator: EvaluatorExpertise, config: AffinityConfig | None = None
) -> dict[str, float]:
    """Component scores and the weighted total for one pair (for display: "why this evaluator").

    Note: the text component's IDF is computed from these two documents only, so it differs slightly from
    the value inside a full ``compute_affinity`` run.
    """
    config = config or AffinityConfig()
    w_text, w_kw, w_ksic, w_ipc = config.weights.normalised()
    comps = {
        "text": float(text_affinity([candidacy], [evaluator], config)[0, 0]),
        "keywords": float(keyword_affinity([candidacy], [evaluator])[0, 0]),
        "ksic": float(ksic_affinity([candidacy], [evaluator], config.weights.ksic_section_credit)[0, 0]),
        "ipc": float(ipc_affinity([candidacy], [evaluator], config.weights.ipc_class_credit)[0, 0]),
    }
    comps["total"] = min(
        1.0, w_text * comps["text"] + w_kw * comps["keywords"] + w_ksic * comps["ksic"] + w_ipc * comps["ipc"]
    )
    return comps
