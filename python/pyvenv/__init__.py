"""pyvenv, the Rust program that creates Python virtual environments.

The wheel carries the compiled ``pyvenv`` binary in its scripts, which pip
puts in the environment's ``bin`` (``Scripts`` on Windows). This package only
finds that binary, so that ``python -m pyvenv`` works where that directory is
not on PATH (``pip install --user``, Windows), and so that other programs can
ask for its path with :func:`find_pyvenv_bin`.
"""

import os
import sysconfig

__all__ = ["find_pyvenv_bin"]


def find_pyvenv_bin():
    """Return the path of the ``pyvenv`` binary installed with this package.

    It is looked for in the scripts directory of the installation scheme
    whose site-packages holds this package (a virtual environment, the
    system, ``--user``, ``--prefix``), then where ``pip install --target DIR``
    puts scripts (``DIR/bin``). Raises ``FileNotFoundError`` naming every
    place looked in when it is in none of them.
    """
    name = "pyvenv" + (sysconfig.get_config_var("EXE") or "")
    looked_in = []
    for scripts in _scripts_dirs():
        if scripts in looked_in:
            continue
        looked_in.append(scripts)
        candidate = os.path.join(scripts, name)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        "the pyvenv binary is not installed beside this package; looked in: "
        + ", ".join(looked_in)
    )


def _scripts_dirs():
    """The directories the binary may have been installed to, best first."""
    # .../site-packages/pyvenv/__init__.py -> .../site-packages
    site_packages = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    here = os.path.normcase(os.path.realpath(site_packages))
    schemes = [None] + list(sysconfig.get_scheme_names())
    for scheme in schemes:
        try:
            paths = sysconfig.get_paths(scheme) if scheme else sysconfig.get_paths()
        except (KeyError, ValueError):
            continue
        libs = {paths.get("purelib"), paths.get("platlib")}
        if any(lib and os.path.normcase(os.path.realpath(lib)) == here for lib in libs):
            if paths.get("scripts"):
                yield paths["scripts"]
    # pip install --target DIR: the package in DIR, the scripts in DIR/bin.
    yield os.path.join(site_packages, "bin")
