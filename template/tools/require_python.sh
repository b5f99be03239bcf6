#!/bin/sh
# The template manages this file: local edits meet the next copier update as a merge.
# Is the Python that .python-version names there? Exit 0 if so; otherwise
# say how to get it, and exit 1. Used by make venv and make doctor.
#   sh tools/require_python.sh PYTHON VERSION [MAKE-GOALS]
python="$1"
version="$2"
goals="${3:-dev}"
if [ -z "$version" ]; then
    echo "error: .python-version is missing or empty: it names the project's Python version (e.g. 3.12)." >&2
    echo "       Restore it with: git checkout -- .python-version" >&2
    exit 1
fi
if "$python" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" >/dev/null 2>&1; then
    exit 0
fi
echo "error: Python $version (from .python-version) was not found as '$python'." >&2
echo "       Install it with one of: pyenv install $version | uv python install $version | your OS package manager," >&2
echo "       or point make at it: make $goals PYTHON=/path/to/python$version" >&2
exit 1
