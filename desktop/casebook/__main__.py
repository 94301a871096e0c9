"""Entry point: the GUI when there is no command (or ``gui``), else the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the GUI or the command line."""
    from casebook import cli

    args = cli.build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from casebook.ui.app import run_gui

        return run_gui(db=args.db, user=args.user, file=getattr(args, "file", None))
    return cli.run_command(cli.Context(args), args)


if __name__ == "__main__":
    sys.exit(main())
