# Activates this pyvenv environment in fish:
#
#     source path/to/env/bin/activate.fish

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
        if functions -q _old_fish_prompt
            functions -e fish_prompt
            functions -c _old_fish_prompt fish_prompt
            functions -e _old_fish_prompt
        end
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
set -gx VIRTUAL_ENV_PROMPT __VIRTUAL_ENV_PROMPT__

set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/"__BIN_NAME__ $PATH

if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

function _pyvenv_set_status --description 'Hand a saved exit status on to the next prompt'
    return $argv[1]
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    if functions -q fish_prompt
        functions -c fish_prompt _old_fish_prompt
    else
        function _old_fish_prompt
        end
    end
    function fish_prompt --description 'The prompt, led by the environment name'
        set -l last_status $status
        printf '(%s) ' $VIRTUAL_ENV_PROMPT
        _pyvenv_set_status $last_status
        _old_fish_prompt
    end
    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
