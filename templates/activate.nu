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

    load-env {
        VIRTUAL_ENV: $virtual_env
        VIRTUAL_ENV_PROMPT: $prompt
        $path_name: ($old_path | prepend $bin)
    }
    hide-env --ignore-errors PYTHONHOME

    let disabled = ($env | get --optional VIRTUAL_ENV_DISABLE_PROMPT | default '' | into string)
    if ($disabled | is-empty) {
        let old_prompt = ($env | get --optional PROMPT_COMMAND | default '')
        # nushell prints what the closure returns as it is; the prefix is
        # plain text joined to the old prompt, never evaluated.
        let prefix = $'(char lparen)($prompt)(char rparen) '
        $env.PROMPT_COMMAND = {||
            let old = if ($old_prompt | describe) =~ '^closure' { do $old_prompt } else { $old_prompt }
            $prefix + ($old | into string)
        }
    }
}

export alias deactivate = overlay hide activate
