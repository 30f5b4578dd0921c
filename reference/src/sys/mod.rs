//! The system calls the reference makes itself, for its host.
//!
//! Everything here reports failures as a raw `errno` (`Err(i32)`); the caller
//! turns it into the Python exception for its profile. On Unix hosts these
//! are real calls (the only `unsafe` code of the crate); elsewhere the
//! reference cannot map memory, and every call fails with `ENOSYS`, so the
//! crate still builds where the harness runs only real implementations.

#[cfg(unix)]
#[allow(unsafe_code)]
#[path = "unix.rs"]
mod host;
#[cfg(not(unix))]
#[path = "unsupported.rs"]
mod host;
pub use host::*;

/// What `fstat(fd)` says about a descriptor, as far as `mmap` cares.
#[derive(Clone, Copy, Debug)]
pub struct FileStat {
    /// `S_ISREG(st_mode)`
    pub is_regular: bool,
    /// `st_size`
    pub size: i64,
    /// `(st_dev, st_ino)`: which file it is.
    pub id: (u64, u64),
}

/// What [`Mapping::map`] asks the kernel for.
// Read only by a Unix host's calls.
#[cfg_attr(not(unix), allow(dead_code))]
#[derive(Clone, Copy, Debug)]
pub struct MapRequest {
    /// File descriptor to map, or -1 for anonymous memory.
    pub fd: host::RawFd,
    /// Length in bytes.
    pub len: usize,
    /// `PROT_*` bits.
    pub prot: i32,
    /// `MAP_*` bits, exactly as CPython passes them (incl. `MAP_ANONYMOUS`).
    pub flags: i32,
    /// File offset; not adjusted (unaligned offsets fail with EINVAL, as in CPython).
    pub offset: i64,
}

/// The result of [`Mapping::map`].
// Made only by a Unix host's calls.
#[cfg_attr(not(unix), allow(dead_code))]
#[derive(Debug)]
pub enum Mapped {
    /// A usable mapping.
    Map(host::Mapping),
    /// The kernel placed the map at address 0 (`MAP_FIXED` with a NULL hint, as
    /// root). CPython stores the NULL pointer, so its object is born "closed";
    /// the region has already been unmapped again here.
    AtNull,
}
