"""Activates this pyvenv environment inside a Python that is already running.

    path = "path/to/env/bin/activate_this.py"
    exec(open(path).read(), {"__file__": path})

Afterwards the environment's site-packages comes first on sys.path,
sys.prefix and sys.exec_prefix name the environment, and VIRTUAL_ENV,
VIRTUAL_ENV_PROMPT and PATH are set in os.environ for child processes.
There is no way back short of restarting the interpreter.

The values below were written as Python literals when the environment was
made, in plain ASCII so any locale's encoding reads them. This file runs on
every Python 3 from 3.6 on.
"""

import os
import site
import sys

if "__file__" not in globals():
    raise AssertionError(
        "activate_this.py must be run with exec(open(path).read(), {'__file__': path})"
    )



def _native(text):
    """The str this Python uses for the UTF-8 bytes pyvenv wrote.

    A Python whose filesystem encoding is not UTF-8 (ASCII, under the C
    locale on 3.6) names the same bytes with other characters.
    """
    if os.name == "nt":
        return text
    return os.fsdecode(text.encode("utf-8"))


_virtual_env = _native(__VIRTUAL_ENV__)
__RELOCATABLE__
_prompt = _native(__VIRTUAL_ENV_PROMPT__)
_bin = os.path.join(_virtual_env, _native(__BIN_NAME__))
_site_packages = os.path.join(_virtual_env, _native(__SITE_PACKAGES__))

os.environ["VIRTUAL_ENV"] = _virtual_env
os.environ["VIRTUAL_ENV_PROMPT"] = _prompt
# An empty PATH gains no empty entry: that would mean the working directory.
_old_path = os.environ.get("PATH", "")
os.environ["PATH"] = _bin + os.pathsep + _old_path if _old_path else _bin

# addsitedir also runs the .pth files of site-packages and appends what
# they name; all of that then goes in front of what was there before.
_before = list(sys.path)
site.addsitedir(_site_packages)
_added = [p for p in sys.path[len(_before):] if p != _site_packages]
sys.path[:] = (
    [_site_packages] + _added + [p for p in _before if p != _site_packages]
)

sys.real_prefix = sys.prefix
sys.prefix = _virtual_env
sys.exec_prefix = _virtual_env
