"""``python -m liqlib``: see :mod:`liqlib.cli`."""

import sys

from .cli import main

sys.exit(main())
