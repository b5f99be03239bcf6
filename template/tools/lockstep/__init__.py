# The template manages this file: local edits meet the next copier update as a merge.
"""Keep requirements*.txt true to requirements*.in, and .venv true to both.

The Makefile delegates to this package (through tools/locks.py) everything
that reads or writes a lock or changes the venv. One job per module:

    lockfile   the lock file format: pins, blocks, fingerprint lines, conflict markers
    stamp      what a no-op `make dev` checks (standard library only, and small)
    inputs     the files a lock is compiled from, and what they ask for
    state      is each lock current? (`make check-lock`, the lock-drift hook)
    compile    resolving locks: seeds, the pin report, the downgrade guard, all or none
    cooldown   the cutoff no release may be younger than (MIN_RELEASE_AGE, AS_OF)
    sync       the venv holds exactly the locks, and the project itself, installed
    bootstrap  the venv, its pip, the engine's tool, and this package's libraries
    engines    what differs between pip-tools and uv
    pip_config pip's index settings, told to uv (which does not read pip's files)
    platforms  which platforms a lock holds for
    run        running pip, pip-compile and uv: redaction, signals, one make at a time
    cli        the command line

Versions, specifiers and markers come from `packaging`, the pin the dev lock
holds (pytest and pip-tools need it): the venv's own copy, or, where the venv
has none (before its first sync, after `make prod`), a copy installed from
that pin with its hashes into .venv/tools/lockstep. The no-op path and
`check` need only the standard library.
"""
