//! Per-version rules of CPython's venv, checked without the interpreters.

use super::*;
use crate::plan::test_targets::{self, host_abs, host_norm};

fn python(version: (u32, u32, u32)) -> BaseInterpreter {
    let short = format!("{}.{}", version.0, version.1);
    test_targets::posix(
        "cpython",
        version,
        &format!("/opt/py/bin/python{short}"),
        &format!("/opt/py/lib/python{short}"),
        &format!("python{short}"),
    )
}

fn plan(version: (u32, u32, u32), options: &Options) -> Layout {
    Layout::plan(
        Path::new("env"),
        Path::new("/work/proj"),
        options,
        &python(version),
    )
    .expect("a plain request plans")
}

#[test]
fn a_36_cfg_has_three_lines() {
    let layout = plan((3, 6, 15), &Options::default());
    let home = host_norm("/opt/py/bin");
    assert_eq!(
        layout.cfg,
        format!("home = {home}\ninclude-system-site-packages = false\nversion = 3.6.15\n")
    );
}

#[test]
fn the_36_base_is_sys_executable_even_if_a_base_is_reported() {
    let mut py = python((3, 6, 15));
    py.base_executable = Some("/elsewhere/python3.6".into());
    let layout = Layout::plan(Path::new("e"), Path::new("/w"), &Options::default(), &py).unwrap();
    assert_eq!(layout.base_executable, Path::new("/opt/py/bin/python3.6"));
}

#[test]
fn from_37_the_base_executable_wins() {
    let mut py = python((3, 12, 1));
    py.base_executable = Some("/base/bin/python3.12".into());
    let layout = Layout::plan(Path::new("e"), Path::new("/w"), &Options::default(), &py).unwrap();
    assert_eq!(layout.env_exe, host_abs("/w/e/bin/python3.12"));
    let home = format!("home = {}\n", host_norm("/base/bin"));
    assert!(layout.cfg.starts_with(&home));
}

#[test]
fn a_prompt_enters_the_cfg_from_38_as_a_python_repr() {
    let options = Options {
        prompt: Some("it's here".into()),
        ..Options::default()
    };
    assert!(!plan((3, 7, 16), &options).cfg.contains("prompt"));
    assert!(
        plan((3, 8, 18), &options)
            .cfg
            .ends_with("prompt = \"it's here\"\n")
    );
}

#[test]
fn prompt_dot_means_the_working_directory_from_39() {
    let options = Options {
        prompt: Some(".".into()),
        ..Options::default()
    };
    assert!(plan((3, 8, 18), &options).cfg.contains("prompt = '.'\n"));
    assert!(plan((3, 9, 18), &options).cfg.contains("prompt = 'proj'\n"));
    assert_eq!(plan((3, 8, 18), &options).prompt, "proj");
}

#[test]
fn the_prompt_defaults_to_the_directory_name() {
    assert_eq!(plan((3, 12, 1), &Options::default()).prompt, "env");
}

#[test]
fn python3_x_link_is_made_from_39() {
    let aliases = |version| {
        let mut py = python(version);
        py.executable = "/opt/py/bin/python".into();
        py.base_executable = Some("/opt/py/bin/python".into());
        Layout::plan(Path::new("e"), Path::new("/w"), &Options::default(), &py)
            .unwrap()
            .aliases
    };
    assert_eq!(aliases((3, 8, 18)), ["python3"]);
    assert_eq!(aliases((3, 9, 18)), ["python3", "python3.9"]);
}

#[test]
fn an_alias_equal_to_the_executable_name_is_not_made_twice() {
    let mut py = python((3, 11, 2));
    py.executable = "/usr/bin/python3".into();
    py.base_executable = Some("/usr/bin/python3".into());
    let layout = Layout::plan(Path::new("e"), Path::new("/w"), &Options::default(), &py).unwrap();
    assert_eq!(layout.env_exe, host_abs("/w/e/bin/python3"));
    assert_eq!(layout.aliases, ["python", "python3.11"]);
}

#[test]
fn from_311_the_cfg_records_executable_and_command() {
    let options = Options {
        symlinks: false,
        with_pip: false,
        system_site_packages: true,
        prompt: Some("two words".into()),
        ..Options::default()
    };
    let layout = plan((3, 11, 7), &options);
    assert!(
        layout
            .cfg
            .contains("include-system-site-packages = false\n")
    );
    let (home, env) = (host_norm("/opt/py/bin"), host_abs("/work/proj/env"));
    assert_eq!(
        layout.final_cfg,
        Some(format!(
            "home = {home}\ninclude-system-site-packages = true\nversion = 3.11.7\n\
             prompt = 'two words'\nexecutable = /opt/py/bin/python3.11\n\
             command = /opt/py/bin/python3.11 -m venv --copies --without-pip \
             --system-site-packages --prompt=\"two words\" {}\n",
            env.display()
        ))
    );
}

#[test]
fn without_scm_ignore_files_is_recorded_only_from_313() {
    let options = Options {
        scm_ignore_files: false,
        ..Options::default()
    };
    assert!(!plan((3, 12, 1), &options).cfg.contains("scm"));
    assert!(plan((3, 13, 0), &options).cfg.ends_with(&format!(
        "--without-scm-ignore-files {}\n",
        host_abs("/work/proj/env").display()
    )));
    assert!(!plan((3, 13, 0), &options).gitignore);
    assert!(plan((3, 13, 0), &Options::default()).gitignore);
    assert!(!plan((3, 12, 1), &Options::default()).gitignore);
}

#[test]
fn the_include_directory_follows_the_venv_scheme_from_311() {
    let layout = plan((3, 11, 7), &Options::default());
    assert_eq!(
        layout.dirs[1],
        host_abs("/work/proj/env/include/python3.11")
    );
    let layout = plan((3, 10, 13), &Options::default());
    assert_eq!(layout.dirs[1], host_abs("/work/proj/env/include"));
    assert_eq!(
        layout.site_packages,
        host_abs("/work/proj/env/lib/python3.10/site-packages")
    );
}

#[test]
fn ensurepip_runs_isolated_before_31013_and_inside_the_env_after() {
    let old = plan((3, 10, 12), &Options::default()).ensurepip.unwrap();
    assert_eq!(old.args[0], "-Im");
    assert_eq!(old.style, CallStyle::Inherit);
    let new = plan((3, 10, 13), &Options::default()).ensurepip.unwrap();
    assert_eq!(new.args[0], "-m");
    assert_eq!(new.style, CallStyle::InsideEnv);
}

#[test]
fn upgrade_deps_drops_setuptools_from_312() {
    let options = Options {
        upgrade_deps: true,
        ..Options::default()
    };
    assert!(
        plan((3, 11, 7), &options)
            .upgrade_deps
            .unwrap()
            .args
            .ends_with(&["pip".into(), "setuptools".into()])
    );
    assert!(
        plan((3, 12, 1), &options)
            .upgrade_deps
            .unwrap()
            .args
            .ends_with(&["install".into(), "--upgrade".into(), "pip".into()])
    );
}

#[test]
fn the_path_separator_is_refused_for_every_version() {
    for version in [(3, 6, 15), (3, 13, 0)] {
        let env = format!("a{}b", paths::PATH_LIST_SEPARATOR);
        let err = Layout::plan(
            Path::new(&env),
            Path::new("/w"),
            &Options::default(),
            &python(version),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "Refusing to create a venv in {} because it contains the PATH separator {}.",
                host_abs(&format!("/w/{env}")).display(),
                paths::PATH_LIST_SEPARATOR
            )
        );
    }
}

#[test]
fn an_empty_env_dir_is_refused() {
    let err = Layout::plan(
        Path::new(""),
        Path::new("/w"),
        &Options::default(),
        &python((3, 12, 1)),
    )
    .unwrap_err();
    assert!(matches!(err, Error::EmptyEnvDir));
}

#[test]
fn upgrade_leaves_scripts_alone() {
    let options = Options {
        upgrade: true,
        ..Options::default()
    };
    assert!(!plan((3, 12, 1), &options).write_scripts);
    assert!(plan((3, 12, 1), &Options::default()).write_scripts);
}

#[test]
fn lib64_only_on_64_bit() {
    let mut py = python((3, 12, 1));
    assert!(plan((3, 12, 1), &Options::default()).lib64.is_some());
    py.is_64bit = false;
    let layout = Layout::plan(Path::new("e"), Path::new("/w"), &Options::default(), &py).unwrap();
    assert!(layout.lib64.is_none());
}

#[test]
fn staging_moves_every_written_path_but_not_the_named_one() {
    let layout = plan((3, 12, 1), &Options::default());
    let staged = layout.staged_at(&host_abs("/work/proj/.env.stage"));
    assert_eq!(staged.env_dir, host_abs("/work/proj/env"));
    assert_eq!(staged.root, host_abs("/work/proj/.env.stage"));
    assert_eq!(staged.dirs[0], host_abs("/work/proj/.env.stage"));
    assert_eq!(
        staged.env_exe,
        host_abs("/work/proj/.env.stage/bin/python3.12")
    );
    assert_eq!(
        staged.site_packages,
        host_abs("/work/proj/.env.stage/lib/python3.12/site-packages")
    );
    assert_eq!(staged.lib64, Some(host_abs("/work/proj/.env.stage/lib64")));
    assert_eq!(staged.cfg, layout.cfg);
    assert_eq!(staged.base_executable, layout.base_executable);
}
