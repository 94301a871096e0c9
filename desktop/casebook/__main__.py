"""Entry point: the GUI when there is no command (or ``gui``), else the CLI.

The GUI case is recognised without importing the CLI, whose command modules pull in the store
(SQLAlchemy, SQLModel, pydantic): that half second belongs after the window appears. A bare
``--version`` (what scripts and installers ask) is answered before the parser is even built.
"""

from __future__ import annotations

import sys

from casebook import __version__

_GLOBAL_WITH_VALUE = ("--db", "--user")


def gui_request(argv: list[str]) -> dict | None:
    """``{db, user, file}`` when argv asks for the GUI, else None (a command, --help, --version)."""
    found: dict = {"db": None, "user": None, "file": None}
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name in _GLOBAL_WITH_VALUE:
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            found[name[2:]] = value
        elif arg == "gui":
            if len(rest) > 1 or any(r.startswith("-") for r in rest):
                return None
            found["file"] = rest[0] if rest else None
            return found
        else:
            return None
    return found


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the GUI or the command line."""
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:  # the parser's own --version action prints the same line
        sys.stdout.write(f"casebook {__version__}\n")
        return 0
    request = gui_request(argv)
    if request is not None:
        from casebook.ui.app import run_gui

        return run_gui(**request)
    from casebook import cli

    args = cli.build_parser().parse_args(argv)
    if args.command == "gui":  # e.g. `casebook gui --help` already exited; anything else odd
        from casebook.ui.app import run_gui

        return run_gui(db=args.db, user=args.user, file=args.file)
    return cli.run_command(cli.Context(args), args)


if __name__ == "__main__":
    sys.exit(main())
