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
# What a page action or `expect` waits for a condition at most: generous, since a 2-core machine
# running other suites (and their Chromiums) beside this one answers a cold route slowly. Only a
# failing test waits this long; a passing one goes on as soon as the condition holds.
TIMEOUT = 30_000
