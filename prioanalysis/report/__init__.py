"""What readers receive: figures in the house style, tables and the workbook, and
the helpers the notebooks use to show them.

``figures``          the ranking and robustness figures (style ``prioanalysis.report``)
``review_figures``   the review and inquiry figures
``tables``           CSV tables and the target-list workbook
``notebook``         helpers the notebooks call to show tables, figures and text
``fonts``            the packaged CJK font
``i18n``             the message catalog: every reader-visible text in zh and en
``html``             self-contained report pages (embedded font subset, print CSS) and their PDF
``annual``           the run's annual report: front page, contents, sections
"""

from __future__ import annotations

from prioanalysis._lazy import submodules

__getattr__, __dir__ = submodules(__name__, __path__)
