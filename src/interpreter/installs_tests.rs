//! The host lists' candidates, from each platform's answers as written
//! here (the `py` launchers' output in both formats, registry entries,
//! directory names), on any host.

use super::*;

fn programs(listed: &[Listed]) -> Vec<PathBuf> {
    listed.iter().map(|l| l.program.clone()).collect()
}

fn windows(py: &str, registry: Vec<RegisteredPython>) -> HostLists {
    HostLists {
        host: Host::Windows,
        py_launcher: parse_py_list(py),
        registry,
        ..HostLists::default()
    }
}

fn core(tag: &str, dir: &str) -> RegisteredPython {
    RegisteredPython {
        company: "PythonCore".into(),
        tag: tag.into(),
        install_path: Some(dir.into()),
        ..RegisteredPython::default()
    }
}

/// What the launcher of 3.11 and later prints for `py --list-paths`.
const NEW_LAUNCHER: &str =
    " -V:3.13 *        C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python313\\python.exe
 -V:3.12          C:\\Python312\\python.exe
 -V:3.12-32       C:\\Python312-32\\python.exe
 -V:3.13t         C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python313\\python3.13t.exe
 -V:ContinuumAnalytics/Anaconda39-64 C:\\Anaconda3\\python.exe
 -V:64bitPython/3.12 C:\\Other\\python.exe
";

/// What the launcher before 3.11 prints for `py -0p` (`--list-paths`).
const OLD_LAUNCHER: &str = "Installed Pythons found by C:\\Windows\\py.exe Launcher for Windows
 -3.9-64        C:\\Python39\\python.exe *
 -3.8-32        C:\\Program Files (x86)\\Python38-32\\python.exe

";

#[test]
fn the_new_launchers_list_is_read_with_its_default_and_versions() {
    let listed = parse_py_list(NEW_LAUNCHER);
    assert_eq!(listed.len(), 6);
    assert_eq!(
        listed[0],
        Listed {
            program: r"C:\Users\me\AppData\Local\Programs\Python\Python313\python.exe".into(),
            version: Some(vec![3, 13]),
            source: "py launcher",
            default: true,
        }
    );
    assert_eq!(listed[1].program, PathBuf::from(r"C:\Python312\python.exe"));
    assert!(!listed[1].default);
    assert_eq!(listed[2].version, Some(vec![3, 12]), "3.12-32");
    assert_eq!(listed[3].version, Some(vec![3, 13]), "3.13t");
    assert_eq!(listed[4].program, PathBuf::from(r"C:\Anaconda3\python.exe"));
    assert_eq!(listed[4].version, None, "another company's tag");
    // Not even where the company's name starts with a number.
    assert_eq!(listed[5].version, None, "another company's tag");
}

#[test]
fn the_old_launchers_list_is_read_with_its_trailing_star() {
    let listed = parse_py_list(OLD_LAUNCHER);
    assert_eq!(
        programs(&listed),
        [
            PathBuf::from(r"C:\Python39\python.exe"),
            PathBuf::from(r"C:\Program Files (x86)\Python38-32\python.exe"),
        ],
        "the heading is passed over; a path with spaces is kept whole"
    );
    assert!(listed[0].default);
    assert!(!listed[1].default);
    assert_eq!(listed[0].version, Some(vec![3, 9]));
    assert_eq!(listed[1].version, Some(vec![3, 8]));
}

#[test]
fn a_launcher_with_nothing_installed_lists_nothing() {
    assert!(parse_py_list("No installed Pythons found!\r\n").is_empty());
    assert!(parse_py_list("").is_empty());
}

#[test]
fn the_launchers_utf16_output_is_decoded() {
    let text = "\u{feff} -V:3.12 *  C:\\Python312\\python.exe\r\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(decode_console(&bytes), text.trim_start_matches('\u{feff}'));
    assert_eq!(decode_console(b" -3.9-64 C:\\x *"), " -3.9-64 C:\\x *");
    let listed = parse_py_list(&decode_console(&bytes));
    assert_eq!(listed[0].program, PathBuf::from(r"C:\Python312\python.exe"));
}

#[test]
fn a_version_request_keeps_only_what_may_be_that_version() {
    let lists = windows(NEW_LAUNCHER, Vec::new());
    assert_eq!(
        programs(&lists.candidates(Some(&[3, 12]))),
        [
            PathBuf::from(r"C:\Python312\python.exe"),
            PathBuf::from(r"C:\Python312-32\python.exe"),
            PathBuf::from(r"C:\Anaconda3\python.exe"),
            PathBuf::from(r"C:\Other\python.exe"),
        ],
        "3.13 is left out; the unknown is kept for the probe to judge"
    );
    assert_eq!(lists.candidates(Some(&[3, 12, 4])).len(), 4);
    assert_eq!(lists.candidates(Some(&[3])).len(), 6);
    assert!(
        lists
            .candidates(Some(&[2]))
            .iter()
            .all(|l| l.version.is_none())
    );
}

#[test]
fn the_launchers_default_comes_first() {
    let lists = windows(
        " -V:3.13          C:\\Python313\\python.exe\n -V:3.12 *        C:\\Python312\\python.exe\n",
        Vec::new(),
    );
    assert_eq!(
        programs(&lists.candidates(None)),
        [
            PathBuf::from(r"C:\Python312\python.exe"),
            PathBuf::from(r"C:\Python313\python.exe"),
        ]
    );
}

#[test]
fn registry_entries_give_their_executable_or_python_exe_in_their_install_path() {
    let mut anaconda = RegisteredPython {
        company: "ContinuumAnalytics".into(),
        tag: "Anaconda39-64".into(),
        sys_version: Some("3.9".into()),
        install_path: Some(r"C:\Anaconda3".into()),
        executable_path: Some(r"C:\Anaconda3\bin\python.exe".into()),
    };
    let lists = windows(
        "",
        vec![
            core("3.11", r"C:\Python311"),
            anaconda.clone(),
            core("3.13", r"C:\Python313"),
            RegisteredPython {
                company: "Example".into(),
                tag: "Thing".into(),
                ..RegisteredPython::default()
            },
        ],
    );
    assert_eq!(
        programs(&lists.candidates(None)),
        [
            Path::new(r"C:\Python313").join("python.exe"),
            Path::new(r"C:\Python311").join("python.exe"),
            PathBuf::from(r"C:\Anaconda3\bin\python.exe"),
        ],
        "newest first; an entry with no path is passed over"
    );
    assert_eq!(
        programs(&lists.candidates(Some(&[3, 9]))),
        [PathBuf::from(r"C:\Anaconda3\bin\python.exe")],
        "SysVersion gives another company's version"
    );
    anaconda.sys_version = None;
    let lists = windows("", vec![anaconda]);
    assert_eq!(
        lists.candidates(Some(&[3, 12])).len(),
        1,
        "no SysVersion: another company's tag is not a version"
    );
}

#[test]
fn what_the_launcher_and_the_registry_both_name_is_asked_once() {
    let lists = windows(
        " -V:3.12 *        C:\\Python312\\python.exe\n",
        vec![RegisteredPython {
            executable_path: Some(r"C:\Python312\python.exe".into()),
            ..core("3.12", r"C:\Python312")
        }],
    );
    assert_eq!(lists.candidates(Some(&[3, 12])).len(), 1);
    assert_eq!(lists.candidates(Some(&[3, 12]))[0].source, "py launcher");
}

#[test]
fn macos_lists_framework_installs_and_homebrews_opt_links_newest_first() {
    let lists = HostLists {
        host: Host::MacOs,
        framework_versions: vec!["3.11".into(), "Current".into(), "3.13".into()],
        homebrew: vec![(
            PathBuf::from("/opt/homebrew/opt"),
            vec![
                "python@3.12".into(),
                "python@3.13".into(),
                "python".into(),
                "python-tk@3.12".into(),
                "openssl@3".into(),
            ],
        )],
        ..HostLists::default()
    };
    assert_eq!(
        programs(&lists.candidates(Some(&[3]))),
        [
            PathBuf::from("/Library/Frameworks/Python.framework/Versions/3.13/bin/python3.13"),
            PathBuf::from("/Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11"),
            PathBuf::from("/opt/homebrew/opt/python@3.13/bin/python3.13"),
            PathBuf::from("/opt/homebrew/opt/python@3.12/bin/python3.12"),
        ]
    );
    let programs = programs(&lists.candidates(Some(&[3, 12])));
    assert_eq!(
        programs,
        [PathBuf::from(
            "/opt/homebrew/opt/python@3.12/bin/python3.12"
        )]
    );
    assert!(
        programs
            .iter()
            .all(|p| !p.to_string_lossy().contains("Cellar")),
        "never the versioned Cellar path"
    );
}

#[test]
fn a_posix_host_lists_nothing_whatever_it_was_given() {
    let lists = HostLists {
        host: Host::Posix,
        py_launcher: parse_py_list(NEW_LAUNCHER),
        framework_versions: vec!["3.12".into()],
        ..HostLists::default()
    };
    assert!(lists.candidates(None).is_empty());
}

#[test]
fn leading_versions() {
    assert_eq!(leading_version("3.12"), Some(vec![3, 12]));
    assert_eq!(leading_version("3.12-32"), Some(vec![3, 12]));
    assert_eq!(leading_version("3.13t"), Some(vec![3, 13]));
    assert_eq!(leading_version("3.9.18"), Some(vec![3, 9, 18]));
    assert_eq!(leading_version("Anaconda39-64"), None);
    assert_eq!(leading_version(""), None);
}

#[test]
fn reading_keeps_the_host_it_was_given() {
    // What the registry and the directories hold depends on the machine
    // (no `py` is given, so none runs); which lists apply must survive.
    for host in [Host::Posix, Host::MacOs, Host::Windows] {
        let lists = HostLists::read(host, None, Duration::ZERO);
        assert_eq!(lists.host, host);
        assert!(lists.py_launcher.is_empty());
    }
}

#[test]
fn a_macs_framework_installs_and_homebrew_links_are_read_from_their_directories() {
    let root = tempfile::tempdir().unwrap();
    let framework = FRAMEWORK_VERSIONS.trim_start_matches('/');
    for dir in [
        format!("{framework}/3.12"),
        format!("{framework}/Current"),
        "opt/homebrew/opt/python@3.13".to_string(),
        // Intel's `opt` is there but empty: it lists nothing.
        "usr/local/opt".to_string(),
    ] {
        std::fs::create_dir_all(root.path().join(dir)).unwrap();
    }
    let mut lists = HostLists::read_below(Host::MacOs, root.path(), None, Duration::ZERO);
    lists.framework_versions.sort();
    assert_eq!(lists.framework_versions, ["3.12", "Current"]);
    assert_eq!(
        lists.homebrew,
        [(
            PathBuf::from("/opt/homebrew/opt"),
            vec!["python@3.13".to_string()]
        )]
    );
    // Read on a Windows host's lists, the same directories say nothing.
    let windows = HostLists::read_below(Host::Windows, root.path(), None, Duration::ZERO);
    assert!(windows.framework_versions.is_empty() && windows.homebrew.is_empty());
}

#[test]
fn the_py_launchers_list_is_read_by_running_it() {
    // A stand-in for `py` that prints what the launcher of 3.11 and later
    // prints: a shell script on POSIX, a batch file on Windows.
    let dir = tempfile::tempdir().unwrap();
    let line = r" -V:3.12 *        C:\Python312\python.exe";
    let stand_in = |name: &str, status: u8| {
        if crate::os::host::HOST == Host::Windows {
            let py = dir.path().join(format!("{name}.cmd"));
            let script = format!("@echo {line}\r\n@exit /b {status}\r\n");
            std::fs::write(&py, script).unwrap();
            py
        } else {
            let py = dir.path().join(name);
            let script = format!("#!/bin/sh\nprintf '%s\\n' '{line}'\nexit {status}\n");
            std::fs::write(&py, script).unwrap();
            crate::os::meta::set_mode_of(&py, 0o755).unwrap();
            py
        }
    };
    // A launcher that fails is not believed, whatever it printed.
    let failing = stand_in("failing", 1);
    let lists = HostLists::read(Host::Windows, Some(&failing), Duration::from_secs(20));
    assert!(lists.py_launcher.is_empty(), "{:?}", lists.py_launcher);
    let py = stand_in("py", 0);
    let lists = HostLists::read(Host::Windows, Some(&py), Duration::from_secs(20));
    assert_eq!(
        lists.py_launcher,
        [Listed {
            program: PathBuf::from(r"C:\Python312\python.exe"),
            version: Some(vec![3, 12]),
            source: "py launcher",
            default: true,
        }]
    );
    // On a POSIX host nothing is run.
    assert!(
        HostLists::read(Host::Posix, Some(&py), Duration::from_secs(20))
            .py_launcher
            .is_empty()
    );
}
