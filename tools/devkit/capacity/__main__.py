"""`python -m devkit.capacity`: what `make capacity` runs."""

import sys

from devkit.capacity.cli import main

if __name__ == "__main__":
    sys.exit(main())
