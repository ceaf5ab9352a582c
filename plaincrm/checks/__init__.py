"""``plaincrm check``: problems in the vault, from the loader and from the checks here.

:mod:`~plaincrm.checks.runner` runs them; :mod:`~plaincrm.checks.registry` lists them;
:mod:`~plaincrm.checks.codes` names every code. This package imports nothing by itself, so the
config can validate codes without loading the checks' libraries.
"""
