//! Which targets pyvenv has rules for, and the rules of the newest ones,
//! checked without the interpreters.

use std::path::{Path, PathBuf};

use super::*;
use crate::plan::layout::Layout;
use crate::plan::options::{Options, RouteChoice};
use crate::plan::test_targets::{self, host_abs};

/// A target as its probe would describe it: `exe` is the base executable.
fn target(implementation: &str, version: (u32, u32, u32), exe: &str, lib: &str) -> BaseInterpreter {
    let stdlib = format!("/usr/lib/{lib}");
    let mut python = test_targets::posix(implementation, version, exe, &stdlib, lib);
    // Reported at every version here, so a rule that must not read them
    // before its version is seen not to.
    python.base_executable = Some(PathBuf::from(exe));
    python.venv_scheme = Some(test_targets::posix_scheme(lib));
    python
}

fn cpython(minor: u32) -> BaseInterpreter {
    target(
        "cpython",
        (3, minor, 2),
        &format!("/usr/bin/python3.{minor}"),
        &format!("python3.{minor}"),
    )
}

fn pypy() -> BaseInterpreter {
    target("pypy", (3, 11, 13), "/usr/bin/pypy3", "pypy3.11")
}

fn plan(python: &BaseInterpreter, options: &Options) -> Layout {
    Layout::plan(Path::new("env"), Path::new("/w"), options, python).expect("a plain request plans")
}

fn names(layout: &Layout) -> Vec<String> {
    layout
        .aliases
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Each directory below the environment, spelt with `/` whatever the
/// host joined it with.
fn relative_dirs(layout: &Layout) -> Vec<String> {
    layout
        .dirs
        .iter()
        .map(|d| {
            d.strip_prefix(host_abs("/w/env"))
                .unwrap()
                .display()
                .to_string()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn cpython_36_to_315_have_rules_and_316_does_not() {
    for minor in 6..=15 {
        let rules = VenvRules::for_target(&cpython(minor));
        assert_eq!(
            rules.map(|r| r.implementation),
            Some(Implementation::CPython),
            "3.{minor}"
        );
    }
    assert_eq!(VenvRules::for_target(&cpython(16)), None);
    assert_eq!(VenvRules::for_target(&cpython(5)), None);
}

#[test]
fn pypy_311_has_rules_other_pypys_and_graalpy_do_not() {
    assert_eq!(
        VenvRules::for_target(&pypy()).map(|r| r.implementation),
        Some(Implementation::PyPy)
    );
    let pypy310 = target("pypy", (3, 10, 14), "/usr/bin/pypy3", "pypy3.10");
    assert_eq!(VenvRules::for_target(&pypy310), None);
    let graal = target(
        "graalpy",
        (3, 11, 7),
        "/opt/graalpy/bin/graalpy",
        "python3.11",
    );
    assert_eq!(VenvRules::for_target(&graal), None);
}

#[test]
fn a_portable_pypy_or_another_platform_is_not_guessed() {
    let mut portable = pypy();
    portable.pypy_portable = true;
    assert_eq!(VenvRules::for_target(&portable), None);
    let mut cygwin = cpython(13);
    cygwin.platform = "cygwin".into();
    assert_eq!(VenvRules::for_target(&cygwin), None);
    // PyPy's venv is known on Linux only.
    let mut mac_pypy = pypy();
    mac_pypy.platform = "darwin".into();
    assert_eq!(VenvRules::for_target(&mac_pypy), None);
    let mut mac = cpython(13);
    mac.platform = "darwin".into();
    assert!(VenvRules::for_target(&mac).is_some());
}

#[test]
fn a_target_without_rules_is_built_by_its_own_venv_with_the_users_flags() {
    let options = Options {
        symlinks: false,
        with_pip: false,
        system_site_packages: true,
        prompt: Some("-p x".into()),
        scm_ignore_files: false,
        ..Options::default()
    };
    let layout = plan(&cpython(16), &options);
    let delegation = layout.delegation.expect("3.16 is delegated");
    assert_eq!(delegation.python, Path::new("/usr/bin/python3.16"));
    assert_eq!(
        delegation.args,
        [
            "-m",
            "venv",
            "--copies",
            "--without-pip",
            "--system-site-packages",
            "--without-scm-ignore-files",
            "--prompt=-p x"
        ]
    );
    assert_eq!(delegation.cwd, Path::new("/w"));
    assert!(layout.ensurepip.is_none() && layout.cfg.is_empty());
    assert_eq!(layout.prompt, "-p x");
}

#[test]
fn the_scm_flag_reaches_only_a_venv_that_has_it() {
    let options = Options {
        scm_ignore_files: false,
        ..Options::default()
    };
    let graal = target(
        "graalpy",
        (3, 11, 7),
        "/opt/graalpy/bin/graalpy",
        "python3.11",
    );
    let args = plan(&graal, &options).delegation.unwrap().args;
    assert_eq!(args, ["-m", "venv"]);
}

#[test]
fn the_test_switch_delegates_a_known_target() {
    let options = Options {
        route: RouteChoice::Delegated,
        ..Options::default()
    };
    assert!(plan(&cpython(12), &options).delegation.is_some());
    assert!(plan(&cpython(12), &Options::default()).delegation.is_none());
}

#[test]
fn python_314_adds_pithon_under_utf8_only() {
    assert_eq!(
        names(&plan(&cpython(14), &Options::default())),
        ["python", "python3", "\u{1d70b}thon"]
    );
    let mut latin = cpython(14);
    latin.fs_encoding = "iso8859-1".into();
    assert_eq!(
        names(&plan(&latin, &Options::default())),
        ["python", "python3"]
    );
    assert_eq!(
        names(&plan(&cpython(15), &Options::default())),
        ["python", "python3"]
    );
    assert_eq!(
        names(&plan(&cpython(13), &Options::default())),
        ["python", "python3"]
    );
}

#[test]
fn from_314_include_is_plain_again() {
    assert_eq!(
        relative_dirs(&plan(&cpython(13), &Options::default())),
        [
            "",
            "include/python3.13",
            "lib/python3.13/site-packages",
            "bin"
        ]
    );
    assert_eq!(
        relative_dirs(&plan(&cpython(14), &Options::default())),
        ["", "include", "lib/python3.14/site-packages", "bin"]
    );
}

#[test]
fn python_315_makes_platlib_instead_of_lib64() {
    let mut py = cpython(15);
    if let Some(scheme) = &mut py.venv_scheme {
        scheme.platlib = "lib64/python3.15/site-packages".into();
    }
    let layout = plan(&py, &Options::default());
    assert_eq!(layout.lib64, None);
    assert_eq!(
        relative_dirs(&layout),
        [
            "",
            "include",
            "lib/python3.15/site-packages",
            "lib64/python3.15/site-packages",
            "bin"
        ]
    );
    assert!(plan(&cpython(14), &Options::default()).lib64.is_some());
}

#[test]
fn the_debug_build_keeps_its_name_and_gets_every_alias() {
    let mut dbg = cpython(14);
    dbg.base_executable = Some("/usr/bin/python3.14d".into());
    dbg.abiflags = "d".into();
    let layout = plan(&dbg, &Options::default());
    assert_eq!(layout.env_exe, host_abs("/w/env/bin/python3.14d"));
    assert_eq!(
        names(&layout),
        ["python", "python3", "python3.14", "\u{1d70b}thon"]
    );
}

#[test]
fn free_threaded_builds_follow_their_executable_and_scheme() {
    for minor in [13, 14] {
        let lib = format!("python3.{minor}t");
        let mut ft = target(
            "cpython",
            (3, minor, 1),
            &format!("/opt/ft/bin/python3.{minor}t"),
            &lib,
        );
        ft.abiflags = "t".into();
        let layout = plan(&ft, &Options::default());
        assert_eq!(
            layout.env_exe,
            host_abs(&format!("/w/env/bin/python3.{minor}t"))
        );
        assert_eq!(
            layout.site_packages,
            host_abs(&format!("/w/env/lib/python3.{minor}t/site-packages"))
        );
        let include = if minor == 13 {
            "include/python3.13t"
        } else {
            "include"
        };
        assert_eq!(relative_dirs(&layout)[1], include);
        let mut expected = vec![
            "python".to_string(),
            "python3".into(),
            format!("python3.{minor}"),
        ];
        if minor == 14 {
            expected.push("\u{1d70b}thon".into());
        }
        assert_eq!(names(&layout), expected);
        assert!(layout.lib64.is_some());
    }
}

#[test]
fn pypy_links_pypy_names_and_keeps_links_when_copying() {
    let layout = plan(&pypy(), &Options::default());
    assert_eq!(layout.env_exe, host_abs("/w/env/bin/pypy3"));
    assert_eq!(names(&layout), ["python", "python3", "python3.11", "pypy"]);
    assert!(layout.copies_keep_links);
    assert!(layout.lib64.is_some());
    assert_eq!(
        relative_dirs(&layout),
        ["", "include/pypy3.11", "lib/pypy3.11/site-packages", "bin"]
    );
    assert!(!plan(&cpython(12), &Options::default()).copies_keep_links);
}

#[test]
fn pypy_writes_no_gitignore_and_records_no_scm_flag() {
    let options = Options {
        scm_ignore_files: false,
        ..Options::default()
    };
    let layout = plan(&pypy(), &Options::default());
    assert!(!layout.gitignore);
    let cfg = plan(&pypy(), &options).cfg;
    assert!(
        cfg.ends_with(&format!(
            "command = /usr/bin/pypy3 -m venv {}\n",
            host_abs("/w/env").display()
        )),
        "{cfg}"
    );
    assert!(plan(&cpython(13), &Options::default()).gitignore);
}

#[test]
fn pypy_upgrades_setuptools_too() {
    let options = Options {
        upgrade_deps: true,
        ..Options::default()
    };
    let call = plan(&pypy(), &options).upgrade_deps.unwrap();
    assert_eq!(call.args.last().map(String::as_str), Some("setuptools"));
    let call = plan(&cpython(14), &options).upgrade_deps.unwrap();
    assert_eq!(call.args.last().map(String::as_str), Some("pip"));
}

#[test]
fn the_scheme_is_read_only_from_311_and_only_where_reported() {
    // A 3.10 that reports a venv scheme anyway still gets 3.10's fixed paths.
    let mut old = cpython(10);
    if let Some(scheme) = &mut old.venv_scheme {
        scheme.purelib = "elsewhere/site-packages".into();
    }
    assert_eq!(
        plan(&old, &Options::default()).site_packages,
        host_abs("/w/env/lib/python3.10/site-packages")
    );
    // A 3.12 without a scheme gets the fixed paths rather than failing.
    let mut bare = cpython(12);
    bare.venv_scheme = None;
    assert_eq!(
        relative_dirs(&plan(&bare, &Options::default())),
        ["", "include", "lib/python3.12/site-packages", "bin"]
    );
}

#[test]
fn setuptools_is_upgraded_before_312_exactly() {
    let options = Options {
        upgrade_deps: true,
        ..Options::default()
    };
    let last = |version: (u32, u32, u32)| {
        let mut py = cpython(version.1);
        py.version = version;
        plan(&py, &options)
            .upgrade_deps
            .unwrap()
            .args
            .last()
            .cloned()
    };
    assert_eq!(last((3, 11, 9)).as_deref(), Some("setuptools"));
    assert_eq!(last((3, 12, 0)).as_deref(), Some("pip"));
}

#[test]
fn the_delegated_plan_names_the_executable_and_leaves_scripts_on_upgrade() {
    let mut py = cpython(16);
    py.base_executable = Some(PathBuf::new());
    py.executable = "/opt/new/bin/python3.16".into();
    let layout = plan(&py, &Options::default());
    assert_eq!(layout.env_exe, host_abs("/w/env/bin/python3.16"));
    assert!(layout.write_scripts);
    let upgrade = Options {
        upgrade: true,
        ..Options::default()
    };
    let layout = plan(&py, &upgrade);
    assert!(!layout.write_scripts);
    assert!(
        layout
            .delegation
            .unwrap()
            .args
            .contains(&"--upgrade".to_string())
    );
}
