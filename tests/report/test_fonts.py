"""Chinese renders in figures through the font that installs with the package."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager

from prioanalysis.report import fonts


def test_packaged_font_file_exists_and_registers() -> None:
    assert Path(fonts.font_path()).is_file()
    assert fonts.register() == "Noto Sans SC"
    found = font_manager.findfont(font_manager.FontProperties(family="Noto Sans SC"), fallback_to_default=False)
    assert Path(found).resolve() == Path(fonts.font_path()).resolve()


def test_style_renders_chinese_without_missing_glyphs(tmp_path: Path) -> None:
    """Drawing Chinese labels with the house style must not warn about missing glyphs."""
    fonts.register()
    with plt.style.context("prioanalysis.report"), warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        fig, ax = plt.subplots()
        ax.set_title("战略客户：吸引力与可行性 — 信用等级 AAA–C，−0.5")
        ax.bar(["政府", "金融", "电信"], [1, -2, 3])
        ax.set_xlabel("细分市场")
        fig.savefig(tmp_path / "zh.png")
        fig.savefig(tmp_path / "zh.svg")
        plt.close(fig)
    svg = (tmp_path / "zh.svg").read_text(encoding="utf-8")
    assert "<path" in svg  # text converted to glyph outlines: renders without the font


def test_style_font_is_the_packaged_one() -> None:
    fonts.register()
    with plt.style.context("prioanalysis.report"):
        assert plt.rcParams["font.sans-serif"][0] == "Noto Sans SC"
