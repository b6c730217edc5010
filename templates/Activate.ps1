<#
.SYNOPSIS
Activates this pyvenv environment in PowerShell:

    . path/to/env/bin/Activate.ps1

.PARAMETER VenvDir
The environment to activate; by default the one this script was made for.

.PARAMETER Prompt
The prefix for the prompt; by default the one recorded when it was made.
#>
param(
    [string] $VenvDir,
    [string] $Prompt
)

function global:deactivate ([switch] $NonDestructive) {
    if (Test-Path -LiteralPath variable:global:_OLD_VIRTUAL_PATH) {
        $env:PATH = $global:_OLD_VIRTUAL_PATH
        Remove-Variable -Name _OLD_VIRTUAL_PATH -Scope Global
    }
    if (Test-Path -LiteralPath variable:global:_OLD_VIRTUAL_PYTHONHOME) {
        $env:PYTHONHOME = $global:_OLD_VIRTUAL_PYTHONHOME
        Remove-Variable -Name _OLD_VIRTUAL_PYTHONHOME -Scope Global
    }
    if (Test-Path -LiteralPath function:global:_OLD_VIRTUAL_PROMPT) {
        Copy-Item -LiteralPath function:global:_OLD_VIRTUAL_PROMPT -Destination function:global:prompt
        Remove-Item -LiteralPath function:global:_OLD_VIRTUAL_PROMPT
    }
    foreach ($name in 'VIRTUAL_ENV', 'VIRTUAL_ENV_PROMPT') {
        if (Test-Path -LiteralPath "env:$name") {
            Remove-Item -LiteralPath "env:$name"
        }
    }
    if (-not $NonDestructive) {
        Remove-Item -LiteralPath function:global:deactivate
    }
}

deactivate -NonDestructive

# Quoted for PowerShell when the environment was made; nothing in them expands.
if (-not $VenvDir) {
    $VenvDir = __VIRTUAL_ENV__
}
if (-not $Prompt) {
    $Prompt = __VIRTUAL_ENV_PROMPT__
}

$env:VIRTUAL_ENV = $VenvDir
$env:VIRTUAL_ENV_PROMPT = $Prompt

$global:_OLD_VIRTUAL_PATH = $env:PATH
$env:PATH = (Join-Path -Path $VenvDir -ChildPath __BIN_NAME__) + [System.IO.Path]::PathSeparator + $env:PATH

if (Test-Path -LiteralPath env:PYTHONHOME) {
    $global:_OLD_VIRTUAL_PYTHONHOME = $env:PYTHONHOME
    Remove-Item -LiteralPath env:PYTHONHOME
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    Copy-Item -LiteralPath function:global:prompt -Destination function:global:_OLD_VIRTUAL_PROMPT
    function global:prompt {
        Write-Host -NoNewline -ForegroundColor Green "($env:VIRTUAL_ENV_PROMPT) "
        & $function:_OLD_VIRTUAL_PROMPT
    }
}
