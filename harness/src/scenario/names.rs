//! The names a step may use besides the ones it binds.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use mmap_reference::{Platform, Profile, PyVersion};

/// What a predefined name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// `mmap`, the constructor.
    Constructor,
    /// A module constant of some version on some platform.
    Constant,
    /// A builtin the harness provides.
    Builtin,
}

/// Builtins a step may call.
pub const BUILTINS: &[&str] = &[
    "len",
    "bytes",
    "bytearray",
    "list",
    "repr",
    "memoryview",
    "slice",
    "Index",
    "ClosingIndex",
    "Buffer",
    "audit_events",
    "pickle",
    "copy",
];

/// Functions that make a scenario's file content (`file: zeros(4)`), and
/// exist nowhere else.
pub const FILE_CONTENT: &[&str] = &["zeros", "fixture"];

/// Standard modules a step may use (`pickle.dumps(m)`, `copy.copy(m)`).
pub const MODULES: &[&str] = &["pickle", "copy"];

/// Methods of the scenario's file `f` (the harness's own, not the implementation's).
pub const FILE_METHODS: &[&str] = &[
    "fileno", "path", "size", "read", "pwrite", "truncate", "tell", "seek", "close",
];

/// Methods and attributes of `mmap.mmap` in any version on any platform.
pub const MMAP_ATTRIBUTES: &[&str] = &[
    "close",
    "closed",
    "find",
    "flush",
    "madvise",
    "move",
    "read",
    "read_byte",
    "readline",
    "resize",
    "rfind",
    "seek",
    "seekable",
    "size",
    "tell",
    "write",
    "write_byte",
    "__enter__",
    "__exit__",
    "__len__",
    "__getitem__",
    "__setitem__",
    "__delitem__",
    "__repr__",
    "__sizeof__",
    "__buffer__",
    "__release_buffer__",
];

/// Methods of pywin32's `Pymmapfile` object (the documents call `readline`
/// `read_line`; the object has no such method).
pub const MMAPFILE_ATTRIBUTES: &[&str] = &[
    "close",
    "find",
    "flush",
    "move",
    "read",
    "read_byte",
    "readline",
    "resize",
    "seek",
    "size",
    "tell",
    "write",
    "write_byte",
];

/// The Python versions the suite knows, oldest first.
pub const VERSIONS: [PyVersion; 10] = [
    PyVersion::new(2, 7),
    PyVersion::new(3, 6),
    PyVersion::new(3, 7),
    PyVersion::new(3, 8),
    PyVersion::new(3, 9),
    PyVersion::new(3, 10),
    PyVersion::new(3, 11),
    PyVersion::new(3, 12),
    PyVersion::new(3, 13),
    PyVersion::new(3, 14),
];

/// Every constant name of the `mmap` module in any known profile.
static CONSTANTS: LazyLock<BTreeSet<&'static str>> = LazyLock::new(|| {
    let mut names = BTreeSet::new();
    for python in VERSIONS {
        for platform in Platform::ALL {
            let profile = Profile::new(python, platform);
            names.extend(
                mmap_reference::constants(profile)
                    .into_iter()
                    .map(|(n, _)| n),
            );
        }
    }
    names
});

/// What `name` refers to when no step bound it in a scenario of `api`, if
/// anything.
pub fn classify_in(api: crate::scenario::Api, name: &str) -> Option<NameKind> {
    match api {
        crate::scenario::Api::Mmap => classify(name),
        // `from mmapfile import *` brings the function alone.
        crate::scenario::Api::Mmapfile if name == "mmapfile" => Some(NameKind::Constructor),
        crate::scenario::Api::Mmapfile if BUILTINS.contains(&name) => Some(NameKind::Builtin),
        crate::scenario::Api::Mmapfile => None,
    }
}

/// What `name` is in a scenario of Python's `mmap` (`from mmap import *`).
pub fn classify(name: &str) -> Option<NameKind> {
    if name == "mmap" {
        Some(NameKind::Constructor)
    } else if BUILTINS.contains(&name) {
        Some(NameKind::Builtin)
    } else if CONSTANTS.contains(name) {
        Some(NameKind::Constant)
    } else {
        None
    }
}
