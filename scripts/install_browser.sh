#!/usr/bin/env bash
# Install what the explorer's end-to-end browser test (tests/test_app_browser.py) needs:
#   1. Debian's `chromium` package (apt-get, as root, only when no Chromium binary exists). Playwright
#      drives this binary via executable_path; no browser is downloaded from anywhere else.
#   2. Solara's front-end files, for machines without access to the CDN Solara normally loads them from:
#      the `solara-assets` package from PyPI fills Solara's local asset cache (only if files are missing).
# Run it after `pip install -e ".[explore,test]"`. Exit code 0 when everything is in place or could not
# be installed for a reason the test reports as a skip (not root, no apt-get); 1 when an install failed.
set -uo pipefail

PYTHON="${PYTHON:-python3}"
status=0

find_chromium() {
    for candidate in "${OPISIM_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser \
        "$(command -v chromium 2>/dev/null)" "$(command -v chromium-browser 2>/dev/null)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# 1. Chromium ---------------------------------------------------------------------------------------
if chromium_path="$(find_chromium)"; then
    echo "install_browser: Chromium present: $chromium_path ($("$chromium_path" --version 2>/dev/null | head -n1))"
elif [ "$(id -u)" -ne 0 ]; then
    echo "install_browser: no Chromium found and not running as root: the browser test will be skipped." >&2
    echo "install_browser: install it with: sudo apt-get install -y chromium" >&2
elif ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no Chromium found and no apt-get on this system: the browser test will be skipped." >&2
else
    echo "install_browser: installing Debian's chromium with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
        chromium_path="$(find_chromium)" && echo "install_browser: installed $chromium_path"
    else
        echo "install_browser: apt-get install chromium FAILED" >&2
        status=1
    fi
fi

# 2. Solara's front-end files -------------------------------------------------------------------------
# Prints the asset files the installed Solara serves from its cache and that are missing there.
missing_assets() {
    "$PYTHON" - <<'PY'
import re
import sys
from pathlib import Path

try:
    import ipyvue
    import solara.server.settings as settings
    import solara.server.server as server
except ImportError as exc:
    print(f"solara not importable ({exc}); install the extra: pip install -e '.[explore]'", file=sys.stderr)
    sys.exit(2)

template = (Path(server.__file__).parent / "templates" / "solara.html.j2").read_text()
app = "solara-vuetify3-app" if ipyvue.__version__.startswith("3") else "solara-vuetify-app"
version = re.search(rf"@widgetti/{app}@([\w.\-]+)/", template).group(1)
needed = [
    f"@widgetti/{app}@{version}/dist/solara-vuetify-app8.min.js",
    f"@widgetti/{app}@{version}/dist/main8.css",
    settings.assets.fontawesome_path.lstrip("/"),
]
needed += sorted({m for m in re.findall(r"\{\{cdn\}\}/(requirejs@[^\"']+)", template)})
cache = Path(settings.assets.proxy_cache_dir)
for rel in needed:
    if not (cache / rel).is_file():
        print(cache / rel)
PY
}

missing="$(missing_assets)"
rc=$?
if [ $rc -eq 2 ]; then
    status=1
elif [ -z "$missing" ]; then
    echo "install_browser: Solara's front-end files are in its local cache"
else
    echo "install_browser: Solara's front-end files missing from its cache; installing solara-assets from PyPI ..."
    if "$PYTHON" -m pip install -q "solara-assets>=1.58"; then
        missing="$(missing_assets)"
        if [ -n "$missing" ]; then
            echo "install_browser: still missing after installing solara-assets (Solara newer than its assets?):" >&2
            echo "$missing" >&2
            status=1
        else
            echo "install_browser: Solara's front-end files installed"
        fi
    else
        echo "install_browser: pip install solara-assets FAILED" >&2
        status=1
    fi
fi

exit $status
