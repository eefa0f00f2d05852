"""Tests of prioanalysis.methods.spec: the criteria spec built once per run."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
import typing

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioanalysis.config import params as config_params
from prioanalysis.config.params import CriteriaParams, criteria_spec, load_params
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods import scoring
from prioanalysis.methods import spec as spec_module
from prioanalysis.methods.spec import (
    DEFAULT_MISSING_POLICY,
    MISSING_POLICIES,
    NORMALIZATIONS,
    CriteriaSpec,
)
from tests.conftest import PARAMS_SRC

RECORDS = [
    {
        "id": "budget",
        "label": "预算",
        "family": "attractiveness",
        "direction": "benefit",
        "weight": 0.5,
        "transform": "log1p",
    },
    {
        "id": "fit",
        "label": "Fit",
        "family": "attractiveness",
        "direction": "benefit",
        "weight": 0.5,
        "normalization": "max",
        "missing": "median",
    },
    {
        "id": "days",
        "label": "Days",
        "family": "feasibility",
        "direction": "cost",
        "weight": 1.0,
        "winsorize": [0.0, 0.9],
        "missing": "worst",
    },
]


def _spec(**kw) -> CriteriaSpec:
    return CriteriaSpec.from_records(RECORDS, family_weights={"attractiveness": 0.6, "feasibility": 0.4}, **kw)


# --------------------------------------------------------------------------- building
def test_from_records_resolves_every_default() -> None:
    s = _spec(version="v1")
    assert s.ids == ("budget", "fit", "days")
    assert s.labels == {"budget": "预算", "fit": "Fit", "days": "Days"}
    assert s.families["days"] == "feasibility" and s.family_of("fit") == "attractiveness"
    # global = family weight x within-family weight: 0.6 x 0.5, 0.6 x 0.5, 0.4 x 1
    assert s.weights == {"budget": 0.3, "fit": 0.3, "days": 0.4}
    assert s.weights_in_family == {"budget": 0.5, "fit": 0.5, "days": 1.0}
    assert s.family_weights == {"attractiveness": 0.6, "feasibility": 0.4}
    assert s.policies == {"budget": DEFAULT_MISSING_POLICY, "fit": "median", "days": "worst"}
    assert s.normalizations == {"budget": "minmax", "fit": "max", "days": "minmax"}
    assert s.transforms == {"budget": "log1p", "fit": "none", "days": "none"}
    assert s.winsorize == {"budget": None, "fit": None, "days": (0.0, 0.9)}
    assert s.method == "weighted_sum" and s.normalization is None and s.version == "v1"
    assert s.scoring_normalization == {"budget": "minmax", "fit": "max", "days": "minmax"}


def test_normalization_rule_of_the_run() -> None:
    """The run's rule: scoring.normalization if set; else TOPSIS -> vector; else each
    criterion's own (or defaults.normalization)."""
    assert _spec(normalization="sum").normalizations == dict.fromkeys(("budget", "fit", "days"), "sum")
    assert _spec(normalization="sum").scoring_normalization == "sum"
    top = _spec(method="topsis")
    assert top.normalizations == dict.fromkeys(("budget", "fit", "days"), "vector")
    assert top.scoring_normalization == "vector"
    assert _spec(method="topsis", normalization="minmax").scoring_normalization == "minmax"
    assert _spec(default_normalization="vector").normalizations["budget"] == "vector"
    with pytest.raises(InputError, match="TOPSIS takes one normalization"):
        _spec(method="topsis", normalization="max")


def test_without_family_weights_the_weights_are_global() -> None:
    recs = [{**r, "weight": w} for r, w in zip(RECORDS, (0.2, 0.3, 0.5))]
    s = CriteriaSpec.from_records(recs)
    assert s.weights == {"budget": 0.2, "fit": 0.3, "days": 0.5}
    # within family: 0.2 / 0.5, 0.3 / 0.5, 0.5 / 0.5; family weights are the totals
    assert s.weights_in_family == pytest.approx({"budget": 0.4, "fit": 0.6, "days": 1.0})
    assert s.family_weights == {"attractiveness": 0.5, "feasibility": 0.5}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"direction": "up"}, "unknown direction"),
        ({"family": "other"}, "unknown family"),
        ({"missing": "mean"}, "unknown missing-value policy"),
        ({"normalization": "zscore"}, "unknown normalization"),
        ({"transform": "sqrt"}, "unknown transform"),
        ({"weight": -0.1}, "finite and non-negative"),
        ({"winsorize": [0.9, 0.1]}, "winsorize"),
    ],
)
def test_values_outside_the_vocabulary_are_refused(change: dict, message: str) -> None:
    recs = copy.deepcopy(RECORDS)
    recs[1].update(change)
    with pytest.raises(InputError, match=message):
        CriteriaSpec.from_records(recs)


def test_structure_errors() -> None:
    with pytest.raises(InputError, match="at least one criterion"):
        CriteriaSpec.from_records([])
    with pytest.raises(InputError, match="unique"):
        CriteriaSpec.from_records([RECORDS[0], RECORDS[0]])
    with pytest.raises(InputError, match="no weight for family"):
        CriteriaSpec.from_records(RECORDS, family_weights={"attractiveness": 1.0})
    with pytest.raises(InputError, match="unknown scoring method"):
        CriteriaSpec.from_records(RECORDS, method="electre")
    s = _spec()
    with pytest.raises(InputError, match="keyed by the criterion ids"):
        CriteriaSpec(**{**_fields(s), "labels": {"budget": "B"}})


def _fields(s: CriteriaSpec) -> dict:
    return {f: getattr(s, f) for f in s.__dataclass_fields__}


# --------------------------------------------------------------------------- immutability
def test_the_spec_is_read_only_hashable_and_picklable() -> None:
    s = _spec()
    with pytest.raises(TypeError, match="read-only"):
        s.weights["budget"] = 1.0  # type: ignore[index]
    for name in ("update", "pop", "clear", "setdefault", "popitem"):
        with pytest.raises(TypeError):
            getattr(s.weights, name)("budget")
    with pytest.raises(AttributeError):
        s.method = "topsis"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(s)) == s
    assert copy.deepcopy(s) == s and hash(copy.deepcopy(s)) == hash(s)
    # the mappings are real dicts: json, pandas and dict() take them as they are
    assert json.loads(json.dumps(s.directions)) == {"budget": "benefit", "fit": "benefit", "days": "cost"}
    assert pd.Series(s.weights).index.tolist() == ["budget", "fit", "days"]
    assert isinstance(s.weights, dict) and repr(s.weights).startswith("{'budget'")


# --------------------------------------------------------------------------- helpers
def test_reading_helpers() -> None:
    s = _spec()
    assert len(s) == 3 and list(s) == ["budget", "fit", "days"] and "fit" in s and "x" not in s
    assert s.position("days") == 2
    with pytest.raises(KeyError):
        s.position("x")
    assert s.ids_in("attractiveness") == ("budget", "fit") and s.ids_in("feasibility") == ("days",)
    assert s.ids_in("nothing") == ()
    np.testing.assert_array_equal(s.weight_array(), [0.3, 0.3, 0.4])
    np.testing.assert_array_equal(s.benefit_mask(), [True, True, False])
    assert s.family_totals() == pytest.approx({"attractiveness": 0.6, "feasibility": 0.4})
    assert not s.reweights
    assert CriteriaSpec.from_records([{**RECORDS[0], "missing": "exclude_reweight"}]).reweights


def test_with_weights_gives_a_new_spec() -> None:
    s = _spec()
    t = s.with_weights({"budget": 0.1, "fit": 0.3, "days": 0.6})
    assert t.weights == {"budget": 0.1, "fit": 0.3, "days": 0.6}
    assert s.weights == {"budget": 0.3, "fit": 0.3, "days": 0.4}  # unchanged
    assert t.family_weights == pytest.approx({"attractiveness": 0.4, "feasibility": 0.6})
    assert t.weights_in_family == pytest.approx({"budget": 0.25, "fit": 0.75, "days": 1.0})
    assert (t.labels, t.policies, t.normalizations, t.method) == (s.labels, s.policies, s.normalizations, s.method)
    with pytest.raises(InputError, match="missing: \\['days'\\]"):
        s.with_weights({"budget": 0.5, "fit": 0.5})
    with pytest.raises(InputError, match="not criteria: \\['x'\\]"):
        s.with_weights({"budget": 0.5, "fit": 0.5, "days": 0.0, "x": 0.0})
    with pytest.raises(InputError, match="sum to"):
        s.with_weights({"budget": 0.5, "fit": 0.5, "days": 0.5})
    with pytest.raises(InputError, match="non-negative"):
        s.with_weights({"budget": 1.5, "fit": -0.5, "days": 0.0})
    with pytest.raises(InputError, match="numbers"):
        s.with_weights({"budget": "x", "fit": 0.5, "days": 0.5})


@given(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda v: sum(v) > 0.01))
def test_with_weights_scores_like_the_weights_given(raw: list[float]) -> None:
    """A weight draw through the spec scores exactly as the draw given to the kernel."""
    total = sum(raw)
    w = dict(zip(("budget", "fit", "days"), (x / total for x in raw)))
    if abs(sum(w.values()) - 1.0) > 1e-9:
        return
    s = _spec().with_weights(w)
    m = pd.DataFrame({"budget": [1.0, 2.0, 5.0], "fit": [3.0, 1.0, 2.0], "days": [10.0, 30.0, 20.0]})
    got = scoring.score(m, s.weights, s.directions, normalization=s.scoring_normalization).scores
    want = scoring.score(
        m,
        w,
        {"budget": "benefit", "fit": "benefit", "days": "cost"},
        normalization={"budget": "minmax", "fit": "max", "days": "minmax"},
    ).scores
    pd.testing.assert_series_equal(got, want, check_exact=True)


def test_subset_rescales_the_weights() -> None:
    s = _spec().subset(["days", "budget"])
    assert s.ids == ("budget", "days")  # criteria order kept
    assert s.weights == pytest.approx({"budget": 0.3 / 0.7, "days": 0.4 / 0.7})
    assert s.policies == {"budget": "segment_median", "days": "worst"}
    with pytest.raises(InputError, match="not criteria"):
        _spec().subset(["x"])
    with pytest.raises(InputError, match="at least one"):
        _spec().subset([])


# --------------------------------------------------------------------------- vocabulary
def test_vocabulary_lives_in_methods_and_config_uses_it() -> None:
    """One place for the method vocabulary: config's models validate against it."""
    assert config_params.MISSING_POLICIES is MISSING_POLICIES
    assert config_params.DEFAULT_MISSING_POLICY is DEFAULT_MISSING_POLICY
    assert scoring.NORMALIZATIONS is NORMALIZATIONS
    assert typing.get_args(config_params.Criterion.model_fields["missing"].annotation)[0] is spec_module.MissingPolicy
    assert set(typing.get_args(spec_module.MissingPolicy)) == set(MISSING_POLICIES)
    with pytest.raises(Exception, match="missing"):
        CriteriaParams.model_validate(
            {
                "version": "x",
                "criteria": [
                    {
                        "id": "a",
                        "label": "A",
                        "family": "attractiveness",
                        "direction": "benefit",
                        "weight": 1.0,
                        "missing": "mean",
                    }
                ],
            }
        )


def test_spec_module_needs_neither_pandas_nor_pydantic() -> None:
    code = (
        "import sys; import prioanalysis.methods.spec as s; "
        "assert 'pandas' not in sys.modules and 'pydantic' not in sys.modules, sorted(sys.modules); "
        "s.CriteriaSpec.from_records([{'id': 'a', 'label': 'A', 'family': 'feasibility', "
        "'direction': 'cost', 'weight': 1.0}])"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- from the parameters
def test_params_spec_is_built_once_and_matches_the_criteria_file() -> None:
    params = load_params(PARAMS_SRC)
    s = params.spec
    assert s is params.spec  # cached: built once per run
    crit = params.criteria
    assert s.ids == tuple(crit.ids)
    assert s.weights == crit.global_weights()
    assert s.family_totals() == crit.family_totals()
    assert s.labels == {c.id: c.label for c in crit.criteria}
    assert s.directions == {c.id: c.direction for c in crit.criteria}
    assert s.families == {c.id: c.family for c in crit.criteria}
    assert s.policies == {c.id: crit.policy(c) for c in crit.criteria}
    assert s.normalizations == {c.id: crit.normalization(c) for c in crit.criteria}
    assert s.winsorize == {c.id: c.winsorize for c in crit.criteria}
    assert s.method == params.run.scoring.method and s.version == crit.version
    assert s.family_weights == crit.family_weights


def test_criteria_spec_refusal_names_the_run_file(params_dir) -> None:
    from tests.conftest import edit_yaml

    edit_yaml(params_dir / "run.yaml", lambda d: d["scoring"].update(method="topsis", normalization="sum"))
    params = load_params(params_dir)
    with pytest.raises(ParamsError, match=r"run\.yaml.*TOPSIS takes one normalization"):
        _ = params.spec
    with pytest.raises(ParamsError, match="TOPSIS"):
        criteria_spec(params.criteria, "topsis", "max")
