"""The embeddable widget: how much a centre's visitors download, and how soon it is ready.

    .venv/bin/python -m benchmarks.widget [--loads 10]

Starts a gateway on a free port (the widget needs nothing else to load; Rasa and the action
server only answer messages) and serves the demo community-centre page (bot/widget_demo.py)
from another port, as a real centre's site would be. Measures:

- the size of /widget.js as sent (gzip) and uncompressed;
- in headless Chromium (Debian's), the time from the start of the page's navigation to the
  widget's ready marker (window.TuoyuWidget.readyAt, set when <tuoyu-widget data-ready> is
  mounted), over LOADS loads in a fresh profile each (a first visit: nothing cached) and
  LOADS reloads in one profile (a returning visitor: the script from the HTTP cache).

Target: gzipped script <= 15 KB, first-visit ready p50 (the median) <= 500 ms on the project's
2-core machine (the page itself is local, so this is the widget's own cost plus one fetch).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import urllib.request

from benchmarks.common import save, summary_ms
from bot import processes
from bot.local_stack import free_port
from bot.settings import Settings
from bot.supervisor import ManagedProcess, wait_until
from bot.widget_demo import host_page, serving

READY = "tuoyu-widget[data-ready=true]"


def script_sizes(gateway: str) -> tuple[int, int]:
    """(bytes as sent with gzip, bytes uncompressed) of /widget.js."""
    sizes = []
    for encoding in ("gzip", "identity"):
        request = urllib.request.Request(
            f"{gateway}/widget.js", headers={"Accept-Encoding": encoding}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            sizes.append(len(response.read()))
    return sizes[0], sizes[1]


def ready_times_s(page_url: str, loads: int) -> tuple[list[float], list[float]]:
    """Seconds from navigation start to the widget's ready marker: first visits, reloads."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed: apt-get install chromium")
    first: list[float] = []
    again: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for _ in range(loads):
                context = browser.new_context()
                page = context.new_page()
                page.goto(page_url)
                page.wait_for_selector(READY, state="attached")
                first.append(page.evaluate("window.TuoyuWidget.readyAt") / 1000)
                context.close()
            context = browser.new_context()
            page = context.new_page()
            page.goto(page_url)
            page.wait_for_selector(READY, state="attached")
            for _ in range(loads):
                page.reload()
                page.wait_for_selector(READY, state="attached")
                again.append(page.evaluate("window.TuoyuWidget.readyAt") / 1000)
            context.close()
        finally:
            browser.close()
    return first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args()
    project = Settings.from_env()
    with tempfile.TemporaryDirectory(prefix="tuoyu-bench-widget-") as tmp:
        settings = Settings.from_env(
            {
                "TUOYU_VAR_DIR": tmp,
                "TUOYU_EMBEDDING_MODEL_DIR": str(project.embedding_model_dir),
                "TUOYU_INDEX_DIR": str(project.index_dir),
                "TUOYU_TRIAGE_DIR": str(project.triage_dir),
            }
        ).with_ports(port=free_port(), rasa_port=free_port(), actions_port=free_port())
        gateway = ManagedProcess(processes.gateway(settings), echo=False)
        gateway_url = f"http://127.0.0.1:{settings.port}"
        gateway.start()
        try:
            if not wait_until(f"{gateway_url}/widget.js", 60, gateway):
                raise SystemExit("the gateway did not start")
            gzipped, plain = script_sizes(gateway_url)
            with serving() as site:
                url = site.add("/", host_page(f"{gateway_url}/widget.js", {"district": "朝阳区"}))
                first, again = ready_times_s(url, args.loads)
        finally:
            gateway.stop()
    result = {
        "widget_js_gzip_bytes": gzipped,
        "widget_js_bytes": plain,
        "ready_first_visit": summary_ms(first),
        "ready_reload": summary_ms(again),
        "targets": {"widget_js_gzip_bytes": 15 * 1024, "ready_first_visit_p50_ms": 500},
    }
    path = save("widget", result)
    print(f"widget.js gzipped : {gzipped} bytes ({gzipped / 1024:.1f} KB; {plain} uncompressed)")
    print(f"ready, first visit: {result['ready_first_visit']}")
    print(f"ready, reload     : {result['ready_reload']}")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
