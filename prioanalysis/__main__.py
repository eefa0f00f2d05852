"""``python -m prioanalysis`` runs the command line."""

from prioanalysis.app.cli import main

raise SystemExit(main())
