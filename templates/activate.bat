@echo off
rem Activates this pyvenv environment in cmd.exe:
rem
rem     path\to\env\Scripts\activate.bat
rem
rem deactivate.bat beside it undoes it. The values below were written for
rem cmd when the environment was made: inside the quotes of set "NAME=..."
rem nothing is special but %, which comes doubled.

rem This file is UTF-8, so read the rest of it in that code page and put
rem the user's back at the end.
for /f "tokens=2 delims=:." %%a in ('"%SystemRoot%\System32\chcp.com"') do (
    set "_OLD_CODEPAGE=%%a"
)
if defined _OLD_CODEPAGE (
    "%SystemRoot%\System32\chcp.com" 65001 > nul
)

rem Undo an environment that is still active, as deactivate.bat would.
if defined _OLD_VIRTUAL_PROMPT set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
set _OLD_VIRTUAL_PROMPT=
if defined _OLD_VIRTUAL_PYTHONHOME set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
set _OLD_VIRTUAL_PYTHONHOME=
if defined _OLD_VIRTUAL_PATH set "PATH=%_OLD_VIRTUAL_PATH%"
set _OLD_VIRTUAL_PATH=

set "VIRTUAL_ENV=__VIRTUAL_ENV__"
set "VIRTUAL_ENV_PROMPT=__VIRTUAL_ENV_PROMPT__"

rem cmd cannot hold an empty variable, so an empty PYTHONHOME is no PYTHONHOME.
if defined PYTHONHOME set "_OLD_VIRTUAL_PYTHONHOME=%PYTHONHOME%"
set PYTHONHOME=

set "_OLD_VIRTUAL_PATH=%PATH%"
set "PATH=%VIRTUAL_ENV%\__BIN_NAME__;%PATH%"

rem PROMPT reads $ codes ($P, $G); the prefix comes with each $ doubled.
if defined VIRTUAL_ENV_DISABLE_PROMPT goto :prompt_done
if not defined PROMPT set "PROMPT=$P$G"
set "_OLD_VIRTUAL_PROMPT=%PROMPT%"
set "PROMPT=__PROMPT_CMD__%PROMPT%"
:prompt_done

if defined _OLD_CODEPAGE (
    "%SystemRoot%\System32\chcp.com" %_OLD_CODEPAGE% > nul
    set _OLD_CODEPAGE=
)
