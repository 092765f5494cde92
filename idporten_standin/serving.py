"""Running the stand-in with werkzeug's server, without query strings in the access log.

Query strings can hold an id_token (end session's id_token_hint), and an id_token
holds a pid; neither may reach a log.
"""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler


class QueryFreeRequestHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        path = getattr(self, "path", "").split("?", 1)[0]
        self.log("info", '"%s %s" %s %s', getattr(self, "command", "-"), path, code, size)
