"""Tests of prioanalysis.inputs.judgements: reading and validating judgements.yaml
(moved from the weights tests with the reader)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prioanalysis.errors import ParamsError
from prioanalysis.inputs.judgements import load_judgements
from prioanalysis.methods.weights import ahp_group, ahp_hierarchy


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "judgements.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_judgements_single_spec(tmp_path):
    path = _write(tmp_path, "criteria:\n  attractiveness:\n    it_budget vs growth: 1/3\n")
    data = load_judgements(path)
    assert ahp_hierarchy(data).weights.to_dict() == pytest.approx({"it_budget": 0.25, "growth": 0.75})


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "judges:\n  张伟:\n    criteria:\n      attractiveness:\n        a vs b: 2\n        a vs c: 3\n",
            r"judgements\.yaml: judges\.张伟\.criteria\.attractiveness: 1 missing judgement\(s\): 'b vs c'",
        ),
        (
            "judges:\n  张伟:\n    criteria:\n      attractiveness:\n        a vs b: lots\n",
            r'judgements\.yaml: judges\.张伟\.criteria\.attractiveness\["a vs b"\]: got \'lots\'',
        ),
        ("criteria: [1, 2\n", r"judgements\.yaml: not valid YAML"),
        ("- a\n- b\n", r"judgements\.yaml: expected a mapping"),
        ("judges: {}\nyear: 2026\n", r"judgements\.yaml: unknown top-level key"),
        (
            "judges:\n  A:\n    criteria: {f: {a vs b: 2}}\n  B:\n    criteria: {f: {a vs c: 2}}\n",
            r"judgements\.yaml: judges\.B: families/criteria",
        ),
    ],
)
def test_load_judgements_errors_name_file_and_key_path(tmp_path, text, pattern):
    with pytest.raises(ParamsError, match=pattern):
        load_judgements(_write(tmp_path, text))


def test_load_judgements_missing_file(tmp_path):
    with pytest.raises(ParamsError, match=r"nothing.yaml: cannot read"):
        load_judgements(tmp_path / "nothing.yaml")


# --------------------------------------------------------------------------- against criteria.yaml (issue 11)
JUDGEMENTS_SRC = Path(__file__).resolve().parents[2] / "params" / "2026" / "judgements.yaml"


@pytest.fixture(scope="module")
def criteria():
    from prioanalysis.config.params import load_params

    return load_params(JUDGEMENTS_SRC.parent).criteria


def _edited_file(tmp_path: Path, old: str, new: str) -> Path:
    text = JUDGEMENTS_SRC.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_sample_judgements_match_their_criteria(criteria) -> None:
    from prioanalysis.inputs.judgements import check_judgements

    data = check_judgements(JUDGEMENTS_SRC, criteria)
    assert data == load_judgements(JUDGEMENTS_SRC) and len(data["judges"]) >= 3


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("it_budget vs growth: 2", "it_budget vs growth: 12", r'attractiveness\["it_budget vs growth"\]: 12 is off'),
        ("it_budget vs growth: 2", "it_budget vs growth: 1/10", r'\["it_budget vs growth"\]: 0\.1 is off Saaty'),
    ],
)
def test_judgements_refused_against_criteria(tmp_path: Path, criteria, old: str, new: str, pattern: str) -> None:
    from prioanalysis.inputs.judgements import check_judgements

    with pytest.raises(ParamsError, match=r"judgements\.yaml: .*problem\(s\) against criteria\.yaml:(?s:.*)" + pattern):
        check_judgements(_edited_file(tmp_path, old, new), criteria)


def test_judgements_of_a_criterion_not_in_criteria_yaml(tmp_path: Path, criteria) -> None:
    """Every judge renames payment_days consistently: structurally fine, but not a criterion."""
    from prioanalysis.inputs.judgements import check_judgements

    text = JUDGEMENTS_SRC.read_text(encoding="utf-8").replace("payment_days", "pay_days")
    with pytest.raises(ParamsError) as exc:
        check_judgements(_write(tmp_path, text), criteria)
    msg = str(exc.value)
    assert "judges.张伟 (BU VP).criteria.feasibility: unknown criteria ['pay_days']" in msg
    assert "criteria of this family not judged: ['payment_days']" in msg


def test_judgements_top_level_typo_names_judges(tmp_path: Path) -> None:
    with pytest.raises(
        ParamsError, match=r"judgements\.yaml: unknown top-level key\(s\) \['judge'\]; expected 'judges'"
    ):
        load_judgements(_edited_file(tmp_path, "\njudges:\n", "\njudge:\n"))


def test_judgements_repeated_judge_refused(tmp_path: Path) -> None:
    text = JUDGEMENTS_SRC.read_text(encoding="utf-8")
    block = text[text.index("  张伟 (BU VP):") : text.index("  李娜 (segment manager):")]
    with pytest.raises(ParamsError, match=r"key 'judges\.张伟 \(BU VP\)' is given twice"):
        load_judgements(_write(tmp_path, text + "\n" + block))


def test_judgements_of_a_family_not_in_criteria_yaml(tmp_path: Path, criteria) -> None:
    from prioanalysis.inputs.judgements import check_judgements

    text = JUDGEMENTS_SRC.read_text(encoding="utf-8").replace("feasibility", "feasable")
    with pytest.raises(ParamsError) as exc:
        check_judgements(_write(tmp_path, text), criteria)
    msg = str(exc.value)
    assert "criteria.feasable: unknown family 'feasable'" in msg
    assert (
        "no judgements for the famil(ies) ['feasibility']" in msg and "families: unknown families ['feasable']" in msg
    )


def test_load_judgements_skipped_pairs_null_tilde_or_empty(tmp_path):
    """A skipped pair is written ``null``, ``~`` or with no value; it loads as None and
    the weights come from Harker's completion (a→b = 2, b→c = 2 imply a→c = 4)."""
    for value in ("null", "~", ""):
        text = (
            "judges:\n"
            "  张伟:\n    criteria:\n      f:\n        a vs b: 2\n        b vs c: 2\n        a vs c: 4\n"
            f"  李娜:\n    criteria:\n      f:\n        a vs b: 2\n        b vs c: 2\n        a vs c: {value}\n"
        )
        data = load_judgements(_write(tmp_path, text))
        assert data["judges"]["李娜"]["criteria"]["f"]["a vs c"] is None
        group = ahp_group(data["judges"])
        assert group.judges["李娜"].weights.to_numpy() == pytest.approx([4 / 7, 2 / 7, 1 / 7])
        assert group.judge_summary.loc["李娜", "skipped"] == 1


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "judges:\n  李娜:\n    criteria:\n      f:\n        a vs b: 2\n        c vs d: 2\n"
            "        a vs c: null\n        a vs d: null\n        b vs c: null\n        b vs d: null\n",
            r"judgements\.yaml: judges\.李娜\.criteria\.f: with the skipped pairs the judgements do not connect "
            r"all criteria: \['a', 'b'\] \| \['c', 'd'\]",
        ),
        (
            "judges:\n  李娜:\n    criteria:\n      f:\n        a vs b: 2\n        b vs c: 2\n",
            r"judges\.李娜\.criteria\.f: 1 missing judgement\(s\): 'a vs c' \(write e\.g\. 'a vs c: null'",
        ),
        (
            "judges:\n  李娜:\n    criteria:\n      f:\n        a vs b: null\n",
            r"judges\.李娜\.criteria\.f: with the skipped pairs.*\['a'\] \| \['b'\]",
        ),
    ],
)
def test_load_judgements_refuses_unconnected_or_omitted_pairs(tmp_path, text, pattern):
    with pytest.raises(ParamsError, match=pattern):
        load_judgements(_write(tmp_path, text))
