"""The command line (DESIGN.md): global options before the command, ``--json`` after it.

Each command group is a module with ``register(subparsers, common)``; its handlers take
``(ctx, args)`` and return an exit code or None (0).
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from casebook import __version__
from casebook.cli.context import Context, run_command

#: Command-group modules of ``casebook.cli``, in the order ``--help`` lists them, with the
#: commands each adds. A command imports only its own group's module.
COMMAND_MODULES = [
    ("cases", ("case",)),
    ("verify", ("verify",)),
    ("evidence", ("evidence",)),
    ("findings", ("rel", "finding", "version")),
    ("search", ("search",)),
    ("analysis", ("stats", "flags")),
    ("shipments", ("shipments",)),
    ("screening", ("lists", "screen", "hits")),
    ("imports", ("import", "datasets", "firms")),
    ("persons", ("person",)),
    ("briefing", ("brief", "demo")),
    ("figures", ("figures",)),
    ("export", ("export",)),
    ("exchange", ("backup", "restore", "open-bundle")),
    ("team", ("team",)),
]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser. Given the command about to run, only its group's parsers are built:
    the whole tree of some forty parsers is a noticeable share of a short command's start.
    Help and errors read the same either way (a command's parsers do not depend on the others').
    """
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Casebook: cases of dual-use goods, firms and evidence; briefings you can trust.",
    )
    parser.add_argument(
        "--db", metavar="PATH", help="the store (default: $CASEBOOK_DB or the user data folder)"
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="who is recorded in the audit log (default: the OS user; on a server always "
        "the login role, and --user is refused there)",
    )
    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open the desktop application (the default)")
    gui.add_argument("file", nargs="?", help="a store, or a .casebook bundle to import")
    chosen = [module for module, commands in COMMAND_MODULES if command in commands]
    for module in chosen or [module for module, _ in COMMAND_MODULES]:
        import_module(f"casebook.cli.{module}").register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        parser.error("the GUI is started by 'casebook' itself, not casebook.cli")
    return run_command(Context(args), args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
