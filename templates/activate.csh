# Activates this pyvenv environment in csh or tcsh:
#
#     source path/to/env/bin/activate.csh
#
# csh has no functions, so deactivate is an alias; each of its steps runs
# only where activation saved something to put back (`test` guards the step
# because csh expands a whole `if` line, undefined variables included).
# `deactivate nondestructive` keeps the alias.
#
# The values below were quoted for csh when the environment was made; a
# path or prompt holding a newline, which csh cannot keep, gets a script
# that refuses to activate instead.

alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH:q" && unset _OLD_VIRTUAL_PATH; test $?_OLD_VIRTUAL_PYTHONHOME != 0 && setenv PYTHONHOME "$_OLD_VIRTUAL_PYTHONHOME:q" && unset _OLD_VIRTUAL_PYTHONHOME; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt = "$_OLD_VIRTUAL_PROMPT:q" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; rehash; test "\!:*" != nondestructive && unalias deactivate && unalias pydoc'

deactivate nondestructive

setenv VIRTUAL_ENV __VIRTUAL_ENV__
setenv VIRTUAL_ENV_PROMPT __VIRTUAL_ENV_PROMPT__

set _OLD_VIRTUAL_PATH = "$PATH:q"
setenv PATH "$VIRTUAL_ENV:q/"__BIN_NAME__":$PATH:q"

if ($?PYTHONHOME) then
    set _OLD_VIRTUAL_PYTHONHOME = "$PYTHONHOME:q"
    unsetenv PYTHONHOME
endif

# csh reads `!` in the prompt as the event number; tcsh also reads `%`, `\`
# and `^` sequences. The prefix comes escaped for each.
if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ($?prompt) then
        set _OLD_VIRTUAL_PROMPT = "$prompt:q"
        if ($?tcsh) then
            set prompt = __PROMPT_TCSH__"$prompt:q"
        else
            set prompt = __PROMPT_CSH__"$prompt:q"
        endif
    endif
endif

alias pydoc python -m pydoc

rehash
