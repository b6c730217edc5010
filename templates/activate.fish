# Activates this pyvenv environment in fish:
#
#     source path/to/env/bin/activate.fish
#
# `deactivate` undoes it; `deactivate nondestructive` undoes it but keeps
# the function, which is how a new activation cleans up an older one.

function deactivate --description 'Leave the pyvenv environment'
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if set -q _OLD_FISH_PROMPT_OVERRIDE
        set -e _OLD_FISH_PROMPT_OVERRIDE
        # A nested fish may see the variable without the saved function.
        if functions -q _old_fish_prompt
            functions -e fish_prompt
            functions -c _old_fish_prompt fish_prompt
            functions -e _old_fish_prompt
        else if set -q _PYVENV_NO_FISH_PROMPT
            functions -e fish_prompt
        end
        set -e _PYVENV_NO_FISH_PROMPT
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e deactivate
        functions -e _pyvenv_set_status
    end
end

deactivate nondestructive

# Quoted for fish when the environment was made; nothing in them expands.
set -gx VIRTUAL_ENV __VIRTUAL_ENV__
__RELOCATABLE__
set -gx VIRTUAL_ENV_PROMPT __VIRTUAL_ENV_PROMPT__

set -g _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/"__BIN_NAME__ $PATH

# Saved even when set but empty, so deactivate puts back exactly that.
if set -q PYTHONHOME
    set -g _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

function _pyvenv_set_status --description 'Hand a saved exit status on to the next prompt'
    return $argv[1]
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    if functions -q fish_prompt
        functions -c fish_prompt _old_fish_prompt
    else
        set -g _PYVENV_NO_FISH_PROMPT 1
    end
    # fish draws the prompt by running this function; printf's %s prints
    # the variable's value as it is, whatever it holds. The name is in the
    # blue of the Python logo, as CPython's script draws it; set_color runs
    # on its own, so a terminal without colours (where it prints nothing)
    # still gets the name in its brackets.
    function fish_prompt --description 'The prompt, led by the environment name'
        set -l last_status $status
        set_color 4B8BBE
        printf '(%s)' "$VIRTUAL_ENV_PROMPT"
        set_color normal
        printf ' '
        if functions -q _old_fish_prompt
            _pyvenv_set_status $last_status
            _old_fish_prompt
        end
    end
    set -g _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
