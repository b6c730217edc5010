# Made with --relocatable: the environment is where this script is now.
if ($PSScriptRoot) {
    $VenvDir = Split-Path -Path $PSScriptRoot -Parent
}
