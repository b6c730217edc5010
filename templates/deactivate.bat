@echo off
rem Leaves the pyvenv environment activate.bat entered: PROMPT, PYTHONHOME
rem and PATH go back to what they were, and what activation added goes.
rem Saved values are read with !NAME! when delayed expansion is on
rem (cmd /v:on), where cmd would read a ! in them as a variable's start.

set "_PYVENV_DX="
if "!!"=="" set "_PYVENV_DX=1"

if defined _OLD_VIRTUAL_PROMPT if defined _PYVENV_DX (set "PROMPT=!_OLD_VIRTUAL_PROMPT!") else set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
set "_OLD_VIRTUAL_PROMPT="

if defined _OLD_VIRTUAL_PYTHONHOME if defined _PYVENV_DX (set "PYTHONHOME=!_OLD_VIRTUAL_PYTHONHOME!") else set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
set "_OLD_VIRTUAL_PYTHONHOME="

if defined _OLD_VIRTUAL_PATH if defined _PYVENV_DX (set "PATH=!_OLD_VIRTUAL_PATH!") else set "PATH=%_OLD_VIRTUAL_PATH%"
set "_OLD_VIRTUAL_PATH="

set "VIRTUAL_ENV="
set "VIRTUAL_ENV_PROMPT="
set "_PYVENV_DX="

rem Report success: a "set NAME=" above fails when NAME was not set.
exit /b 0
