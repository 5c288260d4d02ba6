#!/bin/sh
# Regenerate the README's screenshots (docs/screenshots/*.png) from the browser test, so they show the chat
# as it is: the test writes them where README_SCREENSHOTS points. Needs Debian's chromium (see README).
set -e
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
README_SCREENSHOTS=docs/screenshots "$PYTHON" -m pytest tests/test_browser.py -q -p no:cacheprovider \
  -k "(disagreement and wide-light) or (whole_article and wide-light) or full_dates"
ls -l docs/screenshots
