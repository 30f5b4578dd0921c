//! The system calls of a Unix host: the only code with `unsafe`.

use std::ffi::CStr;
use std::io;
use std::os::fd::FromRawFd;
pub use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::ptr::{self, NonNull};

use memmap2::{MmapOptions, MmapRaw};

use super::{FileStat, MapRequest, Mapped};

/// `ESHUTDOWN`, which CPython counts as a BrokenPipeError.
pub const ESHUTDOWN: Option<i32> = Some(libc::ESHUTDOWN);

/// `MAP_ANONYMOUS` as this host's kernel spells it (the flags go to this
/// host's `mmap`, whatever the profile's platform).
pub const MAP_ANONYMOUS: i32 = libc::MAP_ANONYMOUS;

/// The host's page size (`sysconf(_SC_PAGESIZE)`).
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions and only reads a constant.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).unwrap_or(4096)
}

/// What Linux's `msync(NULL + offset, len, MS_SYNC)` returns: the call
/// CPython's `flush` makes on a map that one of its arguments' `__index__`
/// closed (`data` is NULL then, gh-103987). Emulated, not made, following
/// `mm/msync.c`: an address off a page boundary is EINVAL, an empty range
/// succeeds, and any other range starts at the bottom of the address space,
/// where nothing is mapped (`vm.mmap_min_addr`): ENOMEM. Observed so on
/// CPython 3.11.7, 3.12.1 and 3.13.0.
pub fn msync_unmapped(offset: usize, len: usize) -> Result<(), i32> {
    if offset % page_size() != 0 {
        Err(libc::EINVAL)
    } else if len == 0 {
        Ok(())
    } else {
        Err(libc::ENOMEM)
    }
}

/// What Linux's `mremap(NULL, size, new_len, MREMAP_MAYMOVE)` returns: the
/// call CPython's `resize` makes on a map that its argument's `__index__`
/// closed. Emulated, following `mm/mremap.c`: a zero new length is EINVAL
/// before the old address is looked up, and there is no mapping at NULL to
/// find: EFAULT. Observed so on CPython 3.11.7, 3.12.1 and 3.13.0.
pub fn mremap_unmapped(new_len: usize) -> Result<(), i32> {
    Err(if new_len == 0 {
        libc::EINVAL
    } else {
        libc::EFAULT
    })
}

/// The C library's text for `errno`, as CPython's `PyErr_SetFromErrno` uses it.
pub fn strerror(errno: i32) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is a valid writable buffer of the given length; the XSI
    // strerror_r that the libc crate binds writes a NUL-terminated string into it.
    let rc = unsafe { libc::strerror_r(errno, buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {errno}");
    }
    CStr::from_bytes_until_nul(&buf)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("Unknown error {errno}"))
}

/// The errno of the last failed call.
fn last_errno() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// The errno inside an `io::Error` from memmap2 (its own validation errors,
/// which CPython's paths never reach, become `EINVAL`).
fn io_errno(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EINVAL)
}

/// `dup(fd)` as CPython's `_Py_dup` does it: the copy is close-on-exec.
pub fn dup_cloexec(fd: RawFd) -> Result<OwnedFd, i32> {
    // SAFETY: fcntl with F_DUPFD_CLOEXEC only reads `fd` (any integer is
    // allowed; an invalid one gives EBADF) and creates a new descriptor.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if new < 0 {
        return Err(last_errno());
    }
    // SAFETY: `new` was just returned by fcntl, is open and owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// `fstat(fd)`.
pub fn fstat(fd: RawFd) -> Result<FileStat, i32> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `st` is a writable buffer of the right type; fstat validates `fd`.
    let rc = unsafe { libc::fstat(fd, st.as_mut_ptr()) };
    if rc != 0 {
        return Err(last_errno());
    }
    // SAFETY: fstat returned 0, so it filled in the whole struct.
    let st = unsafe { st.assume_init() };
    Ok(FileStat {
        is_regular: st.st_mode & libc::S_IFMT == libc::S_IFREG,
        size: st.st_size,
        // The widths of dev_t and ino_t differ between Unix hosts.
        #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
        id: (st.st_dev as u64, st.st_ino as u64),
    })
}

/// `lseek(fd, 0, SEEK_SET)`: moves the descriptor's file position to the
/// start (what CPython's Windows constructor does to the caller's
/// descriptor, ignoring whether it worked, as this does).
pub fn rewind(fd: RawFd) {
    // SAFETY: lseek only acts on the descriptor number; an invalid one fails.
    unsafe { libc::lseek(fd, 0, libc::SEEK_SET) };
}

/// True when `fd` was opened for writing (`O_WRONLY` or `O_RDWR`).
pub fn is_writable(fd: RawFd) -> Result<bool, i32> {
    // SAFETY: F_GETFL only reads the descriptor's status flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(last_errno());
    }
    Ok(flags & libc::O_ACCMODE != libc::O_RDONLY)
}

/// A new zero-filled anonymous file of `len` bytes (a paging-file section
/// of Windows, emulated), close-on-exec.
#[cfg(target_os = "linux")]
pub fn anonymous_file(len: i64) -> Result<OwnedFd, i32> {
    // SAFETY: the name is a NUL-terminated literal; memfd_create creates a
    // new descriptor, owned by the returned OwnedFd alone.
    let fd = unsafe { libc::memfd_create(c"mmapconf-section".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(last_errno());
    }
    // SAFETY: `fd` was just returned by memfd_create and is owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    ftruncate(&fd, len)?;
    Ok(fd)
}

/// Unix hosts other than Linux have no `memfd_create`: Windows's paging-file
/// sections are not emulated there.
#[cfg(not(target_os = "linux"))]
pub fn anonymous_file(_len: i64) -> Result<OwnedFd, i32> {
    Err(libc::ENOSYS)
}

/// `ftruncate(fd, len)`.
pub fn ftruncate(fd: &OwnedFd, len: i64) -> Result<(), i32> {
    // SAFETY: ftruncate only acts on the descriptor we own; `len` is any value
    // (negative or too large ones give EINVAL/EFBIG).
    let rc = unsafe { libc::ftruncate(fd.as_raw_fd(), len) };
    if rc != 0 { Err(last_errno()) } else { Ok(()) }
}

/// `MAP_FIXED` (with CPython's NULL address hint) made safe: on Linux it
/// becomes `MAP_FIXED_NOREPLACE`, which never replaces a mapping this
/// process has; hosts without it refuse the flag with EINVAL rather than
/// map over memory in use.
fn without_fixed(flags: i32) -> Result<i32, i32> {
    if flags & libc::MAP_FIXED == 0 {
        return Ok(flags);
    }
    #[cfg(target_os = "linux")]
    return Ok((flags & !libc::MAP_FIXED) | libc::MAP_FIXED_NOREPLACE);
    #[cfg(not(target_os = "linux"))]
    Err(libc::EINVAL)
}

/// How a [`Mapping`] was made and who unmaps it.
#[derive(Debug)]
enum Region {
    /// Made by memmap2 (file maps whose flags/prot memmap2 has a constructor for).
    Memmap(MmapRaw),
    /// Made by `libc::mmap` here; unmapped by [`Mapping`]'s `Drop`.
    Raw {
        /// Start of the mapping (page aligned).
        ptr: NonNull<u8>,
        /// Length passed to `mmap`/`mremap`.
        len: usize,
    },
}

/// One live `mmap(2)` region that this process owns.
///
/// The bytes may change at any time through other mappings of the same file
/// or other processes; callers copy in and out with single `memcpy`-like
/// operations and never keep references across calls. Touching pages beyond
/// the end of a file that was truncated after mapping raises `SIGBUS`, as it
/// does in CPython (see the caveat on [`crate::Mmap`]).
#[derive(Debug)]
pub struct Mapping {
    region: Region,
}

impl Mapping {
    /// `mmap(NULL, len, prot, flags, fd, offset)`.
    ///
    /// File maps with exactly `MAP_SHARED` + `PROT_READ|PROT_WRITE`,
    /// `MAP_SHARED` + `PROT_READ` or `MAP_PRIVATE` + `PROT_READ|PROT_WRITE`, a
    /// page-aligned offset and a non-zero length go through memmap2; anything
    /// else (anonymous maps, which CPython makes `MAP_SHARED|MAP_ANONYMOUS`,
    /// other flag/prot combinations, unaligned offsets that must fail like the
    /// kernel fails them) calls `libc::mmap` directly. `MAP_FIXED` is turned
    /// into `MAP_FIXED_NOREPLACE` so that a NULL-hint fixed map can never
    /// replace an existing mapping of this process.
    pub fn map(req: MapRequest) -> Result<Mapped, i32> {
        let aligned = req.offset >= 0 && req.offset as u64 % page_size() as u64 == 0;
        if req.fd >= 0 && req.len > 0 && aligned {
            let mut opts = MmapOptions::new();
            opts.offset(req.offset as u64).len(req.len);
            let rw = libc::PROT_READ | libc::PROT_WRITE;
            let made = match (req.flags, req.prot) {
                (libc::MAP_SHARED, p) if p == rw => Some(opts.map_raw(req.fd)),
                (libc::MAP_SHARED, libc::PROT_READ) => Some(opts.map_raw_read_only(req.fd)),
                // SAFETY: a private copy-on-write map; the caveat about the
                // file changing underneath is carried by `Mmap`'s docs and
                // the map is only ever accessed through `Mapping`'s copies.
                (libc::MAP_PRIVATE, p) if p == rw => {
                    Some(unsafe { opts.map_copy(req.fd) }.map(MmapRaw::from))
                }
                _ => None,
            };
            if let Some(made) = made {
                return made
                    .map(|raw| {
                        Mapped::Map(Mapping {
                            region: Region::Memmap(raw),
                        })
                    })
                    .map_err(|e| io_errno(&e));
            }
        }
        Self::map_libc(req)
    }

    fn map_libc(req: MapRequest) -> Result<Mapped, i32> {
        let flags = without_fixed(req.flags)?;
        // SAFETY: a NULL address hint without MAP_FIXED (replaced above by
        // MAP_FIXED_NOREPLACE, which never replaces existing mappings) cannot
        // affect memory this process already uses; the kernel validates the
        // remaining arguments.
        let p = unsafe {
            libc::mmap(
                ptr::null_mut(),
                req.len,
                req.prot,
                flags,
                req.fd,
                req.offset,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(last_errno());
        }
        match NonNull::new(p.cast::<u8>()) {
            Some(ptr) => Ok(Mapped::Map(Mapping {
                region: Region::Raw { ptr, len: req.len },
            })),
            None => {
                // SAFETY: the kernel just created this region at address 0 for
                // us; nothing refers to it.
                unsafe { libc::munmap(p, req.len) };
                Ok(Mapped::AtNull)
            }
        }
    }

    /// Start of the mapped bytes.
    fn ptr(&self) -> *mut u8 {
        match &self.region {
            Region::Memmap(raw) => raw.as_mut_ptr(),
            Region::Raw { ptr, .. } => ptr.as_ptr(),
        }
    }

    /// Length of the mapping in bytes.
    pub fn len(&self) -> usize {
        match &self.region {
            Region::Memmap(raw) => raw.len(),
            Region::Raw { len, .. } => *len,
        }
    }

    /// The mapped bytes, for a single copy out.
    ///
    /// Reading a `PROT_NONE` (or unreadable `PROT_EXEC`-only) map faults, as
    /// it does in CPython.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: ptr..ptr+len is a live mapping owned by self for the whole
        // borrow (only `&mut self` methods remap or unmap it). Its contents may
        // be changed by other mappings of the same file; callers only copy
        // bytes out and never rely on them staying the same.
        unsafe { std::slice::from_raw_parts(self.ptr(), self.len()) }
    }

    /// The mapped bytes, for a single copy in. Only called for maps created
    /// with `PROT_WRITE` (the `Mmap` layer's writability check guarantees it).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `bytes`; `&mut self` makes this the only reference
        // this process holds into the region.
        unsafe { std::slice::from_raw_parts_mut(self.ptr(), self.len()) }
    }

    /// `msync(ptr + offset, len, MS_SYNC)` with CPython's exact range: no
    /// alignment fix-up, so an unaligned offset fails with EINVAL.
    pub fn msync(&self, offset: usize, len: usize) -> Result<(), i32> {
        debug_assert!(offset.checked_add(len).is_some_and(|end| end <= self.len()));
        // SAFETY: offset + len lies within the mapping (checked by the caller,
        // like CPython's "flush values out of range"); msync does not touch memory.
        let rc = unsafe { libc::msync(self.ptr().add(offset).cast(), len, libc::MS_SYNC) };
        if rc != 0 { Err(last_errno()) } else { Ok(()) }
    }

    /// `madvise(ptr + start, len, advice)`.
    ///
    /// `MADV_HWPOISON` and `MADV_SOFT_OFFLINE` are refused with EPERM (what an
    /// unprivileged CPython gets) instead of poisoning this process's memory.
    pub fn madvise(&self, start: usize, len: usize, advice: i32) -> Result<(), i32> {
        debug_assert!(start.checked_add(len).is_some_and(|end| end <= self.len()));
        #[cfg(target_os = "linux")]
        if advice == libc::MADV_HWPOISON || advice == libc::MADV_SOFT_OFFLINE {
            return Err(libc::EPERM);
        }
        // SAFETY: the range lies within the mapping (checked by the caller);
        // no references into it are live (Mmap copies in and out), so advice
        // that discards contents (MADV_DONTNEED, MADV_REMOVE, ...) cannot
        // invalidate Rust borrows.
        let rc = unsafe { libc::madvise(self.ptr().add(start).cast(), len, advice) };
        if rc != 0 { Err(last_errno()) } else { Ok(()) }
    }

    /// `mremap(ptr, len, new_len, MREMAP_MAYMOVE)`.
    #[cfg(target_os = "linux")]
    pub fn remap(&mut self, new_len: usize) -> Result<(), i32> {
        if new_len == 0 {
            // The kernel refuses a zero new size; memmap2 would instead keep a
            // one-byte map, so answer as the kernel does.
            return Err(libc::EINVAL);
        }
        match &mut self.region {
            Region::Memmap(raw) => {
                // SAFETY: no references into the map are live (`&mut self`).
                // Pages past the end of the file fault on access exactly as
                // they do in CPython after the same resize.
                unsafe { raw.remap(new_len, memmap2::RemapOptions::new().may_move(true)) }
                    .map_err(|e| io_errno(&e))
            }
            Region::Raw { ptr, len } => {
                // SAFETY: ptr/len describe a mapping we own; `&mut self` means
                // nothing refers into it while it may move.
                let p = unsafe {
                    libc::mremap(ptr.as_ptr().cast(), *len, new_len, libc::MREMAP_MAYMOVE)
                };
                if p == libc::MAP_FAILED {
                    return Err(last_errno());
                }
                *ptr = NonNull::new(p.cast()).ok_or(libc::EINVAL)?;
                *len = new_len;
                Ok(())
            }
        }
    }

    /// `mremap` does not exist here; the `Mmap` layer raises CPython's
    /// `SystemError` before calling this.
    #[cfg(not(target_os = "linux"))]
    pub fn remap(&mut self, _new_len: usize) -> Result<(), i32> {
        Err(libc::ENOSYS)
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if let Region::Raw { ptr, len } = self.region {
            // SAFETY: the region was created by mmap/mremap with this address and
            // length and is unmapped exactly once, here. Errors are ignored,
            // as CPython ignores munmap's result.
            unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
        }
    }
}

// SAFETY: a Mapping owns its region exclusively (like memmap2's MmapRaw); the
// raw pointer is not shared with other threads except through &/&mut borrows.
unsafe impl Send for Mapping {}
// SAFETY: shared access only reads through `bytes()`, which is a plain copy
// source; mutation needs `&mut self`.
unsafe impl Sync for Mapping {}

/// Opens `path` for reading and writing, creating it when missing
/// (`CreateFile` with `OPEN_ALWAYS`), close-on-exec.
pub fn open_always(path: &str) -> Result<OwnedFd, i32> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(OwnedFd::from)
        .map_err(|e| io_errno(&e))
}

/// `fcntl(fd, F_FULLFSYNC)`, which CPython's constructor makes on macOS
/// before mapping a file (bpo-11277) and whose result it ignores: on a
/// macOS host the same call, elsewhere nothing (no scenario can see it).
pub fn full_fsync(fd: RawFd) {
    #[cfg(target_os = "macos")]
    // SAFETY: F_FULLFSYNC only flushes the descriptor's file; an invalid
    // descriptor fails harmlessly, and the result is ignored as in CPython.
    unsafe {
        libc::fcntl(fd, libc::F_FULLFSYNC);
    }
    #[cfg(not(target_os = "macos"))]
    let _ = fd;
}
