#!/bin/sh
# The template manages this file: local edits meet the next copier update as a merge.
# The shell around `copier update` in make template-update:
#   sh tools/template_update.sh check                     before: refuse what could not be reviewed as one diff
#   sh tools/template_update.sh report MAKE PYTHON RELOCK  after: what changed, what is left to do
mode="$1"

if [ "$mode" = check ]; then
    if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "error: template-update needs the project in git (copier merges against your last commit)." >&2
        echo "       Run: git init && git add -A && git commit -m 'Project from template'" >&2
        exit 1
    fi
    if [ -n "$(git status --porcelain)" ]; then
        echo "error: the working tree has uncommitted changes, so template-update changed nothing:" >&2
        git status --short >&2
        echo "       Commit or stash them first; the update then arrives as one diff you can review or undo." >&2
        exit 1
    fi
    exit 0
fi

make="$2"
python="$3"
relock="$4"
echo "What the update changed (git diff HEAD shows it line by line):"
git status --short | sed 's/^/  /'
git --no-pager diff --stat HEAD | tail -n 1 | sed 's/^/ /'
conflicts="$(git diff --name-only --diff-filter=U)"
if [ "$relock" = 1 ]; then
    if [ -n "$conflicts" ]; then
        echo "RELOCK=1: not relocking while conflicts are unresolved; resolve them, then run make lock."
    else
        "$make" --no-print-directory lock || exit $?
    fi
fi
if [ -n "$conflicts" ]; then
    echo "Resolve the <<<<<<< markers the update left in:"
    echo "$conflicts" | sed 's/^/  /'
fi
"$python" tools/locks.py check >/dev/null 2>&1 ||
    echo "The update changed a requirements .in file: run make dev (or make lock) to regenerate the locks, and commit them."
