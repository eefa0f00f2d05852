"""Tests of the synthetic sample-data generator (``prioanalysis.sample``)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import spearmanr

from prioanalysis.app.cli import main as cli_main
from prioanalysis.sample import (
    CRITERIA,
    LIST_YEARS,
    MISSING_RATES,
    OUTCOME_BETA,
    OUTCOME_YEARS,
    SIZE_LOADINGS,
    generate_sample,
    generate_truth,
    write_sample,
)

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
ALWAYS_FILLED = (
    "customer_id",
    "customer_name",
    "segment",
    "region",
    "deal_size",
    "strategic_fit",
    "industry_influence",
    "competitive_intensity",
    "pipeline_stage",
    "expected_months_to_close",
    "need_status",
)
INTEGER_COLUMNS = (
    "strategic_fit",
    "industry_influence",
    "relationship_strength",
    "competitive_intensity",
    "payment_days",
)


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample()


@pytest.fixture(scope="module")
def truth() -> dict[str, pd.DataFrame]:
    return generate_truth()


def _customers(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per customer of a preliminary list."""
    return frame.drop_duplicates("customer_id").reset_index(drop=True)


# ------------------------------------------------------------------ committed files
def test_committed_csv_equal_generate_sample_bytes(sample: dict[str, pd.DataFrame]) -> None:
    committed = {p.stem for p in SAMPLE_DIR.glob("*.csv")}
    assert committed == set(sample)
    for stem, frame in sample.items():
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, lineterminator="\n")
        expected = buffer.getvalue().encode("utf-8")
        assert (SAMPLE_DIR / f"{stem}.csv").read_bytes() == expected, f"{stem}.csv is stale: regenerate"


def test_committed_files_equal_write_sample(tmp_path: Path) -> None:
    written = write_sample(tmp_path)
    assert {p.name for p in written} == {p.name for p in SAMPLE_DIR.iterdir() if p.is_file()}
    for path in written:
        assert (SAMPLE_DIR / path.name).read_bytes() == path.read_bytes(), f"{path.name} is stale"


def test_cli_writes_all_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``prioanalysis sample OUTDIR --seed N`` writes the files and prints their paths."""
    assert cli_main(["sample", str(tmp_path / "out"), "--seed", "5"]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted([f"{k}.csv" for k in generate_sample(5)] + ["README.md"])
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == names
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "seed **5**" in readme and "prioanalysis sample OUTDIR --seed N" in readme


def test_the_module_has_no_command_line_of_its_own() -> None:
    """The CLI's ``sample`` command is the one way to write the sample from a shell."""
    import prioanalysis.sample as sample_module

    assert not hasattr(sample_module, "main")
    assert "__main__" not in Path(sample_module.__file__).read_text(encoding="utf-8")


# --------------------------------------------------------------------- determinism
def test_same_seed_same_data_other_seed_other_data(sample: dict[str, pd.DataFrame]) -> None:
    again = generate_sample(2026)
    for stem in sample:
        pd.testing.assert_frame_equal(sample[stem], again[stem])
    other = generate_sample(7)
    assert not sample["preliminary_2024"].equals(other["preliminary_2024"])
    assert not sample["outcomes_2024"]["won"].equals(other["outcomes_2024"]["won"])


# ------------------------------------------------------------- preliminary lists
@pytest.mark.parametrize("year", LIST_YEARS)
def test_preliminary_shape_and_columns(sample: dict[str, pd.DataFrame], year: int) -> None:
    frame = sample[f"preliminary_{year}"]
    assert list(frame.columns[:5]) == ["customer_id", "customer_name", "segment", "region", "owner_id"]
    assert list(frame.columns[5:15]) == list(CRITERIA)
    assert list(frame.columns[15:]) == ["pipeline_stage", "expected_months_to_close", "need_status"]
    customers = _customers(frame)
    assert 2850 <= len(customers) <= 3150
    assert 6 <= frame["segment"].nunique() <= 8
    assert frame["segment"].value_counts().max() / len(frame) < 0.35  # unequal but no monopoly
    assert frame["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert customers["customer_name"].is_unique
    assert set(frame["region"]) <= {"north", "northeast", "east", "south", "central", "southwest", "northwest"}
    assert set(frame["pipeline_stage"]) == {"closed", "negotiating", "potential"}
    assert set(frame["need_status"]) == {"target", "potential", "dead"}
    assert 0.04 <= (customers["need_status"] == "dead").mean() <= 0.09


@pytest.mark.parametrize("year", LIST_YEARS)
def test_value_ranges(sample: dict[str, pd.DataFrame], year: int) -> None:
    frame = sample[f"preliminary_{year}"]
    assert (frame["it_budget"].dropna() > 0).all() and (frame["deal_size"] > 0).all()
    assert (frame["growth"].dropna() < 0).any()
    for column in ("strategic_fit", "industry_influence", "relationship_strength", "competitive_intensity"):
        assert frame[column].dropna().between(1, 5).all()
    assert (frame["service_distance_km"].dropna() >= 0).all()
    assert (frame["expected_months_to_close"] >= 0).all()
    grades = frame["credit_grade"].dropna()
    assert set(grades) <= {"AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"}
    assert grades.isin(["A", "BBB"]).mean() > 0.5
    months = frame.groupby("pipeline_stage")["expected_months_to_close"].median()
    assert months["closed"] < months["negotiating"] < months["potential"]
    log_corr = np.corrcoef(
        np.log(frame.dropna(subset="it_budget")["it_budget"]), np.log(frame.dropna(subset="it_budget")["deal_size"])
    )[0, 1]
    assert 0.6 < log_corr < 0.95


@pytest.mark.parametrize("year", LIST_YEARS)
def test_multi_segment_customers(sample: dict[str, pd.DataFrame], year: int) -> None:
    frame = sample[f"preliminary_{year}"]
    counts = frame["customer_id"].value_counts()
    assert counts.max() == 2
    assert 0.01 <= (counts == 2).mean() <= 0.03
    twice = frame[frame["customer_id"].isin(counts.index[counts == 2])]
    facts = twice.drop(columns="segment")
    first, second = facts.groupby("customer_id").nth(0), facts.groupby("customer_id").nth(1)
    pd.testing.assert_frame_equal(first.set_index("customer_id"), second.set_index("customer_id"))
    assert (twice.groupby("customer_id")["segment"].nunique() == 2).all()


@pytest.mark.parametrize("year", LIST_YEARS)
def test_missingness_rates(sample: dict[str, pd.DataFrame], year: int) -> None:
    customers = _customers(sample[f"preliminary_{year}"])
    for field in MISSING_RATES:
        assert 0.05 <= customers[field].isna().mean() <= 0.15, field
    for column in ALWAYS_FILLED:
        assert customers[column].notna().all(), column
    by_stage = customers.groupby("pipeline_stage")[list(MISSING_RATES)].apply(lambda g: g.isna().mean().mean())
    assert by_stage["closed"] < by_stage["negotiating"] < by_stage["potential"]
    assert 0.25 <= customers["owner_id"].isna().mean() <= 0.35


@pytest.mark.parametrize("year", LIST_YEARS)
def test_integer_columns_are_written_as_integers(year: int) -> None:
    text = pd.read_csv(SAMPLE_DIR / f"preliminary_{year}.csv", dtype=str, keep_default_na=False)
    for column in INTEGER_COLUMNS:
        assert text[column].str.fullmatch(r"\d*").all(), column
    assert (text["relationship_strength"] == "").any()


def test_customers_persist_with_stable_names(sample: dict[str, pd.DataFrame]) -> None:
    lists = [_customers(sample[f"preliminary_{y}"]) for y in LIST_YEARS]
    for previous, current in itertools.pairwise(lists):
        before, after = set(previous["customer_id"]), set(current["customer_id"])
        assert 0.05 <= len(before - after) / len(before) <= 0.15
        assert 0.05 <= len(after - before) / len(after) <= 0.15
    names = pd.concat(lists).drop_duplicates(["customer_id", "customer_name"])
    assert names["customer_id"].is_unique and names["customer_name"].is_unique
    assert (names["customer_name"].str.len() >= 5).all()


def test_owners(sample: dict[str, pd.DataFrame]) -> None:
    owners = sample["owners"]
    assert 35 <= len(owners) <= 45 and owners["owner_id"].is_unique and owners["owner_name"].is_unique
    assert list(owners.columns) == [
        "owner_id",
        "owner_name",
        "segment",
        "region",
        "capacity_strategic",
        "capacity_key",
        "capacity_general",
    ]
    assert (owners["capacity_strategic"] < owners["capacity_key"]).all()
    assert (owners["capacity_key"] < owners["capacity_general"]).all()
    for year in LIST_YEARS:
        frame = sample[f"preliminary_{year}"].dropna(subset="owner_id")
        assert set(frame["owner_id"]) <= set(owners["owner_id"])
        home = frame.merge(owners[["owner_id", "segment"]], on="owner_id", suffixes=("", "_owner"))
        assert (home["segment"] == home["segment_owner"]).mean() > 0.8


def test_true_weights_file(sample: dict[str, pd.DataFrame]) -> None:
    weights = sample["true_weights"].set_index("criterion")
    expected = {
        "it_budget": 0.15,
        "deal_size": 0.20,
        "growth": 0.05,
        "strategic_fit": 0.15,
        "industry_influence": 0.05,
        "relationship_strength": 0.15,
        "competitive_intensity": 0.05,
        "service_distance_km": 0.05,
        "credit_grade": 0.10,
        "payment_days": 0.05,
    }
    assert weights["weight"].to_dict() == pytest.approx(expected)
    assert set(weights.index[weights["direction"] == "cost"]) == {
        "competitive_intensity",
        "service_distance_km",
        "payment_days",
    }
    assert (weights["family"] == "attractiveness").sum() == 5


# ------------------------------------------------------------------------- outcomes
@pytest.mark.parametrize("year", OUTCOME_YEARS)
def test_outcomes(sample: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame], year: int) -> None:
    outcomes = sample[f"outcomes_{year}"]
    customers = _customers(sample[f"preliminary_{year}"])
    assert list(outcomes["customer_id"]) == list(customers["customer_id"])
    assert 0.22 <= outcomes["won"].mean() <= 0.28
    won = outcomes["won"] == 1
    assert (outcomes.loc[~won, "revenue"] == 0).all() and (outcomes.loc[won, "revenue"] > 0).all()
    assert outcomes.loc[~won, "days_to_close"].isna().all()
    assert outcomes.loc[won, "days_to_close"].between(1, 365).all()
    dead = (customers["need_status"] == "dead").to_numpy()
    # P(won | dead) = 0.01: with ~180 dead customers, >5% won would be a 4-sigma event.
    assert outcomes["won"].to_numpy()[dead].mean() <= 0.05
    assert outcomes["won"].to_numpy()[~dead].mean() > 0.2
    # the outcome model: alpha solves mean P(won) = 25% exactly
    assert truth[f"truth_{year}"]["p_won"].mean() == pytest.approx(0.25, abs=1e-9)
    # days to close follow the expected months
    closed_fast = customers["expected_months_to_close"].to_numpy()[won.to_numpy()]
    assert np.corrcoef(closed_fast, outcomes.loc[won, "days_to_close"].astype(float))[0, 1] > 0.5


@pytest.mark.parametrize("year", LIST_YEARS)
def test_truth_equals_files_where_filled(
    sample: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame], year: int
) -> None:
    customers = _customers(sample[f"preliminary_{year}"])
    true = truth[f"truth_{year}"]
    assert list(true["customer_id"]) == list(customers["customer_id"])
    for column in CRITERIA:
        filled = customers[column].notna().to_numpy()
        assert (customers[column].to_numpy()[filled] == true[column].to_numpy()[filled]).all(), column
        z = true[f"z_{column}"]
        assert z.min() == 0.0 and z.max() == 1.0
    assert true[list(CRITERIA)].notna().all().all()


def test_logit_recovers_the_true_weights(sample: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame]) -> None:
    """Logistic regression of won on the true z-scores (non-dead customers, every outcome year).

    With a year intercept the Logit is exactly the generating model, so its slopes
    estimate beta * w. Tolerances: a joint Wald test of H0 slopes = beta * w must not
    reject at the 1% level (the model is correctly specified, so this fails only by a
    1-in-100 draw, and the seed is fixed); the weights ordering is recovered roughly
    (Spearman >= 0.6, since it_budget and deal_size are correlated ~0.85 and split their
    joint effect noisily); and the heavy criteria (w >= 0.15) get clearly larger slopes
    than the light ones (w = 0.05).
    """
    z_columns = [f"z_{c}" for c in CRITERIA]
    frames = []
    for year in OUTCOME_YEARS:
        true = truth[f"truth_{year}"].merge(sample[f"outcomes_{year}"], on="customer_id")
        dummies = {f"year_{y}": float(year == y) for y in OUTCOME_YEARS[1:]}
        frames.append(true[true["need_status"] != "dead"].assign(**dummies))
    data = pd.concat(frames, ignore_index=True)
    year_columns = [f"year_{y}" for y in OUTCOME_YEARS[1:]]
    design = sm.add_constant(data[[*year_columns, *z_columns]])
    fit = sm.Logit(data["won"].astype(float), design).fit(disp=0)
    weights = sample["true_weights"].set_index("criterion")["weight"].reindex(list(CRITERIA)).to_numpy()
    restriction = np.hstack([np.zeros((len(CRITERIA), 1 + len(year_columns))), np.eye(len(CRITERIA))])
    wald = fit.wald_test((restriction, OUTCOME_BETA * weights), scalar=True)
    assert float(wald.pvalue) > 0.01
    slopes = fit.params[z_columns].to_numpy() / OUTCOME_BETA
    assert spearmanr(slopes, weights).statistic >= 0.6
    assert slopes[weights >= 0.15].mean() > 2 * slopes[weights == 0.05].mean()
    assert (slopes[weights >= 0.10] > 0).all()


def test_three_outcome_years_for_temporal_validation() -> None:
    """Weights learned on one year's outcomes can be judged on the next year's."""
    assert LIST_YEARS == (2023, 2024, 2025, 2026)
    assert OUTCOME_YEARS == (2023, 2024, 2025)
    assert {f"outcomes_{y}.csv" for y in OUTCOME_YEARS} <= {p.name for p in SAMPLE_DIR.iterdir()}


@pytest.mark.parametrize("year", LIST_YEARS)
def test_size_driven_criteria_are_correlated(truth: dict[str, pd.DataFrame], year: int) -> None:
    """One latent size factor drives budget, deal size, influence, credit and competition.

    The loadings are :data:`SIZE_LOADINGS`; the oriented z-scores (cost flipped) show
    it: log IT budget and log deal size correlate about 0.85, influence and credit grade
    rise with the budget, competitive intensity (a cost) falls; growth and distance do
    not depend on size.
    """
    z = truth[f"truth_{year}"][[f"z_{c}" for c in CRITERIA]].corr()
    assert 0.75 <= z.loc["z_it_budget", "z_deal_size"] <= 0.92
    assert z.loc["z_it_budget", "z_industry_influence"] > 0.45
    assert z.loc["z_it_budget", "z_credit_grade"] > 0.35
    assert z.loc["z_it_budget", "z_competitive_intensity"] < -0.3
    for column in ("z_growth", "z_service_distance_km"):
        assert abs(z.loc["z_it_budget", column]) < 0.1, column
    assert set(SIZE_LOADINGS) == {"log_budget", "infl_lat", "comp_lat", "credit_lat"}


# ------------------------------------------------------------------------ inquiries
def test_inquiries(sample: dict[str, pd.DataFrame]) -> None:
    inquiries = sample["inquiries_2025"]
    assert 1350 <= len(inquiries) <= 1650
    assert list(inquiries.columns[:12]) == [
        "inquiry_id",
        "date",
        "channel",
        "segment",
        "customer_name",
        "region",
        "need_category",
        "first_response_hours",
        "handler",
        "decision",
        "follow_ups",
        "converted",
    ]
    assert list(inquiries.columns[12:]) == list(CRITERIA)
    assert inquiries["inquiry_id"].str.fullmatch(r"Q2025-\d{4}").all() and inquiries["inquiry_id"].is_unique
    dates = pd.to_datetime(inquiries["date"], format="%Y-%m-%d")
    assert dates.is_monotonic_increasing and (dates.dt.year == 2025).all()
    monthly = dates.dt.month.value_counts()
    assert monthly[2] < monthly.drop(2).min()  # Spring Festival dip
    assert set(inquiries["channel"]) == {"phone", "web", "email", "exhibition", "referral"}
    assert set(inquiries["decision"]) == {"follow_up", "refer_partner", "decline", "propose_target"}
    assert inquiries["follow_ups"].between(0, 11).all()
    assert (inquiries["first_response_hours"] < 24).mean() > 0.85
    assert set(inquiries["handler"]) <= set(sample["owners"]["owner_id"])
    listed = set().union(*(set(sample[f"preliminary_{y}"]["customer_name"]) for y in LIST_YEARS))
    assert not set(inquiries["customer_name"]) & listed
    assert inquiries["customer_name"].is_unique
    many = inquiries["follow_ups"] >= 4
    rate = inquiries.groupby(many)["converted"].mean()
    assert rate[True] > 5 * rate[False]
    assert inquiries.loc[many, "converted"].sum() / inquiries["converted"].sum() > 0.7
    missing = inquiries[list(CRITERIA)].isna().mean()
    assert (missing > 0.1).all() and missing.mean() > 0.3
