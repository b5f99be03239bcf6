# The real action reads python-version, else python-version-file, then finds
# the newest matching build in the tool cache or downloads it; here the
# builds are the host's, mounted read-only at the same path, in $ACT_PYTHON_BUILDS:
# pyenv's versions (X.Y.Z/bin/python) or a hosted tool cache (X.Y.Z/x64/bin/python).
set -euo pipefail
builds="$ACT_PYTHON_BUILDS"
version="$WANTED"
if [ -z "$version" ] && [ -n "$WANTED_FILE" ]; then
    if [ ! -f "$WANTED_FILE" ]; then
        echo "::error::The specified python version file at: $WANTED_FILE does not exist"
        exit 1
    fi
    version="$(grep -v '^\s*#' "$WANTED_FILE" | head -n 1 | tr -d '[:space:]')"
fi
if [ -z "$version" ]; then
    echo "::error::No python-version or python-version-file given (the stand-in does not fall back to the PATH)"
    exit 1
fi
found=""
for candidate in $(ls "$builds" 2>/dev/null | sort -V); do
    case "$candidate" in
        "$version" | "$version".*) found="$candidate" ;;
    esac
done
home="$builds/$found"
[ -x "$home/bin/python" ] || home="$builds/$found/x64"
if [ -z "$found" ]; then
    echo "::error::The version '$version' with architecture 'x64' was not found for Ubuntu 24.04."
    echo "::error::The list of all available versions can be found here: https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json"
    exit 1
fi
prefix="$RUNNER_TOOL_CACHE/Python/$found/x64"
mkdir -p "$(dirname "$prefix")"
ln -sfn "$home" "$prefix"
echo "Successfully set up CPython ($found)"
if [ "$UPDATE_ENVIRONMENT" = "true" ]; then
    echo "$prefix/bin" >> "$GITHUB_PATH"
    {
        echo "pythonLocation=$prefix"
        echo "PKG_CONFIG_PATH=$prefix/lib/pkgconfig"
        echo "Python_ROOT_DIR=$prefix"
        echo "Python3_ROOT_DIR=$prefix"
    } >> "$GITHUB_ENV"
fi
{
    echo "python-version=$found"
    echo "cache-hit=false"
    echo "python-path=$prefix/bin/python"
} >> "$GITHUB_OUTPUT"
