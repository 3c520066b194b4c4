#!/usr/bin/env bash
# Installs what the tests need, then runs the whole test suite. Extra arguments go to pytest.
#
# Debian packages: installed when run as root, otherwise named in a one-line hint. Python
# packages: into the virtual environment .venv (created here), at the versions of
# requirements.lock. With CI set (.ci/run), the non-browser tests run a second time against the
# oldest versions pyproject.toml allows (tests/min-versions.txt), in .venv-min.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase's wall time, on stderr, so that a slow CI run says where its time went.
phase_started=$SECONDS
phase_took() {
  echo "tests/run.sh: $1 took $((SECONDS - phase_started)) s" >&2
  phase_started=$SECONDS
}

missing=()
needs_command() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
needs_command python3 python3
needs_command chromium chromium       # browser tests, through Playwright
needs_command zip zip
needs_command node nodejs             # the browser tests' npm packages (scorm-again, axe-core)
needs_command npm npm
needs_command php php-cli             # php -l on the Moodle plugin
needs_command pdftoppm poppler-utils  # PDF pages as images
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
# WeasyPrint's system libraries and fonts (PDF outputs)
for lib in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
  dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "tests/run.sh: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "tests/run.sh: coursebridge needs Python 3.11 or newer, python3 is $(python3 -V 2>&1); install a newer python3" >&2
  exit 1
fi
phase_took "system packages"

# A virtual environment with coursebridge (editable) and the test tools, at `constraints`.
prepare_venv() {
  local venv=$1 constraints=$2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c "$constraints" -e '.[test]'
}

prepare_venv .venv requirements.lock
phase_took "Python packages (.venv)"
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
phase_took "npm packages"

.venv/bin/python -m pytest -n auto -q --durations=15 "$@"
phase_took "tests"

if [ -n "${CI:-}" ]; then
  prepare_venv .venv-min tests/min-versions.txt
  phase_took "Python packages at the oldest versions (.venv-min)"
  # The same tests but the browser ones, the fuzz test (it ran at full count above) and the
  # install test (it installs the lock, not these versions).
  .venv-min/bin/python -m pytest -n auto -q -m "not browser" --ignore=tests/test_fuzz_loader.py \
    --deselect tests/test_install.py::test_fresh_virtualenv_install "$@"
  phase_took "tests at the oldest versions"
fi
