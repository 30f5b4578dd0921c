//! A host without Unix system calls: the reference's types exist, but no
//! map can be made (`ENOSYS`), so nothing that needs one runs.

use std::convert::Infallible;

use super::{FileStat, MapRequest, Mapped};

/// Linux's `ENOSYS`: the answer to every call here.
const ENOSYS: i32 = 38;

/// `ESHUTDOWN`: the C library of a host without Unix calls has none.
pub const ESHUTDOWN: Option<i32> = None;

/// Linux's `MAP_ANONYMOUS`; never passed to a kernel here.
pub const MAP_ANONYMOUS: i32 = 0x20;

/// A descriptor number.
pub type RawFd = i32;

/// An owned descriptor; none can be made here ([`dup_cloexec`] fails).
#[derive(Debug)]
pub struct OwnedFd(Infallible);

/// The descriptor number of an [`OwnedFd`].
pub trait AsRawFd {
    /// The number.
    fn as_raw_fd(&self) -> RawFd;
}

impl AsRawFd for OwnedFd {
    fn as_raw_fd(&self) -> RawFd {
        match self.0 {}
    }
}

/// The page size the reference assumes.
pub fn page_size() -> usize {
    4096
}

/// `ENOSYS`.
pub fn msync_unmapped(_offset: usize, _len: usize) -> Result<(), i32> {
    Err(ENOSYS)
}

/// `ENOSYS`.
pub fn mremap_unmapped(_new_len: usize) -> Result<(), i32> {
    Err(ENOSYS)
}

/// The text Linux's C library gives the errno values the reference raises
/// (it only raises `ENOSYS` here).
pub fn strerror(errno: i32) -> String {
    match errno {
        ENOSYS => "Function not implemented".into(),
        _ => format!("Unknown error {errno}"),
    }
}

/// `ENOSYS`.
pub fn dup_cloexec(_fd: RawFd) -> Result<OwnedFd, i32> {
    Err(ENOSYS)
}

/// `ENOSYS`.
pub fn fstat(_fd: RawFd) -> Result<FileStat, i32> {
    Err(ENOSYS)
}

/// Nothing to rewind: no descriptor can be opened here.
pub fn rewind(_fd: RawFd) {}

/// `ENOSYS`.
pub fn is_writable(_fd: RawFd) -> Result<bool, i32> {
    Err(ENOSYS)
}

/// `ENOSYS`.
pub fn anonymous_file(_len: i64) -> Result<OwnedFd, i32> {
    Err(ENOSYS)
}

/// `ENOSYS`.
pub fn ftruncate(fd: &OwnedFd, _len: i64) -> Result<(), i32> {
    match fd.0 {}
}

/// A mapping; none can be made here ([`Mapping::map`] fails).
#[derive(Debug)]
pub struct Mapping(Infallible);

impl Mapping {
    /// `ENOSYS`.
    pub fn map(_req: MapRequest) -> Result<Mapped, i32> {
        Err(ENOSYS)
    }

    /// Length of the mapping in bytes.
    pub fn len(&self) -> usize {
        match self.0 {}
    }

    /// The mapped bytes.
    pub fn bytes(&self) -> &[u8] {
        match self.0 {}
    }

    /// The mapped bytes, for writing.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        match self.0 {}
    }

    /// `msync`.
    pub fn msync(&self, _offset: usize, _len: usize) -> Result<(), i32> {
        match self.0 {}
    }

    /// `madvise`.
    pub fn madvise(&self, _start: usize, _len: usize, _advice: i32) -> Result<(), i32> {
        match self.0 {}
    }

    /// `mremap`.
    pub fn remap(&mut self, _new_len: usize) -> Result<(), i32> {
        match self.0 {}
    }
}

/// `ENOSYS`.
pub fn open_always(_path: &str) -> Result<OwnedFd, i32> {
    Err(ENOSYS)
}

/// Nothing: macOS's `F_FULLFSYNC` is for macOS hosts.
pub fn full_fsync(_fd: RawFd) {}
