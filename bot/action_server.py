"""The action server as ONE process: `python -m bot.action_server --port 5055`.

rasa-sdk's own runner starts Sanic's manager, which forks a worker that owns the port. A
`kill -9` of the manager left the worker holding the port (every restart then failed with
"Address already in use"), and a killed worker left a manager that answered nothing while
looking alive. One process has one pid, one port and one health check, so the supervisor
sees what is really running.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

SECRET_HEADER = "X-Tuoyu-Secret"
logger = logging.getLogger(__name__)


def load_services_now() -> None:
    """Loads the embedding model, index, registry and rules before the port opens.

    Actions run on the server's one event loop; loaded lazily, the first question would block
    it for seconds, and health checks would time out on a server that is merely warming up.
    A failure here is logged, not fatal: the actions then answer that the service is down.
    """
    from actions.composition import services
    from actions.emergency import process_detector
    from actions.finder_services import finder_services
    from actions.triage_check import process_decider

    for load in (services, finder_services, process_detector, process_decider):
        try:
            load()
        except Exception:
            logger.exception("Could not load %s at start", load.__name__)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args()
    utils.configure_colored_logging(os.environ.get("TUOYU_LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package(args.actions)
    load_services_now()
    app = create_app(executor, cors_origins=None)
    secret = os.environ.get("TUOYU_RASA_TOKEN", "")

    async def require_secret(request: Request) -> HTTPResponse | None:
        """Only Rasa, which sends the shared secret, may run actions; /health is open."""
        if request.path == "/health":
            return None
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return response.json({"error": "forbidden"}, status=403)
        return None

    app.register_middleware(require_secret, "request")

    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    app.prepare(host=host, port=args.port, single_process=True, motd=False, access_log=False)
    Sanic.serve_single(app)


if __name__ == "__main__":
    main()
