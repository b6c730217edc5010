@echo off
rem Enters this pyvenv environment in the cmd.exe that runs this file:
rem
rem     C:\path\to\env\Scripts\activate.bat
rem
rem and deactivate.bat beside it leaves it again. pyvenv wrote the
rem environment's path and prompt below when it made the environment,
rem each between the quotes of a set "NAME=...", where cmd gives no meaning
rem to & | < > ^ ( ), and with each % written twice so that it stays one %.

rem With delayed expansion on (cmd /v:on), cmd also reads ! in a command
rem as the start of a variable. Values this file copies from other
rem variables are then read with !NAME!, which cmd leaves as they are; a !
rem in the values written here cannot be kept, so activation stops.
set "_PYVENV_DX="
if "!!"=="" set "_PYVENV_DX=1"
if defined _PYVENV_DX if "__CMD_BANG__"=="1" (
    set "_PYVENV_DX="
    echo activate.bat: this environment's path or prompt holds an exclamation mark, which cmd changes while delayed expansion is on. Run it in "cmd /v:off", or make the environment with another path or prompt. 1>&2
    exit /b 1
)

rem The file is UTF-8: read the rest in that code page, and go back to the
rem user's own at the end.
set "_PYVENV_CODEPAGE="
for /f "tokens=2 delims=:." %%c in ('"%SystemRoot%\System32\chcp.com"') do set "_PYVENV_CODEPAGE=%%c"
if defined _PYVENV_CODEPAGE "%SystemRoot%\System32\chcp.com" 65001 > nul

rem Leave an environment that is still active, as deactivate.bat does.
if defined _OLD_VIRTUAL_PROMPT if defined _PYVENV_DX (set "PROMPT=!_OLD_VIRTUAL_PROMPT!") else set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
set "_OLD_VIRTUAL_PROMPT="
if defined _OLD_VIRTUAL_PYTHONHOME if defined _PYVENV_DX (set "PYTHONHOME=!_OLD_VIRTUAL_PYTHONHOME!") else set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
set "_OLD_VIRTUAL_PYTHONHOME="
if defined _OLD_VIRTUAL_PATH if defined _PYVENV_DX (set "PATH=!_OLD_VIRTUAL_PATH!") else set "PATH=%_OLD_VIRTUAL_PATH%"
set "_OLD_VIRTUAL_PATH="

set "VIRTUAL_ENV=__VIRTUAL_ENV__"
set "VIRTUAL_ENV_PROMPT=__VIRTUAL_ENV_PROMPT__"

rem A cmd variable cannot be empty: an empty PYTHONHOME is none at all.
if defined PYTHONHOME if defined _PYVENV_DX (set "_OLD_VIRTUAL_PYTHONHOME=!PYTHONHOME!") else set "_OLD_VIRTUAL_PYTHONHOME=%PYTHONHOME%"
set "PYTHONHOME="

if defined _PYVENV_DX (set "_OLD_VIRTUAL_PATH=!PATH!") else set "_OLD_VIRTUAL_PATH=%PATH%"
if defined _PYVENV_DX (set "PATH=!VIRTUAL_ENV!\__BIN_NAME__;!PATH!") else set "PATH=%VIRTUAL_ENV%\__BIN_NAME__;%PATH%"

rem PROMPT has codes of its own ($P is the directory, $G a >): the prefix
rem below comes with each of its $ written twice, which PROMPT shows as one.
if defined VIRTUAL_ENV_DISABLE_PROMPT goto :pyvenv_prompt_done
if not defined PROMPT set "PROMPT=$P$G"
if defined _PYVENV_DX (set "_OLD_VIRTUAL_PROMPT=!PROMPT!") else set "_OLD_VIRTUAL_PROMPT=%PROMPT%"
rem The prefix goes through a variable: on a line holding a !, cmd with
rem delayed expansion would take a ^ in it for an escape.
set "_PYVENV_PREFIX=__PROMPT_CMD__"
if defined _PYVENV_DX (set "PROMPT=!_PYVENV_PREFIX!!PROMPT!") else set "PROMPT=%_PYVENV_PREFIX%%PROMPT%"
set "_PYVENV_PREFIX="
:pyvenv_prompt_done

if defined _PYVENV_CODEPAGE "%SystemRoot%\System32\chcp.com" %_PYVENV_CODEPAGE% > nul
set "_PYVENV_CODEPAGE="
set "_PYVENV_DX="

rem Report success: the last "set NAME=" above fails when NAME was not set.
exit /b 0
