# Activates this pyvenv environment in nushell, as an overlay:
#
#     overlay use path/to/env/bin/activate.nu
#
# `deactivate` (or `overlay hide activate`) leaves it: hiding the overlay
# gives back every environment variable as it was before, so there is
# nothing to save by hand.
#
# The values below are raw strings made when the environment was: nothing
# in them is interpolated, whatever the path or prompt holds.

export-env {
    let virtual_env = __VIRTUAL_ENV__
    __RELOCATABLE__
    let prompt = __VIRTUAL_ENV_PROMPT__
    let bin = ($virtual_env | path join __BIN_NAME__)

    # PATH is a list once nushell has converted it, a string before.
    let path_name = if 'PATH' in $env { 'PATH' } else if 'Path' in $env { 'Path' } else { 'PATH' }
    let old_path = ($env | get --optional $path_name | default [])
    let old_path = if ($old_path | describe) == 'string' {
        $old_path | split row (char esep)
    } else {
        $old_path
    }
    # Another environment still active leaves no trace: its bin goes.
    let old_path = if ($env.VIRTUAL_ENV? | is-not-empty) {
        let previous = ($env.VIRTUAL_ENV | path join __BIN_NAME__)
        $old_path | where {|dir| $dir != $previous }
    } else {
        $old_path
    }

    load-env {
        VIRTUAL_ENV: $virtual_env
        VIRTUAL_ENV_PROMPT: $prompt
        $path_name: ($old_path | prepend $bin)
    }
    # A null variable reaches no child process, and unlike hide-env it is
    # undone when the overlay is hidden, so PYTHONHOME comes back.
    load-env (if 'PYTHONHOME' in $env { {PYTHONHOME: null} } else { {} })

    # The prompt before any environment, kept across a second activation
    # so the first one's prefix does not stay in front of it.
    let original = if '_PYVENV_OLD_PROMPT_COMMAND' in $env {
        $env._PYVENV_OLD_PROMPT_COMMAND
    } else {
        $env.PROMPT_COMMAND? | default ''
    }
    let disabled = ($env.VIRTUAL_ENV_DISABLE_PROMPT? | default '' | into string)
    if ($disabled | is-empty) {
        # nushell prints what the closure returns as it is: the prefix is
        # text joined to the old prompt, never evaluated.
        load-env {
            _PYVENV_OLD_PROMPT_COMMAND: $original
            PROMPT_COMMAND: {||
                let old = if ($original | describe) =~ '^closure' { do $original } else { $original }
                $'(char lparen)($env.VIRTUAL_ENV_PROMPT? | default '')(char rparen) ' + ($old | into string)
            }
        }
    } else if '_PYVENV_OLD_PROMPT_COMMAND' in $env {
        load-env { PROMPT_COMMAND: $original }
    }
}

export alias deactivate = overlay hide activate
