"""`tuoyu`: the one command operators use.

tuoyu setup            build the embedding model, guidance index and Rasa model if stale
tuoyu run              set up, then run Rasa, the action server and the gateway
tuoyu train [--force]  train the Rasa model (only when its inputs changed, unless --force)
tuoyu kb check         validate every knowledge-base entry
tuoyu kb build         rebuild the guidance index if content or model changed
tuoyu validate         rasa data validate (domain, training data, config)
tuoyu test-stories     conversation tests (rasa test core --fail-on-prediction-errors)
tuoyu rasa ARGS...     run any rasa command in Rasa's own environment
tuoyu admin create-user NAME --role ROLE | set-password NAME | disable NAME
                       staff console accounts (password from stdin)
tuoyu review export    resolved review-queue questions into tests/data/review_regressions.yml
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot import processes
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError
from bot.supervisor import PRIVATE_UMASK

logger = logging.getLogger("tuoyu")

WARM_UP_MESSAGES = ("你好", "宝宝几个月可以加辅食？", "when can my baby start solid food?")


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    return settings.with_ports(
        port=getattr(args, "port", None) or settings.port,
        rasa_port=getattr(args, "rasa_port", None) or settings.rasa_port,
        actions_port=getattr(args, "actions_port", None) or settings.actions_port,
    )


def cmd_setup(args: argparse.Namespace) -> int:
    from bot.provisioning import prepare

    prepared = prepare(_settings(args), force_train=args.force_train)
    done = ", ".join(prepared.built) if prepared.built else "nothing (all current)"
    print(f"Setup complete. Built: {done}. Rasa model: {prepared.rasa_model.name}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.training import train_if_needed

    path, trained = train_if_needed(_settings(args), force=args.force)
    print(f"{'Trained' if trained else 'Up to date'}: {path}")
    return 0


def cmd_rasa(args: argparse.Namespace) -> int:
    settings = _settings(args)
    argv = [str(processes.rasa_executable(settings)), *args.rasa_args]
    return subprocess.call(argv, cwd=settings.project_dir, env=processes.rasa_env(settings))


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    project = settings.project_dir
    argv = [
        str(processes.rasa_executable(settings)),
        "data",
        "validate",
        "--domain",
        str(project / "domain.yml"),
        "--data",
        str(project / "training_data"),
        "--config",
        str(project / "config.yml"),
    ]
    return subprocess.call(argv, cwd=project, env=processes.rasa_env(settings))


def cmd_test_stories(args: argparse.Namespace) -> int:
    from bot.training import model_path

    settings = _settings(args)
    model = model_path(settings)
    if not model.is_file():
        print("No trained Rasa model; run `tuoyu setup` first.", file=sys.stderr)
        return 2
    project = settings.project_dir
    argv = [
        str(processes.rasa_executable(settings)),
        "test",
        "core",
        "--model",
        str(model),
        "--stories",
        str(project / "tests" / "conversations"),
        "--fail-on-prediction-errors",
        "--out",
        str(settings.var_dir / "results" / "conversations"),
    ]
    return subprocess.call(argv, cwd=project, env=processes.rasa_env(settings))


def cmd_kb(args: argparse.Namespace) -> int:
    from knowledge_base.cli import run_kb_command

    settings = _settings(args)
    return run_kb_command(
        args.kb_command,
        content_dir=settings.content_dir,
        index_dir=settings.index_dir,
        model_dir=settings.embedding_model_dir,
        force=getattr(args, "force", False),
    )


def cmd_registry(args: argparse.Namespace) -> int:
    from knowledge_base.registry.cli import run_import, run_sample

    settings = _settings(args)
    if args.registry_command == "sample":
        out = Path(args.out) if args.out else settings.var_dir / "sample-registry.csv"
        return run_sample(settings.database_url, out, import_it=args.import_it)
    return run_import(
        settings.database_url,
        Path(args.file),
        replace=args.replace,
        skip_invalid=args.skip_invalid,
    )


def cmd_admin(args: argparse.Namespace) -> int:
    from bot.console.accounts import ConsoleAccounts
    from bot.console.cli import run_admin_command

    settings = _settings(args)
    return run_admin_command(
        args.admin_command,
        ConsoleAccounts(settings.console_db_path),
        args.username,
        role=getattr(args, "role", None),
    )


def cmd_review(args: argparse.Namespace) -> int:
    from knowledge_base.embedding import SentenceTransformerEmbedder
    from knowledge_base.review_export import REGRESSIONS_FILE, export_review_cases

    settings = _settings(args)
    try:
        embedder = SentenceTransformerEmbedder(settings.embedding_model_dir)
    except FileNotFoundError as missing:
        print(f"{missing} The cases cannot be checked without it.", file=sys.stderr)
        return 2
    report = export_review_cases(
        settings.review_queue_path,
        settings.project_dir / REGRESSIONS_FILE,
        content_dir=settings.content_dir,
        index_dir=settings.index_dir,
        embedder=embedder,
        threshold=settings.confidence_threshold,
        maybe_threshold=settings.maybe_threshold,
    )
    print(f"{REGRESSIONS_FILE}: {report.summary()}.")
    for case in report.waiting:
        print(f"  waiting: {case.question} -> {case.entry} ({case.language})")
    return 0


def _warm_up(settings: Settings) -> None:
    from bot.supervisor import post_json

    url = f"http://{settings.host}:{settings.port}/api/chat"
    for message in WARM_UP_MESSAGES:
        status, _ = post_json(url, {"sender_id": "tuoyu-warm-up", "message": message})
        if status != 200:
            logger.warning("Warm-up message got HTTP %s", status)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.supervisor import Supervisor, install_signal_handlers, tail

    settings = _settings(args)
    for name, port in (
        ("TUOYU_PORT", settings.port),
        ("TUOYU_RASA_PORT", settings.rasa_port),
        ("TUOYU_ACTIONS_PORT", settings.actions_port),
    ):
        if not _port_free("127.0.0.1", port):
            print(f"Port {port} is in use. Stop what uses it or set {name}.", file=sys.stderr)
            return 2
    started = time.monotonic()
    if args.no_setup:
        from bot.training import model_path

        rasa_model = model_path(settings)
        if not rasa_model.is_file():
            print("No trained Rasa model; run `tuoyu setup` first.", file=sys.stderr)
            return 2
    else:
        from bot.provisioning import prepare

        rasa_model = prepare(settings).rasa_model
    supervisor = Supervisor(
        [
            processes.action_server(settings),
            processes.rasa_server(settings, rasa_model),
            processes.gateway(settings),
        ]
    )
    install_signal_handlers(supervisor)
    try:
        supervisor.start()
        failed = supervisor.wait_ready()
        if failed:
            for name in failed:
                spec = supervisor.by_name(name).spec
                logger.error(
                    "%s did not start. Last log lines:\n%s",
                    name,
                    tail(spec.log_file) if spec.log_file else "",
                )
            return 1
        health = f"http://{settings.host}:{settings.port}/healthz"
        from bot.supervisor import wait_until

        if not wait_until(health, 120):
            logger.error("Services started but %s never reported healthy", health)
            return 1
        _warm_up(settings)
        print(
            f"\nTuoyu is ready in {time.monotonic() - started:.0f} s: "
            f"http://{settings.host}:{settings.port}/  (Ctrl-C stops all three)\n",
            flush=True,
        )
        supervisor.watch()
    except KeyboardInterrupt:
        print("\nStopping Tuoyu...", flush=True)
    finally:
        supervisor.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tuoyu", description="Tuoyu childcare assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    def ports(p: argparse.ArgumentParser) -> None:
        p.add_argument("--port", type=int, help="gateway port (TUOYU_PORT, default 8080)")
        p.add_argument("--rasa-port", type=int, help="Rasa port (TUOYU_RASA_PORT, 5005)")
        p.add_argument("--actions-port", type=int, help="action server port (5055)")

    setup = sub.add_parser("setup", help="build model folder, index and Rasa model if stale")
    setup.add_argument("--force-train", action="store_true")
    setup.set_defaults(handler=cmd_setup)

    run = sub.add_parser("run", help="run Rasa, the action server and the gateway")
    ports(run)
    run.add_argument("--no-setup", action="store_true", help="skip the staleness checks")
    run.set_defaults(handler=cmd_run)

    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(handler=cmd_train)

    kb = sub.add_parser("kb", help="knowledge base: check entries, build the index")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_sub.add_parser("check", help="validate every entry; prints file:line: problem")
    kb_build = kb_sub.add_parser("build", help="rebuild the index if content or model changed")
    kb_build.add_argument("--force", action="store_true")
    kb.set_defaults(handler=cmd_kb)

    registry = sub.add_parser("registry", help="the registry of filed institutions")
    registry_sub = registry.add_subparsers(dest="registry_command", required=True)
    importing = registry_sub.add_parser(
        "import", help="import a CSV or XLSX registry file (headers in English or Chinese)"
    )
    importing.add_argument("file")
    importing.add_argument(
        "--replace",
        action="store_true",
        help="the file is the whole registry: mark others deregistered",
    )
    importing.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import good rows; write bad ones to a rejects file",
    )
    sample = registry_sub.add_parser(
        "sample", help="write the deterministic SAMPLE registry (1,500 institutions) as CSV"
    )
    sample.add_argument("--out", help="where to write it (default var/sample-registry.csv)")
    sample.add_argument("--import", dest="import_it", action="store_true", help="and import it")
    registry.set_defaults(handler=cmd_registry)

    admin = sub.add_parser("admin", help="staff console accounts (passwords read from stdin)")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_sub.add_parser("create-user", help="create an account")
    create.add_argument("username")
    create.add_argument(
        "--role", required=True, choices=("admin", "editor", "registry", "caseworker")
    )
    admin_sub.add_parser("set-password", help="set a new password").add_argument("username")
    admin_sub.add_parser("disable", help="disable an account").add_argument("username")
    admin.set_defaults(handler=cmd_admin)

    review = sub.add_parser("review", help="the staff review queue")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    review_sub.add_parser(
        "export",
        help="write resolved questions that find their entry to tests/data/review_regressions.yml",
    )
    review.set_defaults(handler=cmd_review)

    validate = sub.add_parser("validate", help="rasa data validate on domain and training data")
    validate.set_defaults(handler=cmd_validate)

    stories = sub.add_parser("test-stories", help="conversation tests against the trained model")
    stories.set_defaults(handler=cmd_test_stories)

    rasa = sub.add_parser("rasa", help="run a rasa command in Rasa's own environment")
    rasa.add_argument("rasa_args", nargs=argparse.REMAINDER)
    rasa.set_defaults(handler=cmd_rasa)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    # Databases, secrets and logs that any command creates are for their owner only.
    os.umask(PRIVATE_UMASK)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
