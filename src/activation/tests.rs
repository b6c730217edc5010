//! The renderer's promises, checked on the rendered text: every placeholder
//! filled, values quoted once and whole, refusals where a language cannot
//! hold a value, and the Windows pair's cmd quoting, which no shell here
//! can run.

use super::*;

fn values<'a>(env_dir: &'a str, prompt: &'a str) -> ScriptValues<'a> {
    ScriptValues {
        env_dir,
        prompt,
        bin_name: "bin",
        site_packages: "lib/python3.12/site-packages",
        relocatable: false,
    }
}

fn activator(name: &str) -> &'static Activator {
    ACTIVATORS
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no activator {name}"))
}

#[test]
fn substitution_is_one_pass() {
    let out = substitute(
        "A=__VIRTUAL_ENV__ B=__BIN_NAME__",
        &[
            ("__VIRTUAL_ENV__", "'__BIN_NAME__'".to_string()),
            ("__BIN_NAME__", "'bin'".to_string()),
        ],
    );
    assert_eq!(out, "A='__BIN_NAME__' B='bin'");
}

#[test]
fn every_placeholder_in_every_template_is_known() {
    for activator in ACTIVATORS {
        let text = activator.render(&values("/e", "p"));
        for line in text.lines() {
            for word in ["__VIRTUAL", "__PS1", "__PROMPT", "__BIN", "__SITE"] {
                assert!(
                    !line.contains(word),
                    "{}: unreplaced placeholder in {line:?}",
                    activator.name
                );
            }
        }
    }
}

#[test]
fn a_value_naming_a_placeholder_stays_as_it_is() {
    let text = activator("activate").render(&values("/e/__BIN_NAME__", "__PS1_PREFIX__"));
    assert!(text.contains("VIRTUAL_ENV='/e/__BIN_NAME__'\n"));
    assert!(text.contains("VIRTUAL_ENV_PROMPT='__PS1_PREFIX__'\n"));
}

#[test]
fn posix_values_are_single_quoted_whatever_they_hold() {
    let text = activator("activate").render(&values("/e/it's $(x)", "a`b`"));
    assert!(text.contains(r"VIRTUAL_ENV='/e/it'\''s $(x)'"));
    assert!(text.contains("VIRTUAL_ENV_PROMPT='a`b`'"));
}

#[test]
fn posix_prompt_prefix_comes_escaped_for_each_prompt_language() {
    let text = activator("activate").render(&values("/e", r"50% \u !"));
    assert!(text.contains(r"_PYVENV_PS1_PREFIX='(50% \u !) '"));
    assert!(text.contains(r"PS1='(50% \\u !) '${PS1-}"));
    assert!(text.contains(r"_PYVENV_PS1_PREFIX='(50%% \u !!) '"));
    assert!(text.contains(r"_PYVENV_PS1_PREFIX='(50% \u !!) '"));
}

#[test]
fn csh_refuses_a_newline_in_path_or_prompt_and_activates_nothing() {
    for (path, prompt) in [("/e/a\nb", "p"), ("/e", "a\nb")] {
        let text = activator("activate.csh").render(&values(path, prompt));
        assert!(text.contains("cannot activate"), "{text}");
        assert!(text.contains("a newline"), "{text}");
        assert!(!text.contains("setenv"), "{text}");
        assert!(
            !text.contains("a\nb"),
            "the value itself must not appear: {text}"
        );
    }
}

#[test]
fn csh_escapes_history_in_values_and_prompts() {
    let text = activator("activate.csh").render(&values("/e/a!b", "x!y%z"));
    assert!(text.contains(r"setenv VIRTUAL_ENV '/e/a\!b'"));
    // The value is `(x\!y...`: csh's prompt reads `\!` as a plain `!`.
    assert!(text.contains(r"set prompt = '(x\\!y%z) '"), "{text}");
    assert!(text.contains(r"set prompt = '(x\\!y%%z) '"), "{text}");
}

#[test]
fn fish_values_escape_backslash_and_quote_only() {
    let text = activator("activate.fish").render(&values(r"/e/a\b'$c", "p"));
    assert!(text.contains(r"set -gx VIRTUAL_ENV '/e/a\\b\'$c'"));
}

#[test]
fn powershell_values_double_their_single_quotes() {
    let text = activator("Activate.ps1").render(&values("/e/it's $x", "\u{2018}p"));
    assert!(text.contains("$VenvDir = '/e/it''s $x'"));
    assert!(text.contains("$Prompt = '\u{2018}\u{2018}p'"));
}

#[test]
fn nu_values_are_raw_strings_that_outlast_their_contents() {
    let text = activator("activate.nu").render(&values("/e/a'#b", "p"));
    assert!(text.contains("let virtual_env = r##'/e/a'#b'##"), "{text}");
}

#[test]
fn activate_this_is_ascii_and_holds_values_as_python_literals() {
    let text = activator("activate_this.py").render(&values("/e/caf\u{e9} 'q'\\", "\u{1f40d}"));
    assert!(text.is_ascii());
    assert!(text.contains(r"_virtual_env = _native('/e/caf\xe9 \'q\'\\')"));
    assert!(text.contains(r"_prompt = _native('\U0001f40d')"));
    assert!(text.contains("_native('lib/python3.12/site-packages')"));
}

#[test]
fn the_batch_pair_goes_to_windows_and_csh_to_posix_only() {
    let names = |os| activators_for(os).map(|a| a.name).collect::<Vec<_>>();
    let common = [
        "activate",
        "activate.fish",
        "Activate.ps1",
        "activate.nu",
        "activate_this.py",
    ];
    let windows = names(Some(TargetOs::Windows));
    assert_eq!(windows[..common.len()], common);
    assert_eq!(windows[common.len()..], ["activate.bat", "deactivate.bat"]);
    for posix in [Some(TargetOs::Linux), Some(TargetOs::Darwin), None] {
        let names = names(posix);
        assert!(names.contains(&"activate.csh"), "{posix:?}: {names:?}");
        assert!(
            !names.iter().any(|n| n.ends_with(".bat")),
            "{posix:?}: {names:?}"
        );
        assert_eq!(names.len(), common.len() + 1);
    }
}

#[test]
fn activate_bat_doubles_percent_and_keeps_cmd_specials_inside_quotes() {
    let values = ScriptValues {
        env_dir: r"C:\Users\a&b\100%^env",
        prompt: "x|y<z>$P%",
        bin_name: "Scripts",
        site_packages: r"Lib\site-packages",
        relocatable: false,
    };
    let text = activator("activate.bat").render(&values);
    assert!(text.contains("set \"VIRTUAL_ENV=C:\\Users\\a&b\\100%%^env\"\r\n"));
    assert!(text.contains("set \"VIRTUAL_ENV_PROMPT=x|y<z>$P%%\"\r\n"));
    // PROMPT reads $ codes, so the prefix's $ is doubled before the % is.
    assert!(text.contains("set \"_PYVENV_PREFIX=(x|y<z>$$P%%) \"\r\n"));
    assert!(text.contains("else set \"PATH=%VIRTUAL_ENV%\\Scripts;%PATH%\"\r\n"));
    assert!(text.contains("(set \"PATH=!VIRTUAL_ENV!\\Scripts;!PATH!\")"));
    assert!(
        text.contains("if \"\"==\"1\""),
        "no ! in the values: no refusal"
    );
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends CRLF"
    );
}

#[test]
fn activate_bat_refuses_a_quote_or_newline_it_cannot_hold() {
    for prompt in ["say \"QQQ\"", "two\nZZZ"] {
        let text = activator("activate.bat").render(&values(r"C:\e", prompt));
        assert!(text.contains("cannot activate"), "{text}");
        assert!(text.contains("exit /b 1"), "{text}");
        assert!(!text.contains("QQQ"), "{text}");
        assert!(!text.contains("ZZZ"), "{text}");
    }
}

#[test]
fn deactivate_bat_restores_and_clears() {
    let text = activator("deactivate.bat").render(&values(r"C:\e", "p"));
    assert!(text.contains("else set \"PATH=%_OLD_VIRTUAL_PATH%\"\r\n"));
    assert!(text.contains("(set \"PATH=!_OLD_VIRTUAL_PATH!\")"));
    assert!(text.contains("set \"VIRTUAL_ENV=\"\r\n"));
}

#[test]
fn activate_bat_refuses_under_delayed_expansion_only_for_a_bang() {
    for (path, prompt) in [(r"C:!b", "p"), (r"C:\e", "hi!")] {
        let text = activator("activate.bat").render(&values(path, prompt));
        assert!(text.contains("if \"1\"==\"1\" ("), "{text}");
    }
}

#[test]
fn without_relocatable_no_trace_of_the_relocation_line_is_left() {
    for activator in ACTIVATORS {
        let text = activator.render(&values("/e", "p"));
        assert!(!text.contains("RELOCATABLE"), "{}", activator.name);
        assert!(!text.contains("--relocatable"), "{}", activator.name);
    }
}

#[test]
fn relocatable_scripts_find_the_environment_where_the_language_can() {
    let relocatable = ScriptValues {
        relocatable: true,
        ..values("/e", "p")
    };
    for activator in ACTIVATORS {
        let plain = activator.render(&values("/e", "p"));
        let moved = activator.render(&relocatable);
        assert!(!moved.contains("RELOCATABLE"), "{}", activator.name);
        match activator.relocatable {
            Some(code) => {
                let first = code.lines().next().unwrap();
                assert!(moved.contains(first), "{}", activator.name);
                assert!(moved.len() > plain.len(), "{}", activator.name);
            }
            None => assert_eq!(moved, plain, "{}", activator.name),
        }
    }
}
