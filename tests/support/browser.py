"""Debian's Chromium as the browser tests start it (playwright drives it; this module does not
import playwright, so importing it marks no test `browser`)."""

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a machine with no outside network: no background connections, no sandbox (root).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
