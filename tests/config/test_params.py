"""Tests of prioanalysis.config.params: loading and validating criteria.yaml and run.yaml."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from prioanalysis.config.params import (
    ParamsWarning,
    load_criteria,
    load_params,
    load_run,
    project_root,
)
from prioanalysis.errors import ParamsError
from tests.conftest import PARAMS_SRC, ROOT, edit_yaml, read_yaml


# --------------------------------------------------------------------------- real files
def test_real_files_load_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ParamsWarning)
        p = load_params(PARAMS_SRC)
    assert p.criteria.ids == [c["id"] for c in read_yaml(PARAMS_SRC / "criteria.yaml")["criteria"]]
    assert p.run.year == 2026
    assert list(p.run.segments) == [
        "government",
        "finance",
        "telecom",
        "energy",
        "manufacturing",
        "healthcare",
        "education",
        "retail",
    ]
    assert p.run.scoring.method == "weighted_sum"
    assert p.run.tiers.names == ["战略", "重点", "一般"]
    # relative input paths resolve against the folder holding params/
    assert p.root == ROOT
    assert p.resolve(p.run.inputs.preliminary_list) == ROOT / "data" / "sample" / "preliminary_2026.csv"


def test_global_weights_are_family_weight_times_within_family_weight() -> None:
    doc = read_yaml(PARAMS_SRC / "criteria.yaml")
    fw = doc["family_weights"]
    expected = {c["id"]: fw[c["family"]] * c["weight"] for c in doc["criteria"]}
    got = load_criteria(PARAMS_SRC / "criteria.yaml").global_weights()
    assert got.keys() == expected.keys()
    for k in expected:
        assert got[k] == pytest.approx(expected[k], abs=1e-12)
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-12)
    # two spot checks written out: it_budget 0.60 × 0.25, credit_grade 0.40 × 0.25
    assert got["it_budget"] == pytest.approx(0.15)
    assert got["credit_grade"] == pytest.approx(0.10)


def test_family_totals_are_the_family_weights() -> None:
    crit = load_criteria(PARAMS_SRC / "criteria.yaml")
    tot = crit.family_totals()
    assert tot["attractiveness"] == pytest.approx(0.60)
    assert tot["feasibility"] == pytest.approx(0.40)


def test_policy_and_normalization_defaults() -> None:
    crit = load_criteria(PARAMS_SRC / "criteria.yaml")
    # credit_grade declares `missing: worst`; the others inherit defaults.missing
    assert crit.policy(crit.by_id("credit_grade")) == "worst"
    assert crit.policy(crit.by_id("growth")) == "segment_median"
    assert crit.normalization(crit.by_id("growth")) == "minmax"
    # YAML reads `1: 1` with an integer key; the scale keys are text
    assert set(crit.scales["rating_1_5"]) == {"1", "2", "3", "4", "5"}
    with pytest.raises(KeyError):
        crit.by_id("nope")


def test_project_root() -> None:
    assert project_root(ROOT / "params" / "2026") == ROOT
    assert project_root("/x/y/z") == Path("/x/y")


# --------------------------------------------------------------------------- criteria errors
def test_unknown_key_names_file_and_key_path(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"

    def typo(doc: dict) -> None:
        doc["criteria"][0]["weigth"] = doc["criteria"][0].pop("weight")

    edit_yaml(cpath, typo)
    with pytest.raises(ParamsError) as exc:
        load_criteria(cpath)
    msg = str(exc.value)
    assert str(cpath) in msg
    assert "criteria[0].weigth" in msg
    assert "unknown key" in msg


def test_unknown_key_via_load_params(params_dir: Path) -> None:
    edit_yaml(params_dir / "criteria.yaml", lambda d: d["criteria"][3].update(scael="rating_1_5"))
    with pytest.raises(ParamsError, match=r"criteria\[3\]\.scael"):
        load_params(params_dir)


def test_wrong_type_names_key_path(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d["criteria"][4].update(weight="abc"))
    with pytest.raises(ParamsError) as exc:
        load_criteria(cpath)
    msg = str(exc.value)
    assert str(cpath) in msg
    assert "criteria[4].weight" in msg
    assert "'abc'" in msg


def test_wrong_literal_names_key_path(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d["criteria"][1].update(direction="benfit"))
    with pytest.raises(ParamsError, match=r"criteria\[1\]\.direction"):
        load_criteria(cpath)


def test_negative_weight_refused(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d["criteria"][2].update(weight=-0.1))
    with pytest.raises(ParamsError, match=r"criteria\[2\]\.weight"):
        load_criteria(cpath)


def test_duplicate_criterion_id_refused(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d["criteria"][1].update(id="it_budget"))
    with pytest.raises(ParamsError, match="it_budget"):
        load_criteria(cpath)


def test_undefined_scale_refused(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d["criteria"][3].update(scale="rating_1_7"))
    with pytest.raises(ParamsError, match="rating_1_7"):
        load_criteria(cpath)


def test_weights_off_by_half_a_percent_are_rescaled_with_warning(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    # attractiveness: 0.245 + 0.30 + 0.10 + 0.25 + 0.10 = 0.995
    edit_yaml(cpath, lambda d: d["criteria"][0].update(weight=0.245))
    with pytest.warns(ParamsWarning) as rec:
        crit = load_criteria(cpath)
    msg = str(rec[0].message)
    assert str(cpath) in msg and "0.995" in msg
    # within the family: 0.245 / 0.995; globally × 0.60
    assert crit.by_id("it_budget").weight == pytest.approx(0.245 / 0.995, abs=1e-12)
    assert crit.by_id("deal_size").weight == pytest.approx(0.30 / 0.995, abs=1e-12)
    g = crit.global_weights()
    assert g["it_budget"] == pytest.approx(0.60 * 0.245 / 0.995, abs=1e-12)
    # feasibility untouched
    assert g["payment_days"] == pytest.approx(0.40 * 0.15, abs=1e-12)
    assert sum(g.values()) == pytest.approx(1.0, abs=1e-12)


def test_family_weights_off_by_half_a_percent_are_rescaled(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d["family_weights"].update(attractiveness=0.595))
    with pytest.warns(ParamsWarning, match="family_weights"):
        crit = load_criteria(cpath)
    assert crit.family_totals()["attractiveness"] == pytest.approx(0.595 / 0.995, abs=1e-12)
    assert sum(crit.global_weights().values()) == pytest.approx(1.0, abs=1e-12)


def test_weights_summing_to_point_eight_are_refused(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    # attractiveness: 0.05 + 0.30 + 0.10 + 0.25 + 0.10 = 0.80 (a typo of 0.25)
    edit_yaml(cpath, lambda d: d["criteria"][0].update(weight=0.05))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ParamsWarning)
        with pytest.raises(ParamsError) as exc:
            load_criteria(cpath)
    msg = str(exc.value)
    assert str(cpath) in msg
    assert "0.8" in msg and "attractiveness" in msg


def test_global_weights_without_family_weights(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"

    def flat(doc: dict) -> None:
        doc.pop("family_weights")
        doc.pop("family_weight_bounds", None)  # the within-family bounds no longer apply
        w = [0.1] * 10
        for c, x in zip(doc["criteria"], w):
            c["weight"] = x
            c.pop("weight_bounds", None)

    edit_yaml(cpath, flat)
    crit = load_criteria(cpath)
    assert crit.global_weights() == pytest.approx(dict.fromkeys(crit.ids, 0.1))


def test_missing_family_weight_refused(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d.update(family_weights={"attractiveness": 1.0}))
    with pytest.raises(ParamsError, match="feasibility"):
        load_criteria(cpath)


def test_bad_winsorize_refused(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, lambda d: d["criteria"][2].update(winsorize=[0.9, 0.1]))
    with pytest.raises(ParamsError, match=r"criteria\[2\]\.winsorize"):
        load_criteria(cpath)


# --------------------------------------------------------------------------- run errors
def test_gate_text_min_not_on_scale_refused(params_dir: Path) -> None:
    edit_yaml(params_dir / "run.yaml", lambda d: d["gates"][1].update(min="D"))
    with pytest.raises(ParamsError) as exc:
        load_params(params_dir)
    msg = str(exc.value)
    assert "run.yaml" in msg and "gates[1]" in msg and "'D'" in msg and "credit_grade" in msg


def test_gate_text_min_on_column_without_scale_refused(params_dir: Path) -> None:
    edit_yaml(
        params_dir / "run.yaml",
        lambda d: d["gates"].append({"id": "pay", "column": "payment_days", "reason": "x", "max": "slow"}),
    )
    with pytest.raises(ParamsError, match=r"gates\[2\].*payment_days"):
        load_params(params_dir)


def test_gate_needs_exactly_one_rule(params_dir: Path) -> None:
    edit_yaml(params_dir / "run.yaml", lambda d: d["gates"][0].update(min=3))
    with pytest.raises(ParamsError, match=r"gates\[0\]"):
        load_run(params_dir / "run.yaml")


def test_tier_quota_values_count_mismatch_refused(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d["tiers"]["quota"].update(values=[0.05, 0.15]))
    with pytest.raises(ParamsError) as exc:
        load_run(rpath)
    msg = str(exc.value)
    assert str(rpath) in msg and "tiers" in msg and "3 values" in msg


def test_quota_shares_above_one_refused(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d["tiers"]["quota"].update(values=[0.4, 0.4, 0.4]))
    with pytest.raises(ParamsError, match="at most 1"):
        load_run(rpath)


def test_thresholds_not_descending_refused(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"

    def thr(d: dict) -> None:
        d["tiers"]["scheme"] = "threshold"
        d["tiers"]["thresholds"] = [0.5, 0.7, 0.3]

    edit_yaml(rpath, thr)
    with pytest.raises(ParamsError, match="descending"):
        load_run(rpath)


def test_thresholds_descending_accepted(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"

    def thr(d: dict) -> None:
        d["tiers"]["scheme"] = "threshold"
        d["tiers"]["thresholds"] = [0.7, 0.5, 0.5]

    edit_yaml(rpath, thr)
    assert load_run(rpath).tiers.thresholds == [0.7, 0.5, 0.5]


def test_run_unknown_key_refused(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d["scoring"].update(tie_rul="dense"))
    with pytest.raises(ParamsError) as exc:
        load_run(rpath)
    msg = str(exc.value)
    assert str(rpath) in msg and "scoring.tie_rul" in msg and "unknown key" in msg


def test_run_unknown_top_level_key_refused(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d.update(seeds=1))
    with pytest.raises(ParamsError, match="seeds"):
        load_run(rpath)


def test_run_bad_method_refused(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d["scoring"].update(method="electre"))
    with pytest.raises(ParamsError, match=r"scoring\.method.*'electre'"):
        load_run(rpath)


def test_priority_matrix_unknown_tier_refused(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d["priority_matrix"].update(important_tiers=["战略", "核心"]))
    with pytest.raises(ParamsError, match="核心"):
        load_run(rpath)


def test_grade_months_must_increase(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d["grades"].update(months={"A": 3, "B": 1, "C": 6}))
    with pytest.raises(ParamsError, match="grades"):
        load_run(rpath)


# --------------------------------------------------------------------------- files
def test_missing_criteria_file(tmp_path: Path) -> None:
    p = tmp_path / "nope.yaml"
    with pytest.raises(ParamsError, match="not found") as exc:
        load_criteria(p)
    assert str(p) in str(exc.value)


def test_missing_run_file_in_folder(params_dir: Path) -> None:
    (params_dir / "run.yaml").unlink()
    with pytest.raises(ParamsError, match=r"run.yaml.*not found"):
        load_params(params_dir)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="not found"):
        load_params(tmp_path / "params" / "2031")


def test_top_level_not_a_mapping(params_dir: Path) -> None:
    (params_dir / "criteria.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="mapping"):
        load_criteria(params_dir / "criteria.yaml")


def test_params_error_is_a_value_error() -> None:
    # the CLI catches PrioanalysisError; callers using ValueError keep working
    assert issubclass(ParamsError, ValueError)


# --------------------------------------------------------------------------- hostile files (issue 11)
def _append(path: Path, text: str) -> Path:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def test_second_direction_key_refused_naming_criterion_and_lines(params_dir: Path) -> None:
    """A second ``direction:`` would flip the criterion (YAML keeps the last one)."""
    path = params_dir / "criteria.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines(keepends=True) if x.strip() == "direction: benefit")
    path.write_text(text.replace(line, line + line.replace("benefit", "cost"), 1), encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params(params_dir)
    msg = str(exc.value)
    assert msg.startswith(str(path)) and "criteria[0].direction" in msg and "given twice" in msg


def test_second_year_key_refused(params_dir: Path) -> None:
    path = _append(params_dir / "run.yaml", "year: 2025\n")
    with pytest.raises(ParamsError, match=r"run\.yaml: key 'year' is given twice \(lines \d+ and \d+\)"):
        load_run(path)


def test_run_yaml_year_must_match_its_folder(params_dir: Path) -> None:
    edit_yaml(params_dir / "run.yaml", lambda d: d.__setitem__("year", 2025))
    with pytest.raises(ParamsError) as exc:
        load_params(params_dir)
    msg = str(exc.value)
    assert "run.yaml: year: 2025" in msg and "params/2026" in msg


def test_run_yaml_year_must_match_the_year_asked_for(params_dir: Path) -> None:
    assert load_params(params_dir, year=2026).run.year == 2026
    with pytest.raises(ParamsError, match=r"run\.yaml: year: 2026 but the year asked for is 2025"):
        load_params(params_dir, year=2025)


def test_folder_not_named_by_a_year_is_not_checked(params_dir: Path, tmp_path: Path) -> None:
    other = params_dir.parent / "draft"
    params_dir.rename(other)
    assert load_params(other).run.year == 2026


def test_gbk_criteria_file_refused_naming_file(params_dir: Path) -> None:
    path = params_dir / "criteria.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(ParamsError, match=r"criteria\.yaml: not UTF-8 text .*save it as UTF-8"):
        load_params(params_dir)


def test_criteria_file_with_bom_accepted(params_dir: Path) -> None:
    path = params_dir / "criteria.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_params(params_dir).criteria.ids == load_params(PARAMS_SRC).criteria.ids


def test_alias_bomb_in_run_yaml_gives_a_short_message(params_dir: Path) -> None:
    levels = ["  l0: &l0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 7)]
    _append(params_dir / "run.yaml", "x_bomb:\n" + "\n".join(levels) + "\n")
    with pytest.raises(ParamsError) as exc:
        load_params(params_dir)
    assert "run.yaml" in str(exc.value) and len(str(exc.value)) < 500


def test_huge_wrong_value_gives_a_short_message(params_dir: Path) -> None:
    """A value quoted in a message is cut (no input can produce a huge error)."""
    edit_yaml(params_dir / "run.yaml", lambda d: d.__setitem__("seed", ["x" * 1000] * 1000))
    with pytest.raises(ParamsError) as exc:
        load_run(params_dir / "run.yaml")
    assert "seed" in str(exc.value) and len(str(exc.value)) < 600


def test_many_problems_are_listed_with_a_count(params_dir: Path) -> None:
    edit_yaml(params_dir / "run.yaml", lambda d: d.update({f"typo_{i}": i for i in range(40)}))
    with pytest.raises(ParamsError) as exc:
        load_run(params_dir / "run.yaml")
    msg = str(exc.value)
    assert "typo_0: unknown key" in msg and "and 20 more" in msg and "typo_39" not in msg


def test_intake_vocabularies_and_conflict_rule_default_and_are_checked(params_dir: Path) -> None:
    from prioanalysis.config.vocabularies import DEFAULT_PIPELINE_STAGES, DEFAULT_REGIONS

    intake = load_params(params_dir).run.intake
    assert intake.regions == DEFAULT_REGIONS and intake.pipeline_stages == DEFAULT_PIPELINE_STAGES
    assert intake.conflicting_facts == "error"
    edit_yaml(params_dir / "run.yaml", lambda d: d["intake"].update(conflicting_facts="ignore"))
    with pytest.raises(ParamsError, match=r"intake\.conflicting_facts"):
        load_params(params_dir)


# --------------------------------------------------------------------------- weight bounds and orders
def test_sample_states_weight_bounds_and_orders() -> None:
    crit = load_criteria(PARAMS_SRC / "criteria.yaml")
    assert crit.states_weight_constraints
    assert crit.by_id("deal_size").weight_bounds == (0.20, 0.40)
    # a chain "a >= b >= c" is two orders
    assert ("relationship_strength", "credit_grade") in crit.weight_orders
    assert ("credit_grade", "payment_days") in crit.weight_orders
    assert load_run(PARAMS_SRC / "run.yaml").robustness.sampler == "dirichlet"


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (lambda d: d["criteria"][1].update(weight_bounds=[0.35, 0.5]), r"criteria\[1\] \(deal_size\)", "contain"),
        (lambda d: d["criteria"][1].update(weight_bounds=[0.4, 0.2]), r"criteria\[1\]\.weight_bounds", "lower"),
        (lambda d: d["criteria"][1].update(weight_bounds=[0.2, 1.5]), r"criteria\[1\]\.weight_bounds", "upper <= 1"),
        (lambda d: d["criteria"][1].update(weight_bounds=[0.2]), r"criteria\[1\]\.weight_bounds", "weight_bounds"),
        (lambda d: d.update(weight_order=["deal_size >= it_budgte"]), r"weight_order\[0\]", "unknown criterion"),
        (lambda d: d.update(weight_order=["it_budget >= deal_size"]), r"weight_order\[0\]", "contradict"),
        (lambda d: d.update(weight_order=["deal_size > it_budget"]), r"weight_order\[0\]", "expected 'a >= b'"),
        (lambda d: d.update(weight_order=["deal_size >= deal_size"]), r"weight_order\[0\]", "itself"),
        (lambda d: d.update(weight_order=["deal_size >= payment_days"]), r"weight_order\[0\]", "different families"),
        (lambda d: d["family_weight_bounds"].update(attractiveness=[0.7, 0.8]), "family_weight_bounds", "contain"),
        (lambda d: d["family_weight_bounds"].update(feasibility=[0.5, 0.3]), "family_weight_bounds", "lower"),
        (lambda d: d.pop("family_weights") and None, "family_weight_bounds", "needs family_weights"),
    ],
)
def test_weight_bounds_and_orders_are_validated(params_dir: Path, change, key: str, message: str) -> None:
    cpath = params_dir / "criteria.yaml"
    edit_yaml(cpath, change)
    with pytest.raises(ParamsError, match=message) as exc:
        load_criteria(cpath)
    assert str(cpath) in str(exc.value)
    assert __import__("re").search(key, str(exc.value)), str(exc.value)


def test_bounds_are_checked_against_the_rescaled_weights(params_dir: Path) -> None:
    """A bound at the weight written still holds after the weights policy rescales it."""
    cpath = params_dir / "criteria.yaml"

    def change(d: dict) -> None:
        d["criteria"][0].update(weight=0.245, weight_bounds=[0.15, 0.245 / 0.995])  # sum 0.995: rescaled

    edit_yaml(cpath, change)
    with pytest.warns(ParamsWarning):
        crit = load_criteria(cpath)
    assert crit.by_id("it_budget").weight == pytest.approx(0.245 / 0.995)
    # a typo in the sum is still reported as the sum, not as a bound
    edit_yaml(cpath, lambda d: d["criteria"][0].update(weight=0.05, weight_bounds=[0.15, 0.35]))
    with pytest.raises(ParamsError, match="must sum to 1"):
        load_criteria(cpath)


def test_global_bounds_and_cross_family_orders_without_family_weights(params_dir: Path) -> None:
    cpath = params_dir / "criteria.yaml"

    def flat(d: dict) -> None:
        d.pop("family_weights")
        d.pop("family_weight_bounds")
        for c in d["criteria"]:
            c["weight"] = 0.1
            c["weight_bounds"] = [0.05, 0.2]
        d["weight_order"] = ["deal_size >= payment_days"]  # global weights: any two criteria

    edit_yaml(cpath, flat)
    crit = load_criteria(cpath)
    assert crit.weight_orders == [("deal_size", "payment_days")]


def test_robustness_sampler_is_validated(params_dir: Path) -> None:
    rpath = params_dir / "run.yaml"
    edit_yaml(rpath, lambda d: d["robustness"].update(sampler="constrained", chains=10, burn_in=50, thinning=5))
    rb = load_run(rpath).robustness
    assert (rb.sampler, rb.chains, rb.burn_in, rb.thinning) == ("constrained", 10, 50, 5)
    edit_yaml(rpath, lambda d: d["robustness"].update(sampler="hit_and_run"))
    with pytest.raises(ParamsError, match=r"robustness\.sampler"):
        load_run(rpath)
    edit_yaml(rpath, lambda d: d["robustness"].update(sampler="dirichlet", thinning=0))
    with pytest.raises(ParamsError, match=r"robustness\.thinning"):
        load_run(rpath)
