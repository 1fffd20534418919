"""Checks for the exercises: ``rc.checks.check_<name>(answer)``.

Each chapter's checks live in ``chNN.py`` beside this file; every name listed in
a module's ``__all__`` is collected here, so notebooks call ``rc.checks.check_x``.
A check raises :class:`CheckError` with a message in the reader's terms, or
prints a one-line confirmation. Every check is wrapped in :func:`._core.guarded` here (in its
own module too), so that it raises nothing but CheckError whatever the answer does.
"""

import importlib
import pkgutil

from ._core import CheckError, guarded

__all__ = ["CheckError"]

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("ch"):
        _module = importlib.import_module(f"{__name__}.{_info.name}")
        for _name in _module.__all__:
            if _name in globals():
                raise ImportError(f"check {_name} is defined twice ({_info.name})")
            _check = guarded(getattr(_module, _name))
            setattr(_module, _name, _check)
            globals()[_name] = _check
            __all__.append(_name)
del _info, _module, _name, _check
