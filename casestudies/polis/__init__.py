"""Polis opinion groups: read an export, run Polis's math, read what each group says, compare with Polis.

- :mod:`casestudies.polis.export`: the export reader (``load_polis_conversation``) and Polis's math fixtures;
- :mod:`casestudies.polis.pipeline`: who is clustered, the map, base clusters and groups, the replay (``run``);
- :mod:`casestudies.polis.statements`: per-group statement statistics, representative statements, consensus;
- :mod:`casestudies.polis.evaluation`: agreement and coverage against Polis's labels, the agreement ceiling,
  fixture parity, and red-dwarf side by side.

Every public name of the four modules is available here, e.g. ``polis.run``.
"""

from casestudies.polis.evaluation import *  # noqa: F401,F403
from casestudies.polis.evaluation import __all__ as _evaluation
from casestudies.polis.export import *  # noqa: F401,F403
from casestudies.polis.export import __all__ as _export
from casestudies.polis.pipeline import *  # noqa: F401,F403
from casestudies.polis.pipeline import __all__ as _pipeline
from casestudies.polis.statements import *  # noqa: F401,F403
from casestudies.polis.statements import __all__ as _statements

__all__ = [*_export, *_pipeline, *_statements, *_evaluation]
