"""``casebook backup``, ``casebook --db PATH restore FILE`` and ``casebook open-bundle FILE``."""

from __future__ import annotations


def register(sub, common) -> None:
    backup = sub.add_parser(
        "backup", parents=[common], help="back up the store and its evidence files to one zip"
    )
    backup.add_argument("--out", required=True, metavar="FILE", help="e.g. casebook-backup.zip")
    backup.add_argument("--force", action="store_true", help="overwrite an existing file")
    backup.set_defaults(func=run_backup)

    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="restore a backup into the store given by --db (verified before it replaces it)",
    )
    restore.add_argument("file", metavar="FILE", help="a backup zip made by 'casebook backup'")
    restore.add_argument("--force", action="store_true", help="replace an existing store")
    restore.set_defaults(func=run_restore, creates=True)

    bundle = sub.add_parser(
        "open-bundle", parents=[common], help="merge a .casebook case bundle into the store"
    )
    bundle.add_argument("file", metavar="FILE", help="a .casebook file")
    bundle.set_defaults(func=run_open_bundle, creates=True)


def run_backup(ctx, args) -> None:
    data = ctx.book.backup(out=args.out, force=args.force)
    ctx.emit(data, lambda d: f"Backed up to {d['out']} ({d['size']:,} bytes)\nsha256 {d['sha256']}")


def run_restore(ctx, args) -> None:
    from casebook.book import Casebook

    data = Casebook.restore(args.file, db=args.db, force=args.force)
    ctx.emit(
        data,
        lambda d: f"Restored {d['db']} (verified; audit chain head {d['head_hash'][:16]}…)",
    )


def run_open_bundle(ctx, args) -> int:
    data = ctx.book.open_bundle(args.file)
    ctx.emit(data, _bundle_text)
    return 0


def _bundle_text(data: dict) -> str:
    created = ", ".join(f"{n} {k}" for k, n in data["created"].items() if n) or "nothing new"
    lines = [f"Case {data['case_ref']}: created {created}; {sum(data['matched'].values())} matched"]
    lines += [f"  conflict: {c['detail']}" for c in data["conflicts"]]
    return "\n".join(lines)
