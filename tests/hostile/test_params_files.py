"""Hostile parameter files: duplicate keys, years that disagree, foreign encodings, alias
bombs, broken judgements and inquiry settings — each refused with exit 2 before anything
is written, by ``validate`` as by ``run``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.hostile.conftest import YEAR, Project


def _replace_once(project: Project, name: str, old: str, new: str) -> None:
    path = project.params / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name} no longer holds {old!r}: update the case"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ------------------------------------------------------------------ duplicate YAML keys
def test_duplicate_direction_key_is_refused(project: Project) -> None:
    """A second ``direction:`` in a criterion would flip it silently (last one wins)."""
    _replace_once(project, "criteria.yaml", "    direction: benefit\n", "    direction: benefit\n    direction: cost\n")
    project.refused("validate", mentions=["criteria.yaml", "direction"])


def test_second_year_key_is_refused(project: Project) -> None:
    """A second ``year:`` in run.yaml would make a 2025 run out of params/2026."""
    path = project.params / "run.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "year: 2025\n", encoding="utf-8")
    project.refused("run", "--notebook", "20_ranking", mentions=["run.yaml", "year"])


# ------------------------------------------------------------------ years that disagree
def test_run_yaml_year_differs_from_its_folder(project: Project) -> None:
    _replace_once(project, "run.yaml", f"year: {YEAR}\n", f"year: {YEAR - 1}\n")
    project.refused("run", "--year", YEAR, "--notebook", "20_ranking", mentions=["run.yaml", "year", str(YEAR - 1)])


def test_year_option_differs_from_run_yaml(project: Project) -> None:
    project.refused(
        "run", "--year", YEAR - 1, "--params", f"params/{YEAR}", "--notebook", "20_ranking",
        mentions=["year", str(YEAR - 1)],
    )  # fmt: skip


# ------------------------------------------------------------------ encodings and aliases
def test_gbk_encoded_parameter_file(project: Project) -> None:
    """A criteria.yaml saved in GBK (a common Windows default for Chinese) is named, not a traceback."""
    path = project.params / "criteria.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    project.refused("validate", mentions=["criteria.yaml", "utf"])


def test_yaml_alias_chain_gives_a_short_message(project: Project) -> None:
    """A few hundred bytes of nested aliases ("billion laughs") as the value of ``seed``
    expand to half a million items (the message quoting the value was 39 MB): the message
    must stay short and name the file and the key."""
    levels = ["&l0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 7)]
    _replace_once(project, "run.yaml", f"seed: {YEAR}\n", "seed: [" + ", ".join(levels) + "]\n")
    project.refused("validate", mentions=["run.yaml", "seed"], max_chars=2000)


# ------------------------------------------------------------------ judgements.yaml
def _judgements_not_a_mapping(p: Project) -> None:
    (p.params / "judgements.yaml").write_text("- it_budget vs deal_size: 1\n- 张伟\n", encoding="utf-8")


def _judgements_unknown_criterion(p: Project) -> None:
    _replace_once(p, "judgements.yaml", "it_budget vs deal_size: 1", "it_budgt vs deal_size: 1")


def _judgements_value(value: str) -> Callable[[Project], None]:
    def edit(p: Project) -> None:
        _replace_once(p, "judgements.yaml", "it_budget vs growth: 2", f"it_budget vs growth: {value}")

    return edit


def _judgements_both_orders(p: Project) -> None:
    _replace_once(
        p, "judgements.yaml", "it_budget vs growth: 2\n", "it_budget vs growth: 2\n        growth vs it_budget: 3\n"
    )


def _judgements_no_judges_key(p: Project) -> None:
    _replace_once(p, "judgements.yaml", "\njudges:\n", "\njudge:\n")


def _judgements_empty_judge(p: Project) -> None:
    path = p.params / "judgements.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  赵敏 (sales director):\n", encoding="utf-8")


def _judgements_duplicate_judge(p: Project) -> None:
    path = p.params / "judgements.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  张伟 (BU VP):")
    end = text.index("  李娜 (segment manager):")
    path.write_text(text + "\n" + text[start:end].replace(": 2\n", ": 1/2\n"), encoding="utf-8")


JUDGEMENT_ERRORS: dict[str, tuple[Callable[[Project], None], list[str | tuple[str, ...]]]] = {
    "not_a_mapping": (_judgements_not_a_mapping, []),
    "unknown_criterion": (_judgements_unknown_criterion, ["it_budgt"]),
    "off_saaty_scale": (_judgements_value("12"), ["it_budget vs growth"]),
    "zero": (_judgements_value("0"), ["it_budget vs growth"]),
    "not_a_number": (_judgements_value("lots"), ["it_budget vs growth"]),
    "wrong_type": (_judgements_value("[2, 3]"), ["it_budget vs growth"]),
    "pair_twice_both_orders": (_judgements_both_orders, ["growth", "it_budget"]),
    "missing_judges_key": (_judgements_no_judges_key, ["judges"]),
    "empty_judge": (_judgements_empty_judge, ["赵敏"]),
    "duplicate_judge": (_judgements_duplicate_judge, ["张伟"]),
}


@pytest.mark.parametrize("kind", list(JUDGEMENT_ERRORS))
def test_judgements_error_refused_before_the_run(project: Project, kind: str) -> None:
    """Ten kinds of judgements.yaml error, each refused before a run folder exists."""
    edit, mentions = JUDGEMENT_ERRORS[kind]
    edit(project)
    project.refused("run", "--notebook", "10_criteria_calibration", mentions=["judgements.yaml", *mentions])


# ------------------------------------------------------------------ inquiries.yaml
def test_inquiries_yaml_typo_refused_before_the_run(project: Project) -> None:
    _replace_once(project, "inquiries.yaml", "  sla_hours: 8", "  sla_hour: 8")
    project.refused(
        "run", "--notebook", "40_inquiry_monthly", "--month", "2025-10", mentions=["inquiries.yaml", "sla_hour"]
    )


# ------------------------------------------------------------------ validate reads them all
@pytest.mark.parametrize("broken", ["judgements", "inquiries"])
def test_validate_checks_every_parameter_file(project: Project, broken: str) -> None:
    """``validate`` runs the run's whole preflight: judgements.yaml and inquiries.yaml included."""
    if broken == "judgements":
        _judgements_unknown_criterion(project)
        project.refused("validate", mentions=["judgements.yaml", "it_budgt"])
    else:
        _replace_once(project, "inquiries.yaml", "  sla_hours: 8", "  sla_hour: 8")
        project.refused("validate", mentions=["inquiries.yaml", "sla_hour"])
