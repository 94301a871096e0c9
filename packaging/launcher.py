"""What the frozen ``casebook`` executable runs: the package's own entry point.

With ``CASEBOOK_BUNDLE_SELFCHECK=1`` it runs the bundle's self-check instead (selfcheck.py:
fixed checks of the Qt plugins, ICU data and matplotlib parts the build trims; the bundle
test uses it).
"""

import os
import sys

from casebook.__main__ import main

if __name__ == "__main__":
    if os.environ.get("CASEBOOK_BUNDLE_SELFCHECK") == "1":
        from selfcheck import main as selfcheck

        sys.exit(selfcheck(sys.argv[1:]))
    sys.exit(main())
