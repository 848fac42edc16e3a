"""``python -m sim.cli``: the same as the ``opisim`` script."""

import sys

from sim.cli import main

sys.exit(main())
