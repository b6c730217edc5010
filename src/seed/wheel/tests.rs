//! Unit tests of `wheel.rs`: where files go and what metadata says.

use super::*;

#[test]
fn root_files_go_to_the_root_scheme_and_data_files_to_their_key() {
    assert_eq!(
        place("pip/__init__.py", Scheme::Purelib),
        Ok((Scheme::Purelib, "pip/__init__.py".into()))
    );
    assert_eq!(
        place("demo-1.0.data/scripts/run", Scheme::Purelib),
        Ok((Scheme::Scripts, "run".into()))
    );
    assert_eq!(
        place("demo-1.0.data/headers/x/y.h", Scheme::Platlib),
        Ok((Scheme::Headers, "x/y.h".into()))
    );
    assert!(place("demo-1.0.data/nowhere/x", Scheme::Purelib).is_err());
    assert!(place("../evil.py", Scheme::Purelib).is_err());
    assert!(place("/etc/passwd", Scheme::Purelib).is_err());
}

#[test]
fn entry_points_are_read_per_group() {
    let text = "[console_scripts]\npip = pip._internal.cli.main:main\n pip3 = a:b \n\n\
                [distutils.commands]\nalias = setuptools.command.alias:alias\n";
    assert_eq!(
        entry_point_group(text, "console_scripts"),
        vec![
            ("pip".to_string(), "pip._internal.cli.main:main".to_string()),
            ("pip3".to_string(), "a:b".to_string())
        ]
    );
    assert!(entry_point_group(text, "gui_scripts").is_empty());
}

#[test]
fn names_are_normalized_as_pep_503_says() {
    assert_eq!(normalize("Setuptools"), "setuptools");
    assert_eq!(normalize("zope.interface__x"), "zope-interface-x");
}
