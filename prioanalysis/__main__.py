"""``python -m prioanalysis`` — the command-line interface."""

from prioanalysis.cli import main

raise SystemExit(main())
