"""``python -m pyvenv ARGS``: run the installed pyvenv binary with ARGS.

On POSIX the binary replaces this Python process, so signals, the exit
status and the terminal are pyvenv's own. Windows has no exec: the binary
runs as a child and its exit status becomes this process's.

As ``python3.12 -m venv`` makes a 3.12 environment, ``python3.12 -m pyvenv``
targets the Python that runs it, through ``PYVENV_PYTHON``, unless the
caller already set that variable; ``-p`` still overrides both.
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
    env = os.environ.copy()
    if "PYVENV_PYTHON" not in env and sys.executable:
        env["PYVENV_PYTHON"] = sys.executable
    if os.name != "nt":
        os.execve(binary, argv, env)
    import subprocess

    child = subprocess.Popen(argv, env=env)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached pyvenv too; its exit status says how it ended.
            continue


if __name__ == "__main__":
    sys.exit(_main())
