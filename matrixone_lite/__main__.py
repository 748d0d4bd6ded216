"""``python -m matrixone_lite serve …``."""

import sys

from matrixone_lite.cli import main

sys.exit(main())
