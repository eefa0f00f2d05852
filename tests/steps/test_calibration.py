"""The calibration step of the cycle on the bundled sample data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from prioanalysis.config.params import load_params
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.steps import calibration as recalibration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs() -> recalibration.CalibrationInputs:
    return recalibration.load_calibration_inputs(load_params(ROOT / "params" / "2026"))


def test_inputs_are_last_years_scored_criteria(inputs: recalibration.CalibrationInputs) -> None:
    assert inputs.year == 2025
    assert inputs.matrix.notna().all().all()  # missing-value policies applied as scored
    assert list(inputs.matrix.columns) == list(inputs.expert_weights.index)
    assert abs(inputs.expert_weights.sum() - 1) < 1e-12
    assert 0.2 < inputs.won.mean() < 0.3
    assert (inputs.revenue[inputs.won == 0] == 0).all()
    assert not hasattr(inputs, "truth")  # the product does not look for the sample's true weights


def test_recalibration_recovers_the_generators_weights(inputs: recalibration.CalibrationInputs) -> None:
    """The sample outcomes come from known weights (data/sample/README.md).

    With ~750 conversions the bootstrap standard error of a data-implied weight is
    about 0.02 (see calibration's table), so every weight should be within 0.06
    (three standard errors) and the mean absolute error well below that.
    """
    rep = recalibration.recalibrate(inputs, n_boot=50, seed=1)
    true = pd.read_csv(ROOT / "data" / "sample" / "true_weights.csv").set_index("criterion")["weight"]
    assert set(rep.weights.columns) == {"expert", "data", "proposed", "proposed_ci_low", "proposed_ci_high"}
    err = (rep.weights["data"] - true.reindex(rep.weights.index)).abs()
    assert err.notna().all()
    assert err.max() < 0.06, err
    assert err.mean() < 0.03
    assert abs(rep.weights["proposed"].sum() - 1) < 1e-9
    assert set(rep.result.cv.index) == {"expert", "data", "blended"}
    assert rep.thresholds["meets_target"].iloc[:2].all()


def test_missing_previous_year_is_a_params_error(tmp_path: Path) -> None:
    d = tmp_path / "params" / "2030"
    shutil.copytree(ROOT / "params" / "2026", d)
    (d / "run.yaml").write_text(
        (d / "run.yaml").read_text(encoding="utf-8").replace("year: 2026", "year: 2030"), encoding="utf-8"
    )
    with pytest.raises(ParamsError, match="no parameters for 2029"):
        recalibration.load_calibration_inputs(load_params(d))


def test_bad_outcomes_file_names_rows(tmp_path: Path) -> None:
    bad = tmp_path / "outcomes.csv"
    bad.write_text("customer_id,won,revenue\nC1,1,10\nC2,yes,0\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"outcomes.csv: 1 problem\(s\) in the outcomes:\n  - row 3, column 'won': 'yes' is not 0 or 1"
    ):
        recalibration.load_calibration_inputs(load_params(ROOT / "params" / "2026"), outcomes_path=str(bad))


def test_duplicate_customer_in_outcomes_is_refused(tmp_path: Path) -> None:
    """The calibration reads outcomes like the review and the database do: a customer
    listed twice is an error, not silently the first row."""
    dup = tmp_path / "outcomes.csv"
    dup.write_text("customer_id,won,revenue\nC000001,1,10\nC000001,0,0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rows 2, 3, column 'customer_id': listed more than once \('C000001'\)"):
        recalibration.load_calibration_inputs(load_params(ROOT / "params" / "2026"), outcomes_path=str(dup))


# ------------------------------------------------------------- criteria values as scored
def test_calibration_matrix_is_last_years_ranking_matrix(inputs: recalibration.CalibrationInputs) -> None:
    """The criteria values come from Y−1's list prepared by the ranking's own
    preprocessor: exactly the matrix the Y−1 ranking scored (without ranking again)."""
    from prioanalysis.steps.ranking import run_ranking

    ranked = run_ranking(inputs.previous)
    expected = ranked.prepared.matrix.loc[inputs.matrix.index, list(inputs.matrix.columns)]
    pd.testing.assert_frame_equal(inputs.matrix, expected, check_exact=True)
    # the normalization is this year's weighted sum's, per criterion
    assert inputs.normalization == dict.fromkeys(inputs.matrix.columns, "minmax")


# ------------------------------------------------------------- write_proposed_criteria
CRITERIA_TEXT = "criteria:\n  - id: a  # budget\n    weight: 0.5\n  - id: b\n    weight: 0.5\n"


def test_write_proposed_criteria_writes_the_file_and_its_diff(tmp_path: Path) -> None:
    src = tmp_path / "criteria.yaml"
    src.write_text(CRITERIA_TEXT, encoding="utf-8")
    out = tmp_path / "review" / "criteria_proposed.yaml"
    diff = recalibration.write_proposed_criteria(src, pd.Series({"a": 0.7, "b": 0.3}), out)
    assert out.read_text(encoding="utf-8") == CRITERIA_TEXT.replace("0.5\n  -", "0.7000\n  -").replace(
        "weight: 0.5\n", "weight: 0.3000\n"
    )
    assert diff == Path(str(out) + ".diff").read_text(encoding="utf-8")
    changed = [x for x in diff.splitlines() if x[:1] in "+-" and not x.startswith(("+++", "---"))]
    assert changed == ["-    weight: 0.5", "-    weight: 0.5", "+    weight: 0.7000", "+    weight: 0.3000"] or sorted(
        changed
    ) == sorted(["-    weight: 0.5", "+    weight: 0.7000", "-    weight: 0.5", "+    weight: 0.3000"])


def test_write_proposed_criteria_accepts_calibration_results(
    tmp_path: Path, inputs: recalibration.CalibrationInputs
) -> None:
    import yaml

    rep = recalibration.recalibrate(inputs, n_boot=10, seed=1)
    text = "criteria:\n" + "".join(f"  - id: {c}\n    weight: 0.1\n" for c in rep.result.weights.index)
    src = tmp_path / "c.yaml"
    src.write_text(text, encoding="utf-8")
    for given in (rep, rep.result, rep.result.weights, rep.result.weights.to_dict()):
        recalibration.write_proposed_criteria(src, given, tmp_path / "o.yaml")
        doc = yaml.safe_load((tmp_path / "o.yaml").read_text(encoding="utf-8"))
        got = pd.Series({c["id"]: c["weight"] for c in doc["criteria"]})
        assert (got - rep.result.weights.reindex(got.index)).abs().max() <= 1e-4


def test_write_proposed_criteria_refuses_params_directory(tmp_path: Path) -> None:
    src = tmp_path / "criteria.yaml"
    src.write_text(CRITERIA_TEXT, encoding="utf-8")
    out = tmp_path / "params" / "2027" / "criteria.yaml"
    with pytest.raises(ParamsError, match="params"):
        recalibration.write_proposed_criteria(src, {"a": 0.5, "b": 0.5}, out)
    assert not out.exists() and not (tmp_path / "params").exists()
    with pytest.raises(ParamsError, match="overwrite"):
        recalibration.write_proposed_criteria(src, {"a": 0.5, "b": 0.5}, src)
    with pytest.raises(ParamsError, match="Cannot read"):
        recalibration.write_proposed_criteria(tmp_path / "absent.yaml", {"a": 1.0}, tmp_path / "o.yaml")
    flow = tmp_path / "flow.yaml"
    flow.write_text("criteria: [{id: a, weight: 0.5}, {id: b, weight: 0.5}]\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="block list"):
        recalibration.write_proposed_criteria(flow, {"a": 0.5, "b": 0.5}, tmp_path / "o.yaml")
    assert not (tmp_path / "o.yaml").exists()
