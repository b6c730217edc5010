# Made with --relocatable: the environment is where this file is now.
let virtual_env = if ($env.FILE_PWD? | is-not-empty) {
    $env.FILE_PWD | path dirname | path expand
} else {
    $virtual_env
}
