//! Reading `-p`, and choosing candidates per host, with the host's lists
//! and PATH stood in for.

use super::*;

#[test]
fn a_slash_makes_a_path() {
    assert_eq!(
        PythonRequest::parse("./bin/python"),
        PythonRequest::Path("./bin/python".into())
    );
}

#[test]
fn numbers_make_a_version() {
    assert_eq!(PythonRequest::parse("3"), PythonRequest::Version(vec![3]));
    assert_eq!(
        PythonRequest::parse("3.12.1"),
        PythonRequest::Version(vec![3, 12, 1])
    );
}

#[test]
fn anything_else_is_a_command() {
    assert_eq!(
        PythonRequest::parse("pypy3"),
        PythonRequest::Command("pypy3".into())
    );
    assert_eq!(
        PythonRequest::parse("3.12.1.4"),
        PythonRequest::Command("3.12.1.4".into())
    );
    assert_eq!(
        PythonRequest::parse("3."),
        PythonRequest::Command("3.".into())
    );
}

#[test]
fn the_program_name_carries_a_version() {
    assert_eq!(
        PythonRequest::from_program_name(Path::new("/usr/bin/pyvenv-3.12")),
        Some(PythonRequest::Version(vec![3, 12]))
    );
    // As Windows names the program (under Wine, in CI): the same request.
    let exe = std::env::consts::EXE_SUFFIX;
    for (name, means_it) in [
        (format!("pyvenv-3.12{exe}"), true),
        ("pyvenv-3.12.EXE".to_string(), !exe.is_empty()),
    ] {
        let request = PythonRequest::from_program_name(Path::new(&name));
        let expected = means_it.then(|| PythonRequest::Version(vec![3, 12]));
        assert_eq!(request, expected, "{name}");
    }
    assert_eq!(PythonRequest::from_program_name(Path::new("pyvenv")), None);
    assert_eq!(
        PythonRequest::from_program_name(Path::new("pyvenv-latest")),
        None
    );
}

#[test]
fn version_requests_match_by_prefix() {
    assert!(version_matches((3, 12, 1), &[3]));
    assert!(version_matches((3, 12, 1), &[3, 12]));
    assert!(version_matches((3, 12, 1), &[3, 12, 1]));
    assert!(!version_matches((3, 12, 1), &[3, 1]));
    assert!(!version_matches((3, 12, 1), &[3, 12, 2]));
}

#[test]
fn interpreter_names_are_told_from_other_programs() {
    for name in ["python", "python3", "python3.12", "pypy3", "pypy3.11"] {
        assert!(is_interpreter_name(name), "{name}");
    }
    for name in [
        "python3-config",
        "python3.12-dbg-config",
        "pythonx",
        "python3.",
        "pip3",
    ] {
        assert!(!is_interpreter_name(name), "{name}");
    }
}

#[test]
fn a_python_2_is_passed_over_saying_why() {
    let error = Error::UnsupportedPython {
        path: "/x/python2.7".into(),
        version: "2.7.18".into(),
    };
    assert_eq!(
        why_not(&error),
        "Python 2.7.18; pyvenv needs CPython 3.6 or newer"
    );
}

#[test]
fn commands_for_versions() {
    assert_eq!(command_for(&[3]), "python3");
    assert_eq!(command_for(&[3, 9]), "python3.9");
    assert_eq!(command_for(&[3, 9, 18]), "python3.9");
}

#[test]
fn the_hosts_own_separator_makes_a_path() {
    let text = format!("py{}python", std::path::MAIN_SEPARATOR);
    assert_eq!(
        PythonRequest::parse(&text),
        PythonRequest::Path(text.clone().into())
    );
}

#[test]
fn only_an_alias_in_microsofts_windows_apps_is_the_store_stub() {
    let apps = Path::new(r"C:\Users\me\AppData\Local\Microsoft\WindowsApps");
    assert!(is_store_stub(apps, true));
    assert!(is_store_stub(
        Path::new(r"c:\users\me\appdata\local\microsoft\windowsapps\"),
        true
    ));
    assert!(
        !is_store_stub(apps, false),
        "a real file there is a real program"
    );
    assert!(!is_store_stub(Path::new(r"C:\Python312"), true));
    assert!(!is_store_stub(Path::new(r"C:\Other\WindowsApps"), true));
}

/// An executable file `name` in `dir` (with the host's `.exe`, as a
/// command on PATH has it).
fn program(dir: &Path, name: &str) -> PathBuf {
    executable(dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// An executable file at `path`, exactly.
fn executable(path: PathBuf) -> PathBuf {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, "").unwrap();
    crate::os::meta::set_mode_of(&path, 0o755).unwrap();
    path
}

fn search(host: Host, path: &Path, lists: HostLists) -> SearchPath {
    SearchPath {
        path: Some(path.as_os_str().to_owned()),
        cwd: path.to_path_buf(),
        host,
        host_lists: OnceCell::from(lists),
        ..SearchPath::default()
    }
}

#[test]
fn on_windows_a_version_is_looked_for_in_the_hosts_lists_then_the_plain_names() {
    let dir = tempfile::tempdir().unwrap();
    let versioned = program(dir.path(), "python3.12");
    let python3 = program(dir.path(), "python3");
    let python = program(dir.path(), "python");
    let lists = HostLists {
        host: Host::Windows,
        py_launcher: installs::parse_py_list(
            " -V:3.13 *  C:\\Python313\\python.exe\n -V:3.12  C:\\Python312\\python.exe\n",
        ),
        ..HostLists::default()
    };
    let search = search(Host::Windows, dir.path(), lists.clone());
    assert_eq!(
        search.version_candidates(&[3, 12]),
        [
            versioned,
            PathBuf::from(r"C:\Python312\python.exe"),
            python3.clone(),
            python.clone()
        ]
    );
    let posix = SearchPath {
        host: Host::Posix,
        ..search
    };
    assert_eq!(
        posix.version_candidates(&[3, 12]).len(),
        1,
        "elsewhere the plain names are not asked for a minor version"
    );
}

#[test]
fn on_macos_framework_and_homebrew_installs_come_after_path_and_pyenv() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let on_path = program(&bin, "python3.12");
    let opt = dir.path().join("opt");
    let brew = executable(opt.join("python@3.12").join("bin").join("python3.12"));
    let lists = HostLists {
        host: Host::MacOs,
        homebrew: vec![(opt, vec!["python@3.12".into(), "python@3.11".into()])],
        // Named, but not installed here: left out, not asked.
        framework_versions: vec!["3.12".into()],
        ..HostLists::default()
    };
    let search = search(Host::MacOs, &bin, lists);
    assert_eq!(search.version_candidates(&[3, 12]), [on_path, brew]);
}

#[test]
fn what_the_host_lists_is_named_when_nothing_answers() {
    let dir = tempfile::tempdir().unwrap();
    let lists = HostLists {
        host: Host::Windows,
        py_launcher: installs::parse_py_list(" -V:3.12 *  C:\\Python312\\python.exe\n"),
        ..HostLists::default()
    };
    let search = search(Host::Windows, dir.path(), lists);
    assert!(
        search
            .installed()
            .contains(r"C:\Python312\python.exe (py launcher)"),
        "{}",
        search.installed()
    );
}
