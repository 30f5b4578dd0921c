//! The typed core: [`Mmap`], a memory map with Python's `mmap.mmap` semantics,
//! and [`MmapOptions`], its constructor arguments.

use std::cell::Cell;
use std::rc::Rc;

use memchr::memmem;

use crate::args::SSIZE_MAX;
use crate::error::{Error, ErrorKind};
use crate::profile::{Platform, Profile};
use crate::sys::{self, AsRawFd, MapRequest, Mapped, Mapping, OwnedFd};
use crate::value::Value;
use crate::windows::{self, WindowsMap};

/// `mmap.MAP_SHARED` (Linux and macOS).
pub const MAP_SHARED: i32 = 1;
/// `mmap.MAP_PRIVATE` (Linux and macOS).
pub const MAP_PRIVATE: i32 = 2;
/// `mmap.PROT_READ`.
pub const PROT_READ: i32 = 1;
/// `mmap.PROT_WRITE`.
pub const PROT_WRITE: i32 = 2;

/// `mmap.ACCESS_*`: how a map may be used, as CPython records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// `ACCESS_DEFAULT` (0): flags/prot decide; writable.
    Default = 0,
    /// `ACCESS_READ` (1): read-only.
    Read = 1,
    /// `ACCESS_WRITE` (2): write-through.
    Write = 2,
    /// `ACCESS_COPY` (3): copy-on-write (`MAP_PRIVATE`).
    Copy = 3,
}

impl Access {
    /// The access for `mmap.ACCESS_*` value `n`, if it is one.
    pub fn from_raw(n: i32) -> Option<Access> {
        match n {
            0 => Some(Access::Default),
            1 => Some(Access::Read),
            2 => Some(Access::Write),
            3 => Some(Access::Copy),
            _ => None,
        }
    }

    /// The constant's name, as `repr()` prints it (`ACCESS_READ`).
    pub fn name(self) -> &'static str {
        match self {
            Access::Default => "ACCESS_DEFAULT",
            Access::Read => "ACCESS_READ",
            Access::Write => "ACCESS_WRITE",
            Access::Copy => "ACCESS_COPY",
        }
    }
}

/// An audit event (`sys.audit`) as CPython raises it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    /// The event's name: `mmap.__new__`.
    pub name: &'static str,
    /// Its arguments.
    pub args: Vec<Value>,
}

impl AuditEvent {
    /// `mmap.__new__` with the descriptor, the length, the access mode and
    /// the offset, as both constructors raise it (3.8+).
    pub(crate) fn mmap_new(fileno: i64, length: i64, access: i64, offset: i64) -> AuditEvent {
        AuditEvent {
            name: "mmap.__new__",
            args: [fileno, length, access, offset]
                .map(|n| Value::Int(n.into()))
                .to_vec(),
        }
    }
}

/// The optional arguments of `mmap.mmap(fileno, length, flags=MAP_SHARED,
/// prot=PROT_READ|PROT_WRITE, access=ACCESS_DEFAULT, offset=0, *, trackfd=True)`,
/// in the manner of memmap2's `MmapOptions`.
///
/// Values are kept raw (`i32`/`i64`) so that out-of-range ones get CPython's
/// exceptions from [`MmapOptions::map`].
#[derive(Clone, Copy, Debug)]
pub struct MmapOptions {
    flags: i32,
    prot: i32,
    access: i32,
    offset: i64,
    trackfd: bool,
}

impl Default for MmapOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl MmapOptions {
    /// The defaults: `MAP_SHARED`, `PROT_READ|PROT_WRITE`, `ACCESS_DEFAULT`,
    /// offset 0, `trackfd=True`.
    pub fn new() -> Self {
        Self {
            flags: MAP_SHARED,
            prot: PROT_READ | PROT_WRITE,
            access: 0,
            offset: 0,
            trackfd: true,
        }
    }

    /// `flags=` (`MAP_*` bits).
    pub fn flags(&mut self, flags: i32) -> &mut Self {
        self.flags = flags;
        self
    }

    /// `prot=` (`PROT_*` bits).
    pub fn prot(&mut self, prot: i32) -> &mut Self {
        self.prot = prot;
        self
    }

    /// `access=` (an `ACCESS_*` value; others raise at [`MmapOptions::map`]).
    pub fn access(&mut self, access: i32) -> &mut Self {
        self.access = access;
        self
    }

    /// `offset=` in bytes (a multiple of `PAGESIZE`, or the kernel refuses it).
    pub fn offset(&mut self, offset: i64) -> &mut Self {
        self.offset = offset;
        self
    }

    /// `trackfd=` (3.13+): when false the descriptor is not duplicated.
    pub fn trackfd(&mut self, trackfd: bool) -> &mut Self {
        self.trackfd = trackfd;
        self
    }

    /// Equivalent to Python's `mmap.mmap(fileno, length, …)` on Unix, after
    /// argument conversion: `fileno` -1 maps anonymous shared memory, any other
    /// value must be an open descriptor of this process (it is duplicated).
    ///
    /// # Errors
    ///
    /// In CPython's order: OverflowError `memory mapped length must be
    /// positive` / `memory mapped offset must be positive`; ValueError `mmap
    /// can't specify both access and flags, prot.`, `mmap invalid access
    /// parameter.`; for regular files ValueError `cannot mmap an empty file`,
    /// `mmap offset is greater than file size`, `mmap length is too large`,
    /// `mmap length is greater than file size`; OSError from `dup` (EBADF) or
    /// `mmap` (EINVAL for an unaligned offset or length 0, EACCES, ENODEV, ENOMEM …).
    pub fn map(&self, profile: Profile, fileno: i32, length: i64) -> Result<Mmap, Error> {
        self.map_audited(profile, fileno, length, &mut |_| {})
    }

    /// [`MmapOptions::map`], handing the audit event CPython raises once the
    /// access mode is settled (3.8+: `mmap.__new__` with the descriptor, the
    /// length, the access mode and the offset) to `audit`.
    ///
    /// # Errors
    ///
    /// As [`MmapOptions::map`].
    pub fn map_audited(
        &self,
        profile: Profile,
        fileno: i32,
        length: i64,
        audit: &mut dyn FnMut(AuditEvent),
    ) -> Result<Mmap, Error> {
        if length < 0 {
            return Err(Error::overflow_error(
                "memory mapped length must be positive",
            ));
        }
        if self.offset < 0 {
            return Err(Error::overflow_error(
                "memory mapped offset must be positive",
            ));
        }
        let (mut flags, mut prot) = (self.flags, self.prot);
        if self.access != 0 && (flags != MAP_SHARED || prot != PROT_READ | PROT_WRITE) {
            return Err(Error::value_error(
                "mmap can't specify both access and flags, prot.",
            ));
        }
        let access = match Access::from_raw(self.access) {
            Some(Access::Read) => {
                (flags, prot) = (MAP_SHARED, PROT_READ);
                Access::Read
            }
            Some(Access::Write) => {
                (flags, prot) = (MAP_SHARED, PROT_READ | PROT_WRITE);
                Access::Write
            }
            Some(Access::Copy) => {
                (flags, prot) = (MAP_PRIVATE, PROT_READ | PROT_WRITE);
                Access::Copy
            }
            Some(Access::Default) if prot & PROT_READ != 0 && prot & PROT_WRITE != 0 => {
                Access::Default
            }
            Some(Access::Default) if prot & PROT_WRITE != 0 => Access::Write,
            Some(Access::Default) => Access::Read,
            None => return Err(Error::value_error("mmap invalid access parameter.")),
        };
        if profile.python.at_least(3, 8) {
            audit(AuditEvent::mmap_new(
                fileno.into(),
                length,
                access as i64,
                self.offset,
            ));
        }
        if profile.platform == Platform::MacOs && fileno != -1 {
            sys::full_fsync(fileno);
        }
        let mut length = length;
        if fileno != -1 {
            if let Some(st) = sys::fstat(fileno).ok().filter(|st| st.is_regular) {
                if length == 0 {
                    if st.size == 0 {
                        return Err(Error::value_error("cannot mmap an empty file"));
                    }
                    if self.offset >= st.size {
                        return Err(Error::value_error("mmap offset is greater than file size"));
                    }
                    length = st.size - self.offset;
                } else if self.offset > st.size || st.size - self.offset < length {
                    return Err(Error::value_error("mmap length is greater than file size"));
                }
            }
        }
        let fd = if fileno == -1 {
            flags |= anonymous_flag(profile.platform);
            None
        } else if self.trackfd {
            Some(sys::dup_cloexec(fileno).map_err(|e| Error::from_errno(e, profile))?)
        } else {
            None
        };
        // mmap(2) refuses an offset off a page boundary; a profile whose
        // pages are larger than the host's (macOS's 16 KiB) refuses it here.
        if self.offset % profile.pagesize() as i64 != 0 {
            return Err(Error::from_errno(libc::EINVAL, profile));
        }
        let req = MapRequest {
            fd: fileno,
            len: length as usize,
            prot,
            flags,
            offset: self.offset,
        };
        let map = match Mapping::map(req).map_err(|e| Error::from_errno(e, profile))? {
            Mapped::Map(m) => Some(m),
            Mapped::AtNull => None,
        };
        Ok(Mmap {
            profile,
            map,
            fd,
            unmapped_size: length as usize,
            pos: 0,
            offset: self.offset,
            access,
            trackfd: self.trackfd,
            windows: None,
            exports: Rc::new(Cell::new(0)),
        })
    }
}

/// `MAP_ANONYMOUS` as the host's kernel spells it (the flags go to this host's
/// `mmap`, whatever the profile's platform).
fn anonymous_flag(_platform: Platform) -> i32 {
    sys::MAP_ANONYMOUS
}

/// A memory map with the observable behaviour of CPython's `mmap.mmap` for a
/// [`Profile`]: a position, Python's method names, and Python's exceptions as
/// [`Error`] values.
///
/// Methods here take already-converted arguments (`i64` where Python allows
/// negative values, so the map itself raises Python's error); the dynamic layer
/// ([`Mmap::call`] and friends) converts Python-like [`crate::Value`]s first.
///
/// # Caveat: `SIGBUS`
///
/// A file-backed map shares its pages with the file. If the file is
/// truncated (by this or another process) after the map was made, touching a
/// page that is now past the end of the file raises `SIGBUS` and kills the
/// process — exactly what CPython does (it has no guard either). The same
/// happens after growing a shared anonymous map with [`Mmap::resize`] and
/// touching the new pages (Linux, CPython ≤ 3.13.0), and reading a
/// `PROT_NONE` map segfaults. Run scenarios that may do this in a child
/// process.
#[derive(Debug)]
pub struct Mmap {
    pub(crate) profile: Profile,
    /// `None` once closed (CPython's `data == NULL`).
    map: Option<Mapping>,
    /// The duplicated descriptor (`None` for anonymous maps and `trackfd=False`).
    fd: Option<OwnedFd>,
    /// CPython's `size` field while `map` is `None`: `close()` unmaps the
    /// memory but keeps the length, which the methods that do not check the
    /// map again after converting their arguments still use (see
    /// [`Mmap::size_field`]).
    unmapped_size: usize,
    /// The position; may exceed the length after a shrinking resize.
    pos: usize,
    offset: i64,
    access: Access,
    trackfd: bool,
    /// Windows profiles: the section the view is of, the tag name and the
    /// file's use, held while the map is open (see [`crate::windows`]).
    windows: Option<WindowsMap>,
    /// Live buffer exports (CPython's `exports`): one per memoryview made
    /// from the map (its slices share it). `close()` and `resize()` refuse
    /// while it is non-zero. Shared with the exports themselves, so that
    /// releasing one never needs the map borrowed.
    exports: Rc<Cell<usize>>,
}

/// ValueError `mmap closed or invalid`.
pub(crate) fn closed_error() -> Error {
    Error::value_error("mmap closed or invalid")
}

impl Mmap {
    /// A Windows profile's map: a view of a section (see [`crate::windows`]),
    /// with the duplicated file handle (`None` for the paging file).
    pub(crate) fn windows_view(
        profile: Profile,
        view: Mapping,
        file: Option<OwnedFd>,
        offset: i64,
        access: Access,
        windows: WindowsMap,
    ) -> Mmap {
        Mmap {
            profile,
            unmapped_size: view.len(),
            map: Some(view),
            fd: file,
            pos: 0,
            offset,
            access,
            trackfd: true,
            windows: Some(windows),
            exports: Rc::new(Cell::new(0)),
        }
    }

    /// The bytes a Windows profile's `__sizeof__` counts for the tag name.
    pub(crate) fn windows_tagname_size(&self) -> usize {
        self.windows
            .as_ref()
            .map_or(0, |w| w.tagname_size(self.profile))
    }

    /// The profile this map imitates.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The derived access mode (`ACCESS_READ` for `prot=PROT_READ`, …).
    pub fn access(&self) -> Access {
        self.access
    }

    /// The `offset` the map was created with.
    pub fn offset(&self) -> i64 {
        self.offset
    }

    /// The number of live buffer exports.
    pub fn exports(&self) -> usize {
        self.exports.get()
    }

    /// The export counter, for an export to hold and decrement when released.
    pub(crate) fn export_counter(&self) -> Rc<Cell<usize>> {
        Rc::clone(&self.exports)
    }

    /// The mapping, or ValueError `mmap closed or invalid` (CPython's `CHECK_VALID`).
    pub(crate) fn mapping(&self) -> Result<&Mapping, Error> {
        self.map.as_ref().ok_or_else(closed_error)
    }

    fn mapping_mut(&mut self) -> Result<&mut Mapping, Error> {
        self.map.as_mut().ok_or_else(closed_error)
    }

    /// CPython's `size` field: the mapping's length, which stays in place
    /// after `close()` (only `data` becomes NULL).
    pub(crate) fn size_field(&self) -> usize {
        self.map.as_ref().map_or(self.unmapped_size, Mapping::len)
    }

    /// CPython's `is_writable`: TypeError `mmap can't modify a readonly memory map.`
    pub(crate) fn check_writable(&self) -> Result<(), Error> {
        if self.access == Access::Read {
            return Err(Error::type_error(
                "mmap can't modify a readonly memory map.",
            ));
        }
        Ok(())
    }

    /// The mapped bytes (a copy), for `bytes(m)` and for passing the map to
    /// its own methods as a bytes-like object.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        Ok(self.mapping()?.bytes().to_vec())
    }

    /// Equivalent to Python's `len(m)`: the mapping length.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn len(&self) -> Result<usize, Error> {
        Ok(self.mapping()?.len())
    }

    /// Equivalent to Python's `not m` on an open map (never true on Linux).
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }

    /// Equivalent to Python's `m.closed` (3.2+).
    pub fn closed(&self) -> bool {
        self.map.is_none()
    }

    /// Equivalent to Python's `m.close()`: releases the map and the duplicated
    /// descriptor; closing again does nothing.
    ///
    /// # Errors
    ///
    /// BufferError `cannot close exported pointers exist` while buffers are exported.
    pub fn close(&mut self) -> Result<(), Error> {
        if self.exports.get() > 0 {
            return Err(Error::buffer_error("cannot close exported pointers exist"));
        }
        self.fd = None;
        if let Some(windows) = self.windows.as_mut() {
            windows.release();
        }
        if let Some(map) = self.map.take() {
            self.unmapped_size = map.len();
        }
        Ok(())
    }

    /// Equivalent to Python's `m.read([n])`: up to `n` bytes from the
    /// position (all remaining for `None` or a negative `n`); the position
    /// advances by the number read. Past the end it returns `b''`.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn read(&mut self, n: Option<i64>) -> Result<Vec<u8>, Error> {
        let data = self.mapping()?.bytes();
        let remaining = data.len().saturating_sub(self.pos);
        let n = match n {
            Some(n) if n >= 0 && (n as u64) < remaining as u64 => n as usize,
            _ => remaining,
        };
        let out = data[self.pos.min(data.len())..][..n].to_vec();
        self.pos += n;
        Ok(out)
    }

    /// Equivalent to Python's `m.read_byte()`: the byte at the position, as an
    /// int; the position advances by one.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; ValueError `read byte out of range`
    /// at or past the end.
    pub fn read_byte(&mut self) -> Result<u8, Error> {
        let data = self.mapping()?.bytes();
        let b = *data
            .get(self.pos)
            .ok_or_else(|| Error::value_error("read byte out of range"))?;
        self.pos += 1;
        Ok(b)
    }

    /// Equivalent to Python's `m.readline()`: bytes from the position through
    /// the next `b'\n'` (inclusive) or to the end.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn readline(&mut self) -> Result<Vec<u8>, Error> {
        let data = self.mapping()?.bytes();
        let rest = data.get(self.pos..).unwrap_or_default();
        let n = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let out = rest[..n].to_vec();
        self.pos += n;
        Ok(out)
    }

    /// Equivalent to Python's `m.write(bytes)`: copies `data` at the position
    /// and advances it; returns `len(data)` (Python 3.6+ returns it too).
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; TypeError `mmap can't modify a
    /// readonly memory map.`; ValueError `data out of range` when the data does
    /// not fit (also `write(b'')` with the position past the end).
    pub fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.mapping()?;
        self.check_writable()?;
        let pos = self.pos;
        let buf = self.mapping_mut()?.bytes_mut();
        if pos > buf.len() || buf.len() - pos < data.len() {
            return Err(Error::value_error("data out of range"));
        }
        buf[pos..pos + data.len()].copy_from_slice(data);
        self.pos += data.len();
        Ok(data.len())
    }

    /// Equivalent to Python's `m.write_byte(byte)`: stores one byte at the
    /// position and advances it.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; TypeError `mmap can't modify a
    /// readonly memory map.`; ValueError `write byte out of range` at or past the end.
    pub fn write_byte(&mut self, byte: u8) -> Result<(), Error> {
        self.mapping()?;
        self.check_writable()?;
        let pos = self.pos;
        let buf = self.mapping_mut()?.bytes_mut();
        let slot = buf
            .get_mut(pos)
            .ok_or_else(|| Error::value_error("write byte out of range"))?;
        *slot = byte;
        self.pos += 1;
        Ok(())
    }

    /// Equivalent to Python's `m.seek(pos[, whence])`; returns the new
    /// position (Python returns it from 3.13, `None` before).
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; ValueError `unknown seek type` for
    /// a whence other than 0, 1, 2; ValueError `seek out of range` when the
    /// target is outside `0..=len(m)` (the position is unchanged).
    pub fn seek(&mut self, dist: i64, whence: i32) -> Result<usize, Error> {
        self.mapping()?;
        self.seek_unchecked(dist, whence)
    }

    /// [`Mmap::seek`] without the validity check, as CPython's `seek` runs
    /// after converting its arguments: against the [size
    /// field](Mmap::size_field), so it also moves the position of a map that
    /// a conversion closed.
    pub(crate) fn seek_unchecked(&mut self, dist: i64, whence: i32) -> Result<usize, Error> {
        let size = self.size_field() as i128;
        let base = match whence {
            0 => 0,
            1 => self.pos as i128,
            2 => size,
            _ => return Err(Error::value_error("unknown seek type")),
        };
        let out_of_range = || Error::value_error("seek out of range");
        // CPython refuses additions that would overflow Py_ssize_t.
        if whence != 0 && i128::from(SSIZE_MAX) - i128::from(dist) < base {
            return Err(out_of_range());
        }
        let target = base + i128::from(dist);
        if target < 0 || target > size {
            return Err(out_of_range());
        }
        self.pos = target as usize;
        Ok(self.pos)
    }

    /// Equivalent to Python's `m.tell()`: the position.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn tell(&self) -> Result<usize, Error> {
        self.mapping()?;
        Ok(self.pos)
    }

    /// Equivalent to Python's `m.size()` on Unix: `fstat` of the duplicated
    /// descriptor, i.e. the whole file's current size, not `len(m)`.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; OSError `[Errno 9] Bad file
    /// descriptor` for anonymous maps and `trackfd=False`.
    pub fn size(&self) -> Result<i64, Error> {
        let map = self.mapping()?;
        if self.profile.platform == Platform::Windows && self.fd.is_none() {
            // GetFileSize is for files; a paging-file map answers its length.
            return Ok(map.len() as i64);
        }
        let fd = self.fd.as_ref().map_or(-1, |fd| fd.as_raw_fd());
        sys::fstat(fd)
            .map(|st| st.size)
            .map_err(|e| Error::from_errno(e, self.profile))
    }

    /// `start`/`end` of `find`/`rfind` normalised as CPython does: default
    /// start = position, end = length; negatives count from the end; clamped
    /// to `0..=len`.
    fn search_range(&self, len: usize, start: Option<i64>, end: Option<i64>) -> (usize, usize) {
        let len_i = len as i128;
        let clamp = |v: i128| {
            let v = if v < 0 { v + len_i } else { v };
            v.clamp(0, len_i) as usize
        };
        let start = start.map_or(self.pos.min(len), |s| clamp(i128::from(s)));
        let end = end.map_or(len, |e| clamp(i128::from(e)));
        (start, end)
    }

    /// Equivalent to Python's `m.find(sub[, start[, end]])`: the lowest index
    /// (from the start of the map) where `sub` lies wholly inside
    /// `[start, end)`, or -1. `start` defaults to the position, not 0.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn find(&self, sub: &[u8], start: Option<i64>, end: Option<i64>) -> Result<i64, Error> {
        let data = self.mapping()?.bytes();
        let (start, end) = self.search_range(data.len(), start, end);
        if end < start {
            return Ok(-1);
        }
        let window = &data[start..end];
        // 3.11 moved find to CPython's fastsearch, which reads every window's
        // last byte first; before, a plain loop tried each window's first
        // byte. Where a page has lost its backing the difference is a SIGBUS.
        let found = if self.profile.python.at_least(3, 11) {
            memmem::find(window, sub)
        } else {
            find_by_first_byte(window, sub)
        };
        Ok(found.map_or(-1, |i| (start + i) as i64))
    }

    /// Equivalent to Python's `m.rfind(sub[, start[, end]])`: like
    /// [`Mmap::find`] but the highest index.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn rfind(&self, sub: &[u8], start: Option<i64>, end: Option<i64>) -> Result<i64, Error> {
        let data = self.mapping()?.bytes();
        let (start, end) = self.search_range(data.len(), start, end);
        if end < start {
            return Ok(-1);
        }
        let how = if self.profile.python.at_least(3, 11) {
            ReverseSearch::Stringlib {
                bloom_width: if self.profile.platform.is_unix() {
                    64
                } else {
                    32
                },
            }
        } else {
            ReverseSearch::FirstByteFirst
        };
        Ok(rfind_in_cpython_order(&data[start..end], sub, how).map_or(-1, |i| (start + i) as i64))
    }

    /// Equivalent to Python's `m.move(dest, src, count)`: copies `count` bytes
    /// from `src` to `dest` (overlap-safe, like `memmove`). The position is unchanged.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; TypeError `mmap can't modify a
    /// readonly memory map.`; ValueError `source, destination, or count out of
    /// range` when any is negative or a range passes the end.
    #[doc(alias = "move")]
    pub fn move_(&mut self, dest: i64, src: i64, count: i64) -> Result<(), Error> {
        self.mapping()?;
        self.check_writable()?;
        self.check_move_range(dest, src, count)?;
        let buf = self.mapping_mut()?.bytes_mut();
        let (dest, src, count) = (dest as usize, src as usize, count as usize);
        buf.copy_within(src..src + count, dest);
        Ok(())
    }

    /// `move`'s bounds check against the [size field](Mmap::size_field):
    /// ValueError `source, destination, or count out of range`.
    pub(crate) fn check_move_range(&self, dest: i64, src: i64, count: i64) -> Result<(), Error> {
        let size = self.size_field() as i64;
        if dest < 0 || src < 0 || count < 0 || size - dest < count || size - src < count {
            return Err(Error::value_error(
                "source, destination, or count out of range",
            ));
        }
        Ok(())
    }

    /// Equivalent to Python's `m.flush([offset[, size]])`: `msync(MS_SYNC)` of
    /// the range (default: the whole map); nothing for `ACCESS_READ` and
    /// `ACCESS_COPY` maps. Python returns `None` (3.8+) or `0` (earlier).
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; ValueError `flush values out of
    /// range`; OSError from `msync` (`[Errno 22] Invalid argument` for an
    /// offset that is not a multiple of the page size).
    pub fn flush(&self, offset: Option<i64>, size: Option<i64>) -> Result<(), Error> {
        self.mapping()?;
        self.flush_unchecked(offset, size)
    }

    /// [`Mmap::flush`] without the validity check, as CPython's `flush` runs
    /// after converting its arguments. On a map a conversion closed, the
    /// range is checked against the [size field](Mmap::size_field) and
    /// `msync` gets CPython's NULL-based address, where nothing is mapped
    /// ([`sys::msync_unmapped`]).
    pub(crate) fn flush_unchecked(
        &self,
        offset: Option<i64>,
        size: Option<i64>,
    ) -> Result<(), Error> {
        let len = self.size_field() as i64;
        let (offset, size) = (offset.unwrap_or(0), size.unwrap_or(len));
        if size < 0 || offset < 0 || len - offset < size {
            return Err(Error::value_error("flush values out of range"));
        }
        if matches!(self.access, Access::Read | Access::Copy) {
            return Ok(());
        }
        if self.profile.platform == Platform::Windows {
            // FlushViewOfFile rounds the address down to a page itself, and
            // the emulated view shares its pages with the file already.
            return Ok(());
        }
        let (offset, size) = (offset as usize, size as usize);
        match &self.map {
            Some(map) => map.msync(offset, size),
            None => sys::msync_unmapped(offset, size),
        }
        .map_err(|e| Error::from_errno(e, self.profile))
    }

    /// Equivalent to Python's `m.madvise(option[, start[, length]])` (3.8+, Unix):
    /// `length` defaults to the map length and is clipped to the end.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; ValueError `madvise start out of
    /// bounds` (`start` outside `0..len`); ValueError `madvise length invalid`
    /// (negative); OverflowError `madvise length too large` (`start + length`
    /// overflows); OSError from the kernel (EINVAL for an unaligned start or
    /// unknown option).
    pub fn madvise(&self, option: i32, start: i64, length: Option<i64>) -> Result<(), Error> {
        self.mapping()?;
        let length = self.madvise_range(start, length)?;
        self.mapping()?
            .madvise(start as usize, length, option)
            .map_err(|e| Error::from_errno(e, self.profile))
    }

    /// `madvise`'s checks of `start` and `length` against the [size
    /// field](Mmap::size_field); the length clipped to the end.
    pub(crate) fn madvise_range(&self, start: i64, length: Option<i64>) -> Result<usize, Error> {
        let size = self.size_field() as i64;
        let length = length.unwrap_or(size);
        if start < 0 || start >= size {
            return Err(Error::value_error("madvise start out of bounds"));
        }
        if length < 0 {
            return Err(Error::value_error("madvise length invalid"));
        }
        if SSIZE_MAX - start < length {
            return Err(Error::overflow_error("madvise length too large"));
        }
        Ok(length.min(size - start) as usize)
    }

    /// Equivalent to Python's `m.resize(newsize)` on Unix: truncates or extends
    /// the file to `offset + newsize` (even when it was larger than the map),
    /// then `mremap`s. The position is unchanged and may end up past the end.
    ///
    /// # Errors
    ///
    /// In CPython's order: ValueError `mmap closed or invalid`; BufferError
    /// `mmap can't resize with extant buffers exported.`; ValueError `mmap
    /// can't resize with trackfd=False.` (3.13+); TypeError `mmap can't resize
    /// a readonly or copy-on-write memory map.`; ValueError `new size out of
    /// range`; SystemError `mmap: resizing not available--no mremap()` (macOS
    /// profile); OSError from `ftruncate` or `mremap` (`resize(0)` → EINVAL).
    pub fn resize(&mut self, newsize: i64) -> Result<(), Error> {
        self.mapping()?;
        self.resize_unchecked(newsize)
    }

    /// [`Mmap::resize`] without the validity check, as CPython's `resize`
    /// runs after converting its argument. On a map a conversion closed, the
    /// descriptor is gone (no `ftruncate`) and `mremap` gets CPython's NULL
    /// address ([`sys::mremap_unmapped`]).
    pub(crate) fn resize_unchecked(&mut self, newsize: i64) -> Result<(), Error> {
        if self.exports.get() > 0 {
            return Err(Error::buffer_error(
                "mmap can't resize with extant buffers exported.",
            ));
        }
        if !self.trackfd {
            return Err(Error::value_error("mmap can't resize with trackfd=False."));
        }
        if !matches!(self.access, Access::Write | Access::Default) {
            return Err(Error::type_error(
                "mmap can't resize a readonly or copy-on-write memory map.",
            ));
        }
        if newsize < 0 || SSIZE_MAX - newsize < self.offset {
            return Err(Error::value_error("new size out of range"));
        }
        match self.profile.platform {
            Platform::Linux => {}
            Platform::MacOs => {
                return Err(Error::new(
                    ErrorKind::SystemError,
                    "mmap: resizing not available--no mremap()",
                ));
            }
            Platform::Windows => {
                let Some(state) = self.windows.as_mut() else {
                    return Err(closed_error());
                };
                return windows::resize(
                    state,
                    &mut self.map,
                    self.fd.as_ref(),
                    self.offset,
                    self.access,
                    newsize,
                    self.profile,
                );
            }
        }
        let profile = self.profile;
        if let Some(fd) = &self.fd {
            sys::ftruncate(fd, self.offset + newsize).map_err(|e| Error::from_errno(e, profile))?;
        }
        match &mut self.map {
            Some(map) => map.remap(newsize as usize),
            None => sys::mremap_unmapped(newsize as usize),
        }
        .map_err(|e| Error::from_errno(e, profile))
    }

    /// The index `i` (negative counts from the end) as a position inside the
    /// map's [size field](Mmap::size_field), or IndexError `mmap index out of range`.
    pub(crate) fn position_of(&self, i: i64) -> Result<usize, Error> {
        let len = self.size_field() as i64;
        let i = if i < 0 { i + len } else { i };
        if i < 0 || i >= len {
            return Err(Error::index_error("mmap index out of range"));
        }
        Ok(i as usize)
    }

    /// Equivalent to Python's `m[i]` for an integer `i`: the byte as an int.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; IndexError `mmap index out of range`.
    pub fn item(&self, i: i64) -> Result<u8, Error> {
        self.mapping()?;
        let at = self.position_of(i)?;
        Ok(self.mapping()?.bytes()[at])
    }

    /// Equivalent to Python's `m[i] = byte` for an integer `i`.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; TypeError `mmap can't modify a
    /// readonly memory map.`; IndexError `mmap index out of range`.
    pub fn set_item(&mut self, i: i64, byte: u8) -> Result<(), Error> {
        self.mapping()?;
        self.check_writable()?;
        let at = self.position_of(i)?;
        self.mapping_mut()?.bytes_mut()[at] = byte;
        Ok(())
    }

    /// The bytes a slice selects (a single copy for step 1).
    pub(crate) fn slice_bytes(&self, s: crate::args::SliceIndices) -> Result<Vec<u8>, Error> {
        let data = self.mapping()?.bytes();
        if s.len == 0 {
            return Ok(Vec::new());
        }
        if s.step == 1 {
            let start = s.start as usize;
            return Ok(data[start..start + s.len].to_vec());
        }
        Ok(s.positions().map(|p| data[p]).collect())
    }

    /// Stores `src` (exactly `s.len` bytes) at the slice's positions.
    pub(crate) fn store_slice(
        &mut self,
        s: crate::args::SliceIndices,
        src: &[u8],
    ) -> Result<(), Error> {
        debug_assert_eq!(src.len(), s.len);
        let buf = self.mapping_mut()?.bytes_mut();
        if s.len == 0 {
            return Ok(());
        }
        if s.step == 1 {
            let start = s.start as usize;
            buf[start..start + s.len].copy_from_slice(src);
        } else {
            for (p, &b) in s.positions().zip(src) {
                buf[p] = b;
            }
        }
        Ok(())
    }

    /// The position as CPython stores it (for `repr`).
    pub(crate) fn raw_pos(&self) -> usize {
        self.pos
    }
}

/// The lowest index of `sub` in `hay`, found as a search that reads each
/// window's first byte and the rest of a window only while it matches: the
/// bytes CPython's own loop reads (a SIMD scan finds the candidates).
fn find_by_first_byte(hay: &[u8], sub: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = sub.split_first() else {
        return Some(0);
    };
    let last = hay.len().checked_sub(sub.len())?;
    let mut from = 0;
    while from <= last {
        let p = from + memchr::memchr(first, &hay[from..=last])?;
        if hay[p + 1..].iter().zip(rest).all(|(a, b)| a == b) {
            return Some(p);
        }
        from = p + 1;
    }
    None
}

/// How a version's `rfind` reads the map: the order in which it tries
/// windows and the bytes of each window.
#[derive(Clone, Copy)]
enum ReverseSearch {
    /// Up to 3.10: every window from the last down, its bytes from the first.
    FirstByteFirst,
    /// 3.11+: stringlib's `default_rfind` (a window's first byte, then the
    /// rest from its last byte down; windows skipped by a bloom filter of
    /// `bloom_width` bits, 64 on Unix and 32 on Windows, where C's `long` has
    /// 32 bits).
    Stringlib { bloom_width: u32 },
}

/// The highest index of `sub` in `hay`, faulting (SIGBUS) on the searches
/// where CPython's `rfind` does.
///
/// Only the last pages of a map can lose their backing: truncating its file
/// removes the pages past the file's new end, and an anonymous map grown
/// past its memory object has none above the old size; no call Python
/// code can make unbacks a page below a backed one. CPython's first read is
/// the first byte of the last window, so if any page a window lies in has
/// no backing, neither has that first byte's page and CPython dies at once,
/// in every version. The windows that end in the page above that one (the
/// highest, at most `len(sub) - 1` of them) are searched exactly as the
/// version does, since whether CPython reads into the page above depends on
/// which of their bytes it compares; every other window lies in pages at or
/// below the last window's first byte, which memchr's vectorised search
/// reads in any order, a chunk at a time from the top down, with the same
/// result and the same fault.
fn rfind_in_cpython_order(hay: &[u8], sub: &[u8], how: ReverseSearch) -> Option<usize> {
    /// Bytes searched at once: enough to amortise each chunk's set-up.
    const CHUNK: usize = 1 << 20;
    if sub.len() <= 1 {
        return rfind_exactly(hay, sub, how);
    }
    let last = hay.len().checked_sub(sub.len())?;
    let page = crate::sys::page_size();
    let base = hay.as_ptr() as usize;
    let top_page_end = (base + last) / page * page + page - base;
    // Windows from `reaching` up end in the page above the last start.
    let reaching = (top_page_end + 1).saturating_sub(sub.len());
    if let Some(i) = hay
        .get(reaching..)
        .and_then(|top| rfind_exactly(top, sub, how))
    {
        return Some(reaching + i);
    }
    let finder = memmem::Finder::new(sub);
    // Window starts still to search: [0, end).
    let mut end = reaching.min(last + 1);
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        if let Some(i) = last_window_match(&finder, hay, start, end, sub.len()) {
            return Some(i);
        }
        end = start;
    }
    None
}

/// The last window starting in `[start, end)` of `hay` that matches
/// `finder`'s needle (of length `len`), found by searching forwards.
fn last_window_match(
    finder: &memmem::Finder<'_>,
    hay: &[u8],
    start: usize,
    end: usize,
    len: usize,
) -> Option<usize> {
    let windows = &hay[start..end - 1 + len];
    let mut found = None;
    let mut from = 0;
    while let Some(i) = finder.find(&windows[from..]) {
        found = Some(start + from + i);
        from += i + 1;
    }
    found
}

/// `rfind` read byte for byte as the version does.
fn rfind_exactly(hay: &[u8], sub: &[u8], how: ReverseSearch) -> Option<usize> {
    match how {
        ReverseSearch::FirstByteFirst => rfind_by_first_byte(hay, sub),
        ReverseSearch::Stringlib { bloom_width } => {
            if sub.len() <= 1 {
                // stringlib's single-byte search is memrchr.
                rfind_by_first_byte(hay, sub)
            } else {
                stringlib_default_rfind(hay, sub, bloom_width)
            }
        }
    }
}

/// The highest index of `sub` in `hay`, reading as CPython's own loop did
/// up to 3.10: each window's first byte, from the last window down, and the
/// rest of a window, from its second byte up, only while it matches.
fn rfind_by_first_byte(hay: &[u8], sub: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = sub.split_first() else {
        return Some(hay.len());
    };
    let mut upto = hay.len().checked_sub(sub.len())?;
    loop {
        let p = memchr::memrchr(first, &hay[..=upto])?;
        if hay[p + 1..].iter().zip(rest).all(|(a, b)| a == b) {
            return Some(p);
        }
        upto = p.checked_sub(1)?;
    }
}

/// stringlib's `default_rfind` (3.11+, `sub` of two bytes or more): a
/// window's first byte, then its other bytes from the last down; after a
/// miss, the byte below the window decides, through a bloom filter of the
/// needle's bytes, whether the next `len(sub)` windows can be skipped.
fn stringlib_default_rfind(hay: &[u8], sub: &[u8], bloom_width: u32) -> Option<usize> {
    let m = sub.len();
    let last = hay.len().checked_sub(m)?;
    let bit = |c: u8| 1u128 << (u32::from(c) & (bloom_width - 1));
    let mut mask = bit(sub[0]);
    let mut skip = m - 1;
    for j in (1..m).rev() {
        mask |= bit(sub[j]);
        if sub[j] == sub[0] {
            skip = j - 1;
        }
    }
    let outside = |i: usize| i > 0 && mask & bit(hay[i - 1]) == 0;
    let mut i = last as isize;
    while i >= 0 {
        let at = i as usize;
        if hay[at] == sub[0] {
            if (1..m).rev().all(|j| hay[at + j] == sub[j]) {
                return Some(at);
            }
            let step = if outside(at) { m } else { skip };
            i -= step as isize;
        } else if outside(at) {
            i -= m as isize;
        }
        i -= 1;
    }
    None
}

// The tests map memory, which the reference does only on Unix hosts.
#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;

    use super::*;
    use crate::profile::PyVersion;

    const HOWS: [ReverseSearch; 3] = [
        ReverseSearch::FirstByteFirst,
        ReverseSearch::Stringlib { bloom_width: 64 },
        ReverseSearch::Stringlib { bloom_width: 32 },
    ];

    #[test]
    fn ordered_searches_agree_with_memmem() {
        let hay = b"abcabcabxabc";
        for sub in [
            &b""[..],
            b"a",
            b"abc",
            b"abx",
            b"cab",
            b"zz",
            b"abcabcabxabcd",
        ] {
            assert_eq!(
                find_by_first_byte(hay, sub),
                memmem::find(hay, sub),
                "{sub:?}"
            );
            for how in HOWS {
                assert_eq!(
                    rfind_in_cpython_order(hay, sub, how),
                    memmem::rfind(hay, sub),
                    "{sub:?}"
                );
            }
        }
        assert_eq!(find_by_first_byte(b"", b""), Some(0));
        for how in HOWS {
            assert_eq!(rfind_in_cpython_order(b"ab", b"", how), Some(2));
        }
    }

    #[test]
    fn reverse_search_across_pages_finds_the_last_overlapping_match() {
        let page = crate::sys::page_size();
        // Three pages and a bit, from unaligned starts: matches that
        // straddle page boundaries, overlap each other, lie only in the
        // lowest page, or are as long as a page.
        let mut hay = vec![b'.'; 3 * page + 100];
        let at = |k: usize| k * page - 2;
        for k in 1..=3 {
            hay[at(k)..at(k) + 4].copy_from_slice(b"aaaa");
        }
        hay[10..14].copy_from_slice(b"xyzw");
        let long = vec![b'.'; page];
        for offset in [0, 1, 7, page - 3] {
            let hay = &hay[offset..];
            for sub in [
                &b"aa"[..],
                b"aaaa",
                b"a.",
                b".a",
                b"xyz",
                b"nope",
                b".",
                &long,
            ] {
                for how in HOWS {
                    assert_eq!(
                        rfind_in_cpython_order(hay, sub, how),
                        memmem::rfind(hay, sub),
                        "{:?} from {offset}",
                        &sub[..sub.len().min(8)]
                    );
                }
            }
        }
    }

    #[test]
    fn reverse_search_in_chunks_matches_memmem() {
        // Several chunks, needles near every chunk edge
        // whichever way the edges fall: compare on many prefixes.
        let mut hay = vec![b'.'; (5 << 20) / 2];
        for at in (0..hay.len() - 3).step_by(65_521) {
            hay[at..at + 3].copy_from_slice(b"abc");
        }
        for cut in (3..hay.len()).step_by(99_991).chain([hay.len()]) {
            let hay = &hay[..cut];
            for sub in [&b"abc"[..], b"bc.", b"c.a", b"zz"] {
                let how = ReverseSearch::Stringlib { bloom_width: 64 };
                assert_eq!(
                    rfind_in_cpython_order(hay, sub, how),
                    memmem::rfind(hay, sub),
                    "{sub:?} in {cut} bytes"
                );
            }
        }
    }

    fn py311() -> Profile {
        Profile::new(PyVersion::new(3, 11), Platform::Linux)
    }

    fn file_with(data: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(data).unwrap();
        f
    }

    fn anon_digits() -> Mmap {
        let mut m = MmapOptions::new().map(py311(), -1, 10).unwrap();
        m.write(b"0123456789").unwrap();
        m.seek(0, 0).unwrap();
        m
    }

    fn msg<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn file_map_writes_through_and_keeps_its_own_fd() {
        let f = file_with(b"0123456789");
        let mut m = MmapOptions::new()
            .map(py311(), f.as_file().as_raw_fd(), 0)
            .unwrap();
        assert_eq!(m.write(b"ab").unwrap(), 2);
        assert_eq!(std::fs::read(f.path()).unwrap(), b"ab23456789");
        let fd = m.fd.as_ref().unwrap().as_raw_fd();
        assert_ne!(fd, f.as_file().as_raw_fd());
        // The duplicated descriptor is close-on-exec, like _Py_dup.
        let flags = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap();
        let octal = flags
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .unwrap()
            .trim();
        assert_ne!(
            u32::from_str_radix(octal, 8).unwrap() & libc::O_CLOEXEC as u32,
            0
        );
    }

    #[test]
    fn constructor_checks_sizes_in_cpythons_order() {
        let empty = file_with(b"");
        let ten = file_with(b"0123456789");
        let (e, t) = (empty.as_file().as_raw_fd(), ten.as_file().as_raw_fd());
        let o = MmapOptions::new();
        assert_eq!(
            msg(o.map(py311(), e, 0)),
            "ValueError: cannot mmap an empty file"
        );
        assert_eq!(
            msg(o.map(py311(), e, 1)),
            "ValueError: mmap length is greater than file size"
        );
        assert_eq!(
            msg(o.map(py311(), t, 11)),
            "ValueError: mmap length is greater than file size"
        );
        let mut off = MmapOptions::new();
        off.offset(10);
        assert_eq!(
            msg(off.map(py311(), t, 0)),
            "ValueError: mmap offset is greater than file size"
        );
        off.offset(1);
        assert_eq!(
            msg(off.map(py311(), t, 5)),
            "OSError: [Errno 22] Invalid argument"
        );
        assert_eq!(
            msg(MmapOptions::new().map(py311(), -1, -1)),
            "OverflowError: memory mapped length must be positive"
        );
        let mut both = MmapOptions::new();
        both.access(7).flags(MAP_PRIVATE);
        assert_eq!(
            msg(both.map(py311(), -1, 10)),
            "ValueError: mmap can't specify both access and flags, prot."
        );
        assert_eq!(
            msg(MmapOptions::new().map(py311(), -1, 0)),
            "OSError: [Errno 22] Invalid argument"
        );
        assert_eq!(
            msg(MmapOptions::new().map(py311(), -2, 10)),
            "OSError: [Errno 9] Bad file descriptor"
        );
    }

    #[test]
    fn access_is_derived_from_prot() {
        let mut o = MmapOptions::new();
        assert_eq!(
            o.prot(PROT_READ).map(py311(), -1, 10).unwrap().access(),
            Access::Read
        );
        assert_eq!(
            o.prot(PROT_WRITE).map(py311(), -1, 10).unwrap().access(),
            Access::Write
        );
        let mut ro = o.prot(PROT_READ).map(py311(), -1, 10).unwrap();
        assert_eq!(
            msg(ro.write(b"")),
            "TypeError: mmap can't modify a readonly memory map."
        );
    }

    #[test]
    fn reading_moves_the_position() {
        let mut m = anon_digits();
        assert_eq!(m.read(Some(3)).unwrap(), b"012");
        assert_eq!(m.read_byte().unwrap(), b'3');
        assert_eq!(m.read(Some(-1)).unwrap(), b"456789");
        assert_eq!(m.read(None).unwrap(), b"");
        assert_eq!(msg(m.read_byte()), "ValueError: read byte out of range");
        assert_eq!(m.tell().unwrap(), 10);
    }

    #[test]
    fn readline_splits_on_lf_only() {
        let mut m = MmapOptions::new().map(py311(), -1, 8).unwrap();
        m.write(b"a\r\nb\rc\nd").unwrap();
        m.seek(0, 0).unwrap();
        let lines: Vec<_> = (0..4).map(|_| m.readline().unwrap()).collect();
        assert_eq!(lines, [&b"a\r\n"[..], b"b\rc\n", b"d", b""]);
    }

    #[test]
    fn find_starts_at_the_position_and_clamps() {
        let mut m = anon_digits();
        m.seek(4, 0).unwrap();
        assert_eq!(m.find(b"3", None, None).unwrap(), -1);
        assert_eq!(m.find(b"3", Some(0), None).unwrap(), 3);
        assert_eq!(m.find(b"", Some(20), None).unwrap(), 10);
        assert_eq!(m.find(b"", Some(5), Some(2)).unwrap(), -1);
        assert_eq!(m.rfind(b"", Some(0), Some(4)).unwrap(), 4);
        assert_eq!(m.find(b"78", Some(-4), None).unwrap(), 7);
        assert_eq!(m.rfind(b"5", Some(-5), Some(-1)).unwrap(), 5);
    }

    #[test]
    fn write_bounds() {
        let mut m = anon_digits();
        assert_eq!(
            msg(m.write(b"01234567890")),
            "ValueError: data out of range"
        );
        m.seek(10, 0).unwrap();
        assert_eq!(m.write(b"").unwrap(), 0);
        assert_eq!(msg(m.write_byte(1)), "ValueError: write byte out of range");
    }

    #[test]
    fn seek_rules() {
        let mut m = anon_digits();
        assert_eq!(m.seek(-1, 2).unwrap(), 9);
        assert_eq!(msg(m.seek(0, 3)), "ValueError: unknown seek type");
        assert_eq!(msg(m.seek(2, 1)), "ValueError: seek out of range");
        assert_eq!(msg(m.seek(i64::MAX, 1)), "ValueError: seek out of range");
        assert_eq!(m.tell().unwrap(), 9);
    }

    #[test]
    fn move_is_memmove_with_bounds() {
        let mut m = anon_digits();
        m.move_(2, 0, 5).unwrap();
        assert_eq!(m.to_bytes().unwrap(), b"0101234789");
        assert_eq!(
            msg(m.move_(10, 0, 1)),
            "ValueError: source, destination, or count out of range"
        );
        m.move_(10, 0, 0).unwrap();
    }

    #[test]
    fn flush_range_is_not_aligned_for_the_caller() {
        let m = anon_digits();
        m.flush(None, None).unwrap();
        assert_eq!(
            msg(m.flush(Some(0), Some(11))),
            "ValueError: flush values out of range"
        );
        assert_eq!(
            msg(m.flush(Some(1), Some(1))),
            "OSError: [Errno 22] Invalid argument"
        );
        let mut o = MmapOptions::new();
        let copy = o.access(Access::Copy as i32).map(py311(), -1, 10).unwrap();
        copy.flush(Some(1), Some(1)).unwrap();
    }

    #[test]
    fn resize_truncates_the_file_to_offset_plus_newsize() {
        let page = py311().pagesize();
        let f = file_with(&vec![7u8; 2 * page + 100]);
        let fd = f.as_file().as_raw_fd();
        let mut m = MmapOptions::new()
            .offset(page as i64)
            .map(py311(), fd, 10)
            .unwrap();
        m.seek(10, 0).unwrap();
        m.resize(20).unwrap();
        assert_eq!(m.len().unwrap(), 20);
        assert_eq!(m.tell().unwrap(), 10);
        assert_eq!(std::fs::metadata(f.path()).unwrap().len(), page as u64 + 20);
        assert_eq!(m.size().unwrap(), page as i64 + 20);
        m.resize(5).unwrap();
        assert_eq!(m.read(None).unwrap(), b"");
        assert_eq!(msg(m.seek(0, 1)), "ValueError: seek out of range");
        assert_eq!(msg(m.resize(0)), "OSError: [Errno 22] Invalid argument");
        assert_eq!(msg(m.resize(-1)), "ValueError: new size out of range");
    }

    #[test]
    fn resize_refuses_read_and_copy_maps() {
        let mut o = MmapOptions::new();
        let mut m = o.access(Access::Copy as i32).map(py311(), -1, 10).unwrap();
        assert_eq!(
            msg(m.resize(5)),
            "TypeError: mmap can't resize a readonly or copy-on-write memory map."
        );
        let mac = Profile::new(PyVersion::new(3, 11), Platform::MacOs);
        let mut m = MmapOptions::new().map(mac, -1, 10).unwrap();
        assert_eq!(
            msg(m.resize(5)),
            "SystemError: mmap: resizing not available--no mremap()"
        );
    }

    #[test]
    fn exports_block_close_and_resize() {
        let mut m = anon_digits();
        m.exports.set(1);
        assert_eq!(
            msg(m.close()),
            "BufferError: cannot close exported pointers exist"
        );
        assert_eq!(
            msg(m.resize(5)),
            "BufferError: mmap can't resize with extant buffers exported."
        );
        assert!(!m.closed());
        m.exports.set(0);
        m.close().unwrap();
        m.close().unwrap();
        assert!(m.closed());
    }

    #[test]
    fn closed_map_is_invalid_everywhere() {
        let mut m = anon_digits();
        m.close().unwrap();
        let closed = "ValueError: mmap closed or invalid";
        assert_eq!(msg(m.read(None)), closed);
        assert_eq!(msg(m.tell()), closed);
        assert_eq!(msg(m.size()), closed);
        assert_eq!(msg(m.len()), closed);
        assert_eq!(msg(m.write(b"")), closed);
        assert_eq!(msg(m.resize(1)), closed);
        assert_eq!(msg(m.item(0)), closed);
    }

    #[test]
    fn anonymous_size_is_ebadf() {
        assert_eq!(
            msg(anon_digits().size()),
            "OSError: [Errno 9] Bad file descriptor"
        );
    }

    #[test]
    fn copy_on_write_leaves_the_file_alone() {
        let f = file_with(b"0123456789");
        let mut o = MmapOptions::new();
        o.access(Access::Copy as i32);
        let mut m = o.map(py311(), f.as_file().as_raw_fd(), 0).unwrap();
        m.write(b"xyz").unwrap();
        assert_eq!(m.to_bytes().unwrap(), b"xyz3456789");
        assert_eq!(std::fs::read(f.path()).unwrap(), b"0123456789");
    }
}
