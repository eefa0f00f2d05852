"""The CJK font that installs with the package.

Figures must render Chinese customer names and criterion labels on any machine,
including one without system CJK fonts. Noto Sans SC (SIL Open Font License) comes
with the ``pylopdf-fonts-zh-cn`` dependency; :func:`register` adds it to matplotlib's
font manager so that the ``prioanalysis.report`` style can name it.
"""

from __future__ import annotations

from functools import cache

__all__ = ["FAMILY", "font_path", "register"]

#: Family name the style sheet uses.
FAMILY = "Noto Sans SC"


def font_path() -> str:
    """Path of the packaged Noto Sans SC font file."""
    import pylopdf_fonts_zh_cn

    return str(pylopdf_fonts_zh_cn.sans_path())


@cache
def register() -> str:
    """Add Noto Sans SC to matplotlib's font manager (once per process).

    Returns
    -------
    str
        The family name, ``"Noto Sans SC"``.
    """
    from matplotlib import font_manager

    font_manager.fontManager.addfont(font_path())
    return FAMILY
