"""The `kiosk-backoffice` command: serve, add-user, add-terminal, config-template.

Exit status: 0 done, 1 refused (an existing user, a short password, a bad id), 2 bad config.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from pathlib import Path

from aiohttp import web

from backoffice import config as cfg
from backoffice.accounts import MIN_PASSWORD, ROLES, AccountError, Terminals, Users
from backoffice.store import StoreError, open_store

log = logging.getLogger("backoffice")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # force: python-escpos (imported with the kiosk's config helpers) calls basicConfig() on import
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args))
    except cfg.ConfigError as exc:
        print(f"kiosk-backoffice: bad config: {exc}", file=sys.stderr)
        return 2
    except (AccountError, StoreError) as exc:
        print(f"kiosk-backoffice: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-backoffice", description="Bürgerterminal back office")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the back office")
    _common(serve)
    serve.add_argument("--host", help="address to listen on (default: [server] host)")
    serve.add_argument("--port", type=int, help="TCP port, 0 for any free one (default: [server] port)")
    serve.set_defaults(handler=_serve)

    user = commands.add_parser("add-user", help="create a clerk, operator or admin")
    _common(user)
    user.add_argument("name")
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--password-file", type=Path, help="read the password from the first line of FILE "
                                                         "(default: ask twice)")
    user.add_argument("--display-name", default="", help="name shown to colleagues and citizens (default: NAME)")
    user.add_argument("--update", action="store_true", help="replace an existing user's password and role")
    user.set_defaults(handler=_add_user)

    terminal = commands.add_parser("add-terminal", help="create a terminal and print its token (last line)")
    _common(terminal)
    terminal.add_argument("id")
    terminal.add_argument("--location", default="", help="where the terminal stands")
    terminal.add_argument("--renew", action="store_true", help="give an existing terminal a new token")
    terminal.set_defaults(handler=_add_terminal)

    template = commands.add_parser("config-template", help="print the commented default config")
    template.set_defaults(handler=lambda _args: print(cfg.template(), end="") or 0)
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--config", type=Path, help=f"config file (default {cfg.DEFAULT_PATH} if it exists)")
    command.add_argument("--data", type=Path, help="data folder (default: [server] data_dir)")


def _config(args: argparse.Namespace) -> cfg.BackofficeConfig:
    if args.config is not None:
        return cfg.load(args.config)
    return cfg.load(cfg.DEFAULT_PATH) if cfg.DEFAULT_PATH.exists() else cfg.BackofficeConfig()


def _data_dir(args: argparse.Namespace, config: cfg.BackofficeConfig) -> Path:
    return args.data if args.data is not None else config.server.data_dir


# --- serve ------------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    from backoffice.app import make_app  # aiohttp's app and the signalling only where needed

    config = _config(args)
    app = make_app(config, _data_dir(args, config))
    host = args.host if args.host is not None else config.server.host
    port = args.port if args.port is not None else config.server.port
    asyncio.run(_run(app, host, port))
    return 0


async def _run(app: web.Application, host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT, then close connections and the database."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
        log.info("listening on http://%s:%s", _url_host(bound_host), bound_port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        log.info("stopping")
    finally:
        await runner.cleanup()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


# --- accounts ---------------------------------------------------------------------------------------


def _add_user(args: argparse.Namespace) -> int:
    config = _config(args)
    password = _password(args.password_file)
    users = Users(open_store(_data_dir(args, config)))
    users.add(args.name, args.role, password, args.display_name, update=args.update)
    print(f"user '{args.name}' ({args.role}) {'updated' if args.update else 'created'}")
    return 0


def _password(path: Path | None) -> str:
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AccountError(f"{path}: cannot read the password file: {exc.strerror}") from None
        return lines[0] if lines else ""
    first = getpass.getpass(f"Password (at least {MIN_PASSWORD} characters): ")
    if len(first) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")
    if getpass.getpass("The same password again: ") != first:
        raise AccountError("the two passwords differ; nothing changed")
    return first


def _add_terminal(args: argparse.Namespace) -> int:
    config = _config(args)
    token = Terminals(open_store(_data_dir(args, config))).add(args.id, args.location, renew=args.renew)
    print(f"terminal '{args.id}' {'has a new token' if args.renew else 'created'}. Put this token into the "
          "terminal's [assist] token_file (e.g. /etc/kiosk/assist-token, mode 0600); it is not shown again:")
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
