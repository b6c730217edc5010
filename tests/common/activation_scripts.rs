//! The scripts the activation battery runs inside each shell.
//!
//! None of them holds a hostile value: the environment's scripts are named
//! through variables (`PYVENV_T_ACT`, ...) or through a symlink with a plain
//! name, so what is under test is the activation script, never the way the
//! test typed a path. Each script takes snapshots of the shell's state
//! (`s0` before activating, `s1` while active, ...) into files under
//! `PYVENV_T_OUT`, one file per value, so every byte can be compared.
//!
//! The sequence, the same in every shell that can follow it:
//!
//! - s0 before, with PYTHONHOME set and a known prompt; s1 active; s2 after
//!   `deactivate`, which must equal s0.
//! - s3 with PYTHONHOME set but empty and PS1 unset; s4 active, sourced
//!   through a symlinked path; s5 after `deactivate nondestructive`, equal
//!   to s3 with the function kept.
//! - s6 with PYTHONHOME unset; s7 after activating another environment and
//!   then this one; s8 after `deactivate`, equal to s6.
//! - s9 active with VIRTUAL_ENV_DISABLE_PROMPT: the prompt untouched.
//! - `done` written last, so a script that stopped half way is seen.

#![allow(dead_code)]

/// Snapshot and sequence for POSIX shells; `@PROLOGUE@` sets the shell's
/// strict mode, `@SHOW@` draws the prompt with the shell's own renderer
/// (where it has one) and `@VARIANTS@` re-activates under other prompt
/// options.
pub const POSIX: &str = r#"@PROLOGUE@
O=$PYVENV_T_OUT
s() { printf '%s' "$2" > "$O/$1"; }
snap() {
    s "$1.path" "${PATH+=}${PATH-}"
    s "$1.ps1" "${PS1+=}${PS1-}"
    s "$1.ph" "${PYTHONHOME+=}${PYTHONHOME-}"
    s "$1.ve" "${VIRTUAL_ENV+=}${VIRTUAL_ENV-}"
    s "$1.vep" "${VIRTUAL_ENV_PROMPT+=}${VIRTUAL_ENV_PROMPT-}"
    # ksh93 prints what command -v finds quoted for ksh93.
    py=$(command -v python || :)
    case ${KSH_VERSION-} in *93*) eval "py=$py" ;; esac
    s "$1.py" "$py"
    # A function is named bare; a path is some other deactivate on PATH.
    case $(command -v deactivate || :) in
        deactivate) s "$1.fn" deactivate ;;
        *) s "$1.fn" '' ;;
    esac
}
PS1='@@OLD@@'
PYTHONHOME=/the/home
export PYTHONHOME
# A python looked up before activation must not be the one found after.
hash python 2>/dev/null || :
snap s0
. "$PYVENV_T_ACT"
snap s1
@SHOW@
deactivate
snap s2
PYTHONHOME=
@UNSET_PS1@
snap s3
. "$PYVENV_T_LINK_ACT"
snap s4
deactivate nondestructive
snap s5
deactivate
unset PYTHONHOME
snap s6
. "$PYVENV_T_OTHER_ACT"
. "$PYVENV_T_ACT"
snap s7
deactivate
snap s8
VIRTUAL_ENV_DISABLE_PROMPT=1
export VIRTUAL_ENV_DISABLE_PROMPT
. "$PYVENV_T_ACT"
snap s9
deactivate
unset VIRTUAL_ENV_DISABLE_PROMPT
@VARIANTS@
s done ok
"#;

/// bash draws with `${PS1@P}`, which honours promptvars and POSIX mode.
pub const BASH_SHOW: &str = r#"s s1.shown "${PS1@P}""#;

/// bash with promptvars off, and in POSIX mode (which expands PS1 and
/// reads `!` whatever promptvars says).
pub const BASH_VARIANTS: &str = r#"PS1='@@OLD@@'
shopt -u promptvars
. "$PYVENV_T_ACT"
s v_nopromptvars.shown "${PS1@P}"
deactivate
set -o posix
. "$PYVENV_T_ACT"
s v_posix.shown "${PS1@P}"
deactivate
set +o posix
shopt -s promptvars"#;

/// zsh draws with `print -P`, which honours PROMPT_SUBST and PROMPT_BANG.
pub const ZSH_SHOW: &str = r#"print -rnP -- "$PS1" > "$O/s1.shown""#;

/// zsh under every combination of PROMPT_SUBST and PROMPT_BANG.
pub const ZSH_VARIANTS: &str = r#"PS1='@@OLD@@'
for opts in 'subst nobang' 'nosubst bang' 'subst bang'; do
    case $opts in *nosubst*) unsetopt promptsubst ;; *) setopt promptsubst ;; esac
    case $opts in *nobang*) unsetopt promptbang ;; *) setopt promptbang ;; esac
    . "$PYVENV_T_ACT"
    print -rnP -- "$PS1" > "$O/v_${opts// /_}.shown"
    deactivate
done
unsetopt promptsubst promptbang"#;

/// The startup file of an interactive POSIX shell in a pseudo-terminal:
/// the old prompt is the sentinel, so what is drawn before it is ours.
pub const POSIX_RC: &str = r#"PS1='@@END@@'
YASH_PS1='@@END@@'
. "$PYVENV_T_ACT"
echo @@BEGIN@@
"#;

/// zsh's startup file: without PROMPT_SP zsh draws no end-of-line marker.
pub const ZSH_RC: &str = r#"unsetopt promptsp
PS1='@@END@@'
. "$PYVENV_T_ACT"
echo @@BEGIN@@
"#;

/// fish: snapshots by fish itself; the prompt is drawn by running
/// `fish_prompt`, as fish does.
pub const FISH: &str = r#"set O $PYVENV_T_OUT
function s
    printf '%s' $argv[2] > $O/$argv[1]
end
function snap
    set -l l $argv[1]
    s $l.path =(string join : -- $PATH | string collect)
    if set -q PYTHONHOME; s $l.ph "=$PYTHONHOME"; else; s $l.ph ''; end
    if set -q VIRTUAL_ENV; s $l.ve "=$VIRTUAL_ENV"; else; s $l.ve ''; end
    if set -q VIRTUAL_ENV_PROMPT; s $l.vep "=$VIRTUAL_ENV_PROMPT"; else; s $l.vep ''; end
    s $l.py (command -v python | string collect)
    if functions -q deactivate; s $l.fn deactivate; else; s $l.fn ''; end
    s $l.ps1 (plain (fish_prompt | string collect) | string collect)
end
function fish_prompt
    printf '@@OLD@@'
end
# The colours activate.fish draws the name in are checked on their own
# (tests/activation_parity.rs); the battery compares the text.
set -g _t_colours (set_color 4B8BBE | string collect) (set_color normal | string collect)
function plain
    set -l t $argv[1]
    for c in $_t_colours
        test -n "$c"; and set t (string replace -a -- $c '' $t | string collect -a)
    end
    printf '%s' $t
end
set -gx PYTHONHOME /the/home
snap s0
source $PYVENV_T_ACT
snap s1
s s1.shown (plain (fish_prompt | string collect) | string collect)
deactivate
snap s2
set -gx PYTHONHOME ''
snap s3
source $PYVENV_T_LINK_ACT
snap s4
deactivate nondestructive
snap s5
deactivate
set -e PYTHONHOME
snap s6
source $PYVENV_T_OTHER_ACT
source $PYVENV_T_ACT
snap s7
deactivate
snap s8
set -gx VIRTUAL_ENV_DISABLE_PROMPT 1
source $PYVENV_T_ACT
snap s9
deactivate
set -e VIRTUAL_ENV_DISABLE_PROMPT
s done ok
"#;

/// csh and tcsh: csh has no functions, so a snapshot is a sourced file
/// (`SNAP_CSH`) that hands the shell's own variables to `SNAP_SH` through
/// the environment. The environment is always sourced through its
/// symlink, whose name is plain; `@LINK@` and `@OTHER@` are those paths.
pub const CSH: &str = r#"set prompt = '@@OLD@@'
setenv PYTHONHOME /the/home
set label = s0
source "$PYVENV_T_SNAP_CSH"
source @LINK@/bin/activate.csh
set label = s1
source "$PYVENV_T_SNAP_CSH"
deactivate
set label = s2
source "$PYVENV_T_SNAP_CSH"
setenv PYTHONHOME ''
unset prompt
set label = s3
source "$PYVENV_T_SNAP_CSH"
source @LINK@/bin/activate.csh
set label = s4
source "$PYVENV_T_SNAP_CSH"
deactivate nondestructive
set label = s5
source "$PYVENV_T_SNAP_CSH"
deactivate
unsetenv PYTHONHOME
set prompt = '@@OLD@@'
set label = s6
source "$PYVENV_T_SNAP_CSH"
source @OTHER@/bin/activate.csh
source @LINK@/bin/activate.csh
set label = s7
source "$PYVENV_T_SNAP_CSH"
deactivate
set label = s8
source "$PYVENV_T_SNAP_CSH"
setenv VIRTUAL_ENV_DISABLE_PROMPT 1
source @LINK@/bin/activate.csh
set label = s9
source "$PYVENV_T_SNAP_CSH"
deactivate
unsetenv VIRTUAL_ENV_DISABLE_PROMPT
sh -c 'printf ok > "$PYVENV_T_OUT/done"'
"#;

/// The csh half of a snapshot: what only csh knows goes into T_* variables.
pub const SNAP_CSH: &str = r#"if ($?prompt) then
    setenv T_PS1 "=$prompt:q"
else
    setenv T_PS1 ''
endif
setenv T_FN `alias deactivate | wc -c`
sh "$PYVENV_T_SNAP_SH" "$label"
"#;

/// The POSIX half of a csh snapshot.
pub const SNAP_SH: &str = r#"O=$PYVENV_T_OUT
s() { printf '%s' "$2" > "$O/$1.$3"; }
s "$1" "${PATH+=}${PATH-}" path
s "$1" "${PYTHONHOME+=}${PYTHONHOME-}" ph
s "$1" "${VIRTUAL_ENV+=}${VIRTUAL_ENV-}" ve
s "$1" "${VIRTUAL_ENV_PROMPT+=}${VIRTUAL_ENV_PROMPT-}" vep
s "$1" "$(command -v python || :)" py
s "$1" "${T_PS1-}" ps1
case ${T_FN-0} in *[1-9]*) s "$1" deactivate fn ;; *) s "$1" '' fn ;; esac
"#;

/// The csh startup file for drawing the prompt in a pseudo-terminal.
pub const CSH_RC: &str = r#"set prompt = '@@END@@'
source @LINK@/bin/activate.csh
echo @@BEGIN@@
"#;

/// nushell: `overlay use` takes a path known when the script is parsed,
/// so the plain-named symlinks are written into the script. Snapshots are
/// taken by `SNAP_SH`, from what a child process is handed.
pub const NU: &str = r#"def snap [l: string] {
    # What a child process sees is what activation is for.
    let fn = (if (overlay list | where {|o| $o.name == 'activate' and $o.active } | is-empty) { '0' } else { '1' })
    with-env { T_PS1: (do $env.PROMPT_COMMAND), T_FN: $fn } { ^sh $env.PYVENV_T_SNAP_SH $l }
}
$env.PROMPT_COMMAND = {|| '@@OLD@@' }
$env.PYTHONHOME = '/the/home'
snap s0
overlay use '@LINK@/bin/activate.nu'
snap s1
do $env.PROMPT_COMMAND | save -f ($env.PYVENV_T_OUT | path join s1.shown)
deactivate
snap s2
$env.PYTHONHOME = ''
snap s3
overlay use '@LINK@/bin/activate.nu'
snap s4
deactivate
snap s5
hide-env PYTHONHOME
snap s6
overlay use '@OTHER@/bin/activate.nu'
overlay use '@LINK@/bin/activate.nu'
snap s7
deactivate
snap s8
$env.VIRTUAL_ENV_DISABLE_PROMPT = '1'
overlay use '@LINK@/bin/activate.nu'
snap s9
deactivate
hide-env VIRTUAL_ENV_DISABLE_PROMPT
'ok' | save -f ($env.PYVENV_T_OUT | path join done)
"#;

/// `activate_this.py` inside a running Python: what it changed, as ASCII
/// JSON so any locale can print it.
pub const ACTIVATE_THIS: &str = r#"import json, os, sys
p = sys.argv[1]
exec(open(p).read(), {'__file__': p})
# The bytes each value names, which is what matters whatever the locale.
b = lambda s: os.fsencode(s).decode('utf-8')
print(json.dumps({
    'path0': b(sys.path[0]),
    'prefix': b(sys.prefix),
    'exec_prefix': b(sys.exec_prefix),
    'VIRTUAL_ENV': b(os.environ['VIRTUAL_ENV']),
    'VIRTUAL_ENV_PROMPT': b(os.environ['VIRTUAL_ENV_PROMPT']),
    'PATH': b(os.environ['PATH']),
}))
"#;
