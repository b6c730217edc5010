<#
.SYNOPSIS
Activates this pyvenv environment in the current PowerShell session.

.DESCRIPTION
Puts the environment's scripts directory first on PATH, sets VIRTUAL_ENV
and VIRTUAL_ENV_PROMPT, removes PYTHONHOME, and leads the prompt with the
environment's name. Run `deactivate` to undo all of it.

The script must be dot-sourced (". path\to\Activate.ps1"), so that what it
sets stays in the session.

.PARAMETER VenvDir
The environment to activate. By default, the one this script was made for.

.PARAMETER Prompt
The prefix the prompt is led by, in brackets. By default, the "prompt"
recorded in the environment's pyvenv.cfg (what --prompt was given when it
was made); without one, the environment directory's name.

.EXAMPLE
. ./env/bin/Activate.ps1
Activates the environment the script belongs to.

.EXAMPLE
. ./env/bin/Activate.ps1 -Prompt 'work'
Activates it with "(work) " in front of the prompt.

.EXAMPLE
. ./Activate.ps1 -VenvDir C:\Users\me\envs\tools
Activates another environment; its prompt comes from its own pyvenv.cfg,
else from its directory's name.

.NOTES
Set VIRTUAL_ENV_DISABLE_PROMPT to leave the prompt alone. If the execution
policy forbids running scripts, see Get-Help about_Execution_Policies; for
example `Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser`.

.LINK
https://docs.python.org/3/library/venv.html
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

# Decodes a string as Python's repr() writes it into pyvenv.cfg: in single
# or double quotes, with backslash escapes. Text in no quotes is returned as
# it stands. The text is only ever data here: nothing in it is run.
function global:_PyvenvFromPythonRepr ([string] $Text) {
    if ($Text.Length -lt 2 -or $Text[0] -ne $Text[$Text.Length - 1] -or
        ($Text[0] -ne [char]39 -and $Text[0] -ne [char]34)) {
        return $Text
    }
    $Body = $Text.Substring(1, $Text.Length - 2)
    $Out = New-Object -TypeName System.Text.StringBuilder
    $Simple = @{ [char]'n' = "`n"; [char]'r' = "`r"; [char]'t' = "`t"; [char]'a' = [string][char]7;
                 [char]'b' = [string][char]8; [char]'f' = [string][char]12; [char]'v' = [string][char]11;
                 [char]'0' = [string][char]0 }
    $Width = @{ [char]'x' = 2; [char]'u' = 4; [char]'U' = 8 }
    $i = 0
    while ($i -lt $Body.Length) {
        $c = $Body[$i]
        if ($c -ne [char]92 -or $i + 1 -ge $Body.Length) {
            [void] $Out.Append($c)
            $i += 1
            continue
        }
        $e = $Body[$i + 1]
        if ($Simple.ContainsKey($e)) {
            [void] $Out.Append($Simple[$e])
            $i += 2
        } elseif ($Width.ContainsKey($e) -and $i + 2 + $Width[$e] -le $Body.Length) {
            $Code = [Convert]::ToInt32($Body.Substring($i + 2, $Width[$e]), 16)
            [void] $Out.Append([char]::ConvertFromUtf32($Code))
            $i += 2 + $Width[$e]
        } else {
            [void] $Out.Append($e)
            $i += 2
        }
    }
    return $Out.ToString()
}

# The "prompt" key of a pyvenv.cfg, decoded; $null when there is none.
function global:_PyvenvCfgPrompt ([string] $Dir) {
    $Cfg = Join-Path -Path $Dir -ChildPath 'pyvenv.cfg'
    if (-not (Test-Path -LiteralPath $Cfg -PathType Leaf)) {
        return $null
    }
    foreach ($Line in Get-Content -LiteralPath $Cfg -Encoding UTF8) {
        if ($Line -match '^\s*prompt\s*=\s*(.*?)\s*$') {
            return _PyvenvFromPythonRepr $Matches[1]
        }
    }
    return $null
}

$OwnDir = -not $VenvDir
if ($OwnDir) {
    # Quoted for PowerShell when the environment was made; nothing expands.
    $VenvDir = __VIRTUAL_ENV__
    __RELOCATABLE__
}
if (-not $Prompt) {
    $FromCfg = _PyvenvCfgPrompt $VenvDir
    if ($null -ne $FromCfg) {
        $Prompt = $FromCfg
    } elseif (-not $OwnDir) {
        $Prompt = Split-Path -Path $VenvDir -Leaf
    } else {
        # As the path above: a literal, written when the environment was made.
        $Prompt = __VIRTUAL_ENV_PROMPT__
    }
}
Remove-Item -LiteralPath 'function:global:_PyvenvFromPythonRepr', 'function:global:_PyvenvCfgPrompt'

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
