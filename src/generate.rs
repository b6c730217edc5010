//! `pyvenv --generate KIND`: the man page and the shell completion scripts,
//! made from the same clap definition the parser uses, so they never
//! disagree with it.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;
use roff::{Roff, bold, roman};

use crate::cli::{Cli, ENVIRONMENT, EXIT_STATUS, GenerateKind};

/// Writes what `kind` names to `out`.
pub fn generate(kind: GenerateKind, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    let name = cmd.get_name().to_string();
    match kind {
        GenerateKind::Man => man_page(cmd, out),
        GenerateKind::CompleteBash => complete(Shell::Bash, &mut cmd, &name, out),
        GenerateKind::CompleteZsh => complete(Shell::Zsh, &mut cmd, &name, out),
        GenerateKind::CompleteFish => complete(Shell::Fish, &mut cmd, &name, out),
        GenerateKind::CompletePowershell => complete(Shell::PowerShell, &mut cmd, &name, out),
        GenerateKind::CompleteNushell => {
            clap_complete::generate(clap_complete_nushell::Nushell, &mut cmd, name, out);
            Ok(())
        }
    }
}

fn complete(
    shell: Shell,
    cmd: &mut clap::Command,
    name: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    clap_complete::generate(shell, cmd, name, out);
    Ok(())
}

/// clap_mangen's sections, then the ones it cannot know: the environment
/// variables and the exit statuses.
fn man_page(cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in ENVIRONMENT {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*meaning)]);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        roff.control("TP", []);
        roff.text([bold(*code)]);
        roff.text([roman(*meaning)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "python3(1); the venv module's documentation. Once an environment has \
         been created, activate it by sourcing an activate script in its bin directory.",
    )]);
    roff.to_writer(out)?;
    man.render_version_section(out)
}
