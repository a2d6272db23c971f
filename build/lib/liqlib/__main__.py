"""``python -m liqlib``: the ``liqlib`` command line (see :mod:`liqlib.cli`)."""

import sys

from .cli import main

sys.exit(main())
