"""``casebook lists load|lists``, ``casebook screen`` and ``casebook hits review``."""

from __future__ import annotations

from casebook.core.terminal import terminal_safe as safe

FORMATS = ("auto", "ofac", "csl", "ftm", "eu-csv")


def register(sub, common) -> None:
    _register_lists(sub, common)
    screen = sub.add_parser("screen", parents=[common], help="screen a case's firms against lists")
    screen.add_argument("--case", required=True, metavar="REF")
    screen.add_argument("--list", dest="list_name", metavar="NAME", help="one list (default: all)")
    screen.add_argument("--threshold", type=float, metavar="0.0-1.0", help="lowest score shown")
    screen.set_defaults(func=screen_case)

    hits = sub.add_parser("hits", help="review screening hits")
    verbs = hits.add_subparsers(dest="verb", metavar="VERB", required=True)
    review = verbs.add_parser("review", parents=[common], help="confirm or dismiss a hit")
    review.add_argument("hit_id", metavar="ID")
    choice = review.add_mutually_exclusive_group(required=True)
    choice.add_argument("--confirm", dest="status", action="store_const", const="confirmed")
    choice.add_argument("--dismiss", dest="status", action="store_const", const="dismissed")
    review.add_argument("--note", help="why (kept with the review)")
    review.set_defaults(func=hits_review)


def _register_lists(sub, common) -> None:
    lists = sub.add_parser("lists", parents=[common], help="load and show sanctions lists")
    lists.set_defaults(func=lists_show)
    verbs = lists.add_subparsers(dest="verb", metavar="VERB")
    load = verbs.add_parser("load", parents=[common], help="load a list file as a new version")
    load.add_argument("file", metavar="FILE")
    load.add_argument("--format", dest="fmt", choices=FORMATS, default="auto")
    load.add_argument("--alt", metavar="F", help="OFAC alt.csv (aliases)")
    load.add_argument("--add", metavar="F", help="OFAC add.csv (addresses)")
    load.add_argument("--name", metavar="N", help="list name when the file has none")
    load.add_argument("--published", metavar="YYYY-MM-DD", help="date when the file has none")
    load.add_argument(
        "--force",
        action="store_true",
        help="load a file older than the list's current version (it becomes current)",
    )
    load.set_defaults(func=lists_load, creates=True)


# --- text output --------------------------------------------------------------------------------


def _load_text(data: dict) -> str:
    date = data["published"] or "no publication date"
    text = (
        f"Loaded {safe(data['list'])} version {data['version']} ({data['format']}, {date}): "
        f"{data['records']} records, {data['entities']} entities screened, {data['names']} names"
    )
    replaced = data.get("replaces")
    if replaced:
        was = replaced["published"] or "no publication date"
        text += f"\nScreening now uses it instead of version {replaced['version']} ({was})."
    return text


def _lists_text(data: dict) -> str:
    if not data["lists"]:
        return "No lists loaded yet. Load one: casebook lists load FILE"
    head = f"{'LIST':<32} {'VER':>4} {'PUBLISHED':<11} {'ENTITIES':>9} {'NAMES':>8}"
    rows = [
        f"{safe(x['name']):<32} {x['version'] or '':>4} {x['published'] or '-':<11} "
        f"{x['entities']:>9} {x['names']:>8}"
        for x in data["lists"]
    ]
    return "\n".join([head, *rows])


def _hit_line(hit: dict) -> str:
    return (
        f"#{hit['id']:<5} {hit['score']:.2f}  {hit['status']:<10} {safe(hit['subject_name'])}  ~  "
        f"{safe(hit['listed_name'])} [{safe(hit['list'])} v{hit['version']}, "
        f"{safe(', '.join(hit['programmes']))}]"
    )


def _hits_text(data: dict) -> str:
    if not data["hits"]:
        return "No hits."
    lines = []
    for hit in data["hits"]:
        lines.append(_hit_line(hit))
        lines.extend(f"         {safe(reason)}" for reason in hit["reasons"])
    return "\n".join(lines)


# --- handlers -----------------------------------------------------------------------------------


def lists_load(ctx, args) -> None:
    ctx.catch_interrupt()
    loaded = ctx.book.load_list(
        args.file,
        fmt=args.fmt,
        alt=args.alt,
        add=args.add,
        name=args.name,
        published=args.published,
        force=args.force,
        progress=ctx.progress("Loading"),
        cancelled=ctx.cancelled,
    )
    ctx.emit(loaded, _load_text)


def lists_show(ctx, args) -> None:
    ctx.emit({"lists": ctx.book.list_lists()}, _lists_text)


def screen_case(ctx, args) -> None:
    ctx.catch_interrupt()
    hits = ctx.book.screen(
        case_ref=args.case,
        list_name=args.list_name,
        threshold=args.threshold,
        progress=ctx.progress("Screening"),
        cancelled=ctx.cancelled,
    )
    ctx.emit({"hits": hits}, _hits_text)


def hits_review(ctx, args) -> None:
    hit = ctx.book.review_hit(args.hit_id, status=args.status, note=args.note)
    ctx.emit(hit, lambda h: f"{_hit_line(h)}\n  reviewed: {h['status']}")
