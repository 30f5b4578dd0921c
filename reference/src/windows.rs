//! The Windows constructor `mmap(fileno, length, tagname=None,
//! access=ACCESS_DEFAULT, offset=0)`, emulated on a Linux host.
//!
//! CPython on Windows makes a *section* (`CreateFileMapping`) and maps a
//! *view* of it (`MapViewOfFile`). Here a section is a descriptor: the
//! caller's file, duplicated, or a new anonymous file standing for the
//! paging file; the view is a shared (or, for `ACCESS_COPY`, private) map of
//! it. Sections with a tag name are kept by name while a map holds them, so
//! maps of the same name share memory as on Windows.
//!
//! Sources: `new_mmap_object` under `MS_WINDOWS` in CPython's
//! `Modules/mmapmodule.c` (2.7.18, 3.9.2, 3.11.2 and 3.13.5 read line by
//! line); Win32's documented behaviour of the two calls. What neither pins
//! down (a read-only or copy map past the end of its file, a view larger
//! than a section another map created) is refused as not modelled rather
//! than guessed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use crate::args::{self, IntCode};
use crate::dynamic::{bind_params, close_target};
use crate::error::{Error, ErrorKind, WinError};
use crate::mmap::{Access, AuditEvent, MAP_PRIVATE, MAP_SHARED, Mmap, PROT_READ, PROT_WRITE};
use crate::profile::Profile;
use crate::sys::{self, AsRawFd, MapRequest, Mapped, Mapping, OwnedFd};
use crate::value::Value;

/// The Windows constructor's parameters, in order.
const PARAMS: [&str; 5] = ["fileno", "length", "tagname", "access", "offset"];

/// `ALLOCATIONGRANULARITY`: a view's offset must be a multiple of it.
const GRANULARITY: i64 = 65536;

/// A section: what the views of one `CreateFileMapping` share.
#[derive(Debug)]
pub(crate) struct Section {
    /// The file, or the anonymous file standing for the paging file.
    fd: OwnedFd,
    /// The section's size in bytes (the file's, or the paging file's request).
    size: i64,
}

/// A file's use by maps: one per file, shared by every map of it, so that
/// a map can tell whether another map of the same file is open.
#[derive(Debug)]
pub(crate) struct FileUse;

/// What a Windows profile's map holds besides its view.
#[derive(Debug)]
pub(crate) struct WindowsMap {
    /// The tag name, if the map has one.
    tagname: Option<String>,
    /// The section the view is of (named sections are shared by name);
    /// `None` once the map is closed.
    section: Option<Rc<Section>>,
    /// The file's use, for file-backed maps.
    file_use: Option<Rc<FileUse>>,
}

thread_local! {
    /// Named sections, while some map holds them (a Windows kernel object
    /// lives as long as a handle to it).
    static NAMED: RefCell<HashMap<String, Weak<Section>>> = RefCell::new(HashMap::new());
    /// Files some map uses, by `(st_dev, st_ino)`.
    static FILES: RefCell<HashMap<(u64, u64), Weak<FileUse>>> = RefCell::new(HashMap::new());
}

/// The use of the file `fd`, shared with the other maps of it.
fn file_use(fd: &OwnedFd, profile: Profile) -> Result<Rc<FileUse>, Error> {
    let id = sys::fstat(fd.as_raw_fd())
        .map_err(|e| Error::from_errno(e, profile))?
        .id;
    Ok(FILES.with(|files| {
        let mut files = files.borrow_mut();
        if let Some(used) = files.get(&id).and_then(Weak::upgrade) {
            return used;
        }
        let used = Rc::new(FileUse);
        files.insert(id, Rc::downgrade(&used));
        used
    }))
}

/// A bound argument: an integer, or the tag name as its converter left it.
#[derive(Clone)]
enum Arg {
    Int(i64),
    /// `z` (up to 3.12): the name, or `None`; an empty name is no name.
    Name(Option<String>),
    /// `O` (3.13+): the object, checked once the file is settled.
    Object(Value),
}

fn convert(profile: Profile, i: usize, v: &Value) -> Result<Arg, Error> {
    let code = match i {
        1 => IntCode::Ssize,
        2 if profile.python.at_least(3, 13) => return Ok(Arg::Object(v.clone())),
        2 => return tagname_z(profile, v).map(Arg::Name),
        4 => IntCode::LongLong,
        _ => IntCode::Int,
    };
    if args::int_calls_index(profile, v, code) {
        close_target(v)?;
    }
    args::int(profile, v, code).map(Arg::Int)
}

/// The `z` converter of the tag name (Python ≤ 3.12): a str without NUL,
/// or None; on 2.7 a `str` or an ASCII `unicode`.
fn tagname_z(profile: Profile, v: &Value) -> Result<Option<String>, Error> {
    let py2 = profile.python.major == 2;
    let name = match v {
        Value::None => return Ok(None),
        // 2.7 encodes a unicode name with the default codec, ASCII.
        Value::Str(s) if py2 => String::from_utf8_lossy(&args::ascii_encode(s)?).into_owned(),
        Value::Str(s) => s.clone(),
        Value::Bytes(b) if py2 => String::from_utf8_lossy(b).into_owned(),
        other => {
            let kind = if py2 { "string" } else { "str" };
            return Err(Error::type_error(format!(
                "argument 3 must be {kind} or None, not {}",
                other.type_name()
            )));
        }
    };
    if name.contains('\0') {
        return Err(if py2 {
            Error::type_error("argument 3 must be string without null bytes or None, not str")
        } else {
            Error::value_error("embedded null character")
        });
    }
    Ok((!name.is_empty()).then_some(name))
}

/// The 3.13+ check of the tag name, made after the file is settled.
fn tagname_o(v: &Value) -> Result<Option<String>, Error> {
    match v {
        Value::None => Ok(None),
        Value::Str(s) if s.contains('\0') => Err(Error::value_error("embedded null character")),
        Value::Str(s) if s.is_empty() => Err(not_modelled(
            "an empty tag name in 3.13+, which is no longer taken as no name",
        )),
        Value::Str(s) => Ok(Some(s.clone())),
        other => Err(Error::type_error(format!(
            "expected str or None for 'tagname', not {}",
            other.type_name()
        ))),
    }
}

fn not_modelled(what: &str) -> Error {
    Error::new(
        ErrorKind::SystemError,
        format!("the reference does not model {what} on Windows"),
    )
}

/// `mmap.mmap(*args, **kwargs)` for a Windows profile.
pub(crate) fn construct(
    profile: Profile,
    args: &[Value],
    kwargs: &[(String, Value)],
    audit: &mut dyn FnMut(AuditEvent),
) -> Result<Mmap, Error> {
    let bound = bind_params(profile, &PARAMS, 2, 5, args, kwargs, &mut |i, v| {
        convert(profile, i, v)
    })?;
    let int = |i: usize| match &bound[i] {
        Some(Arg::Int(n)) => *n,
        _ => 0,
    };
    let (fileno, length, access_raw, offset) = (int(0), int(1), int(3), int(4));
    if profile.python.at_least(3, 8) {
        audit(AuditEvent::mmap_new(fileno, length, access_raw, offset));
    }
    let access = Access::from_raw(access_raw as i32)
        .ok_or_else(|| Error::value_error("mmap invalid access parameter."))?;
    if length < 0 {
        return Err(Error::overflow_error(
            "memory mapped length must be positive",
        ));
    }
    if offset < 0 {
        return Err(Error::overflow_error(
            "memory mapped offset must be positive",
        ));
    }
    // 0 is taken as -1 for compatibility with Python before 2.5.
    let file = if fileno != -1 && fileno != 0 {
        let fd = fileno as i32;
        let ebadf = |_| Error::from_errno(libc::EBADF, profile);
        sys::fstat(fd).map_err(ebadf)?;
        // "Win9x appears to need us seeked to zero": the caller's position
        // is reset before anything else can fail; CPython ignores whether
        // it worked.
        sys::rewind(fd);
        Some(sys::dup_cloexec(fd).map_err(|e| Error::from_errno(e, profile))?)
    } else {
        None
    };
    let (map_size, section_size) = match &file {
        Some(fd) if length == 0 => {
            let size = file_size(fd, profile)?;
            if size == 0 {
                return Err(Error::value_error("cannot mmap an empty file"));
            }
            if offset >= size {
                return Err(Error::value_error("mmap offset is greater than file size"));
            }
            (size - offset, size)
        }
        _ => (length, offset.saturating_add(length)),
    };
    let tagname = match &bound[2] {
        Some(Arg::Name(name)) => name.clone(),
        Some(Arg::Object(v)) => tagname_o(v)?,
        _ => None,
    };
    let section = section(
        profile,
        tagname.as_deref(),
        file.as_ref(),
        section_size,
        access,
    )?;
    let view = view(&section, map_size, offset, access, profile)?;
    let file_use = file.as_ref().map(|fd| file_use(fd, profile)).transpose()?;
    let windows = WindowsMap {
        tagname,
        section: Some(section),
        file_use,
    };
    Ok(Mmap::windows_view(
        profile, view, file, offset, access, windows,
    ))
}

fn file_size(fd: &OwnedFd, profile: Profile) -> Result<i64, Error> {
    sys::fstat(fd.as_raw_fd())
        .map(|st| st.size)
        .map_err(|e| Error::from_errno(e, profile))
}

/// `CreateFileMapping` for the `mmap` constructor: as [`create_section`],
/// with `access`'s page protection, which a handle opened read-only refuses
/// for writing (WinError 5).
fn section(
    profile: Profile,
    name: Option<&str>,
    file: Option<&OwnedFd>,
    size: i64,
    access: Access,
) -> Result<Rc<Section>, Error> {
    // PAGE_READWRITE needs a handle open for writing.
    let writes = matches!(access, Access::Default | Access::Write);
    let check = |fd: &OwnedFd, grows: bool| {
        let writable =
            sys::is_writable(fd.as_raw_fd()).map_err(|e| Error::from_errno(e, profile))?;
        if writes && !writable {
            return Err(Error::from_winerror(WinError::AccessDenied, profile));
        }
        if grows && !writes {
            return Err(not_modelled(
                "a read-only or copy-on-write map longer than its file",
            ));
        }
        Ok(())
    };
    let paging_zero = || Error::from_winerror(WinError::InvalidParameter, profile);
    create_section(profile, name, file, size, &check, &paging_zero).map(|(s, _)| s)
}

/// `CreateFileMapping(file, size, name)`: the section of that name if one
/// exists (whatever file and size were asked for; `true` then), else a new
/// one of `size` bytes over the file, which grows to `size` when it is
/// smaller, or over a new paging-file section. `check` sees the file (and
/// whether it must grow) before anything changes; `paging_zero` is the
/// error for a paging-file section of size 0.
fn create_section(
    profile: Profile,
    name: Option<&str>,
    file: Option<&OwnedFd>,
    size: i64,
    check: &dyn Fn(&OwnedFd, bool) -> Result<(), Error>,
    paging_zero: &dyn Fn() -> Error,
) -> Result<(Rc<Section>, bool), Error> {
    if let Some(existing) = name.and_then(|n| NAMED.with(|m| m.borrow().get(n)?.upgrade())) {
        return Ok((existing, true));
    }
    let errno = |e| Error::from_errno(e, profile);
    let made = match file {
        Some(fd) => {
            let grows = file_size(fd, profile)? < size;
            check(fd, grows)?;
            if grows {
                sys::ftruncate(fd, size).map_err(errno)?;
            }
            Section {
                fd: sys::dup_cloexec(fd.as_raw_fd()).map_err(errno)?,
                size,
            }
        }
        None if size == 0 => return Err(paging_zero()),
        None => Section {
            fd: sys::anonymous_file(size).map_err(errno)?,
            size,
        },
    };
    let made = Rc::new(made);
    if let Some(n) = name {
        NAMED.with(|m| m.borrow_mut().insert(n.to_owned(), Rc::downgrade(&made)));
    }
    Ok((made, false))
}

/// `MapViewOfFile`: `len` bytes of the section from `offset`, which must be
/// a multiple of `ALLOCATIONGRANULARITY`.
fn view(
    section: &Section,
    len: i64,
    offset: i64,
    access: Access,
    profile: Profile,
) -> Result<Mapping, Error> {
    if offset % GRANULARITY != 0 {
        return Err(Error::from_winerror(WinError::MappedAlignment, profile));
    }
    if offset.saturating_add(len) > section.size {
        return Err(not_modelled(
            "a view past the end of a section another map made",
        ));
    }
    let (prot, flags) = match access {
        Access::Read => (PROT_READ, MAP_SHARED),
        Access::Copy => (PROT_READ | PROT_WRITE, MAP_PRIVATE),
        Access::Default | Access::Write => (PROT_READ | PROT_WRITE, MAP_SHARED),
    };
    let req = MapRequest {
        fd: section.fd.as_raw_fd(),
        len: len as usize,
        prot,
        flags,
        offset,
    };
    match Mapping::map(req).map_err(|e| Error::from_errno(e, profile))? {
        Mapped::Map(m) => Ok(m),
        Mapped::AtNull => Err(not_modelled("a view at address 0")),
    }
}

impl WindowsMap {
    /// `close()`: the handles go, the tag name stays until the object does.
    pub(crate) fn release(&mut self) {
        self.section = None;
        self.file_use = None;
    }

    /// The tag name's bytes as `__sizeof__` counts them: the UTF-8 copy and
    /// its NUL up to 3.12, two bytes per UTF-16 unit and the NUL from 3.13.
    pub(crate) fn tagname_size(&self, profile: Profile) -> usize {
        match &self.tagname {
            None => 0,
            Some(name) if profile.python.at_least(3, 13) => 2 * (name.encode_utf16().count() + 1),
            Some(name) => name.len() + 1,
        }
    }
}

/// `resize(newsize)` of a Windows profile's map, after the checks every
/// platform makes (exports, access, the size's range): a new section of
/// `offset + newsize` bytes and a new view of it. From 3.11 (gh-29213) a
/// paging-file map keeps its bytes (a copy) and a name another map holds
/// refuses with WinError 1224, leaving the map as it was; before, a
/// paging-file map cannot be resized (WinError 87) and the failure leaves
/// the map closed. A file map sets the file's size to `offset + newsize`
/// unless another map of the file is open (WinError 1224 from 3.11).
///
/// `view` becomes `None` where CPython's `map_handle` ends up NULL.
pub(crate) fn resize(
    windows: &mut WindowsMap,
    view: &mut Option<Mapping>,
    file: Option<&OwnedFd>,
    offset: i64,
    access: Access,
    newsize: i64,
    profile: Profile,
) -> Result<(), Error> {
    let modern = profile.python.at_least(3, 11);
    let Some(current) = &windows.section else {
        return Err(not_modelled(
            "resize() of a map closed while its argument converted",
        ));
    };
    if modern && windows.tagname.is_some() && Rc::strong_count(current) > 1 {
        // OpenFileMapping finds the name held elsewhere.
        return Err(Error::from_winerror(WinError::UserMappedFile, profile));
    }
    let size = offset.saturating_add(newsize);
    let section = match file {
        None if !modern || size == 0 => {
            *view = None;
            return Err(Error::from_winerror(WinError::InvalidParameter, profile));
        }
        None => Section {
            fd: sys::anonymous_file(size).map_err(|e| Error::from_errno(e, profile))?,
            size,
        },
        Some(fd) => {
            let shared = windows
                .file_use
                .as_ref()
                .is_some_and(|u| Rc::strong_count(u) > 1);
            if shared && modern && offset == 0 {
                // SetEndOfFile fails, and the old size is mapped again.
                return Err(Error::from_winerror(WinError::UserMappedFile, profile));
            }
            if shared || newsize == 0 {
                return Err(not_modelled(
                    "resize() of a file map to size 0, or while another map of the file is open",
                ));
            }
            let errno = |e| Error::from_errno(e, profile);
            sys::ftruncate(fd, size).map_err(errno)?;
            Section {
                fd: sys::dup_cloexec(fd.as_raw_fd()).map_err(errno)?,
                size,
            }
        }
    };
    let section = Rc::new(section);
    let mut new_view = self::view(&section, newsize, offset, access, profile)?;
    if file.is_none() {
        if let Some(old) = view.as_ref() {
            let keep = old.len().min(new_view.len());
            new_view.bytes_mut()[..keep].copy_from_slice(&old.bytes()[..keep]);
        }
    }
    if let Some(name) = &windows.tagname {
        NAMED.with(|m| m.borrow_mut().insert(name.clone(), Rc::downgrade(&section)));
    }
    windows.section = Some(section);
    *view = Some(new_view);
    Ok(())
}

/// The size of a section, for pywin32's `mmapfile`.
pub(crate) fn section_size(section: &Section) -> u64 {
    section.size as u64
}

/// The current size of a file `mmapfile` holds (`GetFileSize`).
pub(crate) fn size_of(fd: &OwnedFd, profile: Profile) -> Result<u64, Error> {
    file_size(fd, profile).map(|n| n as u64)
}

/// pywin32's `CreateFileMapping(file, PAGE_READWRITE, size, name)` (see
/// [`create_section`]); `pywintypes.error` 87 for a paging-file section of
/// size 0.
pub(crate) fn section_for_mmapfile(
    name: Option<&str>,
    file: Option<&OwnedFd>,
    size: u64,
    profile: Profile,
) -> Result<(Rc<Section>, bool), Error> {
    let size = i64::try_from(size).map_err(|_| not_modelled("a section beyond 2**63 bytes"))?;
    let paging_zero = || crate::mmapfile::api_error(87, "CreateFileMapping");
    create_section(profile, name, file, size, &|_, _| Ok(()), &paging_zero)
}

/// pywin32's `MapViewOfFile(FILE_MAP_WRITE)`: `len` bytes from `offset`.
pub(crate) fn view_for_mmapfile(
    section: &Section,
    len: u64,
    offset: u64,
    profile: Profile,
) -> Result<Mapping, Error> {
    view(section, len as i64, offset as i64, Access::Write, profile)
}
