"""``python -m pyvenv ARGS``: run the installed pyvenv binary with ARGS.

On POSIX the binary replaces this Python process, so signals, the exit
status and the terminal are pyvenv's own. Windows has no exec: the binary
runs as a child and its exit status becomes this process's.
"""

import os
import sys

from pyvenv import find_pyvenv_bin


def _main():
    try:
        binary = find_pyvenv_bin()
    except FileNotFoundError as error:
        sys.stderr.write("Error: {}\n".format(error))
        return 1
    argv = [binary] + sys.argv[1:]
    if os.name != "nt":
        os.execv(binary, argv)
    import subprocess

    child = subprocess.Popen(argv)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached pyvenv too; its exit status says how it ended.
            continue


if __name__ == "__main__":
    sys.exit(_main())
