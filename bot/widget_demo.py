"""A community centre's own web page with the Tuoyu widget on it, served from its own port.

The page is a stand-in for the sites that embed the widget: another origin than the
gateway, and CSS of its own that would break a widget living in the page's DOM (global
`*`, `div` and `button` rules with !important, a tiny root font size, a stacking overlay).
Used by `make demo-widget` (scripts/demo_widget.py), the browser tests and
`benchmarks.widget`, so all three look at the same hostile page.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Rules a real site might have; each would break a widget that used plain page elements.
HOSTILE_CSS = """
html { font-size: 10px; }
* { box-sizing: content-box !important; font-family: Georgia, serif !important;
    letter-spacing: .08em; text-transform: uppercase; line-height: 3 !important; }
body { margin: 0; background: #fdf6e3; color: #3b2f2f; font-size: 1.6rem; }
div { padding: 18px; border: 3px dashed #c0392b; margin: 6px; background: #fff3cd; }
button { background: #c0392b !important; color: #c0392b !important; border: 0;
         font-size: 30px !important; width: 100%; display: block; }
button:focus { outline: none !important; }
textarea, input { font-size: 8px !important; color: #fff !important; background: #fff; }
section, aside, form, ol, li, p, h2 { display: block; margin: 40px; }
a { color: #8e44ad; }
[role="dialog"], [role="log"] { display: none !important; }
body > * { position: relative; z-index: 1; }
.site-header { background: #2c3e50; color: #fff; padding: 1.6rem 2.4rem; }
.site-header a { color: #fff; }
.notice { position: fixed; left: 0; top: 40%; z-index: 999999; width: 160px; margin: 0;
          background: #e67e22; color: #000; }
main { max-width: 72rem; margin: 0 auto; padding: 2.4rem; }
"""

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>朝阳区某社区服务中心（示例页面）</title>
<style>{css}</style>
</head>
<body>
<header class="site-header"><strong>朝阳区某社区服务中心</strong>
  <nav><a href="#news">通知公告</a> · <a href="#services">便民服务</a></nav></header>
<main>
  <h1>社区养育服务</h1>
  <p>这是一张演示页面（示例，不是真实机构）：它自己的样式很“霸道”，用来检查托育助手小窗口
  不受影响，也不影响页面。右下角的按钮打开托育助手。</p>
  <div id="services"><button id="host-button" type="button">社区自己的按钮</button>
  <p><a id="host-link" href="#news">社区新闻</a></p></div>
</main>
<div class="notice">社区通知：本周六上午有育儿讲座。</div>
{scripts}
</body>
</html>
"""


def widget_tag(widget_url: str, attributes: Mapping[str, str] | None = None) -> str:
    """The one tag a centre pastes: <script src=".../widget.js" data-...>."""
    attrs = "".join(
        f' data-{html.escape(name)}="{html.escape(value, quote=True)}"'
        for name, value in (attributes or {}).items()
    )
    return f'<script src="{html.escape(widget_url, quote=True)}"{attrs}></script>'


def host_page(
    widget_url: str, attributes: Mapping[str, str] | None = None, *, copies: int = 1
) -> str:
    """The centre's page embedding the widget (copies > 1: the tag pasted more than once)."""
    tag = widget_tag(widget_url, attributes)
    return PAGE.format(css=HOSTILE_CSS, scripts="\n".join([tag] * copies))


class HostSite:
    """Serves HTML pages by path on 127.0.0.1 from a background thread."""

    def __init__(self, server: ThreadingHTTPServer, pages: dict[str, str]) -> None:
        self._server = server
        self._pages = pages

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, path: str, page: str) -> str:
        """Publishes page at path; returns its URL."""
        self._pages[path] = page
        return f"{self.base_url}{path}"


@contextmanager
def serving(pages: Mapping[str, str] | None = None, port: int = 0) -> Iterator[HostSite]:
    """A host site on 127.0.0.1:port (0: any free port) until the block ends."""
    published: dict[str, str] = dict(pages or {})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = published.get(self.path.split("?", 1)[0])
            body = (page if page is not None else "<!doctype html><p>Not found</p>").encode()
            self.send_response(200 if page is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo prints its own address, tests have their own output."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="widget-host", daemon=True)
    thread.start()
    try:
        yield HostSite(server, published)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
