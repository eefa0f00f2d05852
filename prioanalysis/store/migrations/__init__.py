"""Alembic migrations of the prioanalysis database, shipped inside the package.

Run them with :func:`prioanalysis.store.init_db` (``prioanalysis db init``); alembic
loads ``env.py`` and ``versions/*.py`` from this folder by path.
"""
