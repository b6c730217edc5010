//! The native route: pip (and setuptools where the target bundles it)
//! installed from the target's own wheels, with no Python process, leaving
//! what ensurepip's pip would leave, bytecode included.
//!
//! Files shared by every environment come from the wheel cache (linked,
//! cloned or copied); files whose content depends on the environment are
//! written for each one: the console scripts (their shebang names the
//! environment's python), `.data/scripts` starting `#!python`, `INSTALLER`,
//! `REQUESTED` and `RECORD`. Without a usable cache the wheel is unpacked
//! straight into the environment and compiled there.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use zip::ZipArchive;

use super::SeedEnv;
use crate::error::{Error, Result};
use crate::os::disk;
use crate::plan::layout::{Layout, PythonCall};
use crate::seed::bytecode::Compiler;
use crate::seed::cache::link::Linker;
use crate::seed::cache::{Entry, WheelCache};
use crate::seed::wheel::record::{RecordRow, record_hash, render};
use crate::seed::wheel::scripts::{ScriptStyle, script_specs};
use crate::seed::wheel::{Scheme, WheelPlan, normalize};

/// How the native route ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// pip is in (or the same version already was, as pip would find it).
    Installed,
    /// Something the native route does not do: let ensurepip do it.
    HandOver,
}

/// Where one wheel's files come from.
enum Source {
    Cached(Arc<Entry>),
    Zip(Box<WheelPlan>, ZipArchive<File>),
}

impl Source {
    fn plan(&self) -> &WheelPlan {
        match self {
            Source::Cached(entry) => &entry.manifest.plan,
            Source::Zip(plan, _) => plan,
        }
    }
}

/// Installs the layout's wheels into its site-packages.
pub fn install(layout: &Layout, call: &PythonCall, env: &SeedEnv) -> Result<Outcome> {
    if layout.wheels.is_empty() {
        return Ok(Outcome::HandOver);
    }
    let compiler = Compiler::new(layout, call, &env.bytecode);
    let cache = env
        .cache_dir
        .as_ref()
        .and_then(|dir| WheelCache::open(dir, env.umask, compiler.clone()));
    let mut sources = Vec::with_capacity(layout.wheels.len());
    for wheel in &layout.wheels {
        // A cache that cannot be used only costs speed.
        let entry = match &cache {
            Some(cache) => cached_entry(cache, env, wheel)?,
            None => None,
        };
        let source = match entry {
            Some(entry) => Source::Cached(entry),
            None => {
                let (plan, zip) = WheelPlan::read(wheel)?;
                Source::Zip(Box::new(plan), zip)
            }
        };
        sources.push((wheel, source));
    }
    let Some(style) = sources
        .iter()
        .find_map(|(_, s)| s.plan().script_style.clone())
    else {
        return Ok(Outcome::HandOver);
    };
    let present = installed_distributions(&layout.site_packages)?;
    let mut todo = Vec::new();
    for (wheel, source) in sources {
        match present.get(&normalize(&source.plan().name)) {
            None => todo.push((wheel, source)),
            // `pip install --upgrade` finds it satisfied and does nothing.
            Some(dist_info) if *dist_info == source.plan().dist_info => {}
            Some(_) => return Ok(Outcome::HandOver),
        }
    }
    let target = Target::new(layout, env.umask)?;
    let linker = Linker::new(
        layout.link_mode,
        env.cache_dir.as_ref().map(|dir| dir.path()).as_deref(),
        !crate::os::trust::is_root(),
    );
    // Every cached wheel's files at once, so no thread waits while others
    // finish a wheel; if any placing fails, each wheel is placed again
    // below, on its own, and one whose entry changed under us from a
    // refilled entry.
    let cached: Vec<&Entry> = todo
        .iter()
        .filter_map(|(_, source)| match source {
            Source::Cached(entry) => Some(&**entry),
            Source::Zip(..) => None,
        })
        .collect();
    let all_linked = link_all(&cached, &target, &linker).is_ok();
    for (wheel, source) in todo {
        let source = match source {
            Source::Cached(entry) if all_linked => Source::Cached(entry),
            Source::Cached(entry) => {
                if link_all(&[&entry], &target, &linker).is_err()
                    && let Some(cache) = &cache
                {
                    // Changed or removed under us: fill it afresh, once.
                    let fresh = Arc::new(cache.refill(wheel, &entry)?);
                    remember(env, wheel, &fresh);
                    link_all(&[&fresh], &target, &linker)?;
                    Source::Cached(fresh)
                } else {
                    Source::Cached(entry)
                }
            }
            Source::Zip(mut plan, mut zip) => {
                let site = |_: Scheme| target.site_packages.clone();
                plan.unpack(&mut zip, wheel, &|s| target.dir(s, &plan), env.umask)?;
                if let Some(compiler) = &compiler {
                    plan.compile(compiler, &site)?;
                }
                Source::Zip(plan, zip)
            }
        };
        write_generated(wheel, &source, &target, &style)?;
    }
    Ok(Outcome::Installed)
}

/// The cache entry for `wheel`: the one this run loaded already, else the
/// cache's (filled if need be). `None`: the cache cannot be used. A
/// failure to compile is an error: without the cache it would fail again.
fn cached_entry(cache: &WheelCache, env: &SeedEnv, wheel: &Path) -> Result<Option<Arc<Entry>>> {
    let known = env
        .loaded
        .lock()
        .ok()
        .and_then(|loaded| loaded.get(wheel).cloned());
    if known.is_some() {
        return Ok(known);
    }
    let entry = match cache.entry(wheel) {
        Ok(entry) => Arc::new(entry),
        Err(e @ Error::CompileFailed { .. }) => return Err(e),
        Err(_) => return Ok(None),
    };
    remember(env, wheel, &entry);
    Ok(Some(entry))
}

fn remember(env: &SeedEnv, wheel: &Path, entry: &Arc<Entry>) {
    if let Ok(mut loaded) = env.loaded.lock() {
        loaded.insert(wheel.to_path_buf(), Arc::clone(entry));
    }
}

/// The environment being seeded: where each scheme's files go, and how
/// `RECORD` names them.
struct Target {
    site_packages: PathBuf,
    bin: PathBuf,
    root: PathBuf,
    include_site: PathBuf,
    /// The python console scripts name: the environment's final place.
    python: String,
    short_version: String,
    umask: u32,
}

impl Target {
    fn new(layout: &Layout, umask: u32) -> Result<Target> {
        let exe_name = layout.env_exe.file_name().unwrap_or_default();
        let python = layout.env_dir.join(&layout.bin_name).join(exe_name);
        let python = python
            .to_str()
            .ok_or_else(|| Error::NotUtf8(python.clone()))?
            .to_string();
        Ok(Target {
            site_packages: layout.site_packages.clone(),
            bin: layout.bin_dir.clone(),
            root: layout.root.clone(),
            include_site: layout
                .root
                .join("include/site")
                .join(format!("python{}", layout.short_version)),
            python,
            short_version: layout.short_version.clone(),
            umask,
        })
    }

    fn dir(&self, scheme: Scheme, plan: &WheelPlan) -> PathBuf {
        match scheme {
            Scheme::Purelib | Scheme::Platlib => self.site_packages.clone(),
            Scheme::Scripts => self.bin.clone(),
            Scheme::Data => self.root.clone(),
            Scheme::Headers => self.include_site.join(&plan.name),
        }
    }

    /// The path `RECORD` gives a file: relative to site-packages.
    fn record_path(&self, scheme: Scheme, path: &str, plan: &WheelPlan) -> String {
        match scheme {
            Scheme::Purelib | Scheme::Platlib => path.to_string(),
            _ => format!(
                "{}/{path}",
                relative(&self.site_packages, &self.dir(scheme, plan))
            ),
        }
    }
}

/// Places every shared file of `entries`, each checked against its
/// manifest first, the work shared between threads ([`in_parallel`]): a
/// `mkdir` or `link` costs tens of microseconds here, and the filesystem
/// takes several at once. A directory is made when the first file placed
/// in it finds it missing, so no pass over the directories comes first.
fn link_all(entries: &[&Entry], target: &Target, linker: &Linker) -> Result<()> {
    let mut work: Vec<(&Entry, usize, PathBuf)> = Vec::new();
    for &entry in entries {
        let plan = &entry.manifest.plan;
        work.extend(
            plan.files
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.rewrite_shebang && !is_written_per_env(plan, &f.path, f.scheme))
                .map(|(index, f)| (entry, index, target.dir(f.scheme, plan).join(&f.path))),
        );
    }
    in_parallel(&work, |(entry, index, dst)| {
        let file = &entry.manifest.plan.files[*index];
        let unusable = |reason: &str| Error::CacheUnusable {
            path: entry.source(file.scheme, &file.path),
            reason: reason.into(),
        };
        let below = Entry::below(file.scheme, &file.path);
        if !entry.matches(*index, entry.held().private_file_below(&below)) {
            return Err(unusable("the file changed since it was cached"));
        }
        let mode = pip_mode(file.executable, target.umask);
        let Some(stamp) = entry.manifest.stamps.get(*index) else {
            return Err(unusable("the manifest has no stamp for it"));
        };
        let src = (entry.held(), below.as_path());
        let placed = match linker.place(src, dst, mode, stamp) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let parent = dst.parent().unwrap_or(dst);
                std::fs::create_dir_all(parent).map_err(Error::io("create directory", parent))?;
                linker.place(src, dst, mode, stamp)
            }
            placed => placed,
        };
        placed.map_err(Error::io("install a file from the wheel cache to", dst))
    })
}

/// The mode pip gives an installed file under `umask`.
fn pip_mode(executable: bool, umask: u32) -> u32 {
    if executable {
        (0o777 & !umask) | 0o111
    } else {
        0o666 & !umask
    }
}

/// How many items a thread takes at a time: neighbours share a directory,
/// so a thread mostly places into directories the others are not
/// changing.
const BATCH: usize = 16;

/// How many threads place `items` files on `cores` cores: two per core,
/// at most eight, and none without a batch to take.
fn workers(cores: usize, items: usize) -> usize {
    (2 * cores).min(8).min(items.div_ceil(BATCH))
}

/// Runs `job` on every item, on two threads per core (at most eight: a
/// thread waiting for the filesystem's journal or a directory's lock
/// leaves its core to another), each taking the next `BATCH` items until
/// none are left, so no thread idles while another has a long stretch to
/// go. Stops early at the first failure; returns one of the failures.
fn in_parallel<T: Sync>(items: &[T], job: impl Fn(&T) -> Result<()> + Sync) -> Result<()> {
    // Asked once a run: the answer reads cgroup files, and a run may make
    // many environments.
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let threads = workers(cores, items.len());
    if threads <= 1 {
        return items.iter().try_for_each(&job);
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || -> Result<()> {
        while !failed.load(Ordering::Relaxed) {
            let start = next.fetch_add(BATCH, Ordering::Relaxed);
            let Some(batch) = items.get(start..items.len().min(start + BATCH)) else {
                return Ok(());
            };
            if let Err(e) = batch.iter().try_for_each(&job) {
                failed.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut result = work();
        for helper in helpers {
            let theirs = helper.join().unwrap_or_else(|_| {
                Err(Error::CacheUnusable {
                    path: PathBuf::new(),
                    reason: "a worker thread failed".into(),
                })
            });
            result = result.and(theirs);
        }
        result
    })
}

/// `RECORD` and `INSTALLER` are written for each environment.
fn is_written_per_env(plan: &WheelPlan, path: &str, scheme: Scheme) -> bool {
    matches!(scheme, Scheme::Purelib | Scheme::Platlib)
        && path
            .strip_prefix(plan.dist_info.as_str())
            .is_some_and(|rest| rest == "/RECORD" || rest == "/INSTALLER")
}

/// The files whose content depends on the environment, and `RECORD`.
fn write_generated(
    wheel: &Path,
    source: &Source,
    target: &Target,
    style: &ScriptStyle,
) -> Result<()> {
    let plan = source.plan();
    let file_mode = pip_mode(false, target.umask);
    let mut installed: HashMap<&str, String> = HashMap::with_capacity(plan.files.len());
    let mut changed: HashMap<String, RecordRow> = HashMap::new();
    let mut compiled = Vec::new();
    for file in &plan.files {
        let record_path = target.record_path(file.scheme, &file.path, plan);
        if file.compiled {
            compiled.push(record_path);
            continue;
        }
        if file.rewrite_shebang {
            let dst = target.dir(file.scheme, plan).join(&file.path);
            let from = match source {
                Source::Cached(entry) => entry.source(file.scheme, &file.path),
                Source::Zip(..) => dst.clone(),
            };
            let old = std::fs::read(&from).map_err(Error::io("read", &from))?;
            let rest = old
                .iter()
                .position(|&b| b == b'\n')
                .map_or(&[][..], |i| &old[i + 1..]);
            let mut new = format!("#!{}\n", target.python).into_bytes();
            new.extend_from_slice(rest);
            let mode = pip_mode(file.executable, target.umask);
            disk::write_file(&dst, &new, Some(mode))?;
            changed.insert(
                record_path.clone(),
                RecordRow::for_contents(record_path.clone(), &new),
            );
        }
        installed.insert(file.zip_name.as_str(), record_path);
    }

    let mut rows = Vec::with_capacity(plan.record.len() + 8);
    for [path, hash, size] in &plan.record {
        let new_path = installed
            .remove(path.as_str())
            .unwrap_or_else(|| path.clone());
        rows.push(match changed.remove(&new_path) {
            Some(row) => row,
            None => RecordRow {
                path: new_path,
                hash: hash.clone(),
                size: size.clone(),
            },
        });
    }
    for (name, value) in script_specs(&plan.console, &plan.gui, &target.short_version) {
        let script = style
            .script(&target.python, &value)
            .ok_or_else(|| Error::BadWheel {
                path: wheel.to_path_buf(),
                reason: format!("invalid script entry point: {name} = {value}"),
            })?;
        disk::write_file(&target.bin.join(&name), &script, Some(file_mode | 0o555))?;
        let path = target.record_path(Scheme::Scripts, &name, plan);
        rows.push(RecordRow::for_contents(path, &script));
    }
    let dist_info = target.site_packages.join(&plan.dist_info);
    let mut generated: Vec<(&str, &[u8])> = vec![("INSTALLER", b"pip\n")];
    if style.writes_requested {
        generated.push(("REQUESTED", b""));
    }
    for (name, contents) in generated {
        disk::write_file(&dist_info.join(name), contents, Some(file_mode))?;
        rows.push(RecordRow {
            path: format!("{}/{name}", plan.dist_info),
            hash: record_hash(contents),
            size: contents.len().to_string(),
        });
    }
    rows.extend(
        installed
            .into_values()
            .chain(compiled)
            .map(|path| RecordRow {
                path,
                hash: String::new(),
                size: String::new(),
            }),
    );
    let record = render(rows);
    disk::write_file(
        &dist_info.join("RECORD"),
        record.as_bytes(),
        Some(file_mode),
    )
}

/// Distributions already in site-packages: normalised name -> the name of
/// their `.dist-info` (or `.egg-info`) directory.
fn installed_distributions(site_packages: &Path) -> Result<HashMap<String, String>> {
    let mut found = HashMap::new();
    let items = match std::fs::read_dir(site_packages) {
        Ok(items) => items,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(Error::io("list", site_packages)(e)),
    };
    for item in items.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        if name.ends_with(".dist-info") || name.ends_with(".egg-info") {
            let project = normalize(name.split('-').next().unwrap_or(""));
            found.insert(project, name);
        }
    }
    Ok(found)
}

/// `os.path.relpath(to, from)` for two absolute, normalised paths.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_paths_outside_site_packages_are_relative_to_it() {
        let sp = Path::new("/e/lib/python3.12/site-packages");
        assert_eq!(relative(sp, Path::new("/e/bin")), "../../../bin");
        assert_eq!(relative(sp, Path::new("/e")), "../../..");
        assert_eq!(relative(sp, sp), ".");
    }

    fn failure() -> Error {
        Error::CacheUnusable {
            path: PathBuf::from("item"),
            reason: "failed".into(),
        }
    }

    #[test]
    fn in_parallel_runs_every_item_once_however_many_there_are() {
        for count in [0, 1, BATCH - 1, BATCH, BATCH + 1, 10 * BATCH + 3, 5000] {
            let seen: Vec<AtomicUsize> = (0..count).map(|_| AtomicUsize::new(0)).collect();
            let items: Vec<usize> = (0..count).collect();
            in_parallel(&items, |&i| {
                seen[i].fetch_add(1, Ordering::Relaxed);
                Ok(())
            })
            .unwrap();
            assert!(
                seen.iter().all(|n| n.load(Ordering::Relaxed) == 1),
                "{count} items: each exactly once"
            );
        }
    }

    #[test]
    fn two_threads_per_core_place_files_at_most_eight_and_each_with_a_batch() {
        let many = 100 * BATCH;
        assert_eq!(workers(1, many), 2);
        assert_eq!(workers(3, many), 6);
        assert_eq!(workers(64, many), 8);
        assert_eq!(workers(4, 2 * BATCH + 1), 3);
        assert_eq!(workers(4, 1), 1);
        assert_eq!(workers(4, 0), 0);
    }

    #[test]
    fn in_parallel_shares_the_items_between_threads() {
        // The first item waits (ten seconds at most) for an item to run on
        // another thread, which never happens if one thread takes them all.
        let items: Vec<usize> = (0..100 * BATCH).collect();
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        let seen = || {
            let mut threads = threads.lock().unwrap();
            threads.insert(std::thread::current().id());
            threads.len()
        };
        in_parallel(&items, |&i| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while seen() < 2 && i == 0 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Ok(())
        })
        .unwrap();
        assert!(seen() >= 2, "every item ran on one thread");
    }

    #[test]
    fn in_parallel_fails_with_a_failing_item_and_stops_taking_more() {
        let items: Vec<usize> = (0..5000).collect();
        let third = in_parallel(&items, |&i| if i == 3 { Err(failure()) } else { Ok(()) });
        assert!(matches!(third, Err(Error::CacheUnusable { .. })));
        let last = in_parallel(&items, |&i| if i == 4999 { Err(failure()) } else { Ok(()) });
        assert!(last.is_err(), "a failure in the last batch is reported");
        // Every item fails: each thread stops at its first.
        let ran = AtomicUsize::new(0);
        let all = in_parallel(&items, |_| {
            ran.fetch_add(1, Ordering::Relaxed);
            Err(failure())
        });
        assert!(all.is_err());
        assert!(
            ran.load(Ordering::Relaxed) <= 8,
            "one item per thread at most"
        );
    }
}
