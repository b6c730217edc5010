# Made with --relocatable: the environment is wherever this script is now.
set -l _pyvenv_self (status filename | string collect)
if test -n "$_pyvenv_self"; and test "$_pyvenv_self" != -
    string match -q -- '/*' "$_pyvenv_self"; or set _pyvenv_self "$PWD/$_pyvenv_self"
    set -l _pyvenv_bin (string replace -r -- '/[^/]*$' '' "$_pyvenv_self")
    set -l _pyvenv_here (builtin realpath -- "$_pyvenv_bin/.." | string collect)
    if test -n "$_pyvenv_here"; and test -f "$_pyvenv_here/pyvenv.cfg"
        set -gx VIRTUAL_ENV "$_pyvenv_here"
    end
end
