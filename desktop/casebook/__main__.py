"""Entry point: the GUI when there is no command (or ``gui``), else the CLI.

The GUI case is recognised without importing the CLI, whose command modules pull in the store
(SQLAlchemy, SQLModel, pydantic): that half second belongs after the window appears. A bare
``--version`` (what scripts and installers ask) is answered before the parser is even built.
"""

from __future__ import annotations

import os
import sys

from casebook import __version__

_GLOBAL_WITH_VALUE = ("--db", "--user")


def split_globals(argv: list[str]) -> tuple[dict, list[str]] | None:
    """The global options before the command as ``{db, user}``, and argv from the command on;
    None when anything else comes first (--help, --version, an option without its value)."""
    found: dict = {"db": None, "user": None}
    rest = list(argv)
    while rest:
        name, eq, value = rest[0].partition("=")
        if name not in _GLOBAL_WITH_VALUE:
            break
        rest.pop(0)
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        found[name[2:]] = value
    if rest and rest[0].startswith("-"):
        return None
    return found, rest


def gui_request(argv: list[str]) -> dict | None:
    """``{db, user, file}`` when argv asks for the GUI, else None (a command, --help, --version)."""
    split = split_globals(argv)
    if split is None:
        return None
    found, rest = split
    if rest and rest[0] != "gui":
        return None
    args = rest[1:]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        return None
    return found | {"file": args[0] if args else None}


def no_display(env=os.environ, platform: str = sys.platform) -> bool:
    """True when Qt would abort for want of a screen: on Linux, neither an X nor a Wayland
    display, and no Qt platform chosen that needs none (``offscreen``, ``wayland``, ``vnc`` …)."""
    if not platform.startswith("linux"):
        return False
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return False
    return env.get("QT_QPA_PLATFORM", "") in ("", "xcb")


def _run_gui(**request) -> int:
    if no_display():
        sys.stderr.write("error: no display: set DISPLAY or use the command line\n")
        return 1
    from casebook.ui.app import run_gui

    return run_gui(**request)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the GUI or the command line."""
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:  # the parser's own --version action prints the same line
        sys.stdout.write(f"casebook {__version__}\n")
        return 0
    request = gui_request(argv)
    if request is not None:
        return _run_gui(**request)
    from casebook import cli

    split = split_globals(argv)
    command = split[1][0] if split and split[1] else None
    args = cli.build_parser(command).parse_args(argv)
    if args.command == "gui":  # e.g. `casebook gui --help` already exited; anything else odd
        return _run_gui(db=args.db, user=args.user, file=args.file)
    return cli.run_command(cli.Context(args), args)


if __name__ == "__main__":
    sys.exit(main())
