# Activates this pyvenv environment in csh or tcsh:
#
#     source path/to/env/bin/activate.csh
#
# csh has no functions, so deactivate is an alias; each step of it runs only
# where activation saved something to put back.

alias deactivate '\
    test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH:q" && unset _OLD_VIRTUAL_PATH;\
    test $?_OLD_VIRTUAL_PYTHONHOME != 0 && setenv PYTHONHOME "$_OLD_VIRTUAL_PYTHONHOME:q" && unset _OLD_VIRTUAL_PYTHONHOME;\
    test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT:q" && unset _OLD_VIRTUAL_PROMPT;\
    unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; rehash;\
    test "\!:*" != "nondestructive" && unalias deactivate'

deactivate nondestructive

# Quoted for csh when the environment was made; nothing in them expands.
setenv VIRTUAL_ENV __VIRTUAL_ENV__
setenv VIRTUAL_ENV_PROMPT __VIRTUAL_ENV_PROMPT__

set _OLD_VIRTUAL_PATH="$PATH:q"
setenv PATH "$VIRTUAL_ENV:q/"__BIN_NAME__":$PATH:q"

if ($?PYTHONHOME) then
    set _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME:q"
    unsetenv PYTHONHOME
endif

if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ($?prompt) then
        set _OLD_VIRTUAL_PROMPT="$prompt:q"
        set prompt = __PS1_CSH__"$prompt:q"
    endif
endif

rehash
