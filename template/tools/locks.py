# The template manages this file: local edits meet the next copier update as a merge.
"""The Makefile's way into tools/lockstep: `python tools/locks.py COMMAND`.

`python tools/locks.py --help` lists the commands. A sync with nothing to do
is answered here, from the stamp of the last one, before anything else is
loaded: the Makefile runs this with `python -S`, which skips loading the
venv's site-packages; a run with work to do loads them (lockstep.cli).
"""

import sys

from lockstep import stamp

if __name__ == "__main__":
    said = stamp.unchanged(sys.argv[1:]) if "sync" in sys.argv[1:] else None
    if said is not None:
        sys.stderr.write(said)
        sys.exit(0)
    from lockstep.cli import main

    sys.exit(main(sys.argv[1:]))
