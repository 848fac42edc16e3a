#!/usr/bin/env bash
# Install opisim from this repository's own files into one fresh virtual environment per supported
# Python (3.11 with Mesa 3.3 and 3.12 with Mesa 3.5: pip picks the newest Mesa each interpreter takes),
# then run the whole test suite in each. Exit 0 only if every interpreter was found, installed and passed;
# pytest's exit 5 ("no tests collected") counts as a failure.
#
#   bash scripts/test.sh                            # both interpreters (what .ci/run runs)
#   OPISIM_TEST_PYTHONS="3.12" bash scripts/test.sh # one interpreter
#   bash scripts/test.sh -x tests/test_scenario.py  # arguments go to pytest
#
# The environments live in .venv-test/py<version>/ and are reused while pyproject.toml is unchanged.
# Interpreters are found as python<version> on PATH or, failing that, through pyenv.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHONS="${OPISIM_TEST_PYTHONS:-3.11 3.12}"
VENVS=".venv-test"

find_python() {  # the command of an interpreter of version $1, e.g. 3.12
    local version="$1" full
    if command -v "python$version" >/dev/null 2>&1 && "python$version" -c "" >/dev/null 2>&1; then
        command -v "python$version"
        return 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        full="$(pyenv versions --bare 2>/dev/null | grep -E "^${version//./\\.}(\.[0-9]+)?$" | sort -V | tail -n1)"
        if [ -n "$full" ] && [ -x "$(pyenv root)/versions/$full/bin/python$version" ]; then
            echo "$(pyenv root)/versions/$full/bin/python$version"
            return 0
        fi
    fi
    return 1
}

prepare_venv() {  # create (or reuse) the environment of interpreter $2 at $1 and install opisim into it
    local venv="$1" python="$2" stamp
    stamp="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
    if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.pyproject.sha256" 2>/dev/null)" = "$stamp" ]; then
        echo "test.sh: reusing $venv (pyproject.toml unchanged)"
        return 0
    fi
    rm -rf "$venv"
    "$python" -m venv "$venv" || return 1
    "$venv/bin/python" -m pip install -q -e ".[test,explore]" || return 1
    echo "$stamp" >"$venv/.pyproject.sha256"
}

status=0
summary=()
ready=()  # versions whose environment is installed
for version in $PYTHONS; do
    if ! python="$(find_python "$version")"; then
        echo "test.sh: no Python $version found (python$version on PATH, or pyenv)" >&2
        summary+=("Python $version: NOT FOUND")
        status=1
        continue
    fi
    venv="$VENVS/py$version"
    echo "test.sh: Python $version ($python) -> $venv"
    if ! prepare_venv "$venv" "$python"; then
        echo "test.sh: installing opisim into $venv FAILED" >&2
        summary+=("Python $version: INSTALL FAILED")
        status=1
        continue
    fi
    PYTHON="$venv/bin/python" bash scripts/install_browser.sh || status=1
    ready+=("$version")
done

rm -f "$VENVS"/py*.log.rc
# The suites run side by side (one per interpreter: a 2-core machine runs both in the time of one
# and a half); OPISIM_TEST_SERIAL=1 runs them one after the other. Each writes its own log, printed
# whole when it is done.
pids=()
for version in "${ready[@]}"; do
    log="$VENVS/py$version.log"
    (
        start=$SECONDS
        export PATH="$PWD/$VENVS/py$version/bin:$PATH"  # the environment's own `opisim` script
        "$VENVS/py$version/bin/python" -c \
            "import mesa, sys; print(f'test.sh: Python {sys.version.split()[0]}, Mesa {mesa.__version__}')"
        "$VENVS/py$version/bin/python" -m pytest "$@"
        rc=$?
        echo "test.sh: Python $version: pytest exit $rc after $((SECONDS - start)) s"
        echo "$rc" >"$log.rc"
    ) >"$log" 2>&1 &
    pids+=($!)
    if [ "${OPISIM_TEST_SERIAL:-0}" = "1" ]; then
        wait "$!"
    fi
done
wait "${pids[@]}" 2>/dev/null
for version in "${ready[@]}"; do
    echo "=================================== Python $version ==================================="
    cat "$VENVS/py$version.log"
    rc="$(cat "$VENVS/py$version.log.rc" 2>/dev/null || echo missing)"
    if [ "$rc" = "0" ]; then
        summary+=("Python $version: passed")
    elif [ "$rc" = "5" ]; then
        summary+=("Python $version: FAILED (pytest exit 5: no tests ran)")
        status=1
    else
        summary+=("Python $version: FAILED (pytest exit $rc)")
        status=1
    fi
done
printf 'test.sh: %s\n' "${summary[@]}"
# one closing line over both interpreters, from each suite's last pytest line
read -r passed failed < <(
    for version in "${ready[@]}"; do
        grep -E '[0-9]+ (passed|failed|errors?)' "$VENVS/py$version.log" | tail -n1
    done | awk '{ for (i = 1; i < NF; i++) { if ($(i + 1) ~ /^passed/) p += $i;
                  if ($(i + 1) ~ /^(failed|error)/) f += $i } } END { print p + 0, f + 0 }'
)
echo "test.sh: $passed passed, $failed failed"
exit $status
