use super::*;

const MODERN: &str = "# -*- coding: utf-8 -*-\nimport re\nimport sys\n\
        from %(module)s import %(import_name)s\nif __name__ == '__main__':\n    \
        sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    \
        sys.exit(%(func)s())\n";

fn modern() -> ScriptStyle {
    ScriptStyle {
        template: MODERN.into(),
        blank_line_after_shebang: false,
        writes_requested: true,
    }
}

#[test]
fn a_short_path_gets_a_plain_shebang() {
    let script = modern()
        .script("/tmp/e/bin/python3.12", "pip._internal.cli.main:main")
        .unwrap();
    let text = String::from_utf8(script).unwrap();
    assert!(text.starts_with("#!/tmp/e/bin/python3.12\n# -*- coding: utf-8 -*-\n"));
    assert!(text.contains("from pip._internal.cli.main import main\n"));
    assert!(text.ends_with("    sys.exit(main())\n"));
}

#[test]
fn a_path_the_shell_would_act_on_is_written_inert() {
    assert_eq!(
        shebang("/t/a $(x)/bin/python"),
        b"#!/bin/sh\n'''exec' '/t/a $(x)/bin/python' \"$0\" \"$@\"\n' '''".to_vec()
    );
    assert_eq!(inert("a'b"), r#"'a'"'"'b'"#);
    assert_eq!(inert(r"a\b"), r#"'a'"\\"'b'"#);
    // No three quotes in a row, whatever the path: they would end the
    // Python string the trampoline line hides in.
    assert!(!inert("x'''y''").contains("'''"));
    // Unquoted (a long path without a space), `;` would end the command.
    let long = format!("/{};reboot/bin/python", "x".repeat(120));
    assert!(shebang(&long).starts_with(b"#!/bin/sh\n'''exec' '/"));
}

#[test]
fn a_space_or_a_long_path_gets_the_sh_trampoline() {
    assert_eq!(
        shebang("/tmp/a b/bin/python"),
        b"#!/bin/sh\n'''exec' \"/tmp/a b/bin/python\" \"$0\" \"$@\"\n' '''".to_vec()
    );
    let long = format!("/{}/bin/python", "x".repeat(112));
    assert_eq!(long.len() + 3, 127);
    assert_eq!(shebang(&long), format!("#!{long}\n").into_bytes());
    let longer = format!("/{}/bin/python", "x".repeat(113));
    assert!(shebang(&longer).starts_with(b"#!/bin/sh\n'''exec' /"));
    // The trampoline has no newline of its own; distlib adds one.
    let script = modern().script(&longer, "a:b").unwrap();
    assert!(
        String::from_utf8(script)
            .unwrap()
            .contains("' '''\n# -*- coding")
    );
}

#[test]
fn old_distlib_leaves_a_blank_line_after_the_shebang() {
    let style = ScriptStyle {
        blank_line_after_shebang: true,
        ..modern()
    };
    let script = style
        .script("/e/bin/python3.6", "pip._internal:main")
        .unwrap();
    assert!(script.starts_with(b"#!/e/bin/python3.6\n\n# -*- coding"));
}

#[test]
fn pip_and_easy_install_get_their_versioned_names() {
    let ep = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let pip = ep(&[("pip", "m:main"), ("pip3", "m:main"), ("pip3.9", "m:main")]);
    let names: Vec<String> = script_specs(&pip, &[], "3.12")
        .into_iter()
        .map(|s| s.0)
        .collect();
    assert_eq!(names, ["pip", "pip3", "pip3.12"]);
    let setuptools = ep(&[("easy_install", "s:main"), ("easy_install-3.8", "s:main")]);
    let names: Vec<String> = script_specs(&setuptools, &[], "3.7")
        .into_iter()
        .map(|s| s.0)
        .collect();
    assert_eq!(names, ["easy_install", "easy_install-3.7"]);
    let other = ep(&[("pipx", "p:main")]);
    assert_eq!(script_specs(&other, &[], "3.12")[0].0, "pipx");
}

/// A pip wheel's two sources, as `detect` reads them.
fn sources<'a>(installer: &'a str, distlib: &'a str) -> impl FnMut(&str) -> Option<String> {
    move |member| match member {
        "pip/_internal/operations/install/wheel.py" => Some(installer.to_string()),
        "pip/_vendor/distlib/scripts.py" => Some(distlib.to_string()),
        _ => None,
    }
}

const DISTLIB_03: &str = r#"SCRIPT_TEMPLATE = r'''# -*- coding: utf-8 -*-
X
'''
            result += b"' '''"
        if not shebang.endswith(linesep):
"#;
const DISTLIB_04: &str = r#"SCRIPT_TEMPLATE = r'''# -*- coding: utf-8 -*-
X
'''
            result += b"' '''\n"
            script_bytes = shebang + script_bytes
"#;
const PIP_26: &str = r#"class PipScriptMaker(ScriptMaker):
    script_template = textwrap.dedent("""\
        import sys
        from %(module)s import %(import_name)s
        if __name__ == '__main__':
            sys.argv[0] = sys.argv[0].removesuffix('.exe')
            sys.exit(%(func)s())
""")
        requested_path = os.path.join(dest_info_dir, "REQUESTED")
"#;

#[test]
fn pip_26s_own_template_is_dedented_and_distlib_04_adds_no_blank_line() {
    let style = ScriptStyle::detect(sources(PIP_26, DISTLIB_04)).unwrap();
    assert!(!style.blank_line_after_shebang && style.writes_requested);
    let script = style
        .script("/e/bin/python3.14", "pip._internal.cli.main:main")
        .unwrap();
    assert_eq!(
        String::from_utf8(script).unwrap(),
        "#!/e/bin/python3.14\nimport sys\nfrom pip._internal.cli.main import main\n\
             if __name__ == '__main__':\n    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    \
             sys.exit(main())\n"
    );
    let long = format!("/{}/bin/python", "x".repeat(120));
    let script = String::from_utf8(style.script(&long, "a:b").unwrap()).unwrap();
    assert!(script.contains("\"$@\"\n' '''\nimport sys\n"), "{script}");
}

#[test]
fn distlibs_own_template_serves_a_pip_that_sets_none() {
    let style = ScriptStyle::detect(sources("no template here", DISTLIB_03)).unwrap();
    assert_eq!(style.template, "# -*- coding: utf-8 -*-\nX\n");
    assert!(!style.blank_line_after_shebang && !style.writes_requested);
    let old = "script_bytes = shebang + linesep + script_bytes\nSCRIPT_TEMPLATE = r'''T'''";
    assert!(
        ScriptStyle::detect(sources("", old))
            .unwrap()
            .blank_line_after_shebang
    );
}

#[test]
fn a_pip_or_distlib_written_another_way_gets_no_style() {
    // A template set in a form pyvenv does not read.
    let other = "script_template = make_template()\n";
    assert_eq!(ScriptStyle::detect(sources(other, DISTLIB_04)), None);
    // An escape in a template that is not a raw string.
    let escaped = PIP_26.replace("removesuffix('.exe')", r"removesuffix('\x2eexe')");
    assert_eq!(ScriptStyle::detect(sources(&escaped, DISTLIB_04)), None);
    // A distlib that joins shebang and script in a way not known.
    let unknown = "SCRIPT_TEMPLATE = r'''T'''\nscript_bytes = join(shebang, script_bytes)";
    assert_eq!(ScriptStyle::detect(sources(PIP_26, unknown)), None);
}

#[test]
fn dedent_removes_the_common_indent_and_empties_blank_lines() {
    assert_eq!(dedent("    a\n      b\n  \n    c\n"), "a\n  b\n\nc\n");
    assert_eq!(dedent("a\n b\n"), "a\n b\n");
    assert_eq!(dedent("  a\n  b"), "a\nb");
}

#[test]
fn a_template_with_unknown_keys_is_refused() {
    assert_eq!(
        render_template("%(module)s %% x", "m", "i", "f").unwrap(),
        "m % x"
    );
    assert!(render_template("%(other)s", "m", "i", "f").is_none());
    assert!(modern().script("/p", "no_callable").is_none());
}

#[test]
fn only_dotted_identifiers_make_an_entry_point() {
    for bad in [":f", "m:", "a..b:f", "m:f.", "m-x:f", "m:f-g", "m:f()"] {
        assert!(modern().script("/p", bad).is_none(), "{bad}");
    }
    let script = String::from_utf8(modern().script("/p", "a.b_2:c.d [extra]").unwrap()).unwrap();
    assert!(script.contains("from a.b_2 import c\n"), "{script}");
    assert!(script.contains("sys.exit(c.d())"), "{script}");
}

#[test]
fn only_pips_own_versioned_names_are_replaced() {
    let ep = |names: &[&str]| -> Vec<(String, String)> {
        names
            .iter()
            .map(|n| (n.to_string(), "m:main".to_string()))
            .collect()
    };
    let names =
        |specs: Vec<(String, String)>| -> Vec<String> { specs.into_iter().map(|s| s.0).collect() };
    let console = ep(&[
        "pip", "pip3", "pip3.9", "pipx", "pip3.x", "pip-3.9", "pip.9",
    ]);
    assert_eq!(
        names(script_specs(&console, &[], "3.12")),
        [
            "pip", "pip3", "pip3.12", "pipx", "pip3.x", "pip-3.9", "pip.9"
        ]
    );
    let console = ep(&[
        "easy_install",
        "easy_install-3.8",
        "easy_install-3",
        "easy_install3.8",
    ]);
    assert_eq!(
        names(script_specs(&console, &[], "3.7")),
        [
            "easy_install",
            "easy_install-3.7",
            "easy_install-3",
            "easy_install3.8"
        ]
    );
}

#[test]
fn distlib_04_is_known_only_with_its_own_joining() {
    let trampoline_only = "SCRIPT_TEMPLATE = r'''T'''\n            result += b\"' '''\\n\"\n";
    assert_eq!(ScriptStyle::detect(sources(PIP_26, trampoline_only)), None);
}
