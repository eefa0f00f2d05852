"""Tests of prioanalysis.inputs.judgements: reading and validating judgements.yaml
(moved from the weights tests with the reader)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prioanalysis.errors import ParamsError
from prioanalysis.inputs.judgements import load_judgements
from prioanalysis.methods.weights import ahp_hierarchy


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
