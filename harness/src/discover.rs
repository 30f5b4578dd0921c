//! Finding the Python interpreters installed on this machine: pyenv's
//! versions and the usual names on `PATH`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Names looked up on `PATH`, in this order.
pub fn path_names() -> Vec<String> {
    let mut names = vec!["python2.7".to_owned()];
    names.extend((6..=14).map(|minor| format!("python3.{minor}")));
    names.extend(["python3", "pypy3", "pypy", "rustpython", "graalpy"].map(String::from));
    names
}

/// An interpreter found, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its path.
    pub path: PathBuf,
    /// How it was found: `pyenv 3.8.18`, `PATH pypy3`.
    pub how: String,
}

/// What a search found and what it looked for in vain.
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// Interpreters, each real file once, pyenv's first.
    pub found: Vec<Found>,
    /// Names not on `PATH`.
    pub missing: Vec<String>,
}

/// Searches pyenv's versions (`$PYENV_ROOT`, else `~/.pyenv`) and `PATH`.
/// pyenv's shim directories on `PATH` are passed over: a shim runs whichever
/// version pyenv selects for the current directory (or fails when none
/// provides its name), and every version is already found directly.
pub fn interpreters() -> Search {
    let mut search = Search::default();
    let mut seen = HashSet::new();
    let mut add = |path: PathBuf, how: String, search: &mut Search| {
        let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(real) {
            search.found.push(Found { path, how });
        }
    };
    let pyenv = pyenv_root();
    if let Some(root) = &pyenv {
        let mut versions: Vec<(Vec<u32>, String, PathBuf)> =
            std::fs::read_dir(root.join("versions"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let python = e.path().join("bin").join("python");
                    crate::sys::is_executable(&python).then(|| (version_key(&name), name, python))
                })
                .collect();
        versions.sort();
        for (_, name, python) in versions {
            add(python, format!("pyenv {name}"), &mut search);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !pyenv.as_deref().is_some_and(|root| is_shims(root, dir)))
        .collect();
    for name in path_names() {
        match dirs
            .iter()
            .map(|dir| dir.join(&name))
            .find(|p| crate::sys::is_executable(p))
        {
            Some(p) => add(p, format!("PATH {name}"), &mut search),
            None => search.missing.push(name),
        }
    }
    search
}

fn pyenv_root() -> Option<PathBuf> {
    std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")))
        .filter(|p| p.is_dir())
}

/// `dir` is pyenv's `shims` or a plugin's (`plugins/pyenv-virtualenv/shims`).
fn is_shims(pyenv_root: &Path, dir: &Path) -> bool {
    dir.starts_with(pyenv_root) && dir.file_name().is_some_and(|n| n == "shims")
}

/// `3.10.13` sorts after `3.9.18`.
fn version_key(name: &str) -> Vec<u32> {
    name.split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically() {
        let mut v = vec!["3.10.13", "2.7.18", "3.9.18"];
        v.sort_by_key(|n| version_key(n));
        assert_eq!(v, ["2.7.18", "3.9.18", "3.10.13"]);
    }

    #[test]
    fn pyenv_shims_are_recognised() {
        let root = Path::new("/home/u/.pyenv");
        assert!(is_shims(root, &root.join("shims")));
        assert!(is_shims(root, &root.join("plugins/pyenv-virtualenv/shims")));
        assert!(!is_shims(root, &root.join("bin")));
        assert!(!is_shims(root, Path::new("/usr/local/shims")));
    }
}
