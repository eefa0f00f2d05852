"""The calibration step of the cycle on the bundled sample data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prioanalysis.steps import calibration as recalibration
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.config.params import load_params

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
    assert inputs.truth is not None


def test_recalibration_recovers_the_generators_weights(inputs: recalibration.CalibrationInputs) -> None:
    """The sample outcomes come from known weights (data/sample/README.md).

    With ~750 conversions the bootstrap standard error of a data-implied weight is
    about 0.02 (see calibration's table), so every weight should be within 0.06
    (three standard errors) and the mean absolute error well below that.
    """
    rep = recalibration.recalibrate(inputs, n_boot=50, seed=1)
    err = rep.weights["abs_error_data"]
    assert err.max() < 0.06, err
    assert err.mean() < 0.03
    assert abs(rep.weights["proposed"].sum() - 1) < 1e-9
    assert set(rep.result.cv.index) == {"expert", "data", "blended"}
    assert rep.thresholds["meets_target"].iloc[:2].all()


def test_missing_previous_year_is_a_params_error(tmp_path: Path) -> None:
    d = tmp_path / "params" / "2030"
    shutil.copytree(ROOT / "params" / "2026", d)
    (d / "run.yaml").write_text((d / "run.yaml").read_text(encoding="utf-8").replace("year: 2026", "year: 2030"),
                                encoding="utf-8")
    with pytest.raises(ParamsError, match="no parameters for 2029"):
        recalibration.load_calibration_inputs(load_params(d))


def test_bad_outcomes_file_names_rows(tmp_path: Path) -> None:
    bad = tmp_path / "outcomes.csv"
    bad.write_text("customer_id,won,revenue\nC1,1,10\nC2,yes,0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"outcomes.csv: rows \[3\]"):
        recalibration.load_calibration_inputs(load_params(ROOT / "params" / "2026"), outcomes_path=str(bad))
