"""Entry point of the standalone app: the ``workbench`` command, frozen."""

import multiprocessing
import sys

from workbench.core.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # GUI runs train in a spawned process of this same executable
    sys.exit(main())
