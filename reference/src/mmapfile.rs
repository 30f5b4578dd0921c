//! pywin32's `mmapfile`, emulated on a Linux host: `mmapfile(File, Name,
//! MaximumSize=0, FileOffset=0, NumberOfBytesToMap=None)` and the methods of
//! the object it returns, as `win32/src/mmapfilemodule.cpp` (pywin32 at
//! 059b7beb) behaves on 64-bit Windows.
//!
//! The module differs from Python's `mmap` at every turn: it takes a path
//! and creates the file, has no access modes, counts `size()` as the view
//! (whole pages unless `NumberOfBytesToMap` is given), seeks from the end
//! with `size - dist` and never to `size` itself, searches from the
//! position whatever `start` says and answers relative to `start`, reads
//! one byte past the view in `readline`, and raises `pywintypes.error`.
//! Integers are C `size_t`s: negative values wrap, as they do there.
//!
//! Sections (the file's, or the paging file's, shared by name with `mmap`'s
//! tag names) come from the Windows profile's emulation. What pywin32 leaves to
//! undefined behaviour (reading or copying outside the view) is refused as
//! not modelled.

use std::rc::Rc;

use crate::args::refuse_arguments;
use crate::error::{Error, ErrorKind};
use crate::profile::Profile;
use crate::sys::{self, Mapping, OwnedFd};
use crate::value::Value;
use crate::windows::{self, Section};

/// The constructor's parameters, in order.
const PARAMS: [&str; 5] = [
    "File",
    "Name",
    "MaximumSize",
    "FileOffset",
    "NumberOfBytesToMap",
];

/// `GetSystemInfo().dwPageSize` on 64-bit Windows.
const PAGE: u64 = 4096;

/// A `pywintypes.error`: `str()` is the tuple `(winerror, funcname, strerror)`,
/// the system's text keeping its final period.
pub(crate) fn api_error(code: i32, function: &str) -> Error {
    let text = match code {
        87 => "The parameter is incorrect.",
        1132 => "The base address or the file offset specified does not have the proper alignment.",
        _ => "No error message is available",
    };
    Error {
        kind: ErrorKind::Pywintypes,
        type_name: "pywintypes.error",
        message: format!("({code}, '{function}', '{text}')"),
    }
}

fn not_modelled(what: &str) -> Error {
    Error::new(
        ErrorKind::SystemError,
        format!("the reference does not model {what} in mmapfile"),
    )
}

fn closed() -> Error {
    Error::value_error("mmapfile closed or invalid")
}

/// `PyLong_AsSsize_t` into a `size_t`: an int (or bool) in the `Py_ssize_t`
/// range, negative values wrapping; no `__index__`.
fn ssize(v: &Value) -> Result<u64, Error> {
    match v {
        Value::Bool(b) => Ok(u64::from(*b)),
        Value::Int(n) => i64::try_from(*n).map(|n| n as u64).map_err(|_| {
            Error::new(
                ErrorKind::OverflowError,
                "Python int too large to convert to C ssize_t",
            )
        }),
        _ => Err(Error::type_error("an integer is required")),
    }
}

/// The `K` format: an int (or bool) masked to 64 bits, nothing else.
fn ulonglong(v: &Value, position: usize) -> Result<u64, Error> {
    match v {
        Value::Bool(b) => Ok(u64::from(*b)),
        Value::Int(n) => Ok(*n as u64),
        other => Err(Error::type_error(format!(
            "argument {position} must be int, not {}",
            other.type_name()
        ))),
    }
}

/// `PyWinObject_AsWCHAR` with `None` allowed.
fn text(v: &Value) -> Result<Option<String>, Error> {
    match v {
        Value::None => Ok(None),
        Value::Str(s) => Ok(Some(s.clone())),
        other => Err(Error::type_error(format!(
            "Objects of type '{}' can not be converted to Unicode.",
            other.type_name()
        ))),
    }
}

/// The bytes of a `bytes` argument (`PyBytes_AsStringAndSize`).
fn bytes(v: &Value) -> Result<&[u8], Error> {
    match v {
        Value::Bytes(b) => Ok(b),
        other => Err(Error::type_error(format!(
            "expected bytes, {} found",
            other.type_name()
        ))),
    }
}

fn round_up(n: u64) -> u64 {
    n.div_ceil(PAGE) * PAGE
}

/// A `Pymmapfile` object.
#[derive(Debug)]
pub struct MmapFile {
    profile: Profile,
    /// The view, `None` once closed (`map_handle == NULL`).
    view: Option<Mapping>,
    /// The section the view is of.
    section: Option<Rc<Section>>,
    /// The file, while the object holds it.
    file: Option<OwnedFd>,
    /// The tag name.
    name: Option<String>,
    /// `size`: the view's size as pywin32 counts it.
    size: u64,
    /// `pos`, which `readline` can carry past `size`.
    pos: u64,
}

impl MmapFile {
    /// `mmapfile.mmapfile(*args, **kwargs)`. `File` is a path the emulation
    /// opens (creating it) in this process.
    ///
    /// # Errors
    ///
    /// The argument parser's TypeErrors; TypeError for a `Name` or `File`
    /// that is not a str; ValueError `Specified file is empty, and no mapping
    /// size given`; `pywintypes.error` from `CreateFileMapping` (a paging-file
    /// section of size 0: 87) and `MapViewOfFile` (an offset that is not a
    /// multiple of 64 KiB: 1132).
    pub fn construct(
        profile: Profile,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Result<MmapFile, Error> {
        let bound =
            crate::dynamic::bind_params(profile, &PARAMS, 2, 5, args, kwargs, &mut |i, v| {
                Ok(match i {
                    2 | 3 => Value::Int(ulonglong(v, i + 1)?.into()),
                    _ => v.clone(),
                })
            })?;
        let arg = |i: usize| bound[i].clone().unwrap_or(Value::None);
        let int = |i: usize| match arg(i) {
            Value::Int(n) => n as u64,
            _ => 0,
        };
        let name = text(&arg(1))?;
        let path = text(&arg(0))?.filter(|p| !p.is_empty() && !p.starts_with('\0'));
        let view_size = match arg(4) {
            Value::None => 0,
            v => ssize(&v)?,
        };
        let (mut maximum, offset) = (int(2), int(3));
        let mut file = path
            .map(|p| sys::open_always(&p).map_err(|e| Error::from_errno(e, profile)))
            .transpose()?;
        if maximum == 0 {
            if let Some(fd) = &file {
                let size = windows::size_of(fd, profile)?;
                if size == 0 {
                    return Err(Error::value_error(
                        "Specified file is empty, and no mapping size given",
                    ));
                }
                maximum = round_up(size);
            }
        }
        let (section, existing) =
            windows::section_for_mmapfile(name.as_deref(), file.as_ref(), maximum, profile)?;
        if existing {
            // ERROR_ALREADY_EXISTS: the file handle is closed, the named
            // section used as it is.
            file = None;
        }
        let (view, size) = Self::map_view(&section, offset, view_size, profile)?;
        Ok(MmapFile {
            profile,
            view: Some(view),
            section: Some(section),
            file,
            name,
            size,
            pos: 0,
        })
    }

    /// `MapViewOfFile(FILE_MAP_WRITE, offset, n)`, and the size pywin32 keeps:
    /// `n`, or `VirtualQuery`'s whole pages when `n` is 0.
    fn map_view(
        section: &Section,
        offset: u64,
        n: u64,
        profile: Profile,
    ) -> Result<(Mapping, u64), Error> {
        let available = windows::section_size(section).saturating_sub(offset);
        let mapped = if n == 0 {
            available
        } else {
            round_up(n).min(available)
        };
        if offset % 65536 != 0 {
            return Err(api_error(1132, "MapViewOfFile"));
        }
        if n > available || offset > i64::MAX as u64 {
            return Err(not_modelled("a view past the end of its section"));
        }
        let view = windows::view_for_mmapfile(section, mapped, offset, profile)?;
        let size = if n == 0 { round_up(mapped) } else { n };
        Ok((view, size))
    }

    fn data(&self) -> Result<&[u8], Error> {
        self.view.as_ref().map(Mapping::bytes).ok_or_else(closed)
    }

    /// The bytes `start..end` of the view, or not modelled when pywin32
    /// would read outside it.
    fn bytes_at(&self, start: u64, end: u64) -> Result<Vec<u8>, Error> {
        let data = self.data()?;
        if start > end || end > data.len() as u64 {
            return Err(not_modelled("reading outside the view"));
        }
        Ok(data[start as usize..end as usize].to_vec())
    }

    /// `m.<name>(*args, **kwargs)` for every method of a `Pymmapfile`.
    ///
    /// # Errors
    ///
    /// The call machinery's TypeErrors; ValueError `mmapfile closed or
    /// invalid` (before any argument is parsed); each method's own errors.
    pub fn call(
        &mut self,
        name: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Result<Value, Error> {
        let qualified = if self.profile.python.at_least(3, 9) {
            format!("mmapfile.{name}()")
        } else {
            format!("{name}()")
        };
        let noargs = matches!(name, "close" | "read_byte" | "readline" | "size" | "tell");
        let varargs = matches!(
            name,
            "find" | "flush" | "move" | "read" | "seek" | "write" | "write_byte"
        );
        if !noargs && !varargs && name != "resize" {
            return Err(Error::new(
                ErrorKind::AttributeError,
                format!("'mmapfile' object has no attribute '{name}'"),
            ));
        }
        if noargs {
            refuse_arguments(&qualified, args, kwargs)?;
        } else if varargs {
            // METH_VARARGS: keywords are refused, the arguments parsed below.
            refuse_arguments(&qualified, &[], kwargs)?;
        }
        if name == "close" {
            self.view = None;
            self.section = None;
            self.file = None;
            return Ok(Value::None);
        }
        self.data()?;
        match name {
            "size" => Ok(Value::Int(self.size.into())),
            "tell" => Ok(Value::Int(self.pos.into())),
            "read_byte" => {
                if self.pos >= self.size {
                    return Err(Error::value_error("read byte out of range"));
                }
                let byte = self.bytes_at(self.pos, self.pos + 1)?;
                self.pos += 1;
                Ok(Value::Bytes(byte))
            }
            "readline" => self.readline().map(Value::Bytes),
            "read" => {
                let [n] = exactly(args)?;
                self.read(ssize(n)?).map(Value::Bytes)
            }
            "write" => {
                let [data] = exactly(args)?;
                self.write(bytes(data)?).map(|()| Value::None)
            }
            "write_byte" => self.write_byte(args).map(|()| Value::None),
            "find" => self.find(args).map(Value::Int),
            "seek" => self.seek(args).map(|()| Value::None),
            "move" => {
                let [dest, src, count] = exactly(args)?;
                let (dest, src, count) = (ssize(dest)?, ssize(src)?, ssize(count)?);
                self.move_(dest, src, count).map(|()| Value::None)
            }
            "flush" => self.flush(args).map(|()| Value::Int(1)),
            _ => self.resize(args, kwargs).map(|()| Value::None),
        }
    }

    fn read(&mut self, n: u64) -> Result<Vec<u8>, Error> {
        let mut n = n;
        if self.pos.wrapping_add(n) > self.size {
            n = n.wrapping_sub(self.pos.wrapping_add(n).wrapping_sub(self.size));
        }
        if (n as i64) < 0 {
            return Err(Error::new(
                ErrorKind::SystemError,
                "Negative size passed to PyBytes_FromStringAndSize",
            ));
        }
        let out = self.bytes_at(self.pos, self.pos + n)?;
        self.pos += n;
        Ok(out)
    }

    fn readline(&mut self) -> Result<Vec<u8>, Error> {
        let data = self.data()?;
        let end = self.size.min(data.len() as u64);
        let found = (self.pos..end).find(|&i| data[i as usize] == b'\n');
        // Without a newline the loop stops at the end of the view and the
        // byte there is taken too.
        let last = found.unwrap_or(self.pos.max(self.size));
        let out = self.bytes_at(self.pos, last + 1)?;
        self.pos = last + 1;
        Ok(out)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let len = bytes.len() as u64;
        if self.pos.wrapping_add(len) > self.size {
            return Err(Error::value_error("data out of range"));
        }
        let start = self.pos as usize;
        let view = self.view.as_mut().ok_or_else(closed)?;
        view.bytes_mut()[start..start + bytes.len()].copy_from_slice(bytes);
        self.pos += len;
        Ok(())
    }

    fn write_byte(&mut self, args: &[Value]) -> Result<(), Error> {
        if args.len() != 1 {
            return Err(Error::type_error(format!(
                "write_byte() takes exactly 1 argument ({} given)",
                args.len()
            )));
        }
        let byte = match &args[0] {
            Value::Bytes(b) | Value::ByteArray(b) if b.len() == 1 => b[0],
            other => {
                return Err(Error::type_error(format!(
                    "write_byte() argument 1 must be a byte string of length 1, not {}",
                    other.type_name()
                )));
            }
        };
        if self.pos >= self.size {
            return Err(Error::value_error("write_byte past end of buffer"));
        }
        self.write(&[byte])
    }

    fn find(&mut self, args: &[Value]) -> Result<i128, Error> {
        if args.is_empty() || args.len() > 2 {
            return Err(arity(args.len(), 1, 2));
        }
        let needle = bytes(&args[0])?;
        let start = match args.get(1) {
            None | Some(Value::None) => self.pos,
            Some(v) => ssize(v)?,
        };
        // Compared as a C string: up to the needle's first NUL.
        let needle = &needle[..needle.iter().position(|&b| b == 0).unwrap_or(needle.len())];
        let data = self.data()?;
        let end = self.size.min(data.len() as u64) as usize;
        let from = self.pos as usize;
        let found =
            (from..end).find(|&p| p + needle.len() <= end && &data[p..p + needle.len()] == needle);
        Ok(match found {
            Some(p) => i128::from((p as u64).wrapping_sub(start) as i64),
            None => -1,
        })
    }

    fn seek(&mut self, args: &[Value]) -> Result<(), Error> {
        if args.is_empty() || args.len() > 2 {
            return Err(arity(args.len(), 1, 2));
        }
        let how = match args.get(1) {
            None => 0,
            Some(v) => crate::args::int(self.profile, v, crate::args::IntCode::Int)?,
        };
        let dist = ssize(&args[0])?;
        let target = match how {
            0 => dist,
            1 => self.pos.wrapping_add(dist),
            2 => self.size.wrapping_sub(dist),
            _ => return Err(Error::value_error("unknown seek type")),
        };
        if target >= self.size {
            return Err(Error::value_error("seek out of range"));
        }
        self.pos = target;
        Ok(())
    }

    fn move_(&mut self, dest: u64, src: u64, count: u64) -> Result<(), Error> {
        if src.wrapping_add(count) > self.size || dest.wrapping_add(count) > self.size {
            return Err(Error::value_error("source or destination out of range"));
        }
        let view = self.view.as_mut().ok_or_else(closed)?;
        let len = view.len() as u64;
        if src > len || dest > len || src + count > len || dest + count > len {
            return Err(not_modelled("a move outside the view"));
        }
        let (src, dest, count) = (src as usize, dest as usize, count as usize);
        view.bytes_mut().copy_within(src..src + count, dest);
        Ok(())
    }

    fn flush(&mut self, args: &[Value]) -> Result<(), Error> {
        if args.len() > 2 {
            return Err(arity(args.len(), 0, 2));
        }
        let part = |i: usize| match args.get(i) {
            None | Some(Value::None) => Ok(0),
            Some(v) => ssize(v),
        };
        let (offset, size) = (part(0)?, part(1)?);
        if offset.wrapping_add(size) > self.size {
            return Err(Error::value_error("flush values out of range"));
        }
        // FlushViewOfFile: the emulated view shares its pages already.
        Ok(())
    }

    fn resize(&mut self, args: &[Value], kwargs: &[(String, Value)]) -> Result<(), Error> {
        let profile = self.profile;
        let params = ["MaximumSize", "FileOffset", "NumberOfBytesToMap"];
        let bound =
            crate::dynamic::bind_params(profile, &params, 1, 3, args, kwargs, &mut |i, v| {
                Ok(match i {
                    0 => Value::Int(
                        crate::args::int(profile, v, crate::args::IntCode::LongLong)?.into(),
                    ),
                    1 => Value::Int(ulonglong(v, 2)?.into()),
                    _ => v.clone(),
                })
            })?;
        let int = |i: usize| match &bound[i] {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        let (maximum, offset) = (int(0), int(1) as u64);
        let view_size = match bound[2].clone() {
            None | Some(Value::None) => 0,
            Some(v) => ssize(&v)?,
        };
        // UnmapViewOfFile comes first, whatever fails later.
        self.view = None;
        if maximum != 0 {
            // CloseHandle(map_handle): a section nothing else holds goes.
            self.section = None;
            let section = windows::section_for_mmapfile(
                self.name.as_deref(),
                self.file.as_ref(),
                maximum as u64,
                profile,
            );
            match section {
                Ok((s, _)) => self.section = Some(s),
                Err(e) => {
                    self.section = None;
                    return Err(e);
                }
            }
        }
        let section = self.section.clone().ok_or_else(closed)?;
        let (view, size) = Self::map_view(&section, offset, view_size, profile)?;
        self.view = Some(view);
        self.size = size;
        if self.pos >= self.size {
            self.pos = self.size.wrapping_sub(1);
        }
        Ok(())
    }
}

/// Exactly `N` positional arguments, as `PyArg_ParseTuple` without a
/// function name counts them.
fn exactly<const N: usize>(args: &[Value]) -> Result<&[Value; N], Error> {
    args.try_into().map_err(|_| {
        let s = if N == 1 { "" } else { "s" };
        Error::type_error(format!(
            "function takes exactly {N} argument{s} ({} given)",
            args.len()
        ))
    })
}

/// `PyArg_ParseTuple`'s count error for `min..=max` arguments.
fn arity(given: usize, min: usize, max: usize) -> Error {
    let (bound, n) = if given < min {
        ("at least", min)
    } else {
        ("at most", max)
    };
    let s = if n == 1 { "" } else { "s" };
    Error::type_error(format!(
        "function takes {bound} {n} argument{s} ({given} given)"
    ))
}
