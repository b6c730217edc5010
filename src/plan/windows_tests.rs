//! The Windows and macOS layouts, per version, checked against what each
//! version's own `Lib/venv/__init__.py` says (read from the pyenv builds
//! and the Debian unstable root on this machine) and against the rules
//! written out by hand.

use std::path::{Path, PathBuf};

use super::*;
use crate::plan::layout::Layout;
use crate::plan::target_os::TargetOs;
use crate::plan::test_targets::{self, host_abs, host_norm};
use crate::plan::venv_rules::VenvRules;

/// The whole plan for `env` in `/w`.
fn plan_env(python: &BaseInterpreter, options: &Options) -> Layout {
    Layout::plan(Path::new("env"), Path::new("/w"), options, python).expect("the target plans")
}

const ENV: &str = r"C:\Users\me\work\env";

fn windows(python: &BaseInterpreter, options: &Options) -> WindowsLayout {
    let rules = VenvRules::for_target(python).expect("a Windows CPython has rules");
    WindowsLayout::plan(ENV, Path::new(r"C:\Users\me\work"), options, python, &rules)
}

fn copies() -> Options {
    Options {
        symlinks: true,
        symlinks_asked: false,
        ..Options::default()
    }
}

fn links() -> Options {
    Options {
        symlinks_asked: true,
        ..Options::default()
    }
}

/// `(name, sources)` of each single-file placement, and the listings.
fn files(layout: &WindowsLayout) -> Vec<(String, Vec<String>)> {
    layout
        .placements
        .iter()
        .filter_map(|p| match p {
            Placement::File { name, sources, .. } => Some((name.clone(), sources.clone())),
            Placement::Listing { .. } => None,
        })
        .collect()
}

fn listings(layout: &WindowsLayout) -> Vec<(String, Pick)> {
    layout
        .placements
        .iter()
        .filter_map(|p| match p {
            Placement::Listing { dir, pick, .. } => Some((dir.clone(), *pick)),
            Placement::File { .. } => None,
        })
        .collect()
}

fn names(layout: &WindowsLayout) -> Vec<String> {
    files(layout).into_iter().map(|(name, _)| name).collect()
}

#[test]
fn windows_directories_are_include_lib_site_packages_and_scripts() {
    for minor in 6..=15 {
        let layout = windows(&test_targets::windows((3, minor, 1)), &copies());
        assert_eq!(
            layout.dirs,
            [
                ENV.to_string(),
                format!(r"{ENV}\Include"),
                format!(r"{ENV}\Lib\site-packages"),
                format!(r"{ENV}\Scripts"),
            ],
            "3.{minor}"
        );
        assert_eq!(layout.scripts, format!(r"{ENV}\Scripts"));
        assert_eq!(layout.site_packages, format!(r"{ENV}\Lib\site-packages"));
    }
}

#[test]
fn before_372_the_binaries_themselves_are_copied() {
    for version in [(3, 6, 8), (3, 7, 1)] {
        let layout = windows(&test_targets::windows(version), &copies());
        let home = r"C:\Program Files\Python3";
        let home = format!("{home}{}", version.1);
        assert_eq!(
            files(&layout),
            [("python.exe".into(), vec![format!(r"{home}\python.exe")])]
        );
        assert_eq!(
            listings(&layout),
            [
                (home.clone(), Pick::Binaries),
                (format!(r"{home}\DLLs"), Pick::Binaries)
            ]
        );
        assert!(layout.init_tcl, "{version:?} copies init.tcl always");
        assert_eq!(layout.env_exe, format!(r"{ENV}\Scripts\python.exe"));
    }
}

#[test]
fn from_372_to_312_the_redirectors_are_copied_by_name() {
    let layout = windows(&test_targets::windows((3, 8, 10)), &copies());
    let nt = r"C:\Program Files\Python38\Lib\venv\scripts\nt";
    let home = r"C:\Program Files\Python38";
    assert_eq!(
        files(&layout)[0],
        (
            "python.exe".to_string(),
            vec![
                format!(r"{nt}\python.exe"),
                format!(r"{home}\venvlauncher.exe")
            ]
        )
    );
    assert_eq!(
        names(&layout),
        ["python.exe", "python_d.exe", "pythonw.exe", "pythonw_d.exe"]
    );
    assert!(layout.placements.iter().all(
        |p| matches!(p, Placement::File { when: Some(w), link: false, .. } if w.starts_with(home))
    ));
    assert!(!layout.init_tcl);
}

#[test]
fn from_39_the_base_executables_own_name_is_copied_too() {
    let mut python = test_targets::windows((3, 12, 1));
    let store = r"C:\Users\me\AppData\Local\Microsoft\WindowsApps\python3.12.exe";
    python.base_executable = Some(PathBuf::from(store));
    let layout = windows(&python, &copies());
    assert_eq!(
        names(&layout).last().map(String::as_str),
        Some("python3.12.exe")
    );
    assert_eq!(layout.env_exe, format!(r"{ENV}\Scripts\python3.12.exe"));
    python.version = (3, 8, 10);
    assert!(!names(&windows(&python, &copies())).contains(&"python3.12.exe".into()));
}

#[test]
fn a_build_tree_copies_its_own_venvlaunchers_and_tcl() {
    let mut python = test_targets::windows((3, 10, 4));
    python.python_build = true;
    let layout = windows(&python, &copies());
    let home = r"C:\Program Files\Python310";
    assert_eq!(
        files(&layout),
        [
            ("python.exe", "venvlauncher.exe"),
            ("python_d.exe", "venvlauncher_d.exe"),
            ("pythonw.exe", "venvwlauncher.exe"),
            ("pythonw_d.exe", "venvwlauncher_d.exe"),
        ]
        .map(|(name, source)| (name.to_string(), vec![format!(r"{home}\{source}")]))
    );
    assert!(layout.init_tcl);
    let linked = windows(&python, &links());
    assert_eq!(
        listings(&linked),
        [(home.to_string(), Pick::PythonAndVcruntime)]
    );
}

#[test]
fn with_symlinks_before_313_every_exe_and_dll_is_linked() {
    let layout = windows(&test_targets::windows((3, 11, 4)), &links());
    assert_eq!(
        layout.placements,
        [Placement::Listing {
            dir: r"C:\Program Files\Python311".into(),
            pick: Pick::ExesAndDlls,
            link: true
        }]
    );
}

#[test]
fn from_313_the_launchers_are_copied_under_the_pythons_names() {
    for minor in [13, 14, 15] {
        let layout = windows(&test_targets::windows((3, minor, 0)), &copies());
        let nt = format!(r"C:\Program Files\Python3{minor}\Lib\venv\scripts\nt");
        assert_eq!(
            files(&layout),
            [
                ("python.exe".into(), vec![format!(r"{nt}\venvlauncher.exe")]),
                (
                    "pythonw.exe".into(),
                    vec![format!(r"{nt}\venvwlauncher.exe")]
                ),
            ]
        );
        assert_eq!(layout.env_exe, format!(r"{ENV}\Scripts\python.exe"));
    }
}

#[test]
fn from_313_a_debug_build_gets_both_names_and_the_debug_launchers() {
    let mut python = test_targets::windows((3, 13, 1));
    python.base_executable = Some(PathBuf::from(r"C:\src\PCbuild\amd64\python_d.exe"));
    python.python_build = true;
    let layout = windows(&python, &copies());
    let launcher = r"C:\src\PCbuild\amd64\venvlauncher_d.exe";
    let wlauncher = r"C:\src\PCbuild\amd64\venvwlauncher_d.exe";
    assert_eq!(
        files(&layout),
        [
            ("python.exe", launcher),
            ("python_d.exe", launcher),
            ("pythonw.exe", wlauncher),
            ("pythonw_d.exe", wlauncher),
        ]
        .map(|(n, s)| (n.to_string(), vec![s.to_string()]))
    );
    assert_eq!(layout.env_exe, format!(r"{ENV}\Scripts\python_d.exe"));
}

#[test]
fn a_free_threaded_build_gets_its_own_launchers_and_names() {
    for minor in [13, 14, 15] {
        let mut python = test_targets::windows((3, minor, 0));
        python.gil_disabled = true;
        let home = format!(r"C:\Program Files\Python3{minor}");
        let copied = windows(&python, &copies());
        assert_eq!(
            names(&copied),
            [
                "python.exe".to_string(),
                format!("python3.{minor}t.exe"),
                "pythonw.exe".to_string(),
                format!("pythonw3.{minor}t.exe"),
            ]
        );
        assert_eq!(
            files(&copied)[1].1,
            [format!(r"{home}\Lib\venv\scripts\nt\venvlaunchert.exe")]
        );
        let linked = windows(&python, &links());
        let mut sources = vec![format!(r"{home}\python3.{minor}t.exe")];
        if minor >= 15 {
            sources.push(format!(r"{home}\python.exe"));
        }
        assert_eq!(files(&linked)[0].1, sources, "3.{minor}");
        assert_eq!(listings(&linked), [(home, Pick::PythonAndVcruntimeDlls)]);
    }
}

#[test]
fn a_windows_cfg_has_windows_paths_and_records_symlinks_not_copies() {
    let python = test_targets::windows((3, 13, 1));
    let home = r"C:\Program Files\Python313";
    let cfg = |options: &Options| windows(&python, options).cfg;
    assert_eq!(
        cfg(&copies()),
        format!(
            "home = {home}\ninclude-system-site-packages = false\nversion = 3.13.1\n\
             executable = {home}\\python.exe\ncommand = {home}\\python.exe -m venv {ENV}\n"
        )
    );
    assert!(cfg(&links()).ends_with(&format!("-m venv --symlinks {ENV}\n")));
    let old = windows(&test_targets::windows((3, 6, 8)), &copies()).cfg;
    assert!(old.starts_with(r"home = C:\Program Files\Python36"));
}

#[test]
fn a_windows_target_is_built_by_its_own_venv_with_scripts_in_scripts() {
    let python = test_targets::windows((3, 12, 1));
    let layout = plan_env(&python, &links());
    assert_eq!(layout.target_os, Some(TargetOs::Windows));
    assert_eq!(layout.bin_name, Path::new("Scripts"));
    assert!(layout.windows.is_some());
    let delegation = layout.delegation.expect("delegated");
    assert_eq!(delegation.args, ["-m", "venv", "--symlinks"]);
    assert!(layout.lib64.is_none());
    let old = plan_env(&test_targets::windows((3, 9, 1)), &copies());
    assert_eq!(old.bin_name, Path::new("Scripts"));
    assert_eq!(
        old.site_packages,
        host_abs("/w/env").join(r"Lib\site-packages")
    );
    assert_eq!(old.delegation.expect("delegated").args, ["-m", "venv"]);
}

#[test]
fn macos_has_no_lib64_and_is_built_natively() {
    for minor in 6..=15 {
        let layout = plan_env(&test_targets::mac((3, minor, 1)), &Options::default());
        assert_eq!(layout.lib64, None, "3.{minor}");
        assert!(layout.delegation.is_none(), "3.{minor}");
        assert_eq!(layout.target_os, Some(TargetOs::Darwin));
        assert_eq!(layout.bin_name, Path::new("bin"));
    }
}

#[test]
fn a_macos_framework_build_links_its_stub_not_the_app_inside() {
    for minor in [6, 7, 12] {
        let layout = plan_env(&test_targets::mac((3, minor, 1)), &Options::default());
        let stub =
            format!("/Library/Frameworks/Python.framework/Versions/3.{minor}/bin/python3.{minor}");
        assert_eq!(layout.base_executable, Path::new(&stub), "3.{minor}");
        let bin = format!("/Library/Frameworks/Python.framework/Versions/3.{minor}/bin");
        let home = format!("home = {}\n", host_norm(&bin));
        assert!(layout.cfg.starts_with(&home), "{}", layout.cfg);
    }
    // __PYVENV_LAUNCHER__ means nothing on Linux, whose 3.6 venv ignores it.
    let mut linux = test_targets::mac((3, 6, 15));
    linux.platform = "linux".into();
    let layout = plan_env(&linux, &Options::default());
    assert!(layout.base_executable.ends_with("MacOS/Python"));
}

/// Each version's own venv, where this machine has its source.
fn venv_sources() -> Vec<((u32, u32, u32), String)> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(home.join(".pyenv/versions")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let parts: Vec<u32> = name.split('.').map_while(|p| p.parse().ok()).collect();
            let [3, minor, micro] = parts[..] else {
                continue;
            };
            let source = entry
                .path()
                .join(format!("lib/python3.{minor}/venv/__init__.py"));
            if let Ok(text) = std::fs::read_to_string(source) {
                found.push(((3, minor, micro), text));
            }
        }
    }
    for minor in [14, 15] {
        let source = format!("/var/lib/pyvenv-sid/usr/lib/python3.{minor}/venv/__init__.py");
        if let Ok(text) = std::fs::read_to_string(source) {
            found.push(((3, minor, 0), text));
        }
    }
    found.sort_by_key(|(version, _)| *version);
    found
}

#[test]
fn each_versions_own_venv_source_agrees_with_its_windows_and_macos_plan() {
    let sources = venv_sources();
    let minors: Vec<u32> = sources.iter().map(|(v, _)| v.1).collect();
    if !(6..=15).all(|m| minors.contains(&m)) {
        eprintln!(
            "SKIPPED (in part): venv sources found only for 3.{minors:?}; \
             pyenv's 3.6-3.13 and the sid root's 3.14/3.15 give all of them"
        );
    }
    for (version, source) in &sources {
        let v = format!("{version:?}");
        let has = |needle: &str| source.contains(needle);
        let mut python = test_targets::windows(*version);
        python.gil_disabled = true;
        let threaded = windows(&python, &copies());
        python.gil_disabled = false;
        let copied = windows(&python, &copies());
        let linked = windows(&python, &links());

        // 3.6's include_binary: the binaries themselves, and init.tcl with
        // no build-tree check.
        assert_eq!(
            has("def include_binary"),
            listings(&copied).len() == 2,
            "{v}"
        );
        assert_eq!(!has("is_python_build"), copied.init_tcl, "{v}");
        // 3.7.2-3.12: the redirectors in scripts\nt under their own names.
        let redirected = files(&copied)
            .first()
            .is_some_and(|(_, s)| s[0].ends_with(r"scripts\nt\python.exe"));
        assert_eq!(has("basename + ext)") && has("\"nt\""), redirected, "{v}");
        let mut named = python.clone();
        let own_name = format!(r"C:\Apps\python3.{}.exe", version.1);
        named.base_executable = Some(PathBuf::from(&own_name));
        named.executable = PathBuf::from(own_name);
        let own_name_copied =
            names(&windows(&named, &copies())).contains(&format!("python3.{}.exe", version.1));
        assert_eq!(
            has("suffixes.add(base_exe)"),
            own_name_copied && redirected,
            "{v}"
        );
        // 3.13 on: the launchers, renamed, and the simplest name for python.
        let launched = files(&copied)
            .iter()
            .any(|(_, s)| s[0].ends_with(r"scripts\nt\venvlauncher.exe"));
        assert_eq!(has("f'venvlauncher{exe_d}.exe'"), launched, "{v}");
        assert_eq!(has("exename = f'python{_d}.exe'"), launched, "{v}");
        let threaded_names = names(&threaded).contains(&format!("python3.{}t.exe", version.1));
        assert_eq!(has("Py_GIL_DISABLED"), threaded_names, "{v}");
        assert_eq!(
            has("f'venvlaunchert{exe_d}.exe'"),
            files(&threaded)
                .iter()
                .any(|(_, s)| s[0].ends_with("venvlaunchert.exe")),
            "{v}"
        );
        let linked_dlls = listings(&linked).contains(&(
            r"C:\Program Files\Python3".to_string() + &version.1.to_string(),
            Pick::PythonAndVcruntimeDlls,
        ));
        assert_eq!(has("[1]) == '.dll'"), linked_dlls, "{v}");
        // 3.11 on records --symlinks, never --copies, on Windows.
        assert_eq!(
            has("nt and self.symlinks"),
            linked.cfg.contains("--symlinks"),
            "{v}"
        );
        assert!(!copied.cfg.contains("--copies"), "{v}");
        // The directories' names: fixed before 3.11, the scheme's (which
        // the probe reports) from 3.11, `Include` fixed again from 3.14.
        assert_eq!(has("binname = 'Scripts'"), version.1 < 11, "{v}");
        assert_eq!(has("'Include' if os.name == 'nt'"), version.1 >= 14, "{v}");
        assert!(copied.dirs.contains(&format!(r"{ENV}\Include")), "{v}");

        // macOS: no lib64 in any version; 3.6 reads __PYVENV_LAUNCHER__.
        assert!(has("sys.platform != 'darwin'") || !has("lib64"), "{v}");
        assert_eq!(
            has("os.environ['__PYVENV_LAUNCHER__']"),
            version.1 == 6,
            "{v}"
        );
    }
}
