"""One module per file format, each registering its reader with :mod:`..registry` when imported (and
:mod:`.records`, what the record formats share).

Every module here is imported on import of this package (which the registry imports when it is first asked for
a reader), so supporting a new format is adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
