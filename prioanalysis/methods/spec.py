"""The criteria spec: everything the kernels need to know about the criteria, once.

A :class:`CriteriaSpec` is built once per run from the parameters (by
:func:`prioanalysis.config.params.criteria_spec`, or ``Params.spec``) and handed to
every kernel that preprocesses, scores or explains: the ranking, the inquiry scoring,
the weight draws and the calibration. It holds, per criterion and in criteria order,
the label, family, direction, global weight, weight within the family, the
missing-value policy in force, the normalization in force for the run's scoring
method, the transform and the winsorising quantiles — every default already
resolved, so no caller looks anything up again.

The module is pure Python (no pandas, no pydantic) so that the parameter layer can
build a spec without loading pandas; numpy is imported inside the two methods that
return arrays.

It also holds the method vocabulary — the names the kernels accept — which the
parameter models validate against (:data:`MISSING_POLICIES`, :data:`NORMALIZATIONS`,
:data:`METHODS` ...).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar, get_args

from prioanalysis.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import numpy as np

__all__ = [
    "CriteriaSpec",
    "Family",
    "Direction",
    "Normalization",
    "MissingPolicy",
    "Transform",
    "Method",
    "FAMILIES",
    "DIRECTIONS",
    "NORMALIZATIONS",
    "TOPSIS_NORMALIZATIONS",
    "DEFAULT_NORMALIZATION",
    "METHOD_DEFAULT_NORMALIZATION",
    "MISSING_POLICIES",
    "DEFAULT_MISSING_POLICY",
    "TRANSFORMS",
    "METHODS",
    "SPEC_WEIGHT_TOLERANCE",
]

# --------------------------------------------------------------------------- vocabulary
#: Family of a criterion: attractiveness of the customer to us, feasibility of serving it.
Family = Literal["attractiveness", "feasibility"]
#: ``benefit``: higher is better; ``cost``: lower is better.
Direction = Literal["benefit", "cost"]
#: Normalizations of a criterion (see :func:`prioanalysis.methods.scoring.normalize`).
Normalization = Literal["minmax", "vector", "max", "sum"]
#: Missing-value policies (see :mod:`prioanalysis.methods.preprocess`).
MissingPolicy = Literal["neutral", "median", "segment_median", "worst", "exclude_reweight"]
#: Transform applied before winsorising and normalization.
Transform = Literal["none", "log1p"]
#: Scoring methods (see :func:`prioanalysis.methods.scoring.score`).
Method = Literal["weighted_sum", "topsis"]

#: The families, in report order.
FAMILIES: tuple[str, ...] = get_args(Family)
#: Accepted criterion directions.
DIRECTIONS: tuple[str, ...] = get_args(Direction)
#: Normalizations accepted by the weighted sum (per criterion).
NORMALIZATIONS: tuple[str, ...] = get_args(Normalization)
#: Normalizations accepted by TOPSIS (one for the whole matrix).
TOPSIS_NORMALIZATIONS: tuple[str, ...] = ("vector", "minmax")
#: Normalization of a criterion that names none (``defaults.normalization``).
DEFAULT_NORMALIZATION: Normalization = "minmax"
#: Normalization each scoring method uses when the run names none: the weighted sum
#: min-max, TOPSIS vector normalization (Hwang & Yoon 1981).
METHOD_DEFAULT_NORMALIZATION: Mapping[str, str] = {"weighted_sum": "minmax", "topsis": "vector"}
#: The missing-value policies a criterion may declare.
MISSING_POLICIES: tuple[str, ...] = get_args(MissingPolicy)
#: Used when neither the criterion nor ``defaults.missing`` names a policy.
DEFAULT_MISSING_POLICY: MissingPolicy = "segment_median"
#: Transforms a criterion may declare.
TRANSFORMS: tuple[str, ...] = get_args(Transform)
#: Scoring methods.
METHODS: tuple[str, ...] = get_args(Method)
#: How far the weights given to :meth:`CriteriaSpec.with_weights` may sum from 1.
SPEC_WEIGHT_TOLERANCE: float = 1e-9

_V = TypeVar("_V")


class _FrozenDict(dict[str, _V]):
    """A dict that cannot be changed after it is made (keys in criteria order).

    A real ``dict`` so that pandas, ``json`` and ``dict(...)`` take it as one; every
    method that would change it raises ``TypeError``. Hashable and picklable.
    """

    __slots__ = ()

    def _readonly(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("the criteria spec is read-only; use CriteriaSpec.with_weights")

    __setitem__ = __delitem__ = _readonly
    clear = pop = popitem = setdefault = update = _readonly
    __ior__ = _readonly

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __repr__(self) -> str:
        return dict.__repr__(self)


def _frozen(ids: Iterable[str], values: Iterable[_V]) -> _FrozenDict[_V]:
    return _FrozenDict(zip(ids, values, strict=True))


def _fail(message: str) -> NoReturn:
    raise InputError(message)


@dataclass(frozen=True)
class CriteriaSpec:
    """The criteria of a run with every default resolved.

    Every mapping is read-only and keyed by criterion id in criteria order (the order
    of ``criteria.yaml``, which is the column order of every matrix).

    Attributes
    ----------
    ids : tuple of str
        Criterion ids in criteria order.
    labels : mapping
        Id → display label.
    families : mapping
        Id → ``attractiveness`` or ``feasibility``.
    directions : mapping
        Id → ``benefit`` or ``cost``.
    weights : mapping
        Id → global weight (family weight × weight within the family); sums to 1.
    weights_in_family : mapping
        Id → weight within its family (sums to 1 within each family whose total
        weight is positive).
    family_weights : mapping
        Family → its weight, for the families that have criteria.
    policies : mapping
        Id → missing-value policy in force.
    normalizations : mapping
        Id → normalization in force for :attr:`method`.
    transforms : mapping
        Id → ``none`` or ``log1p``.
    winsorize : mapping
        Id → ``(lower, upper)`` quantiles at which the transformed values are
        clipped, or None.
    method : str
        The scoring method, ``weighted_sum`` or ``topsis``.
    normalization : str or None
        The one normalization applied to the whole matrix when the run sets one
        (``scoring.normalization``) or the method imposes one (TOPSIS); None when
        each criterion has its own (weighted sum).
    version : str
        Version of the criteria file.

    Examples
    --------
    >>> spec = CriteriaSpec.from_records(
    ...     [{"id": "budget", "label": "Budget", "family": "attractiveness",
    ...       "direction": "benefit", "weight": 0.6},
    ...      {"id": "days", "label": "Payment days", "family": "feasibility",
    ...       "direction": "cost", "weight": 0.4, "missing": "worst"}])
    >>> spec.ids
    ('budget', 'days')
    >>> spec.directions
    {'budget': 'benefit', 'days': 'cost'}
    >>> spec.policies["days"], spec.normalizations["days"]
    ('worst', 'minmax')
    >>> spec.with_weights({"budget": 0.5, "days": 0.5}).weights
    {'budget': 0.5, 'days': 0.5}
    """

    ids: tuple[str, ...]
    labels: Mapping[str, str]
    families: Mapping[str, str]
    directions: Mapping[str, str]
    weights: Mapping[str, float]
    weights_in_family: Mapping[str, float]
    family_weights: Mapping[str, float]
    policies: Mapping[str, str]
    normalizations: Mapping[str, str]
    transforms: Mapping[str, str]
    winsorize: Mapping[str, tuple[float, float] | None]
    method: str = "weighted_sum"
    normalization: str | None = None
    version: str = ""

    def __post_init__(self) -> None:
        ids = tuple(self.ids)
        if not ids:
            _fail("the criteria spec needs at least one criterion")
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            _fail(f"criterion ids must be unique; repeated: {dupes}")
        object.__setattr__(self, "ids", ids)
        for name in (
            "labels",
            "families",
            "directions",
            "weights",
            "weights_in_family",
            "policies",
            "normalizations",
            "transforms",
            "winsorize",
        ):
            value = getattr(self, name)
            if not isinstance(value, Mapping) or list(value) != list(ids):
                keys = list(value) if isinstance(value, Mapping) else value
                _fail(f"spec field {name!r} must be keyed by the criterion ids {list(ids)} in that order; got {keys}")
            object.__setattr__(self, name, _frozen(ids, (value[i] for i in ids)))
        object.__setattr__(self, "family_weights", _FrozenDict(self.family_weights))
        _check_values(self)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_records(
        cls,
        criteria: Iterable[Mapping[str, Any]],
        *,
        method: str = "weighted_sum",
        normalization: str | None = None,
        family_weights: Mapping[str, float] | None = None,
        default_policy: str = DEFAULT_MISSING_POLICY,
        default_normalization: str = DEFAULT_NORMALIZATION,
        version: str = "",
    ) -> CriteriaSpec:
        """Build a spec from one mapping per criterion, resolving every default.

        Parameters
        ----------
        criteria : iterable of mappings
            Each with ``id``, ``label``, ``family``, ``direction``, ``weight`` and
            optionally ``transform``, ``winsorize``, ``normalization``, ``missing``
            (None = the default), as in ``criteria.yaml``.
        method : {"weighted_sum", "topsis"}
            The scoring method.
        normalization : str, optional
            One normalization for the whole matrix (``scoring.normalization``).
        family_weights : mapping, optional
            Family → weight; then each ``weight`` is within its family and the
            global weight is the product. Without it the weights are global.
        default_policy, default_normalization : str
            ``defaults.missing`` and ``defaults.normalization`` of the file.
        version : str
            Version of the criteria file.

        Returns
        -------
        CriteriaSpec

        Notes
        -----
        The normalization in force is resolved by the run's rule: the run's
        ``normalization`` when set; else vector normalization for TOPSIS; else each
        criterion's own (or the default) for the weighted sum.
        """
        rows = [dict(c) for c in criteria]
        ids = [str(c["id"]) for c in rows]
        own = [float(c["weight"]) for c in rows]
        fams = [str(c["family"]) for c in rows]
        if method not in METHODS:
            _fail(f"unknown scoring method {method!r}; accepted: {', '.join(METHODS)}")
        if normalization is None and method == "topsis":
            normalization = METHOD_DEFAULT_NORMALIZATION["topsis"]
        if normalization is not None:
            norms = [normalization] * len(rows)
        else:
            norms = [c.get("normalization") or default_normalization for c in rows]
        if family_weights is None:
            weights = own
        else:
            missing = sorted({f for f in fams if f not in family_weights})
            if missing:
                _fail(f"family_weights has no weight for famil{'y' if len(missing) == 1 else 'ies'} {missing}")
            weights = [float(family_weights[f]) * w for f, w in zip(fams, own, strict=True)]
        totals = _family_totals(fams, weights)
        if family_weights is None:
            in_family = [w / totals[f] if totals[f] > 0 else 0.0 for f, w in zip(fams, weights, strict=True)]
            fam_w = totals
        else:
            in_family = own
            fam_w = {f: float(family_weights[f]) for f in totals}
        return cls(
            ids=tuple(ids),
            labels=dict(zip(ids, (str(c["label"]) for c in rows), strict=True)),
            families=dict(zip(ids, fams, strict=True)),
            directions=dict(zip(ids, (str(c["direction"]) for c in rows), strict=True)),
            weights=dict(zip(ids, weights, strict=True)),
            weights_in_family=dict(zip(ids, in_family, strict=True)),
            family_weights=fam_w,
            policies=dict(zip(ids, (c.get("missing") or default_policy for c in rows), strict=True)),
            normalizations=dict(zip(ids, norms, strict=True)),
            transforms=dict(zip(ids, (c.get("transform") or "none" for c in rows), strict=True)),
            winsorize=dict(zip(ids, (_quantiles(c.get("winsorize")) for c in rows), strict=True)),
            method=method,
            normalization=normalization,
            version=version,
        )

    def with_weights(self, weights: Mapping[str, float]) -> CriteriaSpec:
        """The same spec with other global weights (a what-if, one weight draw).

        Parameters
        ----------
        weights : mapping
            Criterion id → global weight for exactly the spec's criteria; finite,
            non-negative, summing to 1 within :data:`SPEC_WEIGHT_TOLERANCE`. The
            values are kept as given (the scoring rescales within the tolerance).

        Returns
        -------
        CriteriaSpec
            The weights within the families and the family weights follow the new
            global weights (each family's total, and each weight's share of it).

        Raises
        ------
        InputError
            Weights missing or extra criteria, negative, not finite, or not
            summing to 1.

        Examples
        --------
        >>> spec = CriteriaSpec.from_records(
        ...     [{"id": "a", "label": "A", "family": "attractiveness", "direction": "benefit", "weight": 0.5},
        ...      {"id": "b", "label": "B", "family": "attractiveness", "direction": "benefit", "weight": 0.25},
        ...      {"id": "c", "label": "C", "family": "feasibility", "direction": "cost", "weight": 0.25}])
        >>> s = spec.with_weights({"a": 0.2, "b": 0.2, "c": 0.6})
        >>> s.family_weights, s.weights_in_family["a"]
        ({'attractiveness': 0.4, 'feasibility': 0.6}, 0.5)
        """
        if not isinstance(weights, Mapping):
            _fail(f"weights must be a mapping criterion -> weight; got {type(weights).__name__}")
        missing = [i for i in self.ids if i not in weights]
        extra = [k for k in weights if k not in self.weights]
        if missing or extra:
            _fail(
                "weights must cover exactly the criteria"
                + (f"; missing: {missing}" if missing else "")
                + (f"; not criteria: {extra}" if extra else "")
            )
        try:
            values = [float(weights[i]) for i in self.ids]
        except (TypeError, ValueError) as exc:
            _fail(f"weights must be numbers: {exc}")
        bad = [i for i, w in zip(self.ids, values, strict=True) if not math.isfinite(w) or w < 0]
        if bad:
            _fail(f"weights must be finite and non-negative; not so for {bad}")
        total = math.fsum(values)
        if abs(total - 1.0) > SPEC_WEIGHT_TOLERANCE:
            _fail(f"weights sum to {total:.12g}, expected 1 (tolerance {SPEC_WEIGHT_TOLERANCE:g})")
        fams = [self.families[i] for i in self.ids]
        totals = _family_totals(fams, values)
        return CriteriaSpec(
            ids=self.ids,
            labels=self.labels,
            families=self.families,
            directions=self.directions,
            weights=dict(zip(self.ids, values, strict=True)),
            weights_in_family={
                i: (w / totals[f] if totals[f] > 0 else 0.0) for i, f, w in zip(self.ids, fams, values, strict=True)
            },
            family_weights=totals,
            policies=self.policies,
            normalizations=self.normalizations,
            transforms=self.transforms,
            winsorize=self.winsorize,
            method=self.method,
            normalization=self.normalization,
            version=self.version,
        )

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __contains__(self, cid: object) -> bool:
        return cid in self.weights

    def position(self, cid: str) -> int:
        """Column position of criterion ``cid`` (KeyError when unknown)."""
        try:
            return self.ids.index(cid)
        except ValueError:
            raise KeyError(cid) from None

    def family_of(self, cid: str) -> str:
        """Family of criterion ``cid`` (KeyError when unknown)."""
        return self.families[cid]

    def ids_in(self, family: str) -> tuple[str, ...]:
        """Ids of the criteria of ``family``, in criteria order (empty when none)."""
        return tuple(i for i in self.ids if self.families[i] == family)

    def family_totals(self) -> dict[str, float]:
        """Total global weight of each family that has criteria, summed in criteria
        order (equals :attr:`family_weights` up to rounding).
        """
        return _family_totals([self.families[i] for i in self.ids], [self.weights[i] for i in self.ids])

    @property
    def scoring_normalization(self) -> str | dict[str, str]:
        """The normalization argument of :func:`prioanalysis.methods.scoring.score`:
        the one name when the whole matrix has one (:attr:`normalization`), else the
        per-criterion mapping. This is also what a run records.
        """
        return self.normalization if self.normalization is not None else dict(self.normalizations)

    @property
    def reweights(self) -> bool:
        """True when some criterion's policy is ``exclude_reweight``."""
        return "exclude_reweight" in self.policies.values()

    def weight_array(self) -> np.ndarray:
        """Global weights as a float array in criteria order."""
        import numpy as np

        return np.fromiter((self.weights[i] for i in self.ids), dtype=float, count=len(self.ids))

    def benefit_mask(self) -> np.ndarray:
        """Boolean array in criteria order, False for a cost criterion."""
        import numpy as np

        return np.fromiter((self.directions[i] == "benefit" for i in self.ids), dtype=bool, count=len(self.ids))

    def subset(self, ids: Iterable[str]) -> CriteriaSpec:
        """The spec restricted to ``ids`` (kept in criteria order), with the global
        weights rescaled to sum to 1 over them.

        Raises
        ------
        InputError
            An id that is not a criterion, no id at all, or ids whose weights are all 0.
        """
        keep = set(ids)
        unknown = sorted(keep - set(self.ids))
        if unknown:
            _fail(f"not criteria of the spec: {unknown}")
        chosen = tuple(i for i in self.ids if i in keep)
        if not chosen:
            _fail("a subset of the criteria needs at least one criterion")
        total = math.fsum(self.weights[i] for i in chosen)
        if total <= 0:
            _fail(f"the criteria {list(chosen)} have no weight")

        def pick(m: Mapping[str, _V]) -> dict[str, _V]:
            return {i: m[i] for i in chosen}

        fams = [self.families[i] for i in chosen]
        weights = [self.weights[i] / total for i in chosen]
        totals = _family_totals(fams, weights)
        return CriteriaSpec(
            ids=chosen,
            labels=pick(self.labels),
            families=pick(self.families),
            directions=pick(self.directions),
            weights=dict(zip(chosen, weights, strict=True)),
            weights_in_family={
                i: (w / totals[f] if totals[f] > 0 else 0.0) for i, f, w in zip(chosen, fams, weights, strict=True)
            },
            family_weights=totals,
            policies=pick(self.policies),
            normalizations=pick(self.normalizations),
            transforms=pick(self.transforms),
            winsorize=pick(self.winsorize),
            method=self.method,
            normalization=self.normalization,
            version=self.version,
        )


def _quantiles(value: Any) -> tuple[float, float] | None:
    """``[lower, upper]`` as a pair of floats (None stays None)."""
    if not value:
        return None
    lower, upper = value
    return (float(lower), float(upper))


def _family_totals(families: list[str], weights: list[float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for fam, w in zip(families, weights, strict=True):
        out[fam] = out.get(fam, 0.0) + w
    return out


def _check_values(spec: CriteriaSpec) -> None:
    """Refuse names outside the vocabulary and weights that are not weights."""
    checks: tuple[tuple[str, Mapping[str, Any], tuple[str, ...]], ...] = (
        ("family", spec.families, FAMILIES),
        ("direction", spec.directions, DIRECTIONS),
        ("missing-value policy", spec.policies, MISSING_POLICIES),
        ("normalization", spec.normalizations, NORMALIZATIONS),
        ("transform", spec.transforms, TRANSFORMS),
    )
    for what, mapping, accepted in checks:
        bad = {k: v for k, v in mapping.items() if v not in accepted}
        if bad:
            _fail(f"unknown {what} {bad}; accepted: {', '.join(accepted)}")
    if spec.method not in METHODS:
        _fail(f"unknown scoring method {spec.method!r}; accepted: {', '.join(METHODS)}")
    if spec.method == "topsis" and spec.normalization not in TOPSIS_NORMALIZATIONS:
        _fail(
            f"TOPSIS takes one normalization for the whole matrix, one of "
            f"{', '.join(TOPSIS_NORMALIZATIONS)}; got {spec.normalization!r}"
        )
    if spec.normalization is not None and set(spec.normalizations.values()) != {spec.normalization}:
        _fail(
            f"normalization {spec.normalization!r} is set for the matrix but the criteria have "
            f"{dict(spec.normalizations)}"
        )
    bad_w = [i for i, w in spec.weights.items() if not (isinstance(w, (int, float)) and math.isfinite(w) and w >= 0)]
    if bad_w:
        _fail(f"weights must be finite and non-negative; not so for {bad_w}")
    for cid, q in spec.winsorize.items():
        if q is not None and not (len(q) == 2 and 0.0 <= q[0] < q[1] <= 1.0):
            _fail(f"criterion {cid!r}: winsorize needs quantiles 0 <= lower < upper <= 1; got {q}")
