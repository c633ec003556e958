"""Entry point: no command opens the window; a command runs headless (see ``cli``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from survtrack import cli


def main(argv: Sequence[str] | None = None) -> int:
    args = cli.parse(argv)
    conflict = cli.demo_conflict(args)
    if conflict:
        print(f"survtrack: {conflict}", file=sys.stderr)
        return cli.EXIT_BAD_INPUT
    if args.command:
        return cli.run_command(args)
    from survtrack.ui.app import run_app

    return run_app(
        db_url=getattr(args, "db", None),
        demo=args.demo,
        create=getattr(args, "create", False),
        smoke_test=args.smoke_test,
    )


if __name__ == "__main__":
    sys.exit(main())
