"""Weights for the selection criteria (step 2.3.1 "set the selection criteria").

Four ways to weight the criteria of the two families (attractiveness, feasibility):

* **AHP** pairwise comparisons (Saaty 1980): :func:`ahp` for one matrix,
  :func:`judgements_to_matrix` to build a matrix from readable YAML judgements,
  :func:`ahp_hierarchy` for the two-level hierarchy *families → criteria*,
  :func:`aggregate_judges` / :func:`ahp_group` for several judges (aggregation of
  individual judgements by element-wise geometric mean, Aczél & Saaty 1983, or of
  individual priorities, Forman & Peniwati 1998), skipped judgements completed by
  Harker's (1987) method, :func:`repair_consistency` for the fewest judgement changes
  that make a matrix consistent (checked by recomputing CR), and
  :func:`validate_judgements` to validate the content of a judgements file (read by
  :func:`prioanalysis.inputs.judgements.load_judgements`).
* **Entropy** weights from the spread of the customer data: :func:`entropy`.
* **CRITIC** weights (Diakoulaki, Mavrotas & Papayannakis 1995): :func:`critic`.
* **Rank order centroid** weights from a ranking of the criteria (Barron & Barrett
  1996): :func:`rank_order_centroid`.

Every function returns weights as a :class:`pandas.Series` named ``"weight"`` that is
non-negative and sums to 1. Inputs that cannot be used raise
:class:`~prioanalysis.errors.InputError` (or :class:`~prioanalysis.errors.ParamsError`
for a judgements file or an unknown option) whose message names the offending cell,
column or key path.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from prioanalysis import checks
from prioanalysis.errors import DegenerateWeightsWarning, InconsistencyWarning, InputError, ParamsError

__all__ = [
    "AHPResult",
    "CR_THRESHOLD",
    "DegenerateWeightsWarning",
    "GroupResult",
    "HierarchyResult",
    "InconsistencyWarning",
    "RANDOM_INDEX_TABLES",
    "RI_TABLE_NAMES",
    "RepairResult",
    "SAATY_SCALE",
    "aggregate_judges",
    "ahp",
    "ahp_group",
    "ahp_hierarchy",
    "critic",
    "entropy",
    "judgements_to_matrix",
    "validate_judgements",
    "random_index",
    "rank_order_centroid",
    "repair_consistency",
]

# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------

#: Saaty's fundamental scale: 1/9 … 1/2, 1, 2 … 9 (ascending).
SAATY_SCALE: np.ndarray = np.array([1.0 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)])
SAATY_SCALE.setflags(write=False)

#: Judgements are acceptable while the consistency ratio stays below this (Saaty 1980).
CR_THRESHOLD: float = 0.10

#: Published random-index tables: table name → {n: RI}.
#:
#: ``"saaty1980"``
#:     Saaty, T. L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill, for
#:     n = 1..10. Beyond n = 10 the table has no value and :func:`random_index`
#:     raises :class:`~prioanalysis.errors.ParamsError` pointing to the other tables.
#: ``"alonso_lamata2006"``
#:     Alonso, J. A. & Lamata, M. T. (2006) "Consistency in the analytic hierarchy
#:     process: a new approach", *Int. J. Uncertainty, Fuzziness and Knowledge-Based
#:     Systems* 14(4):445-459, for n = 1..15 (n ≤ 2 → 0). Every value agrees within
#:     0.003 with this module's own simulation (``"simulated"``, 100 000 matrices).
RANDOM_INDEX_TABLES: Mapping[str, Mapping[int, float]] = MappingProxyType(
    {
        "saaty1980": MappingProxyType(
            {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
        ),
        "alonso_lamata2006": MappingProxyType(
            {
                1: 0.0,
                2: 0.0,
                3: 0.5247,
                4: 0.8816,
                5: 1.1086,
                6: 1.2479,
                7: 1.3417,
                8: 1.4057,
                9: 1.4499,
                10: 1.4854,
                11: 1.5140,
                12: 1.5365,
                13: 1.5551,
                14: 1.5713,
                15: 1.5838,
            }
        ),
    }
)

#: Names accepted by ``ri_table``: the published tables plus ``"simulated"``.
RI_TABLE_NAMES: tuple[str, ...] = (*RANDOM_INDEX_TABLES, "simulated")

#: Defaults of the ``"simulated"`` random index (see :func:`random_index`).
SIMULATED_RI_SAMPLES: int = 100_000
SIMULATED_RI_SEED: int = 20_060_445
_SIMULATION_CHUNK = 20_000

_DEFAULT_TOLERANCE = 0.05
_REVISIT_COLUMNS = ["pair", "row", "column", "judgement", "implied", "suggested", "cr_after", "log_deviation"]
_REPAIR_COLUMNS = [
    "step",
    "pair",
    "row",
    "column",
    "judgement",
    "suggested",
    "move",
    "cr_before",
    "cr_after",
    "minimal",
]
_CONSISTENCY_COLUMNS = ["level", "family", "n", "skipped", "lambda_max", "CI", "RI", "CR", "consistent"]
_PAIR_KEY = re.compile(r"\s*(.+?)\s+vs\.?\s+(.+?)\s*")
_FRACTION = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*/\s*([0-9]*\.?[0-9]+)\s*")

RITable: TypeAlias = Literal["saaty1980", "alonso_lamata2006", "simulated"]
Scale: TypeAlias = Literal["saaty", "any"]
MissingRule: TypeAlias = Literal["harker", "error"]
GroupMethod: TypeAlias = Literal["aij", "aip"]
PairwiseMatrix: TypeAlias = pd.DataFrame | np.ndarray | Sequence[Sequence[float | str]]
Judgements: TypeAlias = Mapping[str, float | str]


# --------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AHPResult:
    """Weights and consistency of one pairwise comparison matrix (see :func:`ahp`).

    Attributes
    ----------
    weights : pandas.Series
        Priority vector (principal right eigenvector normalised to sum 1), named
        ``"weight"`` and indexed by the labels.
    lambda_max : float
        Principal eigenvalue λ_max.
    consistency_index : float
        CI = (λ_max − n) / (n − 1); 0 for n = 1. λ_max ≥ n for a reciprocal matrix, so
        a negative value can only be rounding noise and is reported as 0.
    consistency_ratio : float
        CR = CI / RI; 0 for n ≤ 2 (every 1×1 or 2×2 reciprocal matrix is consistent).
    random_index : float
        RI used, from table ``ri_table``.
    ri_table : str
        Name of the random-index table.
    is_consistent : bool
        ``consistency_ratio < cr_threshold``.
    matrix : pandas.DataFrame
        The matrix as validated (float, rows and columns labelled); skipped pairs are
        filled with Harker's completion w_i / w_j (see ``missing``).
    revisit : pandas.DataFrame
        Every pair once, most inconsistent first (index ``rank`` from 1), oriented so
        that the given judgement is ≥ 1 (ties keep the matrix order); columns ``pair``
        (``"row vs column"``, the form of a judgements-file key), ``row``, ``column``,
        ``judgement`` (a_ij as given), ``implied`` (w_i / w_j, the judgement the
        weights imply), ``suggested`` (the Saaty-scale value that, put in place of this
        judgement alone, gives the lowest CR: all 17 values are tried and CR recomputed;
        ties go to the value nearest the given one), ``cr_after`` (that CR) and
        ``log_deviation`` = |ln(a_ij · w_j / w_i)|, zero for a consistent matrix. For
        the fewest changes that make the matrix consistent see :func:`repair_consistency`.
    name : str or None
        Name of the matrix used in messages (e.g. a key path of the judgements file).
    cr_threshold : float
        Threshold used for ``is_consistent``.
    missing : pandas.DataFrame or None
        Boolean mask (labelled like ``matrix``, both triangles) of the pairs the judge
        skipped; ``None`` when every pair was judged. Their cells of ``matrix`` hold the
        values of Harker's completion, w_i / w_j.

    Notes
    -----
    With skipped pairs the weights are Harker's (1987): the principal eigenvector of
    the matrix B with b_ij = 0 for a skipped pair and b_ii = 1 + (number of skipped
    pairs in row i). ``matrix`` is completed with a_ij = w_i / w_j in the skipped cells;
    that completed matrix has the same principal eigenvector and eigenvalue as B, and
    λ_max, CI and CR are those of the completed matrix with the RI of the full order n
    (no correction of RI for the fewer judgements). ``revisit`` lists judged pairs only.
    """

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    random_index: float
    ri_table: str
    is_consistent: bool
    matrix: pd.DataFrame
    revisit: pd.DataFrame
    name: str | None = None
    cr_threshold: float = CR_THRESHOLD
    missing: pd.DataFrame | None = None

    @property
    def n(self) -> int:
        """Number of elements compared."""
        return int(self.matrix.shape[0])

    @property
    def n_missing(self) -> int:
        """Number of skipped pairs (each pair counted once)."""
        return 0 if self.missing is None else int(np.triu(self.missing.to_numpy(), 1).sum())

    @property
    def skipped_pairs(self) -> list[str]:
        """The skipped pairs as ``"row vs column"`` (upper triangle, matrix order)."""
        if self.missing is None:
            return []
        labels = list(self.matrix.index)
        rows, cols = np.nonzero(np.triu(self.missing.to_numpy(), 1))
        return [f"{labels[r]} vs {labels[c]}" for r, c in zip(rows, cols, strict=True)]


@dataclass(frozen=True, eq=False)
class HierarchyResult:
    """Weights of a two-level hierarchy families → criteria (see :func:`ahp_hierarchy`).

    Attributes
    ----------
    weights : pandas.Series
        Global weight of every criterion = family weight × local weight; index
        ``criterion``, sums to 1.
    family_weights : pandas.Series
        Weight of each family (index ``family``), sums to 1.
    table : pandas.DataFrame
        One row per criterion (index ``criterion``): ``family``, ``family_weight``,
        ``local_weight`` (within the family, sums to 1 per family) and ``weight``
        (global).
    consistency : pandas.DataFrame
        One row per matrix (index ``matrix``: ``"families"`` or
        ``"criteria.<family>"``): ``level``, ``family``, ``n``, ``skipped`` (pairs
        skipped, completed by Harker's method), ``lambda_max``, ``CI``, ``RI``, ``CR``,
        ``consistent``. A single-criterion family appears with
        n = 1 and CR = 0; the ``"families"`` row is absent when there is one family.
    results : Mapping[str, AHPResult]
        The full :class:`AHPResult` of every matrix, keyed like ``consistency``.
    """

    weights: pd.Series
    family_weights: pd.Series
    table: pd.DataFrame
    consistency: pd.DataFrame
    results: Mapping[str, AHPResult] = field(repr=False)

    @property
    def is_consistent(self) -> bool:
        """True when every matrix of the hierarchy is consistent."""
        return bool(self.consistency["consistent"].all())

    def revisit_table(self, n_top: int = 3) -> pd.DataFrame:
        """Judgements to revisit in the inconsistent matrices.

        Parameters
        ----------
        n_top : int, default 3
            How many pairs per inconsistent matrix, most inconsistent first.

        Returns
        -------
        pandas.DataFrame
            Columns ``matrix``, ``rank`` and the columns of :attr:`AHPResult.revisit`;
            empty (same columns) when every matrix is consistent.
        """
        frames = [
            result.revisit.head(n_top).reset_index().assign(matrix=key)
            for key, result in self.results.items()
            if not result.is_consistent
        ]
        columns = ["matrix", "rank", *_REVISIT_COLUMNS]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return pd.concat(frames, ignore_index=True)[columns]

    def repair_table(self, exhaustive_depth: int = 2) -> pd.DataFrame:
        """The fewest judgement changes that make each inconsistent matrix consistent.

        Parameters
        ----------
        exhaustive_depth : int, default 2
            As in :func:`repair_consistency`.

        Returns
        -------
        pandas.DataFrame
            One row per change (see :attr:`RepairResult.changes`), columns ``matrix``
            and ``step``, ``pair``, ``row``, ``column``, ``judgement``, ``suggested``,
            ``move``, then the matrix's ``cr_before`` and recomputed ``cr_after`` and
            whether the number of changes is proved ``minimal``; empty (same columns)
            when every matrix is consistent.
        """
        frames = [
            _repair_frame(repair_consistency(result, exhaustive_depth=exhaustive_depth)).assign(matrix=key)
            for key, result in self.results.items()
            if not result.is_consistent
        ]
        columns = ["matrix", *_REPAIR_COLUMNS]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return pd.concat(frames, ignore_index=True)[columns]


@dataclass(frozen=True, eq=False)
class GroupResult:
    """Weights from several judges (see :func:`ahp_group`).

    Attributes
    ----------
    aggregate : HierarchyResult
        Hierarchy computed from the element-wise (weighted) geometric mean of the
        judges' matrices (aggregation of individual judgements, AIJ). Its ``weights``
        are the group's weights when ``method="aij"``; with ``method="aip"`` it is
        kept for comparison.
    judges : Mapping[str, HierarchyResult]
        Each judge's own hierarchy result.
    consistency : pandas.DataFrame
        CR of every judge (rows, index ``judge``) for every matrix (columns, e.g.
        ``"families"``, ``"criteria.attractiveness"``).
    revisit : pandas.DataFrame
        For every judge and every matrix of theirs with CR ≥ threshold, the top pairs
        to revisit: columns ``judge``, ``matrix``, ``rank`` and those of
        :attr:`AHPResult.revisit`. Empty when all judges are consistent.
    judge_weights : pandas.Series
        Weight of each judge in the geometric mean (sums to 1).
    method : {"aij", "aip"}
        The aggregation behind :attr:`weights`.
    priorities : pandas.DataFrame
        Each judge's global criterion weights (index ``criterion`` in the order of
        ``aggregate.weights``, one column per judge).
    aip_weights : pandas.Series
        Aggregation of individual priorities (AIP, Forman & Peniwati 1998): the
        weighted geometric mean of the judges' global weights, normalised to sum 1.
    repairs : pandas.DataFrame
        For every inconsistent matrix of every judge, the fewest changes that make it
        consistent (:func:`repair_consistency`): columns ``judge``, ``matrix``,
        ``step``, ``pair``, ``row``, ``column``, ``judgement``, ``suggested``, ``move``,
        ``cr_before``, ``cr_after`` (recomputed), ``minimal``. Empty when all judges
        are consistent (or with ``repair=False``).
    judge_summary : pandas.DataFrame
        One row per judge (index ``judge``): ``weight``, ``max_CR``, ``worst_matrix``,
        ``consistent``, ``skipped`` (pairs skipped over all matrices) and
        ``changes_needed`` (judgements to change so that every matrix is consistent; 0
        when consistent, NaN with ``repair=False``).
    """

    aggregate: HierarchyResult
    judges: Mapping[str, HierarchyResult] = field(repr=False)
    consistency: pd.DataFrame
    revisit: pd.DataFrame
    judge_weights: pd.Series
    method: str = "aij"
    priorities: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    aip_weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float, name="weight"))
    repairs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    judge_summary: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def weights(self) -> pd.Series:
        """Group weights of the criteria: ``aij_weights`` or ``aip_weights`` by :attr:`method`."""
        return self.aip_weights if self.method == "aip" else self.aggregate.weights

    @property
    def aij_weights(self) -> pd.Series:
        """Weights from the aggregated judgements (AIJ, same as ``aggregate.weights``)."""
        return self.aggregate.weights

    @property
    def families(self) -> pd.Series:
        """Family of each criterion (index ``criterion``), as the judges' hierarchy has it."""
        return self.aggregate.table["family"].rename("family")

    @property
    def inconsistent_judges(self) -> list[str]:
        """Judges with at least one matrix at or above the CR threshold."""
        return [name for name, result in self.judges.items() if not result.is_consistent]


# --------------------------------------------------------------------------------------
# Kernels (no validation)
# --------------------------------------------------------------------------------------


def _principal_eigen(a: np.ndarray) -> tuple[np.ndarray, float]:
    """Principal eigenvalue and eigenvector (normalised to sum 1) of a positive matrix."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    # Perron vector: all entries have one sign, so abs() only fixes the sign.
    w = np.abs(vectors[:, k].real)
    return w / w.sum(), float(values[k].real)


def _harker_matrix(a: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Harker's (1987) matrix: missing a_ij → 0, diagonal 1 + number of missing entries of the row."""
    b = np.where(missing, 0.0, a)
    b[np.diag_indices_from(b)] = 1.0 + missing.sum(axis=1)
    return b


def _harker_eigen(a: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Weights, λ_max and completed matrix of a possibly incomplete reciprocal matrix.

    The principal eigenvector w of Harker's matrix B (:func:`_harker_matrix`) is also the
    principal eigenvector of the matrix C completed with c_ij = w_i / w_j in the
    missing cells, with the same eigenvalue: (Cw)_i = Σ_known a_ij w_j + m_i w_i + w_i
    = (Bw)_i. A complete matrix (no missing cell) is solved as it is.
    """
    if not missing.any():
        w, lam = _principal_eigen(a)
        return w, lam, a
    w, lam = _principal_eigen(_harker_matrix(a, missing))
    return w, lam, np.where(missing, w[:, None] / w[None, :], a)


def _lambda_max_stack(stack: np.ndarray) -> np.ndarray:
    """Exact principal eigenvalue of every matrix of a stack (…, n, n)."""
    return np.asarray(np.linalg.eigvals(stack).real.max(axis=-1))


def _below_lower_bound(stack: np.ndarray, x0: np.ndarray, target: float, rounds: int = 6) -> np.ndarray:
    """Mask of the matrices of a stack whose λ_max may be below ``target``.

    Collatz-Wielandt: for an irreducible non-negative matrix M and any positive x,
    λ_max ≥ min_i (Mx)_i / x_i. x is improved by power iteration from ``x0`` (a few
    steps per round) and a matrix is dropped as soon as that lower bound reaches the
    target, so ``False`` is a proof that λ_max ≥ target; ``True`` decides nothing.
    """
    keep = np.ones(stack.shape[0], dtype=bool)
    alive = np.arange(stack.shape[0])
    x = np.broadcast_to(x0, (stack.shape[0], x0.size))[:, :, None].copy()
    for _ in range(rounds):
        m = stack[alive]
        y = np.matmul(m, x)
        low = (y / x).min(axis=(1, 2))
        out = low >= target
        keep[alive[out]] = False
        alive, x, m = alive[~out], y[~out], m[~out]
        if not alive.size:
            break
        for _ in range(3):
            x = np.matmul(m, x / x.sum(axis=1, keepdims=True))
        x /= x.sum(axis=1, keepdims=True)
    return keep


def _cr_from_lambda(lam: np.ndarray | float, n: int, ri: float) -> np.ndarray:
    """CR = max((λ − n)/(n − 1), 0) / RI; 0 for n ≤ 2."""
    lam = np.asarray(lam, dtype=float)
    if n <= 2 or ri <= 0:
        return np.zeros_like(lam)
    return np.maximum((lam - n) / (n - 1), 0.0) / ri


def _scale_position(x: np.ndarray) -> np.ndarray:
    """Position of a judgement on Saaty's scale, 0 (1/9) … 8 (1) … 16 (9); interpolated off-scale."""
    return np.asarray(np.interp(np.log(np.asarray(x, dtype=float)), np.log(SAATY_SCALE), np.arange(SAATY_SCALE.size)))


def _nearest_on_scale(x: np.ndarray) -> np.ndarray:
    """Nearest Saaty-scale value of each element (distance measured on the log scale)."""
    distance = np.abs(np.log(np.asarray(x, dtype=float))[..., None] - np.log(SAATY_SCALE))
    return SAATY_SCALE[np.argmin(distance, axis=-1)]


def _known_pairs(missing: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper-triangle pairs that were judged, each oriented so that the judgement is ≥ 1."""
    i, j = np.triu_indices(a.shape[0], 1)
    keep = ~missing[i, j]
    i, j = i[keep], j[keep]
    flip = a[i, j] < 1.0
    return np.where(flip, j, i), np.where(flip, i, j)


def _single_change_lambdas(b: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """λ_max (exact) of ``b`` with pair (i_p, j_p) set to each Saaty value: shape (pairs, 17)."""
    p, v = i.size, SAATY_SCALE.size
    stack = np.broadcast_to(b, (p, v, *b.shape)).copy()
    rows, cols = np.arange(p)[:, None], np.arange(v)[None, :]
    stack[rows, cols, i[:, None], j[:, None]] = SAATY_SCALE[None, :]
    stack[rows, cols, j[:, None], i[:, None]] = 1.0 / SAATY_SCALE[None, :]
    return _lambda_max_stack(stack)


def _revisit_kernel(
    a: np.ndarray, w: np.ndarray, labels: Sequence[Any], missing: np.ndarray, ri: float
) -> pd.DataFrame:
    """Each judged pair once, ranked by |ln(a_ij w_j / w_i)|, largest first.

    ``suggested`` is the Saaty-scale value that, put in place of this one judgement
    (every other judgement kept), gives the lowest CR, found by trying all 17 values
    and recomputing λ_max (ties: the value nearest the given one); ``cr_after`` is
    that CR.
    """
    n = a.shape[0]
    i, j = _known_pairs(missing, a)
    implied = w[i] / w[j]
    rows = np.asarray(labels, dtype=object)[i]
    cols = np.asarray(labels, dtype=object)[j]
    if i.size:
        cr = _cr_from_lambda(_single_change_lambdas(_harker_matrix(a, missing), i, j), n, ri)
        move = np.abs(_scale_position(SAATY_SCALE)[None, :] - _scale_position(a[i, j])[:, None])
        best = _argbest(cr, move)
        suggested, cr_after = SAATY_SCALE[best], cr[np.arange(i.size), best]
    else:
        suggested = cr_after = np.array([], dtype=float)
    table = pd.DataFrame(
        {
            "pair": [f"{r} vs {c}" for r, c in zip(rows, cols, strict=True)],
            "row": rows,
            "column": cols,
            "judgement": a[i, j],
            "implied": implied,
            "suggested": suggested,
            "cr_after": cr_after,
            "log_deviation": np.abs(np.log(a[i, j] / implied)),
        }
    )
    table = table.sort_values("log_deviation", ascending=False, kind="stable", ignore_index=True)
    table.index = pd.RangeIndex(1, len(table) + 1, name="rank")
    return table


def _argbest(cr: np.ndarray, move: np.ndarray) -> np.ndarray:
    """Per row, the column with the lowest CR (rounded to 1e-12), ties to the smallest move."""
    return np.asarray(np.lexsort((move, np.round(cr, 12)), axis=-1)[..., 0])


@functools.lru_cache(maxsize=64)
def _simulated_random_index(n: int, n_samples: int, seed: int) -> float:
    """Mean CI of random reciprocal matrices on the Saaty scale (chunked, seeded)."""
    if n <= 2:
        return 0.0
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n, 1)
    total, done = 0.0, 0
    while done < n_samples:
        size = min(_SIMULATION_CHUNK, n_samples - done)
        upper = rng.choice(SAATY_SCALE, size=(size, i.size))
        a = np.ones((size, n, n))
        a[:, i, j] = upper
        a[:, j, i] = 1.0 / upper
        total += float(np.linalg.eigvals(a).real.max(axis=1).sum())
        done += size
    return (total / n_samples - n) / (n - 1)


def _geometric_mean(stack: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted element-wise geometric mean over the first axis."""
    return np.exp(np.tensordot(weights, np.log(stack), axes=1))


# --------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def _prefix(where: str | None) -> str:
    return f"{where}: " if where else ""


def _format_judgement(x: float, tolerance: float = _DEFAULT_TOLERANCE) -> str:
    """``3`` / ``1/3`` for values on the Saaty scale, else 3 significant digits."""
    nearest = float(_nearest_on_scale(np.array([x]))[0])
    if abs(math.log(x / nearest)) <= tolerance:
        return f"{nearest:.0f}" if nearest >= 1 else f"1/{1 / nearest:.0f}"
    return f"{x:.3g}"


def _parse_judgement(value: object, where: str) -> float:
    """A judgement as a positive float: a number, ``"3"``, ``"1/3"`` or ``"0.5"``."""
    expected = "expected a positive number such as 3, 0.5 or '1/3'"
    if isinstance(value, bool) or value is None:
        raise InputError(f"{where}: got {value!r}; {expected}.")
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
    elif isinstance(value, str):
        fraction = _FRACTION.fullmatch(value)
        try:
            if fraction:
                numerator, denominator = (float(g) for g in fraction.groups())
                x = numerator / denominator if denominator else math.inf
            else:
                x = float(value)
        except ValueError:
            raise InputError(f"{where}: got {value!r}; {expected}.") from None
    else:
        raise InputError(f"{where}: got {value!r} ({type(value).__name__}); {expected}.")
    if not math.isfinite(x) or x <= 0:
        raise InputError(f"{where}: got {value!r}; {expected}.")
    return x


def _is_skipped(value: object) -> bool:
    """None or NaN: a skipped judgement."""
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _list_cells(mask: np.ndarray, a: np.ndarray, labels: Sequence[Any], limit: int = 5) -> str:
    rows, cols = np.nonzero(mask)
    cells = [f"({labels[r]}, {labels[c]}) = {a[r, c]:.6g}" for r, c in zip(rows[:limit], cols[:limit], strict=True)]
    more = f" and {rows.size - limit} more" if rows.size > limit else ""
    return ", ".join(cells) + more


def _as_labelled_matrix(matrix: PairwiseMatrix, labels: Sequence[Any] | None, where: str) -> pd.DataFrame:
    """Matrix → square float DataFrame with identical row/column labels (no checks on values)."""
    p = _prefix(where)
    if isinstance(matrix, pd.DataFrame):
        frame = matrix
        if frame.shape[0] != frame.shape[1]:
            raise InputError(
                f"{p}the pairwise matrix must be square; got {frame.shape[0]} rows and {frame.shape[1]} columns."
            )
        index, columns = list(frame.index), list(frame.columns)
        if len(set(index)) != len(index) or set(index) != set(columns):
            raise InputError(
                f"{p}row labels {index} and column labels {columns} must name the same criteria, each once."
            )
        frame = frame.loc[index, index]
        if labels is not None:
            if len(set(labels)) != len(labels) or set(labels) != set(index):
                raise InputError(f"{p}labels {list(labels)} must list the matrix's labels {index}, each once.")
            frame = frame.loc[list(labels), list(labels)]
        cells = frame.to_numpy(dtype=object)
        names = list(frame.index)
    else:
        try:
            cells = np.array(matrix, dtype=object)
        except ValueError as exc:
            raise InputError(f"{p}the pairwise matrix must be square (rows of equal length): {exc}") from None
        if cells.ndim != 2 or cells.shape[0] != cells.shape[1]:
            raise InputError(f"{p}the pairwise matrix must be square (n × n); got shape {cells.shape}.")
        names = list(labels) if labels is not None else list(range(cells.shape[0]))
        if len(names) != cells.shape[0] or len(set(names)) != len(names):
            raise InputError(
                f"{p}{len(names)} labels {names} for a {cells.shape[0]} × {cells.shape[0]} matrix; "
                "expected one distinct label per row."
            )
    if cells.shape[0] == 0:
        raise InputError(f"{p}the pairwise matrix is empty; expected at least one criterion.")
    try:
        values = cells.astype(float)
    except (TypeError, ValueError):
        values = np.array(
            [
                [
                    math.nan
                    if _is_skipped(cells[r, c])
                    else _parse_judgement(cells[r, c], f"{p}cell ({names[r]}, {names[c]})")
                    for c in range(len(names))
                ]
                for r in range(len(names))
            ]
        )
    return pd.DataFrame(values, index=pd.Index(names), columns=pd.Index(names))


def _connected_components(known: np.ndarray) -> list[list[int]]:
    """Groups of elements linked by judged pairs (directly or through others), in index order."""
    n = known.shape[0]
    seen = np.zeros(n, dtype=bool)
    groups: list[list[int]] = []
    for start in range(n):
        if seen[start]:
            continue
        seen[start] = True
        group, frontier = [start], [start]
        while frontier:
            k = frontier.pop()
            for m in np.nonzero(known[k] & ~seen)[0]:
                seen[m] = True
                group.append(int(m))
                frontier.append(int(m))
        groups.append(sorted(group))
    return groups


def _check_connected(missing: np.ndarray, labels: Sequence[Any], where: str) -> None:
    """Refuse a matrix whose judged pairs do not connect all elements (Harker 1987 needs it)."""
    if not missing.any():
        return
    known = ~missing
    np.fill_diagonal(known, False)
    groups = _connected_components(known)
    if len(groups) > 1:
        parts = " | ".join(str([labels[k] for k in g]) for g in groups)
        raise InputError(
            f"{_prefix(where)}with the skipped pairs the judgements do not connect all criteria: "
            f"{parts} are not compared with each other, directly or through other criteria; "
            "judge at least one pair between each of these groups (weights across them are undetermined)."
        )


def _validate_pairwise(
    frame: pd.DataFrame, tolerance: float, scale: Scale, where: str, missing: MissingRule = "harker"
) -> np.ndarray:
    """Raise InputError naming the first offending cells of a pairwise matrix.

    Returns the boolean mask of the skipped cells: off-diagonal pairs whose two cells
    a_ij and a_ji are both NaN (``missing="harker"``); they must leave the judged
    pairs connected.
    """
    p = _prefix(where)
    a = frame.to_numpy()
    labels = list(frame.index)
    if missing not in ("harker", "error"):
        raise ParamsError(f"missing={missing!r} is not known; expected 'harker' or 'error'.")
    with np.errstate(invalid="ignore", divide="ignore"):
        skipped = np.isnan(a) & np.isnan(a.T)
        np.fill_diagonal(skipped, False)
        if missing == "error" and skipped.any():
            raise InputError(
                f"{p}skipped judgements (NaN) at {_list_cells(np.triu(skipped), a, labels)}; "
                "use missing='harker' to complete them (Harker 1987)."
            )
        bad = ~np.isfinite(a) & ~skipped
        if bad.any():
            raise InputError(f"{p}missing or infinite judgements at {_list_cells(bad, a, labels)}.")
        _check_connected(skipped, labels, where)
        a = np.where(skipped, 1.0, a)
        bad = a <= 0
        if bad.any():
            raise InputError(f"{p}judgements must be positive; got {_list_cells(bad, a, labels)}.")
        log_a = np.log(a)
        bad = np.diag(np.abs(np.diag(log_a)) > tolerance)
        if bad.any():
            raise InputError(
                f"{p}the diagonal must be 1 (a criterion is as important as itself); got {_list_cells(bad, a, labels)}."
            )
        bad = np.triu(np.abs(log_a + log_a.T) > tolerance, 1)
        if bad.any():
            r, c = (int(x[0]) for x in np.nonzero(bad))
            raise InputError(
                f"{p}cells ({labels[r]}, {labels[c]}) = {a[r, c]:.6g} and ({labels[c]}, {labels[r]}) = "
                f"{a[c, r]:.6g} are not reciprocal; expected ({labels[c]}, {labels[r]}) = 1/{a[r, c]:.6g} "
                f"= {1 / a[r, c]:.6g} (tolerance {tolerance:g} on the log scale)."
            )
    if scale == "saaty":
        nearest = _nearest_on_scale(a)
        bad = np.abs(log_a - np.log(nearest)) > tolerance
        if bad.any():
            raise InputError(
                f"{p}judgements must be on Saaty's 1-9 scale (1..9 or 1/2..1/9); got "
                f"{_list_cells(bad, a, labels)}. Use scale='any' for other positive ratios."
            )
    elif scale != "any":
        raise ParamsError(f"scale={scale!r} is not known; expected 'saaty' or 'any'.")
    return skipped


def _check_options(ri_table: str, tolerance: float, cr_threshold: float) -> None:
    checks.one_of(ri_table, RI_TABLE_NAMES, "ri_table", error=ParamsError)
    if not (isinstance(tolerance, (int, float)) and 0 <= tolerance < 0.1):
        raise ParamsError(
            f"tolerance={tolerance!r}; expected a number in [0, 0.1) (0.05 accepts 0.33 for 1/3 but "
            "keeps 8 and 9 apart)."
        )
    if not (isinstance(cr_threshold, (int, float)) and cr_threshold > 0):
        raise ParamsError(f"cr_threshold={cr_threshold!r}; expected a positive number such as 0.10.")


# --------------------------------------------------------------------------------------
# AHP: one matrix
# --------------------------------------------------------------------------------------


def random_index(
    n: int,
    table: RITable = "saaty1980",
    *,
    n_samples: int = SIMULATED_RI_SAMPLES,
    seed: int = SIMULATED_RI_SEED,
) -> float:
    """Random index RI(n): mean consistency index of random reciprocal matrices.

    Parameters
    ----------
    n : int
        Order of the matrix (number of elements compared), at least 1.
    table : {"saaty1980", "alonso_lamata2006", "simulated"}, default "saaty1980"
        ``"saaty1980"`` covers n ≤ 10 and ``"alonso_lamata2006"`` n ≤ 15 (see
        :data:`RANDOM_INDEX_TABLES`). ``"simulated"`` computes RI for any n as the
        mean of (λ_max − n)/(n − 1) over ``n_samples`` random reciprocal matrices whose
        upper-triangle entries are drawn uniformly from the 17 values of
        :data:`SAATY_SCALE` (Alonso & Lamata's design); the generator is seeded, so the
        value is deterministic, and it is cached per (n, n_samples, seed).
    n_samples : int, default 100_000
        Matrices simulated (``"simulated"`` only). The standard error is about
        0.6/sqrt(n_samples) for n = 3 and smaller for larger n.
    seed : int, default 20_060_445
        Seed of :func:`numpy.random.default_rng` (``"simulated"`` only).

    Returns
    -------
    float
        RI(n); 0 for n ≤ 2.

    Raises
    ------
    ParamsError
        Unknown table, n < 1, or n beyond the table's range (saaty1980: n > 10;
        alonso_lamata2006: n > 15). The message names the tables that do cover n.

    Examples
    --------
    >>> random_index(5)
    1.12
    >>> random_index(5, "alonso_lamata2006")
    1.1086
    >>> round(random_index(4, "simulated", n_samples=20_000), 1)
    0.9
    """
    checks.one_of(table, RI_TABLE_NAMES, "ri_table", error=ParamsError)
    n = checks.integer(n, "n", hint="the number of elements compared", error=ParamsError)
    if table == "simulated":
        n_samples = checks.integer(n_samples, "n_samples", minimum=100, error=ParamsError)
        return _simulated_random_index(n, n_samples, int(seed))
    values = RANDOM_INDEX_TABLES[table]
    if n not in values:
        raise ParamsError(
            f"random-index table {table!r} covers n = 1..{max(values)}, but {n} elements are compared; "
            f"use ri_table='alonso_lamata2006' (n ≤ 15) or ri_table='simulated' (any n), or split the "
            "criteria into more families (Saaty advises at most 7 ± 2 per matrix)."
        )
    return float(values[int(n)])


def ahp(
    matrix: PairwiseMatrix,
    labels: Sequence[Any] | None = None,
    ri_table: RITable = "saaty1980",
    tolerance: float = _DEFAULT_TOLERANCE,
    *,
    scale: Scale = "saaty",
    cr_threshold: float = CR_THRESHOLD,
    name: str | None = None,
    missing: MissingRule = "harker",
) -> AHPResult:
    """Priority weights and consistency of a pairwise comparison matrix (AHP).

    a_ij says how many times element i is as important as element j. The weights are
    the principal right eigenvector of the matrix (:func:`numpy.linalg.eig`, real
    part, normalised to sum 1) and λ_max its eigenvalue (Saaty 1980). A pair whose two
    cells are both NaN (or ``None``) is a skipped judgement, completed by Harker's
    method (see Notes of :class:`AHPResult`).

    Parameters
    ----------
    matrix : DataFrame, ndarray or list of lists
        Square positive reciprocal matrix. Cells may be numbers or strings such as
        ``"1/3"``. A DataFrame's index gives the labels (its columns must name the same
        elements; they are aligned to the index order).
    labels : sequence, optional
        Labels of the rows/columns. Default: a DataFrame's index, else 0..n-1. With a
        DataFrame, ``labels`` must list the same elements and sets their order.
    ri_table : {"saaty1980", "alonso_lamata2006", "simulated"}, default "saaty1980"
        Random-index table for CR (see :func:`random_index`). ``"saaty1980"`` stops at
        n = 10: a larger matrix raises :class:`~prioanalysis.errors.ParamsError`.
    tolerance : float, default 0.05
        Accepted rounding, on the log scale (≈ ±5 %): a value v counts as scale value s
        when |ln(v/s)| ≤ tolerance (so 0.33 passes as 1/3, 0.14 as 1/7), the diagonal
        must satisfy |ln a_ii| ≤ tolerance and each pair |ln(a_ij · a_ji)| ≤ tolerance.
        The matrix is used as given (not rounded).
    scale : {"saaty", "any"}, default "saaty"
        ``"saaty"`` requires every cell on Saaty's scale 1..9, 1/2..1/9; ``"any"``
        accepts any positive reciprocal values (e.g. geometric means of judges).
    cr_threshold : float, default 0.10
        Judgements are consistent when CR < cr_threshold (Saaty's 10 % rule).
    name : str, optional
        Name of the matrix used in error and warning messages.
    missing : {"harker", "error"}, default "harker"
        Skipped pairs (a_ij and a_ji both NaN): ``"harker"`` completes them with
        Harker's (1987) eigenvector method, provided the judged pairs still connect all
        elements (otherwise :class:`~prioanalysis.errors.InputError` lists the groups
        that are not connected); ``"error"`` refuses them. A NaN in one cell only of a
        pair is always an error.

    Returns
    -------
    AHPResult
        ``weights``, ``lambda_max``, ``consistency_index`` = (λ_max − n)/(n − 1)
        (0 for n = 1), ``consistency_ratio`` = CI/RI (0 for n ≤ 2), ``is_consistent``,
        ``matrix``, ``ri_table``, ``random_index`` and ``revisit`` (judgements ranked by
        |ln(a_ij · w_j / w_i)|, the log deviation from the consistent matrix
        w_i / w_j).

    Raises
    ------
    InputError
        Not square, labels that do not fit, a cell that is not a positive finite
        number, a diagonal cell other than 1, a non-reciprocal pair or (with
        ``scale="saaty"``) a value off the scale; the message names the cell by its
        row and column labels.
    ParamsError
        Unknown ``ri_table`` or ``scale``, bad ``tolerance``/``cr_threshold``, or n
        beyond the random-index table.

    Warns
    -----
    InconsistencyWarning
        When CR ≥ ``cr_threshold``; the text names the three pairs to revisit first.

    Examples
    --------
    A consistent matrix built from weights 4 : 2 : 1 gives them back with CR = 0:

    >>> result = ahp([[1, 2, 4], ["1/2", 1, 2], [0.25, 0.5, 1]], labels=["a", "b", "c"])
    >>> result.weights.round(4).tolist()
    [0.5714, 0.2857, 0.1429]
    >>> round(result.lambda_max, 6), round(result.consistency_ratio, 6), result.is_consistent
    (3.0, 0.0, True)
    """
    _check_options(ri_table, tolerance, cr_threshold)
    frame = _as_labelled_matrix(matrix, labels, name or "")
    skipped = _validate_pairwise(frame, float(tolerance), scale, name or "", missing)
    n = frame.shape[0]
    ri = random_index(n, ri_table)
    w, lambda_max, a = _harker_eigen(frame.to_numpy(), skipped)
    # λ_max ≥ n for a reciprocal matrix; below n only by rounding noise or tolerated
    # non-reciprocity, reported as CI = 0.
    ci = 0.0 if n == 1 else max((lambda_max - n) / (n - 1), 0.0)
    cr = 0.0 if n <= 2 else ci / ri
    revisit = _revisit_kernel(a, w, list(frame.index), skipped, ri)
    consistent = bool(cr < cr_threshold)
    if not consistent:
        top = "; ".join(
            f"{row.pair} (given {_format_judgement(row.judgement)}, the weights imply "
            f"{row.implied:.2g}; {_format_judgement(row.suggested)} instead would give CR = {row.cr_after:.3f})"
            for row in revisit.head(3).itertuples()
        )
        warnings.warn(
            f"{name or 'pairwise matrix'}: consistency ratio CR = {cr:.3f} ≥ {cr_threshold:.2f} "
            f"(RI = {ri:.4g}, table {ri_table}); revisit first: {top}.",
            InconsistencyWarning,
            stacklevel=2,
        )
    return AHPResult(
        weights=pd.Series(w, index=frame.index.copy(), name="weight"),
        lambda_max=lambda_max,
        consistency_index=float(ci),
        consistency_ratio=float(cr),
        random_index=ri,
        ri_table=ri_table,
        is_consistent=consistent,
        matrix=pd.DataFrame(a, index=frame.index.copy(), columns=frame.columns.copy()),
        revisit=revisit,
        name=name,
        cr_threshold=float(cr_threshold),
        missing=pd.DataFrame(skipped, index=frame.index.copy(), columns=frame.columns.copy())
        if skipped.any()
        else None,
    )


# --------------------------------------------------------------------------------------
# AHP: repairing an inconsistent matrix
# --------------------------------------------------------------------------------------

_REPAIR_CHUNK = 20_000
_MAX_PAIR_CANDIDATES = 400_000  # two changes among 55 pairs (n = 11) × 16² values


@dataclass(frozen=True, eq=False)
class RepairResult:
    """The fewest judgement changes that make a matrix consistent (see :func:`repair_consistency`).

    Attributes
    ----------
    changes : pandas.DataFrame
        One row per changed pair (index ``step`` from 1): ``pair`` (``"row vs
        column"``), ``row``, ``column``, ``judgement`` (as given, oriented ≥ 1),
        ``suggested`` (the new value on Saaty's scale, same orientation; below 1 means
        the judge should now favour ``column``) and ``move`` (positions moved on the
        17-value scale 1/9 … 1 … 9). Empty when the matrix is already consistent.
    cr_before, cr_after : float
        CR of the matrix as given and after the changes; ``cr_after`` is recomputed
        from the repaired matrix (eigenvector, with Harker's completion when pairs were
        skipped), never taken from the search.
    found : bool
        ``cr_after < cr_threshold`` (False only when no repair was found within
        ``max_changes``; then ``changes`` holds the best attempt).
    minimal : bool
        True when no repair with fewer changes exists: proved by exhaustive search
        (every smaller number of changes, every pair, every value was tried). False
        for a repair found by the greedy search beyond ``exhaustive_depth``.
    search : str
        ``"none needed"``, ``"exhaustive"`` or ``"greedy"``.
    matrix : pandas.DataFrame
        The repaired matrix (skipped pairs completed, as :attr:`AHPResult.matrix`).
    weights : pandas.Series
        The weights of the repaired matrix.
    cr_threshold : float
        The target: the repaired matrix has CR < cr_threshold.
    name : str or None
        Name of the matrix.
    """

    changes: pd.DataFrame
    cr_before: float
    cr_after: float
    found: bool
    minimal: bool
    search: str
    matrix: pd.DataFrame
    weights: pd.Series
    cr_threshold: float
    name: str | None = None

    @property
    def n_changes(self) -> int:
        """Number of judgements to change."""
        return len(self.changes)


def _repair_frame(fix: RepairResult) -> pd.DataFrame:
    """A repair's changes as rows with its CR before/after and minimality."""
    return fix.changes.reset_index().assign(cr_before=fix.cr_before, cr_after=fix.cr_after, minimal=fix.minimal)


def _apply_changes(a: np.ndarray, i: np.ndarray, j: np.ndarray, changes: Sequence[tuple[int, int]]) -> np.ndarray:
    """Copy of ``a`` with pair p set to SAATY_SCALE[v] for each (p, v), reciprocal kept."""
    out = a.copy()
    for p, v in changes:
        out[i[p], j[p]] = SAATY_SCALE[v]
        out[j[p], i[p]] = 1.0 / SAATY_SCALE[v]
    return out


def _exhaustive_pairs_of_changes(
    b: np.ndarray, i: np.ndarray, j: np.ndarray, same: np.ndarray, move: np.ndarray, x0: np.ndarray, target: float
) -> list[tuple[float, float, int, int, int, int]]:
    """Every two judged pairs × every two new values: the candidates with λ_max < target.

    Screens with the Collatz-Wielandt lower bound (rigorous: a candidate is dropped
    only when a lower bound on its λ_max already reaches the target) and computes the
    exact eigenvalue of the others. Returns (total move, λ_max, p, q, v_p, v_q) sorted.
    """
    n, v = b.shape[0], SAATY_SCALE.size
    ps, qs = np.triu_indices(i.size, 1)
    chunk = max(1, _REPAIR_CHUNK // (v * v))
    vp, vq = (g.ravel() for g in np.meshgrid(np.arange(v), np.arange(v), indexing="ij"))
    found: list[tuple[float, float, int, int, int, int]] = []
    for start in range(0, ps.size, chunk):
        p, q = ps[start : start + chunk], qs[start : start + chunk]
        pp, qq = np.repeat(p, vp.size), np.repeat(q, vp.size)
        v1, v2 = np.tile(vp, p.size), np.tile(vq, p.size)
        keep = ~same[pp, v1] & ~same[qq, v2]
        pp, qq, v1, v2 = pp[keep], qq[keep], v1[keep], v2[keep]
        if not pp.size:
            continue
        stack = np.broadcast_to(b, (pp.size, n, n)).copy()
        k = np.arange(pp.size)
        stack[k, i[pp], j[pp]] = SAATY_SCALE[v1]
        stack[k, j[pp], i[pp]] = 1.0 / SAATY_SCALE[v1]
        stack[k, i[qq], j[qq]] = SAATY_SCALE[v2]
        stack[k, j[qq], i[qq]] = 1.0 / SAATY_SCALE[v2]
        candidate = _below_lower_bound(stack, x0, target)
        if not candidate.any():
            continue
        lam = _lambda_max_stack(stack[candidate])
        ok = lam < target
        idx = np.nonzero(candidate)[0][ok]
        total = move[pp[idx], v1[idx]] + move[qq[idx], v2[idx]]
        found.extend(
            zip(
                total.tolist(), lam[ok].tolist(), pp[idx].tolist(), qq[idx].tolist(), v1[idx].tolist(), v2[idx].tolist()
            )
        )
    return sorted(found)


def repair_consistency(
    matrix: PairwiseMatrix | AHPResult,
    labels: Sequence[Any] | None = None,
    *,
    cr_threshold: float | None = None,
    ri_table: RITable | None = None,
    tolerance: float = _DEFAULT_TOLERANCE,
    scale: Scale = "saaty",
    missing: MissingRule = "harker",
    exhaustive_depth: int = 2,
    max_changes: int | None = None,
    name: str | None = None,
) -> RepairResult:
    """The fewest changes of judgements, on Saaty's scale, that bring CR below the threshold.

    For k = 1, 2, … changed pairs, every judged pair and every value of Saaty's
    scale (1/9 … 1/2, 1, 2 … 9, the reciprocal kept) is tried and the CR recomputed:

    * k ≤ ``exhaustive_depth`` (default 2): **exhaustive**, so the number of changes
      returned is provably the smallest (``minimal=True``). Among the repairs with that
      number of changes the one that moves the judgements least (sum of positions
      moved on the 17-value scale) is returned, then the one with the lowest CR. For
      k = 2 candidates are screened with a Collatz-Wielandt lower bound on λ_max (a
      rigorous bound, not an approximation) and the others solved exactly.
    * beyond: **greedy** (``minimal=False``): one pair at a time, the change with the
      lowest CR (all pairs × all values tried), then changes that are not needed any
      more are undone. This is a heuristic: a repair with fewer changes may exist.

    Every returned repair is checked by recomputing the CR of the repaired matrix
    (principal eigenvector; Harker's completion when pairs were skipped, which stay
    skipped); ``cr_after`` is that recomputed value. The search for n = 10 (45 pairs)
    tries up to 45 × 16 single and about 250 000 double changes: measured on a loaded
    2-core machine, about 0.1 s when one change suffices, 2 s when two or three are
    needed, 3 s for a random 10 × 10 matrix (some 20 greedy changes); n = 5 takes
    milliseconds. For n > 11 the exhaustive search stops at one
    change and the greedy search takes over from there.

    Parameters
    ----------
    matrix : matrix or AHPResult
        A pairwise matrix as accepted by :func:`ahp` (NaN pairs = skipped), or the
        result of :func:`ahp` (its validated matrix, skipped pairs, RI table and
        threshold are used unless given here).
    labels, tolerance, scale, missing, name
        As in :func:`ahp` (ignored for an AHPResult, except ``name``).
    cr_threshold : float, optional
        Target: CR < cr_threshold after the repair (the same test as
        :attr:`AHPResult.is_consistent`). Default: the result's threshold, else 0.10.
    ri_table : {"saaty1980", "alonso_lamata2006", "simulated"}, optional
        Default: the result's table, else ``"saaty1980"``.
    exhaustive_depth : {0, 1, 2}, default 2
        Up to how many changes the search is exhaustive.
    max_changes : int, optional
        Most changes the greedy search makes. Default: every judged pair.

    Returns
    -------
    RepairResult
        ``changes``, ``cr_before``, ``cr_after``, ``found``, ``minimal``, ``search``,
        the repaired ``matrix`` and its ``weights``.

    Raises
    ------
    InputError, ParamsError
        As :func:`ahp`; bad ``exhaustive_depth`` or ``max_changes``.

    Examples
    --------
    Weights 8 : 4 : 2 : 1 with the judgement "a vs d" reversed (d is 8 × a instead of
    a 8 × d): one change is enough, and the smallest one that brings CR below 0.10 is
    "d vs a" from 8 to 1/2 (reversing it fully, to 1/8, would give CR = 0 but moves
    the judge's answer further than needed):

    >>> a = [[1, 2, 4, "1/8"], ["1/2", 1, 2, 4], ["1/4", "1/2", 1, 2], [8, "1/4", "1/2", 1]]
    >>> fix = repair_consistency(a, labels=list("abcd"))
    >>> fix.changes[["pair", "judgement", "suggested", "move"]].to_dict("records")
    [{'pair': 'd vs a', 'judgement': 8.0, 'suggested': 0.5, 'move': 8.0}]
    >>> round(fix.cr_before, 3), round(fix.cr_after, 3), fix.minimal, fix.search
    (1.013, 0.092, True, 'exhaustive')
    """
    if isinstance(exhaustive_depth, bool) or exhaustive_depth not in (0, 1, 2):
        raise ParamsError(f"exhaustive_depth={exhaustive_depth!r}; expected 0, 1 or 2.")
    if isinstance(matrix, AHPResult):
        base = matrix
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InconsistencyWarning)
            base = ahp(
                matrix,
                labels,
                ri_table or "saaty1980",
                tolerance,
                scale=scale,
                cr_threshold=CR_THRESHOLD if cr_threshold is None else cr_threshold,
                name=name,
                missing=missing,
            )
    threshold = base.cr_threshold if cr_threshold is None else cr_threshold
    _check_options(ri_table or base.ri_table, _DEFAULT_TOLERANCE, threshold)
    n = base.n
    ri = random_index(n, ri_table or base.ri_table)  # type: ignore[arg-type]
    cr_before = float(_cr_from_lambda(base.lambda_max, n, ri))
    a = base.matrix.to_numpy()
    skipped = base.missing.to_numpy() if base.missing is not None else np.zeros((n, n), dtype=bool)
    i, j = _known_pairs(skipped, a)
    labels_ = list(base.matrix.index)
    limit = i.size if max_changes is None else checks.integer(max_changes, "max_changes", error=ParamsError)

    def result(changes: Sequence[tuple[int, int]], search: str, minimal: bool) -> RepairResult:
        repaired = _apply_changes(a, i, j, changes)
        w, lam, completed = _harker_eigen(np.where(skipped, np.nan, repaired), skipped)
        cr_after = float(_cr_from_lambda(lam, n, ri))
        p = [c[0] for c in changes]
        v = [c[1] for c in changes]
        table = pd.DataFrame(
            {
                "pair": [f"{labels_[i[k]]} vs {labels_[j[k]]}" for k in p],
                "row": [labels_[i[k]] for k in p],
                "column": [labels_[j[k]] for k in p],
                "judgement": a[i[p], j[p]] if p else np.array([], dtype=float),
                "suggested": SAATY_SCALE[v] if v else np.array([], dtype=float),
                "move": np.abs(np.arange(SAATY_SCALE.size)[v] - _scale_position(a[i[p], j[p]])) if p else [],
            }
        )
        table.index = pd.RangeIndex(1, len(table) + 1, name="step")
        index = base.matrix.index
        return RepairResult(
            changes=table,
            cr_before=cr_before,
            cr_after=cr_after,
            found=bool(cr_after < threshold),
            minimal=minimal and bool(cr_after < threshold),
            search=search,
            matrix=pd.DataFrame(completed, index=index.copy(), columns=index.copy()),
            weights=pd.Series(w, index=index.copy(), name="weight"),
            cr_threshold=threshold,
            name=name or base.name,
        )

    if cr_before < threshold:
        return result([], "none needed", True)
    target = n + threshold * ri * (n - 1)  # CR < threshold ⟺ λ_max < target
    b = _harker_matrix(a, skipped)
    move = np.abs(np.arange(SAATY_SCALE.size)[None, :] - _scale_position(a[i, j])[:, None])
    same = move < 1e-9
    lam1 = _single_change_lambdas(b, i, j)
    if exhaustive_depth >= 1:
        ok = (lam1 < target) & ~same
        for p, v in sorted(zip(*np.nonzero(ok)), key=lambda pv: (move[pv], lam1[pv])):
            fixed = result([(int(p), int(v))], "exhaustive", True)
            if fixed.found:
                return fixed
    depth = exhaustive_depth
    if depth >= 2 and i.size * (i.size - 1) // 2 * (SAATY_SCALE.size - 1) ** 2 > _MAX_PAIR_CANDIDATES:
        depth = 1  # n > 11: the exhaustive search of two changes would take too long
    if depth >= 2 and i.size >= 2:
        for _, _, p, q, vp, vq in _exhaustive_pairs_of_changes(b, i, j, same, move, base.weights.to_numpy(), target):
            fixed = result([(p, vp), (q, vq)], "exhaustive", True)
            if fixed.found:
                return fixed
    # Greedy beyond the exhaustive depth: best single change at a time, then undo the
    # changes that are no longer needed.
    chosen: dict[int, int] = {}
    current = a.copy()
    while len(chosen) < limit:
        lam = _single_change_lambdas(_harker_matrix(current, skipped), i, j)
        lam[list(chosen)] = np.inf
        lam[same] = np.inf
        if not np.isfinite(lam).any():
            break
        p, v = np.unravel_index(np.argmin(lam + 1e-12 * move), lam.shape)
        chosen[int(p)] = int(v)
        current = _apply_changes(a, i, j, list(chosen.items()))
        if lam[p, v] < target:
            break
    attempt = result(list(chosen.items()), "greedy", False)
    if attempt.found:
        for p in list(chosen):
            trial = {k: v for k, v in chosen.items() if k != p}
            if result(list(trial.items()), "greedy", False).found:
                chosen = trial
        # every smaller number of changes was searched exhaustively
        attempt = result(list(chosen.items()), "greedy", len(chosen) <= depth + 1)
    return attempt


# --------------------------------------------------------------------------------------
# AHP: judgements, hierarchy, judges
# --------------------------------------------------------------------------------------


def _judgements_to_matrix(judgements: object, labels: Sequence[str] | None, where: str) -> pd.DataFrame:
    p = _prefix(where)
    if not isinstance(judgements, Mapping):
        raise InputError(
            f"{p}expected a mapping of judgements like {{'it_budget vs growth': 3}}; got {type(judgements).__name__}."
        )
    parsed: list[tuple[str, str, str, float]] = []
    for key, value in judgements.items():
        if not isinstance(key, str) or not (match := _PAIR_KEY.fullmatch(key)):
            raise InputError(f"{p}key {key!r} is not of the form 'criterion_a vs criterion_b'.")
        a, b = match.groups()
        if a == b:
            raise InputError(f'{where}["{key}"]: compares {a!r} with itself; a criterion is always 1 × itself.')
        parsed.append((key, a, b, math.nan if value is None else _parse_judgement(value, f'{where}["{key}"]')))
    mentioned = list(dict.fromkeys(x for _, a, b, _ in parsed for x in (a, b)))
    if labels is None:
        order = mentioned
    else:
        order = list(labels)
        if len(set(order)) != len(order):
            raise InputError(f"{p}labels {order} name a criterion twice.")
        unknown = [x for x in mentioned if x not in set(order)]
        if unknown:
            raise InputError(f"{p}unknown criteria {unknown}; expected only {order}.")
    if not order:
        raise InputError(f"{p}no judgements; expected pairs like 'criterion_a vs criterion_b'.")
    position = {label: k for k, label in enumerate(order)}
    seen: dict[frozenset[str], str] = {}
    n = len(order)
    a_mat = np.ones((n, n))
    for key, a, b, value in parsed:
        pair = frozenset((a, b))
        if pair in seen:
            raise InputError(f"{p}the pair {a} / {b} is judged twice: {seen[pair]!r} and {key!r}; keep one.")
        seen[pair] = key
        a_mat[position[a], position[b]] = value
        a_mat[position[b], position[a]] = 1.0 / value
    missing = [
        f"{order[i]} vs {order[j]}"
        for i in range(n)
        for j in range(i + 1, n)
        if frozenset((order[i], order[j])) not in seen
    ]
    if missing:
        raise InputError(
            f"{p}{len(missing)} missing judgement(s): {', '.join(repr(m) for m in missing)} "
            f"(write e.g. '{missing[0]}: null' for a pair the judge skips on purpose)."
        )
    _check_connected(np.isnan(a_mat), order, where)
    return pd.DataFrame(a_mat, index=pd.Index(order), columns=pd.Index(order))


def judgements_to_matrix(judgements: Judgements, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Reciprocal pairwise matrix from readable judgements.

    Parameters
    ----------
    judgements : Mapping[str, float | str]
        ``{"a vs b": x}`` means a is x times as important as b; x is a number or a
        string such as ``"3"`` or ``"1/3"``, or ``None`` (YAML ``null``, ``~`` or an
        empty value) for a pair the judge skipped on purpose. Every pair of criteria
        must be listed exactly once (in either direction): an omitted pair is an error
        (so that a forgotten pair is not taken for a skipped one), and the judged pairs
        must connect all criteria.
    labels : sequence of str, optional
        The criteria and their order. Default: order of first appearance in the keys.

    Returns
    -------
    pandas.DataFrame
        n × n matrix with a_ab = x, a_ba = 1/x and a unit diagonal, labelled by the
        criteria; NaN in both cells of a skipped pair (:func:`ahp` completes them by
        Harker's method). Values are not checked against Saaty's scale here.

    Raises
    ------
    InputError
        A key not of the form ``"a vs b"``, a value that is not a positive number or
        null, criteria not in ``labels``, a pair judged twice (``a vs b`` and
        ``b vs a``), omitted pairs (all are listed), or skipped pairs that leave the
        criteria in groups not compared with each other (the groups are listed).

    Examples
    --------
    >>> m = judgements_to_matrix({"growth vs deal_size": 3, "growth vs it_budget": "1/2",
    ...                           "deal_size vs it_budget": "1/6"})
    >>> m.round(3).to_numpy().tolist()
    [[1.0, 3.0, 0.5], [0.333, 1.0, 0.167], [2.0, 6.0, 1.0]]
    >>> list(m.index)
    ['growth', 'deal_size', 'it_budget']
    """
    return _judgements_to_matrix(judgements, labels, "judgements")


def _hierarchy_matrices(spec: object, where: str) -> tuple[pd.DataFrame | None, dict[str, pd.DataFrame]]:
    """Validate a hierarchy spec and build its matrices (family matrix is None for one family)."""
    p = _prefix(where)
    if not isinstance(spec, Mapping):
        raise InputError(f"{p}expected a mapping with keys 'families' and 'criteria'; got {type(spec).__name__}.")
    unknown = [k for k in spec if k not in ("families", "criteria")]
    if unknown:
        raise InputError(f"{p}unknown key(s) {unknown}; expected 'families' and 'criteria'.")
    criteria = spec.get("criteria")
    if not isinstance(criteria, Mapping) or not criteria:
        raise InputError(
            f"{_prefix(_join(where, 'criteria'))}expected a mapping family → judgements, e.g. "
            "{'attractiveness': {'it_budget vs growth': 3}}."
        )
    matrices: dict[str, pd.DataFrame] = {}
    owner: dict[str, str] = {}
    for family, family_spec in criteria.items():
        path = _join(where, "criteria", str(family))
        if not isinstance(family, str):
            raise InputError(f"{path}: family names must be text; got {family!r}.")
        if isinstance(family_spec, str) or (
            isinstance(family_spec, Sequence)
            and not isinstance(family_spec, str)
            and len(family_spec) == 1
            and isinstance(family_spec[0], str)
        ):
            single = family_spec if isinstance(family_spec, str) else family_spec[0]
            matrix = pd.DataFrame([[1.0]], index=pd.Index([single]), columns=pd.Index([single]))
        elif isinstance(family_spec, Mapping) and family_spec:
            matrix = _judgements_to_matrix(family_spec, None, path)
        else:
            raise InputError(
                f"{path}: expected judgements like {{'a vs b': 3}} or, for a family with a single "
                f"criterion, its name; got {family_spec!r}."
            )
        for criterion in matrix.index:
            if criterion in owner:
                raise InputError(
                    f"{path}: criterion {criterion!r} also belongs to family {owner[criterion]!r}; "
                    "each criterion belongs to one family."
                )
            owner[criterion] = family
        matrices[family] = matrix
    families = spec.get("families")
    if len(matrices) == 1:
        if families:
            raise InputError(f"{_join(where, 'families')}: there is only one family; remove 'families'.")
        return None, matrices
    if families is None:
        raise InputError(
            f"{_prefix(where)}'families' is missing; expected judgements between the families "
            f"{list(matrices)}, e.g. {{'{next(iter(matrices))} vs {list(matrices)[1]}': 2}}."
        )
    return _judgements_to_matrix(families, list(matrices), _join(where, "families")), matrices


def _hierarchy_from_matrices(
    family_matrix: pd.DataFrame | None,
    criteria_matrices: Mapping[str, pd.DataFrame],
    where: str,
    *,
    ri_table: RITable,
    tolerance: float,
    scale: Scale,
    cr_threshold: float,
    missing: MissingRule = "harker",
) -> HierarchyResult:
    options: dict[str, Any] = {
        "ri_table": ri_table,
        "tolerance": tolerance,
        "scale": scale,
        "cr_threshold": cr_threshold,
        "missing": missing,
    }
    results: dict[str, AHPResult] = {}
    if family_matrix is None:
        family_weights = pd.Series([1.0], index=pd.Index(list(criteria_matrices)), name="weight")
    else:
        results["families"] = ahp(family_matrix, name=_join(where, "families"), **options)
        family_weights = results["families"].weights
    family_weights = family_weights.rename_axis("family")
    frames = []
    for family, matrix in criteria_matrices.items():
        key = f"criteria.{family}"
        results[key] = ahp(matrix, name=_join(where, key), **options)
        local = results[key].weights
        frames.append(
            pd.DataFrame(
                {
                    "family": family,
                    "family_weight": float(family_weights[family]),
                    "local_weight": local.to_numpy(),
                },
                index=pd.Index(local.index, name="criterion"),
            )
        )
    table = pd.concat(frames)
    table["weight"] = table["family_weight"] * table["local_weight"]
    consistency = pd.DataFrame(
        {
            "level": ["families" if key == "families" else "criteria" for key in results],
            "family": [None if key == "families" else key.split(".", 1)[1] for key in results],
            "n": [r.n for r in results.values()],
            "skipped": [r.n_missing for r in results.values()],
            "lambda_max": [r.lambda_max for r in results.values()],
            "CI": [r.consistency_index for r in results.values()],
            "RI": [r.random_index for r in results.values()],
            "CR": [r.consistency_ratio for r in results.values()],
            "consistent": [r.is_consistent for r in results.values()],
        },
        index=pd.Index(list(results), name="matrix"),
    )
    return HierarchyResult(
        weights=table["weight"].rename("weight"),
        family_weights=family_weights.rename("weight"),
        table=table,
        consistency=consistency[_CONSISTENCY_COLUMNS],
        results=MappingProxyType(results),
    )


def ahp_hierarchy(
    spec: Mapping[str, Any],
    *,
    ri_table: RITable = "saaty1980",
    tolerance: float = _DEFAULT_TOLERANCE,
    scale: Scale = "saaty",
    cr_threshold: float = CR_THRESHOLD,
    missing: MissingRule = "harker",
) -> HierarchyResult:
    """AHP weights of a two-level hierarchy: families, then criteria within each family.

    Parameters
    ----------
    spec : Mapping
        ``{"families": {"attractiveness vs feasibility": 2}, "criteria":
        {"attractiveness": {"it_budget vs growth": 3, ...}, "feasibility": {...}}}``.
        ``families`` holds the judgements between the families named in ``criteria``
        (omit it when there is only one family). A family's value is its judgements or,
        for a family with a single criterion, that criterion's name (a string or a
        one-element list) — it needs no judgements and gets local weight 1. A
        judgement ``None`` (YAML ``null``) is a skipped pair.
    ri_table, tolerance, scale, cr_threshold, missing
        As in :func:`ahp`, applied to every matrix (``missing="harker"``: skipped
        pairs are completed by Harker's method).

    Returns
    -------
    HierarchyResult
        Global weights (family weight × local weight, summing to 1), family weights,
        a per-criterion table and a consistency table with one row per matrix.

    Raises
    ------
    InputError
        A malformed spec, a criterion in two families, or any error of
        :func:`judgements_to_matrix` / :func:`ahp`; messages give the key path
        (e.g. ``criteria.attractiveness["it_budget vs growth"]``).
    ParamsError
        Bad options (see :func:`ahp`).

    Warns
    -----
    InconsistencyWarning
        Once per matrix with CR ≥ ``cr_threshold``, naming the matrix by key path.

    Examples
    --------
    >>> spec = {"families": {"attractiveness vs feasibility": 3},
    ...         "criteria": {"attractiveness": {"it_budget vs growth": 2},
    ...                      "feasibility": "relationship_strength"}}
    >>> result = ahp_hierarchy(spec)
    >>> result.weights.round(4).to_dict()
    {'it_budget': 0.5, 'growth': 0.25, 'relationship_strength': 0.25}
    >>> result.consistency["n"].to_dict()
    {'families': 2, 'criteria.attractiveness': 2, 'criteria.feasibility': 1}

    A skipped pair (``None``) is completed by Harker's method; a, b, c judged 2 and 2
    along a chain imply a vs c = 4:

    >>> chain = ahp_hierarchy({"criteria": {"f": {"a vs b": 2, "b vs c": 2, "a vs c": None}}})
    >>> chain.weights.round(4).tolist(), int(chain.consistency.loc["criteria.f", "skipped"])
    ([0.5714, 0.2857, 0.1429], 1)
    """
    _check_options(ri_table, tolerance, cr_threshold)
    family_matrix, criteria_matrices = _hierarchy_matrices(spec, "")
    return _hierarchy_from_matrices(
        family_matrix,
        criteria_matrices,
        "",
        ri_table=ri_table,
        tolerance=tolerance,
        scale=scale,
        cr_threshold=cr_threshold,
        missing=missing,
    )


def _judge_weight_vector(names: Sequence[str], judge_weights: Mapping[str, float] | None) -> np.ndarray:
    if judge_weights is None:
        return np.full(len(names), 1.0 / len(names))
    missing = [n for n in names if n not in judge_weights]
    extra = [n for n in judge_weights if n not in names]
    if missing or extra:
        raise InputError(f"judge_weights: missing judges {missing}, unknown judges {extra}; expected {list(names)}.")
    w = np.array([_parse_judgement(judge_weights[n], f"judge_weights[{n!r}]") for n in names])
    return w / w.sum()


def aggregate_judges(
    matrices: Mapping[str, PairwiseMatrix],
    judge_weights: Mapping[str, float] | None = None,
    *,
    tolerance: float = _DEFAULT_TOLERANCE,
    missing: MissingRule = "harker",
) -> pd.DataFrame:
    """Combine several judges' pairwise matrices by element-wise geometric mean.

    The (weighted) geometric mean is the aggregation that keeps the result reciprocal
    (Aczél & Saaty 1983, "Procedures for synthesizing ratio judgements", *J. Math.
    Psychology* 27:93-102): a_ij = Π_k a_ij^(k) ^ λ_k with Σ λ_k = 1. This is the
    aggregation of individual judgements (AIJ); the judges' priorities are not averaged.

    Parameters
    ----------
    matrices : Mapping[str, matrix]
        Judge name → pairwise matrix (as accepted by :func:`ahp`). DataFrames may list
        the criteria in any order; they are aligned to the first judge's order.
        Arrays / lists must all be in the same order and get labels 0..n-1.
    judge_weights : Mapping[str, float], optional
        Relative weight λ of each judge (normalised to sum 1). Default: equal.
    tolerance : float, default 0.05
        Reciprocity tolerance of each matrix, as in :func:`ahp`.
    missing : {"harker", "error"}, default "harker"
        A pair a judge skipped (both cells NaN): ``"harker"`` takes that cell's
        geometric mean over the judges who judged the pair, their weights λ
        renormalised to sum 1 (the judges' own opinions only, nothing imputed); a pair
        nobody judged stays NaN and :func:`ahp` completes it by Harker's method.
        ``"error"`` refuses skipped pairs.

    Returns
    -------
    pandas.DataFrame
        The aggregate reciprocal matrix (generally not on Saaty's scale: pass it to
        :func:`ahp` with ``scale="any"``).

    Raises
    ------
    InputError
        No judges, a matrix that is not positive and reciprocal (message names the judge
        and the cell), judges comparing different criteria, or bad ``judge_weights``.

    Examples
    --------
    >>> aggregate_judges({"A": [[1, 4], [0.25, 1]], "B": [[1, 1], [1, 1]]}).to_numpy().tolist()
    [[1.0, 2.0], [0.5, 1.0]]
    """
    if not isinstance(matrices, Mapping) or not matrices:
        raise InputError("matrices: expected a mapping judge → pairwise matrix with at least one judge.")
    names = list(matrices)
    frames = []
    for judge in names:
        frame = _as_labelled_matrix(matrices[judge], None, f"judge {judge!r}")
        _validate_pairwise(frame, float(tolerance), "any", f"judge {judge!r}", missing)
        frames.append(frame)
    order = list(frames[0].index)
    for judge, frame in zip(names[1:], frames[1:], strict=True):
        if set(frame.index) != set(order):
            raise InputError(
                f"judge {judge!r} compares {list(frame.index)} but judge {names[0]!r} compares {order}; "
                "all judges must compare the same criteria."
            )
    stack = np.stack([frame.loc[order, order].to_numpy() for frame in frames])
    lam = _judge_weight_vector(names, judge_weights)
    present = ~np.isnan(stack)
    if present.all():
        aggregate = _geometric_mean(stack, lam)
    else:
        # each cell: weighted geometric mean over the judges who judged the pair,
        # their weights renormalised; NaN (skipped) when nobody did.
        share = np.tensordot(lam, present.astype(float), axes=1)
        logs = np.tensordot(lam, np.log(np.where(present, stack, 1.0)), axes=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            aggregate = np.where(share > 0, np.exp(logs / np.where(share > 0, share, 1.0)), np.nan)
    return pd.DataFrame(aggregate, index=pd.Index(order), columns=pd.Index(order))


def _check_same_structure(
    parsed: Mapping[str, tuple[pd.DataFrame | None, dict[str, pd.DataFrame]]], where: str = "judges"
) -> None:
    names = list(parsed)
    reference = {family: set(m.index) for family, m in parsed[names[0]][1].items()}
    for judge in names[1:]:
        structure = {family: set(m.index) for family, m in parsed[judge][1].items()}
        if structure != reference:
            raise InputError(
                f"{where}.{judge}: families/criteria {_describe(structure)} differ from judge "
                f"{names[0]!r}'s {_describe(reference)}; all judges must judge the same hierarchy."
            )


def _describe(structure: Mapping[str, set[str]]) -> str:
    return "{" + "; ".join(f"{f}: {sorted(c)}" for f, c in structure.items()) + "}"


def ahp_group(
    judges: Mapping[str, Mapping[str, Any]],
    *,
    judge_weights: Mapping[str, float] | None = None,
    method: GroupMethod = "aij",
    ri_table: RITable = "saaty1980",
    tolerance: float = _DEFAULT_TOLERANCE,
    scale: Scale = "saaty",
    cr_threshold: float = CR_THRESHOLD,
    n_revisit: int = 3,
    missing: MissingRule = "harker",
    repair: bool = True,
) -> GroupResult:
    """Group AHP: each judge's hierarchy, their consistency, and the group weights.

    Two aggregations (Forman & Peniwati 1998, "Aggregating individual judgments and
    priorities with the analytic hierarchy process", *EJOR* 108:165-169):

    * **AIJ** (aggregation of individual judgements): every matrix of the hierarchy
      (families, then the criteria of each family) is aggregated over the judges by
      element-wise weighted geometric mean (:func:`aggregate_judges`, Aczél & Saaty
      1983) and the aggregate hierarchy is solved with ``scale="any"``. Forman &
      Peniwati recommend it when the judges act as one unit — a committee agreeing on
      one set of criteria weights, as here — so it is the default.
    * **AIP** (aggregation of individual priorities): each judge's hierarchy is solved
      and their global criterion weights are combined by weighted geometric mean,
      normalised to sum 1, for judges who act as separate individuals.

    Both are always computed (``aij_weights``, ``aip_weights``); ``method`` says which
    one ``weights`` is. For one matrix (a single family) and perfectly consistent
    judges the two coincide; with several families they differ in general, because
    AIP averages the products family × local weight while AIJ multiplies the averages.

    A pair a judge skipped (``None``/YAML ``null``) is completed by Harker's method in
    that judge's matrix; in AIJ its cell is the geometric mean over the judges who
    judged it (see :func:`aggregate_judges`).

    Parameters
    ----------
    judges : Mapping[str, Mapping]
        Judge name → hierarchy spec as in :func:`ahp_hierarchy`. All judges must judge
        the same families and criteria.
    judge_weights : Mapping[str, float], optional
        Relative weight of each judge in the geometric means. Default: equal.
    method : {"aij", "aip"}, default "aij"
        Aggregation behind ``GroupResult.weights`` (see above).
    ri_table, tolerance, scale, cr_threshold, missing
        As in :func:`ahp`; ``scale`` applies to the judges' own matrices.
    n_revisit : int, default 3
        Pairs listed per inconsistent matrix in ``GroupResult.revisit``.
    repair : bool, default True
        Compute ``GroupResult.repairs`` (the fewest changes that make each
        inconsistent matrix consistent, :func:`repair_consistency`).

    Returns
    -------
    GroupResult
        ``weights`` (by ``method``), ``aij_weights``, ``aip_weights``, ``priorities``
        (each judge's weights), ``aggregate`` (the AIJ :class:`HierarchyResult`),
        ``judges`` (each judge's result), ``consistency`` (judge × matrix → CR),
        ``judge_summary`` (one row per judge), ``revisit``, ``repairs`` and
        ``judge_weights``.

    Raises
    ------
    InputError
        No judges, a malformed spec (message gives ``judges.<name>.<key path>``),
        skipped pairs that leave a judge's criteria unconnected, or judges with
        different hierarchies.
    ParamsError
        Bad options (see :func:`ahp`), unknown ``method``.

    Warns
    -----
    InconsistencyWarning
        Once per inconsistent matrix of a judge (``judges.<name>.criteria.<family>``)
        and, with ``method="aij"``, of the aggregate.

    Examples
    --------
    >>> spec_a = {"criteria": {"attractiveness": {"it_budget vs growth": 4}}}
    >>> spec_b = {"criteria": {"attractiveness": {"it_budget vs growth": 1}}}
    >>> group = ahp_group({"A": spec_a, "B": spec_b})
    >>> group.weights.round(4).to_dict()
    {'it_budget': 0.6667, 'growth': 0.3333}
    >>> group.consistency.columns.tolist()
    ['criteria.attractiveness']

    AIP: geometric mean of the judges' weights (0.8, 0.2) and (0.5, 0.5), normalised:

    >>> ahp_group({"A": spec_a, "B": spec_b}, method="aip").weights.round(4).to_dict()
    {'it_budget': 0.6667, 'growth': 0.3333}
    """
    _check_options(ri_table, tolerance, cr_threshold)
    method = checks.one_of(method, ("aij", "aip"), "method", error=ParamsError)
    if not isinstance(judges, Mapping) or not judges:
        raise InputError("judges: expected a mapping judge name → hierarchy spec with at least one judge.")
    n_revisit = checks.integer(n_revisit, "n_revisit", error=ParamsError)
    names = [str(name) for name in judges]
    parsed = {str(name): _hierarchy_matrices(spec, f"judges.{name}") for name, spec in judges.items()}
    _check_same_structure(parsed)
    weights = _judge_weight_vector(names, judge_weights)
    options: dict[str, Any] = {
        "ri_table": ri_table,
        "tolerance": tolerance,
        "cr_threshold": cr_threshold,
        "missing": missing,
    }
    individual = {
        name: _hierarchy_from_matrices(*parsed[name], f"judges.{name}", scale=scale, **options) for name in names
    }
    judge_lambdas = dict(zip(names, weights, strict=True))
    family_matrices = {n: parsed[n][0] for n in names}
    family_matrix = (
        None
        if any(m is None for m in family_matrices.values())
        else aggregate_judges(family_matrices, judge_lambdas, tolerance=tolerance, missing=missing)
    )
    criteria_matrices = {
        family: aggregate_judges(
            {n: parsed[n][1][family] for n in names}, judge_lambdas, tolerance=tolerance, missing=missing
        )
        for family in parsed[names[0]][1]
    }
    with warnings.catch_warnings():
        if method == "aip":  # the aggregate matrices are not used: their consistency is no concern
            warnings.simplefilter("ignore", InconsistencyWarning)
        aggregate = _hierarchy_from_matrices(family_matrix, criteria_matrices, "aggregate", scale="any", **options)
    order = aggregate.weights.index
    priorities = pd.DataFrame({name: result.weights.reindex(order) for name, result in individual.items()})
    priorities.columns.name = "judge"
    aip = np.exp(np.log(priorities.to_numpy()) @ weights)
    aip_weights = pd.Series(aip / aip.sum(), index=order.copy(), name="weight")
    consistency = pd.DataFrame({name: result.consistency["CR"] for name, result in individual.items()}).T
    consistency.index.name = "judge"
    consistency.columns.name = "matrix"
    frames = [
        result.revisit_table(n_revisit).assign(judge=name)
        for name, result in individual.items()
        if not result.is_consistent
    ]
    columns = ["judge", "matrix", "rank", *_REVISIT_COLUMNS]
    revisit = (
        pd.concat(frames, ignore_index=True)[columns]
        if frames
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    )
    repair_columns = ["judge", "matrix", *_REPAIR_COLUMNS]
    fixes = [result.repair_table().assign(judge=name) for name, result in individual.items() if repair]
    fixes = [f for f in fixes if len(f)]
    repairs = (
        pd.concat(fixes, ignore_index=True)[repair_columns]
        if fixes
        else pd.DataFrame({c: pd.Series(dtype=object) for c in repair_columns})
    )
    summary = pd.DataFrame(
        {
            "weight": weights,
            "max_CR": consistency.max(axis=1).to_numpy(),
            "worst_matrix": consistency.idxmax(axis=1).to_numpy(),
            "consistent": [result.is_consistent for result in individual.values()],
            "skipped": [int(result.consistency["skipped"].sum()) for result in individual.values()],
            "changes_needed": [float((repairs["judge"] == name).sum()) if repair else math.nan for name in names],
        },
        index=pd.Index(names, name="judge"),
    )
    return GroupResult(
        aggregate=aggregate,
        judges=MappingProxyType(individual),
        consistency=consistency,
        revisit=revisit,
        judge_weights=pd.Series(weights, index=pd.Index(names, name="judge"), name="weight"),
        method=method,
        priorities=priorities,
        aip_weights=aip_weights,
        repairs=repairs,
        judge_summary=summary,
    )


def validate_judgements(data: object) -> None:
    """Validate the content of a judgements file (as loaded from YAML).

    The content is either one hierarchy spec (see :func:`ahp_hierarchy`)::

        families:
          attractiveness vs feasibility: 2
        criteria:
          attractiveness:
            it_budget vs growth: 3
            ...

    or several judges::

        judges:
          张伟 (BU VP):
            families: {...}
            criteria: {...}
          李娜 (segment manager): {...}

    Judgements are numbers or strings such as ``"1/3"``, or null for a pair the judge
    skipped (it must still be listed; the judged pairs must connect all criteria).
    Validation builds every matrix (keys, values, omitted or doubled pairs, skipped
    pairs that leave criteria unconnected, the same hierarchy for every judge) but
    does not judge consistency: that is reported by :func:`ahp_hierarchy` /
    :func:`ahp_group`. The file is read by :func:`prioanalysis.inputs.judgements.load_judgements`.

    Parameters
    ----------
    data : object
        The loaded content.

    Raises
    ------
    InputError
        Not a mapping, or a problem with its key path, e.g.
        ``judges.李娜.criteria.attractiveness: 1 missing judgement(s): ...``.

    Examples
    --------
    >>> validate_judgements({"criteria": {"attractiveness": {"it_budget vs growth": "1/3"}}})
    >>> validate_judgements({"judges": {}})
    Traceback (most recent call last):
    ...
    prioanalysis.errors.InputError: judges: expected a mapping judge name → hierarchy spec, at least one judge.
    """
    if not isinstance(data, dict):
        raise InputError(
            "expected a mapping with 'judges' (several judges) or 'families' and 'criteria' "
            f"(one hierarchy); got {type(data).__name__}."
        )
    if "judges" in data:
        unknown = [k for k in data if k != "judges"]
        if unknown:
            raise InputError(f"unknown top-level key(s) {unknown} next to 'judges'.")
        judges = data["judges"]
        if not isinstance(judges, dict) or not judges:
            raise InputError("judges: expected a mapping judge name → hierarchy spec, at least one judge.")
        bad_names = [name for name in judges if not isinstance(name, str)]
        if bad_names:
            raise InputError(f"judges: judge names must be text; got {bad_names} (quote them).")
        parsed = {name: _hierarchy_matrices(spec, f"judges.{name}") for name, spec in judges.items()}
        _check_same_structure(parsed)
    else:
        _hierarchy_matrices(data, "")


# --------------------------------------------------------------------------------------
# Objective weights from the customer data
# --------------------------------------------------------------------------------------


def _numeric_matrix(matrix: pd.DataFrame, what: str) -> np.ndarray:
    """Validate a customers × criteria frame and return it as a float array."""
    if not isinstance(matrix, pd.DataFrame):
        raise InputError(f"{what}: expected a DataFrame (customers × criteria); got {type(matrix).__name__}.")
    if matrix.shape[1] == 0:
        raise InputError(f"{what}: the decision matrix has no criteria (columns).")
    if matrix.shape[0] < 2:
        raise InputError(f"{what}: needs at least 2 customers (rows); got {matrix.shape[0]}.")
    if matrix.columns.has_duplicates:
        dup = matrix.columns[matrix.columns.duplicated()].unique().tolist()
        raise InputError(f"{what}: duplicate column(s) {dup}.")
    non_numeric = [c for c in matrix.columns if not pd.api.types.is_numeric_dtype(matrix[c])]
    if non_numeric:
        raise InputError(f"{what}: column(s) {non_numeric} are not numeric; expected numbers in every criterion.")
    x = matrix.to_numpy(dtype=float, na_value=np.nan)
    for problem, mask in (("missing values (NaN)", np.isnan(x)), ("infinite values", np.isinf(x))):
        if mask.any():
            columns = matrix.columns[mask.any(axis=0)].tolist()
            rows = matrix.index[mask[:, mask.any(axis=0).argmax()]].tolist()[:5]
            raise InputError(
                f"{what}: {problem} in column(s) {columns} (first column at rows {rows}); "
                "fill or drop them before computing weights."
            )
    return x


def _equal_if_degenerate(score: np.ndarray, columns: pd.Index, what: str) -> pd.Series:
    total = score.sum()
    if total <= 1e-12:
        warnings.warn(
            f"{what}: no criterion discriminates between the customers; equal weights are returned.",
            DegenerateWeightsWarning,
            stacklevel=3,
        )
        w = np.full(score.size, 1.0 / score.size)
    else:
        w = score / total
    return pd.Series(w, index=columns.copy(), name="weight")


def entropy(matrix: pd.DataFrame) -> pd.Series:
    """Shannon entropy weights: criteria whose values differ more get more weight.

    With m customers (rows) and criteria j (columns):
    p_ij = x_ij / Σ_i x_ij, e_j = −(1/ln m) Σ_i p_ij ln p_ij (with 0 · ln 0 = 0),
    d_j = 1 − e_j, w_j = d_j / Σ_k d_k (Shannon entropy method, e.g. Zeleny 1982,
    Hwang & Yoon 1981). The raw values are used, so scaling a column by a positive
    constant does not change the weights; the direction (benefit/cost) plays no role.

    Conventions:

    * a constant column has p_ij = 1/m, e_j = 1 and hence d_j = 0 (weight 0); so does
      an all-zero column (it carries no information; its p_ij are taken as 1/m);
    * when every d_j = 0 (no column discriminates), equal weights are returned with a
      :class:`DegenerateWeightsWarning`.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Customers × criteria, numeric, non-negative, at least 2 rows.

    Returns
    -------
    pandas.Series
        Weight of each column (index = columns), named ``"weight"``, summing to 1.

    Raises
    ------
    InputError
        Not a DataFrame, fewer than 2 rows, non-numeric columns, NaN or infinite values
        or negative values (message names the column and rows).

    Warns
    -----
    DegenerateWeightsWarning
        When all columns are constant.

    Examples
    --------
    >>> x = pd.DataFrame({"it_budget": [1.0, 1.0, 4.0], "growth": [2.0, 2.0, 2.0]})
    >>> entropy(x).round(4).to_dict()
    {'it_budget': 1.0, 'growth': 0.0}
    """
    x = _numeric_matrix(matrix, "entropy")
    negative = x < 0
    if negative.any():
        col = int(negative.any(axis=0).argmax())
        rows = matrix.index[negative[:, col]].tolist()[:5]
        raise InputError(
            f"entropy: column {matrix.columns[col]!r} has negative values at rows {rows}; the entropy "
            "method needs non-negative data (shift or rescale the criterion first)."
        )
    m = x.shape[0]
    totals = x.sum(axis=0)
    p = np.divide(x, totals, out=np.full_like(x, 1.0 / m), where=totals > 0)
    plogp = np.zeros_like(p)
    np.multiply(p, np.log(p, out=np.zeros_like(p), where=p > 0), out=plogp, where=p > 0)
    e = -plogp.sum(axis=0) / math.log(m)
    d = np.clip(1.0 - e, 0.0, None)
    d[x.min(axis=0) == x.max(axis=0)] = 0.0  # exactly 0 for constant columns (no rounding residue)
    return _equal_if_degenerate(d, matrix.columns, "entropy")


def critic(matrix: pd.DataFrame, directions: Mapping[str, str] | None = None) -> pd.Series:
    """CRITIC weights (CRiteria Importance Through Intercriteria Correlation).

    Diakoulaki, Mavrotas & Papayannakis (1995), "Determining objective weights in
    multiple criteria problems: the CRITIC method", *Computers & Operations Research*
    22(7):763-770:

    1. min-max normalise each criterion to [0, 1] so that 1 is the best value:
       r_ij = (x_ij − min_j)/(max_j − min_j) for a benefit criterion,
       (max_j − x_ij)/(max_j − min_j) for a cost criterion;
    2. σ_j = standard deviation of column j (contrast intensity);
    3. ρ_jk = Pearson correlation between columns j and k;
    4. C_j = σ_j Σ_k (1 − ρ_jk) (information content);
    5. w_j = C_j / Σ_k C_k.

    The standard deviation convention (population ``ddof=0`` here) does not matter:
    sample and population σ differ by the factor sqrt(m/(m−1)) common to all columns,
    which cancels in step 5.

    Conventions for degenerate data: a constant column has σ_j = 0, hence C_j = 0
    (weight 0), and its correlation with any other column, undefined by Pearson, is
    taken as 0 (the constant column adds nothing, so every other column "conflicts"
    with it fully). When every C_j = 0 (all columns constant, or all perfectly
    correlated) equal weights are returned with a :class:`DegenerateWeightsWarning`.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Customers × criteria, numeric, at least 2 rows.
    directions : Mapping[str, str], optional
        Column → ``"benefit"`` (more is better) or ``"cost"`` (less is better), one
        entry per column. Default ``None``: every column is a benefit, as in the paper.
        Directions change the weights through the signs of the correlations.

    Returns
    -------
    pandas.Series
        Weight of each column (index = columns), named ``"weight"``, summing to 1.

    Raises
    ------
    InputError
        Not a DataFrame, fewer than 2 rows, non-numeric columns, NaN or infinite values
        (message names the column), or ``directions`` that miss a column, name an
        unknown one or use a word other than ``"benefit"``/``"cost"``.

    Warns
    -----
    DegenerateWeightsWarning
        When every C_j is 0.

    Examples
    --------
    >>> x = pd.DataFrame({"a": [0.0, 0.0, 1.0, 1.0], "b": [0.0, 1.0, 0.0, 1.0],
    ...                   "c": [0.0, 0.5, 0.5, 1.0]})
    >>> critic(x).round(4).to_dict()
    {'a': 0.431, 'b': 0.431, 'c': 0.1381}
    """
    x = _numeric_matrix(matrix, "critic")
    if directions is None:
        cost = np.zeros(x.shape[1], dtype=bool)
    else:
        if not isinstance(directions, Mapping):
            raise InputError(f"critic: directions must map column → 'benefit'/'cost'; got {type(directions).__name__}.")
        missing = [c for c in matrix.columns if c not in directions]
        unknown = [c for c in directions if c not in set(matrix.columns)]
        if missing or unknown:
            raise InputError(
                f"critic: directions must give one entry per column; missing {missing}, unknown {unknown}."
            )
        bad = {c: v for c, v in directions.items() if v not in ("benefit", "cost")}
        if bad:
            raise InputError(f"critic: directions {bad}; expected 'benefit' or 'cost'.")
        cost = np.array([directions[c] == "cost" for c in matrix.columns])
    low, high = x.min(axis=0), x.max(axis=0)
    spread = high - low
    varying = spread > 0
    r = np.divide(x - low, spread, out=np.zeros_like(x), where=varying)
    r = np.where(cost & varying, 1.0 - r, r)
    centred = r - r.mean(axis=0)
    sigma = np.sqrt((centred**2).mean(axis=0))
    norms = np.sqrt((centred**2).sum(axis=0))
    outer = np.outer(norms, norms)
    rho = np.divide(centred.T @ centred, outer, out=np.zeros((x.shape[1], x.shape[1])), where=outer > 0)
    rho = np.clip(rho, -1.0, 1.0)
    np.fill_diagonal(rho, 1.0)
    information = sigma * (1.0 - rho).sum(axis=1)
    return _equal_if_degenerate(np.clip(information, 0.0, None), matrix.columns, "critic")


# --------------------------------------------------------------------------------------
# Weights from a ranking
# --------------------------------------------------------------------------------------


def rank_order_centroid(order: Sequence[str | Sequence[str]]) -> pd.Series:
    """Rank order centroid (ROC) weights from a ranking of the criteria.

    For n criteria ranked 1 (most important) … n: w_k = (1/n) Σ_{i=k..n} 1/i
    (Barron & Barrett 1996, "Decision quality using ranked attribute weights",
    *Management Science* 42(11):1515-1523) — the centroid of all weight vectors
    consistent with the ranking.

    Ties: an element of ``order`` may be a group of criteria (a list or tuple) that
    share one rank. The group occupies as many consecutive positions as it has members
    and each member gets the mean of the ROC weights of those positions (the analogue
    of average ranks), so the weights still sum to 1.

    Parameters
    ----------
    order : sequence of str or of groups of str
        Criteria from most to least important, e.g.
        ``["it_budget", ("deal_size", "growth"), "strategic_fit"]``.

    Returns
    -------
    pandas.Series
        ROC weight of every criterion in the given order, named ``"weight"``.

    Raises
    ------
    InputError
        An empty ranking or group, an element that is not text, or a criterion named
        twice.

    Examples
    --------
    >>> rank_order_centroid(["a", "b", "c", "d"]).round(4).tolist()
    [0.5208, 0.2708, 0.1458, 0.0625]
    >>> rank_order_centroid(["a", ("b", "c")]).round(4).tolist()
    [0.6111, 0.1944, 0.1944]
    """
    if isinstance(order, str) or not isinstance(order, Sequence) or len(order) == 0:
        raise InputError(f"order: expected a non-empty list of criteria, most important first; got {order!r}.")
    groups: list[list[str]] = []
    for position, item in enumerate(order, start=1):
        group = [item] if isinstance(item, str) else list(item) if isinstance(item, Sequence) else None
        if not group or not all(isinstance(c, str) for c in group):
            raise InputError(
                f"order[{position - 1}]: expected a criterion name or a non-empty group of names; got {item!r}."
            )
        groups.append(group)
    names = [c for group in groups for c in group]
    duplicated = sorted({c for c in names if names.count(c) > 1})
    if duplicated:
        raise InputError(f"order: criteria {duplicated} appear more than once; rank each criterion once.")
    n = len(names)
    roc = np.cumsum(1.0 / np.arange(n, 0, -1))[::-1] / n  # roc[k] = (1/n) Σ_{i=k+1..n} 1/i
    sizes = np.array([len(g) for g in groups])
    group_of_position = np.repeat(np.arange(len(groups)), sizes)
    group_mean = np.bincount(group_of_position, weights=roc) / sizes
    return pd.Series(group_mean[group_of_position], index=pd.Index(names, name="criterion"), name="weight")
