"""Who changes a store when no analyst name is given: the operating system's login name."""

from __future__ import annotations

import getpass


def os_user(missing: str = "unknown") -> str:
    """The login name, or ``missing`` where there is none (a container or a service whose user
    id has no passwd entry, or Windows without USERNAME): the audit trail still needs a name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):  # KeyError/ImportError to 3.12, OSError from 3.13
        return missing
