"""A proposal for next year's ``criteria.yaml``: the file in force with other weights.

The annual review (step 2.3.6) proposes new weights; the people who own the criteria
decide. So the proposal is a copy of the criteria file in force in which only the
numbers after ``weight:`` (and under ``family_weights:``) change — every other line,
comments included, is kept as written — and a diff the review meeting can read.

:func:`propose_criteria_text` does the text edit (text in, text out);
:func:`prioanalysis.steps.calibration.write_proposed_criteria` reads the file in
force and writes the proposal and its diff into the run folder. The same writer takes
the calibration's weights or the judges' AHP weights: :func:`ahp_proposal` wraps the
AHP group weights with the family of each criterion in the judges' hierarchy, and the
text edit then also refuses a proposal whose families differ from the file's.

When the file states what the experts are sure of (``weight_bounds``,
``family_weight_bounds``, ``weight_order``), a proposal outside those constraints would
be refused when the file is loaded next year. The writer therefore writes the closest
admissible weights (:func:`project_weights`: the least-squares projection onto the
bounds, orders and sum to one of each group of weights, on the file's scale), names
the weights the constraints moved in a comment at the top of the written file (so the
diff shows it too) and in :attr:`CriteriaProposal.moved`, and checks that the written
file loads.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from prioanalysis.config.yamlfile import parse_yaml
from prioanalysis.errors import ParamsError

__all__ = [
    "CriteriaProposal",
    "ProposedWeights",
    "WeightMove",
    "ahp_proposal",
    "project_weights",
    "propose_criteria",
    "propose_criteria_text",
    "round_weights",
]

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _ids(labels: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(x) for x in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


class ProposedWeights(Mapping[str, float]):
    """Proposed global weights per criterion, with their source and families.

    A read-only mapping criterion id → weight (so it goes wherever a mapping of
    weights goes, e.g. :func:`prioanalysis.steps.calibration.write_proposed_criteria`),
    plus ``families`` (criterion id → family as the source sees it, or ``None``) and
    ``source`` (how the weights were made, for the messages). Build it with
    :func:`ahp_proposal`.
    """

    def __init__(
        self, weights: Mapping[str, float], families: Mapping[str, str] | None = None, source: str = "the proposal"
    ) -> None:
        self._weights = {str(k): float(v) for k, v in dict(weights).items()}
        self.families = None if families is None else {str(k): str(v) for k, v in dict(families).items()}
        self.source = str(source)

    def __getitem__(self, key: str) -> float:
        return self._weights[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._weights)

    def __len__(self) -> int:
        return len(self._weights)

    def __repr__(self) -> str:
        return f"ProposedWeights({self._weights!r}, source={self.source!r})"


def ahp_proposal(
    weights: Mapping[str, float],
    families: Mapping[str, str] | None = None,
    source: str = "the judges' AHP weights",
) -> ProposedWeights:
    r"""The judges' AHP group weights as a proposal for ``criteria.yaml``.

    Parameters
    ----------
    weights : mapping
        Global weight per criterion, e.g. ``ahp_group(...).weights`` (a
        ``pandas.Series`` works).
    families : mapping, optional
        Family of each criterion in the judges' hierarchy, e.g.
        ``ahp_group(...).families``. When given, :func:`propose_criteria_text` refuses
        a criteria file that puts a criterion in another family (the judges' family
        weights would then not be the file's).
    source : str
        How the weights were made, e.g. ``"AHP group weights (AIJ) of
        judgements.yaml"``; named in the messages.

    Returns
    -------
    ProposedWeights
        Pass it to :func:`propose_criteria_text` or, to write the file and its diff,
        to :func:`prioanalysis.steps.calibration.write_proposed_criteria`.

    Raises
    ------
    ParamsError
        A weight that is not a finite number ≥ 0, or a criterion without a family.

    Examples
    --------
    >>> text = ("family_weights: {a_fam: 0.5, b_fam: 0.5}\ncriteria:\n"
    ...         "  - id: a\n    family: a_fam\n    weight: 1.0\n"
    ...         "  - id: b\n    family: b_fam\n    weight: 1.0\n")
    >>> proposal = ahp_proposal({"a": 0.75, "b": 0.25}, {"a": "a_fam", "b": "b_fam"})
    >>> print(propose_criteria_text(text, proposal))
    family_weights: {a_fam: 0.7500, b_fam: 0.2500}
    criteria:
      - id: a
        family: a_fam
        weight: 1.0
      - id: b
        family: b_fam
        weight: 1.0
    <BLANKLINE>
    """
    try:
        values = {str(k): float(v) for k, v in dict(weights).items()}
    except (TypeError, ValueError):
        raise ParamsError(f"{source}: the weights must be numbers per criterion.") from None
    bad = {k: v for k, v in values.items() if not np.isfinite(v) or v < 0}
    if bad or not values:
        raise ParamsError(f"{source}: the weights must be finite numbers >= 0; got {bad or values}.")
    if families is not None:
        fam = {str(k): str(v) for k, v in dict(families).items()}
        without = [k for k in values if k not in fam]
        if without:
            raise ParamsError(f"{source}: no family given for {_ids(without)}.")
        families = fam
    return ProposedWeights(values, families, source)


def _check_families(crit: list[dict[str, object]], proposal: ProposedWeights, src: str) -> None:
    if proposal.families is None:
        return
    differ = [
        f"'{c['id']}' ({proposal.families[str(c['id'])]} there, {c.get('family')} here)"
        for c in crit
        if str(c["id"]) in proposal.families and proposal.families[str(c["id"])] != str(c.get("family"))
    ]
    if differ:
        raise ParamsError(
            f"{src}: {proposal.source} group the criteria into other families than this file: "
            + "; ".join(differ[:5])
            + (f" and {len(differ) - 5} more" if len(differ) > 5 else "")
            + ". Align the judgements' families with the file before proposing their weights; nothing was written."
        )


def round_weights(values: np.ndarray | list[float], decimals: int = 4) -> list[str]:
    """Round weights to ``decimals`` so that they still sum to exactly 1, as text.

    Largest-remainder rounding on units of ``10**-decimals``.

    Examples
    --------
    >>> round_weights([1, 1, 1])
    ['0.3334', '0.3333', '0.3333']
    """
    unit = 10**decimals
    v = np.asarray(values, dtype=np.float64)
    v = v / v.sum() * unit
    base = np.floor(v).astype(np.int64)
    short = unit - int(base.sum())
    order = np.argsort(-(v - base), kind="stable")
    base[order[:short]] += 1
    return [f"{u // unit}.{u % unit:0{decimals}d}" for u in base]


def _top_blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (line of the key, line after its block)."""
    keys = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _TOP_KEY.match(line)) is not None]
    out: dict[str, tuple[int, int]] = {}
    for j, (i, key) in enumerate(keys):
        out[key] = (i, keys[j + 1][0] if j + 1 < len(keys) else len(lines))
    return out


def _replace_value(line: str, pattern: re.Pattern[str], new: str) -> tuple[str, int]:
    """Replace the number in group 2 by ``new``; an equal number keeps its spelling."""

    def repl(m: re.Match[str]) -> str:
        return m.group(0) if float(m.group(2)) == float(new) else m.group(1) + new

    return pattern.subn(repl, line, count=1)


def _edit_criteria(lines: list[str], span: tuple[int, int], ids: list[str], new: Mapping[str, str], path: str) -> None:
    key_line, end = span
    if "[" in lines[key_line].split(":", 1)[1].split("#", 1)[0]:
        raise ParamsError(
            f"{path}: `criteria` is written as a flow list ([...]); write it as a block "
            "list (one '- id: ...' item per criterion) so weights can be replaced."
        )
    dash = re.compile(r"^(\s*)-(\s+)")
    items = [i for i in range(key_line + 1, end) if dash.match(lines[i])]
    if not items:
        raise ParamsError(f"{path}: no '- id: ...' items found under `criteria`.")
    indent = len(dash.match(lines[items[0]]).group(1))  # type: ignore[union-attr]
    items = [i for i in items if len(dash.match(lines[i]).group(1)) == indent]  # type: ignore[union-attr]
    if len(items) != len(ids):
        raise ParamsError(
            f"{path}: found {len(items)} criteria items by line but {len(ids)} by YAML; "
            "cannot replace the weights line by line."
        )
    bounds = [*items[1:], end]
    for cid, first, last in zip(ids, items, bounds):
        m0 = dash.match(lines[first])
        key_indent = len(m0.group(1)) + 1 + len(m0.group(2))  # type: ignore[union-attr]
        done = 0
        flow = re.compile(r"(\bweight\s*:\s*)(" + _NUMBER + r")")
        for i in range(first, last):
            line = lines[i]
            if i == first and line[key_indent:].lstrip().startswith("{"):
                lines[i], done = _replace_value(line, flow, new[cid])
            else:
                pat = re.compile(
                    r"^("
                    + (re.escape(line[:key_indent]) if i == first else " " * key_indent)
                    + r"weight\s*:\s*)("
                    + _NUMBER
                    + r")(?=\s*(?:#|$))"
                )
                lines[i], done = _replace_value(line, pat, new[cid])
            if done:
                break
        if not done:
            raise ParamsError(f"{path}: could not find the `weight:` line of criterion '{cid}'.")


def _edit_family_weights(lines: list[str], span: tuple[int, int], new: Mapping[str, str], path: str) -> None:
    key_line, end = span
    for fam, val in new.items():
        done = 0
        for i in range(key_line, end):
            if i == key_line:
                pat = re.compile(r"(\b" + re.escape(fam) + r"\s*:\s*)(" + _NUMBER + ")")
            else:
                pat = re.compile(r"^(\s+" + re.escape(fam) + r"\s*:\s*)(" + _NUMBER + ")")
            lines[i], done = _replace_value(lines[i], pat, val)
            if done:
                break
        if not done:
            raise ParamsError(f"{path}: could not find family weight '{fam}'.")


# ------------------------------------------------------------------ weight constraints
_FEAS_TOL = 1e-9


def _box_projection(v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Exact projection of ``v`` onto ``{w : lo <= w <= hi, sum w = 1}``.

    The solution is ``clip(v + t, lo, hi)`` for the one shift ``t`` at which it sums
    to 1 (KKT); the sum is piecewise linear in ``t`` with knots at ``lo - v`` and
    ``hi - v``, so ``t`` is found exactly by interpolating between two knots.
    """
    knots = np.unique(np.concatenate([lo - v, hi - v]))
    sums = np.clip(v[None, :] + knots[:, None], lo, hi).sum(axis=1)
    k = int(np.searchsorted(sums, 1.0))
    if k == 0:
        t = knots[0]
    elif k == knots.size:
        t = knots[-1]
    else:
        t = knots[k - 1] + (1.0 - sums[k - 1]) * (knots[k] - knots[k - 1]) / (sums[k] - sums[k - 1])
    return np.clip(v + t, lo, hi)


def _feasible(w: np.ndarray, lo: np.ndarray, hi: np.ndarray, a: np.ndarray, tol: float) -> bool:
    return bool(
        abs(w.sum() - 1.0) <= tol
        and (w >= lo - tol).all()
        and (w <= hi + tol).all()
        and (a.size == 0 or (a @ w >= -tol).all())
    )


def project_weights(
    values: Sequence[float] | np.ndarray,
    lower: Sequence[float] | np.ndarray | None = None,
    upper: Sequence[float] | np.ndarray | None = None,
    orders: Sequence[tuple[int, int]] = (),
) -> np.ndarray:
    """The admissible weights closest to ``values`` (least squares).

    Solves ``min ||w - values||_2`` subject to ``lower <= w <= upper``,
    ``w[a] >= w[b]`` for every ``(a, b)`` of ``orders`` and ``sum w = 1``: the
    Euclidean projection onto a convex polytope, so the answer is unique.

    Parameters
    ----------
    values : array_like
        The proposed weights of one group (e.g. the within-family weights of one
        family); need not sum to 1.
    lower, upper : array_like, optional
        Bounds per weight (default 0 and 1).
    orders : sequence of (int, int)
        Index pairs ``(a, b)``: the weight at ``a`` is at least the weight at ``b``.

    Returns
    -------
    numpy.ndarray
        The projection. Without orders it is exact in closed form (the proposed
        weights shifted by one common amount and clipped to their bounds); with
        orders it is found by SLSQP and then polished exactly on the active
        constraints (the KKT equality system), deterministic either way.

    Raises
    ------
    ParamsError
        No weights satisfy the constraints.

    Examples
    --------
    The first weight is capped at 0.4; the other two share the excess equally:

    >>> project_weights([0.5, 0.3, 0.2], upper=[0.4, 1, 1]).round(6).tolist()
    [0.4, 0.35, 0.25]
    >>> project_weights([0.2, 0.5, 0.3], orders=[(0, 1)]).round(6).tolist()
    [0.35, 0.35, 0.3]
    """
    v = np.asarray(values, dtype=np.float64)
    n = v.size
    lo = np.zeros(n) if lower is None else np.asarray(lower, dtype=np.float64)
    hi = np.ones(n) if upper is None else np.asarray(upper, dtype=np.float64)
    if v.ndim != 1 or lo.shape != v.shape or hi.shape != v.shape or n == 0 or not np.isfinite(v).all():
        raise ParamsError(f"project_weights: expected finite weights with one bound each; got {v.tolist()}.")
    a = np.zeros((len(orders), n))
    for r, (i, j) in enumerate(orders):
        a[r, i], a[r, j] = 1.0, -1.0
    if (lo > hi + _FEAS_TOL).any() or lo.sum() > 1 + _FEAS_TOL or hi.sum() < 1 - _FEAS_TOL:
        raise ParamsError(
            f"No weights satisfy the bounds: the lower bounds sum to {lo.sum():.6g} and the upper to {hi.sum():.6g}."
        )
    w = _box_projection(v, lo, hi)
    if a.size == 0 or (a @ w >= 0).all():
        return w  # the orders hold already (or there are none): the box projection is the answer

    def objective(x: np.ndarray) -> float:
        return 0.5 * float(((x - v) ** 2).sum())

    res = minimize(
        objective,
        w,
        jac=lambda x: x - v,
        method="SLSQP",
        bounds=list(zip(lo, hi, strict=True)),
        constraints=[
            {"type": "eq", "fun": lambda x: np.array([x.sum() - 1.0]), "jac": lambda x: np.ones((1, n))},
            {"type": "ineq", "fun": lambda x: a @ x, "jac": lambda x: a},
        ],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    w = np.clip(res.x, lo, hi)
    # polish: the projection onto the affine set of the active constraints is exact
    tol = 1e-7
    at_lo = w - lo < tol
    at_hi = (hi - w < tol) & ~at_lo
    eye = np.eye(n)
    e = np.vstack([np.ones((1, n)), eye[at_lo], eye[at_hi], a[a @ w < tol]])
    f = np.concatenate([[1.0], lo[at_lo], hi[at_hi], np.zeros(int((a @ w < tol).sum()))])
    polished = v - np.linalg.pinv(e) @ (e @ v - f)
    if _feasible(polished, lo, hi, a, 1e-12) and objective(polished) <= objective(w) + 1e-12:
        w = np.clip(polished, lo, hi)
    if not _feasible(w, lo, hi, a, 1e-7):
        raise ParamsError("No weights satisfy the stated bounds and orders together.")
    return w


def _order_rank(n: int, orders: Sequence[tuple[int, int]]) -> np.ndarray:
    """Depth of each weight below the weights that must be at least as large."""
    rank = np.zeros(n, dtype=np.int64)
    for _ in range(n):
        for i, j in orders:
            rank[j] = max(rank[j], rank[i] + 1)
    return np.minimum(rank, n)


def _round_admissible(
    w: np.ndarray, lo: np.ndarray, hi: np.ndarray, orders: Sequence[tuple[int, int]], what: str
) -> list[str]:
    """Largest-remainder rounding (sum exactly 1) that keeps the bounds and orders.

    Ties go first to the weight an order puts above (so ``a >= b`` survives rounding
    when ``a == b``); 4 decimals unless a bound needs more (up to 9).
    """
    rank = _order_rank(w.size, orders)
    for decimals in range(4, 10):
        unit = 10**decimals
        v = np.round(w / w.sum() * unit, 6)
        base = np.floor(v).astype(np.int64)
        remainder = np.round(v - base, 6)
        short = unit - int(base.sum())
        pick = np.lexsort((np.arange(w.size), rank, -remainder))
        base[pick[: max(short, 0)]] += 1
        x = base / unit
        if (
            base.sum() == unit
            and (x >= lo - _FEAS_TOL).all()
            and (x <= hi + _FEAS_TOL).all()
            and all(base[i] >= base[j] for i, j in orders)
        ):
            return [f"{u // unit}.{u % unit:0{decimals}d}" for u in base]
    raise ParamsError(f"{what}: could not round the admissible weights without breaking a bound or an order.")


@dataclass(frozen=True)
class WeightMove:
    """A proposed weight that the stated bounds or orders moved.

    Attributes
    ----------
    weight : str
        Criterion id, or the family's name for a family weight.
    scale : str
        What the number is: ``"family weight"``, ``"within <family>"`` or ``"global"``.
    proposed : float
        The proposed value on that scale, before the constraints.
    written : float
        The value written in the file.
    reason : str
        Which constraint moved it, in words (e.g. ``"raised to its lower bound 0.15"``).
    """

    weight: str
    scale: str
    proposed: float
    written: float
    reason: str


@dataclass(frozen=True)
class CriteriaProposal:
    """A proposed criteria file and the weights its constraints moved.

    Attributes
    ----------
    text : str
        The proposed file (:func:`propose_criteria_text` returns just this).
    moved : tuple of WeightMove
        The weights the stated ``weight_bounds``, ``family_weight_bounds`` or
        ``weight_order`` moved away from the proposal (empty when it was admissible).
    """

    text: str
    moved: tuple[WeightMove, ...] = ()

    @property
    def table(self) -> list[dict[str, Any]]:
        """``moved`` as rows (weight, scale, proposed, written, reason) for a table."""
        return [
            {"weight": m.weight, "scale": m.scale, "proposed": m.proposed, "written": m.written, "reason": m.reason}
            for m in self.moved
        ]


def _bounds(raw: object, where: str) -> tuple[float, float]:
    if (
        not isinstance(raw, (list, tuple))
        or len(raw) != 2
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in raw)
    ):
        raise ParamsError(f"{where}: expected [lower, upper]; got {raw!r}.")
    return float(raw[0]), float(raw[1])


def _stated_orders(doc: Mapping[str, Any], ids: list[str], src: str) -> list[tuple[str, str]]:
    raw = doc.get("weight_order") or []
    if not isinstance(raw, list):
        raise ParamsError(f"{src}: `weight_order` must be a list of 'a >= b'.")
    pairs = []
    for k, entry in enumerate(raw):
        parts = [p.strip() for p in str(entry).split(">=")]
        unknown = [p for p in parts if p not in ids]
        if len(parts) < 2 or unknown:
            raise ParamsError(f"{src}: weight_order[{k}] ({entry!r}): expected 'a >= b' with criterion ids.")
        pairs += list(itertools.pairwise(parts))
    return pairs


def _moves(
    names: list[str],
    scale: str,
    v: np.ndarray,
    w: np.ndarray,
    written: list[str],
    lo: np.ndarray,
    hi: np.ndarray,
    orders: Sequence[tuple[int, int]],
    group: str,
) -> list[WeightMove]:
    """The weights of one group that the projection moved, with the reason."""
    if np.abs(w - v).max() <= 1e-9:
        return []
    out = []
    for k, name in enumerate(names):
        if abs(w[k] - v[k]) <= 1e-9:
            continue
        tied = [names[j if i == k else i] for i, j in orders if k in (i, j) and abs(w[i] - w[j]) <= 1e-9]
        if v[k] < lo[k] - 1e-12 and abs(w[k] - lo[k]) <= 1e-9:
            reason = f"raised to its lower bound {lo[k]:g}"
        elif v[k] > hi[k] + 1e-12 and abs(w[k] - hi[k]) <= 1e-9:
            reason = f"lowered to its upper bound {hi[k]:g}"
        elif tied:
            reason = "set equal to " + ", ".join(tied) + " (weight_order)"
        else:
            reason = f"shifted with the other free weights ({group} sums to 1)"
        out.append(WeightMove(name, scale, float(v[k]), float(written[k]), reason))
    return out


def _comment(moved: Sequence[WeightMove]) -> str:
    lines = [
        "# Proposal: the proposed weights broke the bounds or orders stated in this file, so the",
        "# weights written are the closest admissible ones (least squares; each group sums to 1):",
    ]
    lines += [f"#   {m.weight} ({m.scale}): proposed {m.proposed:.4f} -> {m.written:.4f}, {m.reason}" for m in moved]
    return "\n".join(lines) + "\n"


def propose_criteria_text(
    text: str, proposed_weights: Mapping[str, float], source: str | Path = "criteria.yaml"
) -> str:
    r"""The text of a criteria file with the proposed global weights written in.

    Only the numbers after ``weight:`` (and under ``family_weights:``) change; every
    other line, including comments, is copied as is. The result is re-read and
    checked to differ from the original in the weights only.

    Parameters
    ----------
    text : str
        The criteria file in force (top-level ``criteria:`` block list of mappings
        with ``id`` and ``weight``; optional ``family_weights:``).
    proposed_weights : mapping
        Proposed **global** weights per criterion id (rescaled to sum 1); must name
        exactly the file's criteria. A ``pandas.Series`` works, and so does a
        :class:`ProposedWeights` (:func:`ahp_proposal`), whose families must then
        match the file's.
    source : str or Path
        Name of the file, for the messages.

    Returns
    -------
    str
        The proposed file (``propose_criteria(...).text``; see :func:`propose_criteria`
        for the weights that stated bounds or orders moved).

    Raises
    ------
    ParamsError
        The text is not a criteria file that can be edited line by line, or the
        weights do not match its criteria or are not weights.

    Notes
    -----
    With ``family_weights`` the file holds within-family weights (global = family
    weight x within-family weight). The new family weight is the sum of the
    proposed global weights of its criteria; the within-family weight is the
    criterion's share of it (a family whose proposed total is 0 keeps its current
    within-family weights). When the file states ``weight_bounds``,
    ``family_weight_bounds`` or ``weight_order``, every group (the family weights,
    the weights of each family; or all weights without ``family_weights``) is
    projected onto its constraints (:func:`project_weights`) and the moved weights
    are named in a comment at the top. Every group is rounded to 4 decimals with
    largest-remainder rounding (:func:`round_weights`), so it still sums to exactly 1.

    Examples
    --------
    >>> print(propose_criteria_text(
    ...     "criteria:\n  - id: a  # budget\n    weight: 0.5\n  - id: b\n    weight: 0.5\n",
    ...     {"a": 0.7, "b": 0.3}))
    criteria:
      - id: a  # budget
        weight: 0.7000
      - id: b
        weight: 0.3000
    <BLANKLINE>
    """
    return propose_criteria(text, proposed_weights, source).text


def propose_criteria(
    text: str, proposed_weights: Mapping[str, float], source: str | Path = "criteria.yaml"
) -> CriteriaProposal:
    r"""The proposed criteria file, with the weights its stated constraints moved.

    As :func:`propose_criteria_text` (same parameters and errors), but returns a
    :class:`CriteriaProposal`: the text and ``moved``, the weights that
    ``weight_bounds``, ``family_weight_bounds`` or ``weight_order`` moved to the
    closest admissible point (:func:`project_weights`), also listed in a comment at
    the top of the text. When the file in force is a valid criteria file, the
    proposal is checked to load with :func:`prioanalysis.config.params.load_criteria`'s
    rules (a proposal that would be refused next year is never returned).

    Examples
    --------
    >>> text = ("criteria:\n  - id: a\n    weight: 0.4\n    weight_bounds: [0.2, 0.4]\n"
    ...         "  - id: b\n    weight: 0.3\n  - id: c\n    weight: 0.3\n")
    >>> proposal = propose_criteria(text, {"a": 0.5, "b": 0.3, "c": 0.2})
    >>> [(m.weight, m.written, m.reason) for m in proposal.moved][0]
    ('a', 0.4, 'lowered to its upper bound 0.4')
    >>> [(m.weight, m.written) for m in proposal.moved][1:]
    [('b', 0.35), ('c', 0.25)]
    """
    src = str(source)
    doc = parse_yaml(text, src)
    if not isinstance(doc, dict) or not isinstance(doc.get("criteria"), list) or not doc["criteria"]:
        raise ParamsError(f"{src}: expected a top-level `criteria:` list.")
    crit = doc["criteria"]
    for i, c in enumerate(crit):
        if not isinstance(c, dict) or "id" not in c or "weight" not in c:
            raise ParamsError(f"{src}: criteria[{i}] needs an `id` and a `weight`.")
    ids = [str(c["id"]) for c in crit]

    given = {str(k): v for k, v in dict(proposed_weights).items()}
    missing = [i for i in ids if i not in given]
    extra = [i for i in given if i not in ids]
    what = proposed_weights.source if isinstance(proposed_weights, ProposedWeights) else "the proposed weights"
    if missing or extra:
        raise ParamsError(
            f"{what[:1].upper()}{what[1:]} must name exactly the criteria of {src}: "
            + (f"missing {_ids(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"not in the file {_ids(extra)}" if extra else "")
            + "."
        )
    if isinstance(proposed_weights, ProposedWeights):
        _check_families(crit, proposed_weights, src)
    w = np.array([float(given[i]) for i in ids], dtype=np.float64)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ParamsError(f"The proposed weights must be finite, >= 0, not all 0: {dict(zip(ids, w.tolist()))}.")
    w = w / w.sum()

    fw = doc.get("family_weights")
    new_crit: dict[str, str] = {}
    new_fam: dict[str, str] = {}
    moved: list[WeightMove] = []
    orders = _stated_orders(doc, ids, src)
    crit_bounds = [
        _bounds(c["weight_bounds"], f"{src}: criteria[{k}] ({ids[k]}).weight_bounds")
        if c.get("weight_bounds") is not None
        else (0.0, 1.0)
        for k, c in enumerate(crit)
    ]
    constrained = bool(orders) or any(c.get("weight_bounds") is not None for c in crit)

    def admissible(
        names: list[str], values: np.ndarray, bounds: list[tuple[float, float]], scale: str, group: str
    ) -> list[str]:
        """Project one group onto its bounds and orders and round it (sum exactly 1)."""
        pos = {name: k for k, name in enumerate(names)}
        pairs = [(pos[a], pos[b]) for a, b in orders if a in pos and b in pos]
        lo = np.array([b[0] for b in bounds])
        hi = np.array([b[1] for b in bounds])
        v = values / values.sum()
        where = f"{src}: {group}"
        try:
            w = project_weights(v, lo, hi, pairs)
        except ParamsError as exc:
            raise ParamsError(f"{where}: {exc}") from None
        written = _round_admissible(w, lo, hi, pairs, where)
        moved.extend(_moves(names, scale, v, w, written, lo, hi, pairs, group))
        return written

    if fw is not None:
        if not isinstance(fw, dict):
            raise ParamsError(f"{src}: `family_weights` must be a mapping.")
        fams = [str(c.get("family")) for c in crit]
        unknown = sorted({f for f in fams if f not in fw})
        if unknown:
            raise ParamsError(f"{src}: family_weights has no weight for {unknown}.")
        fam_names = list(fw)
        fam_tot = np.array([w[np.array([f == fam for f in fams])].sum() for fam in fam_names])
        fam_bounds_raw = doc.get("family_weight_bounds") or {}
        if not isinstance(fam_bounds_raw, dict):
            raise ParamsError(f"{src}: `family_weight_bounds` must be a mapping family -> [lower, upper].")
        fam_bounds = [
            _bounds(fam_bounds_raw[f], f"{src}: family_weight_bounds.{f}") if f in fam_bounds_raw else (0.0, 1.0)
            for f in fam_names
        ]
        cross = [(a, b) for a, b in orders if fams[ids.index(a)] != fams[ids.index(b)]]
        if cross:
            raise ParamsError(
                f"{src}: weight_order compares {cross[0][0]} and {cross[0][1]}, which are in different families."
            )
        if fam_bounds_raw:
            new_fam = dict(
                zip(fam_names, admissible(fam_names, fam_tot, fam_bounds, "family weight", "family_weights"))
            )
        else:
            new_fam = dict(zip(fam_names, round_weights(fam_tot)))
        for fam, tot in zip(fam_names, fam_tot):
            members = [k for k, (cid, f) in enumerate(zip(ids, fams)) if f == fam]
            if not members:
                continue
            within = (
                w[members] if tot > 0 else np.array([float(c["weight"]) for c in crit if str(c.get("family")) == fam])
            )
            if within.sum() <= 0:
                within = np.ones(len(members))
            names = [ids[k] for k in members]
            if constrained:
                values = admissible(names, within, [crit_bounds[k] for k in members], f"within {fam}", f"family {fam}")
            else:
                values = round_weights(within)
            new_crit.update(zip(names, values))
    elif constrained:
        new_crit = dict(zip(ids, admissible(ids, w, crit_bounds, "global", "the weights")))
    else:
        new_crit = dict(zip(ids, round_weights(w)))

    lines = text.splitlines(keepends=True)
    blocks = _top_blocks(lines)
    _edit_criteria(lines, blocks["criteria"], ids, new_crit, src)
    if fw is not None:
        _edit_family_weights(lines, blocks["family_weights"], new_fam, src)
    if moved:
        lines.insert(0, _comment(moved))
    new_text = "".join(lines)

    expected = copy.deepcopy(doc)
    for c in expected["criteria"]:
        c["weight"] = float(new_crit[str(c["id"])])
    if fw is not None:
        expected["family_weights"] = {k: float(v) for k, v in new_fam.items()}
    if parse_yaml(new_text, src) != expected:
        raise ParamsError(
            f"{src}: the line-by-line replacement of the weights did not give the "
            "expected file (unusual YAML layout?); nothing was written."
        )
    _check_loads(doc, expected, src)
    return CriteriaProposal(new_text, tuple(moved))


def _check_loads(doc: dict[str, Any], proposed: dict[str, Any], src: str) -> None:
    """When the file in force is a valid criteria file, the proposal must load too.

    The same model and weights policy as :func:`prioanalysis.config.params.load_criteria`;
    a file in force that does not validate (e.g. a fragment) is not checked.
    """
    from pydantic import ValidationError

    from prioanalysis.config.params import CriteriaParams, _normalise_weights

    try:
        _normalise_weights(CriteriaParams.model_validate(doc).model_dump(), Path(src))
    except (ValidationError, ParamsError):
        return
    try:
        checked = _normalise_weights(CriteriaParams.model_validate(proposed).model_dump(), Path(src))
        CriteriaParams.model_validate(checked)
    except (ValidationError, ParamsError) as exc:
        raise ParamsError(f"{src}: the proposed file would not load ({exc}); nothing was written.") from None
