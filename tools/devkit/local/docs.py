"""`make run`'s interactive API docs at /docs: Swagger UI over /openapi.json, with its assets
from the swagger-ui-bundle-v2 package (requirements-dev.txt), so the page works offline and
loads nothing from another host. Local only, like /openapi.json: no function serves it in AWS."""

import mimetypes

from swagger_ui_bundle import swagger_ui_path

# Swagger UI 5 (OpenAPI 3.1, which FastAPI writes). validatorUrl: null, or the page would load
# a badge from validator.swagger.io.
PAGE = b"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Community API (local)</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  </script>
</body>
</html>
"""


def docs_response(path: str) -> tuple[int, dict[str, str], bytes] | None:
    """The reply for a GET of `path` if it is a docs URL, else None."""
    if path in ("/docs", "/docs/"):
        return 200, {"content-type": "text/html; charset=utf-8", "cache-control": "no-cache"}, PAGE
    if not path.startswith("/docs/"):
        return None
    name = path.removeprefix("/docs/")
    # Only the package's own top-level files: a name is never a path.
    assets = {entry.name: entry for entry in swagger_ui_path.iterdir() if entry.is_file()}
    if name not in assets:
        return 404, {"content-type": "application/json"}, b'{"message":"Not Found"}'
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return 200, {"content-type": content_type}, assets[name].read_bytes()
