"""What the frozen ``casebook`` executable runs: the package's own entry point."""

import sys

from casebook.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
