//! The Python-level layer: calls with Python-like [`Value`] arguments, as the
//! conformance harness drives them, converted and checked in CPython's order.

use std::borrow::Cow;

use crate::args::{self, Flavor, IntCode};
use crate::error::{Error, ErrorKind};
use crate::mmap::{Access, AuditEvent, Mmap, MmapOptions};
use crate::profile::{Platform, Profile};
use crate::value::Value;

/// The Unix constructor's parameters, in order (`trackfd` is keyword-only, 3.13+).
const CTOR_PARAMS: [&str; 7] = [
    "fileno", "length", "flags", "prot", "access", "offset", "trackfd",
];

/// The fake address `repr()` prints for versions whose repr is
/// `object.__repr__` (≤ 3.8): real addresses differ per run, so this one is fixed.
pub const FAKE_ADDRESS: &str = "0x7f0000000000";

/// `PyArg_ParseTupleAndKeywords(args, kwargs, "in|iiiL[$p]", …)` for the Unix
/// constructor: the converted values by parameter index, or CPython's TypeError.
fn bind_ctor_args(
    profile: Profile,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Result<[Option<i64>; 7], Error> {
    let n_params = if profile.python.at_least(3, 13) { 7 } else { 6 };
    let bound = bind_params(
        profile,
        &CTOR_PARAMS[..n_params],
        2,
        6,
        args,
        kwargs,
        &mut |i, v| convert_ctor_arg(profile, i, v),
    )?;
    let mut out = [None; 7];
    out[..n_params].copy_from_slice(&bound);
    Ok(out)
}

/// `PyArg_ParseTupleAndKeywords` for a function whose first `required`
/// parameters are required: binds `args` and `kwargs` to `params` (the
/// first `max_positional` may come by position), converting each value with
/// `convert` as soon as it is bound, like CPython's loop; the values by
/// parameter index, or CPython's TypeError.
pub(crate) fn bind_params<T: Clone>(
    profile: Profile,
    params: &[&str],
    required: usize,
    max_positional: usize,
    args: &[Value],
    kwargs: &[(String, Value)],
    convert: &mut dyn FnMut(usize, &Value) -> Result<T, Error>,
) -> Result<Vec<Option<T>>, Error> {
    let py = profile.python;
    let n_params = params.len();
    let (nargs, nkw) = (args.len(), kwargs.len());
    if nargs + nkw > n_params {
        let kw = if nargs == 0 && py.at_least(3, 7) {
            "keyword "
        } else {
            ""
        };
        return Err(Error::type_error(format!(
            "function takes at most {n_params} {kw}arguments ({} given)",
            nargs + nkw
        )));
    }
    if nargs > max_positional {
        return Err(Error::type_error(format!(
            "function takes at most {max_positional} positional arguments ({nargs} given)"
        )));
    }
    let lookup = |name: &str| kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let mut bound = vec![None; n_params];
    for (i, slot) in bound.iter_mut().enumerate() {
        let value = if i < nargs {
            Some(&args[i])
        } else {
            lookup(params[i])
        };
        match value {
            Some(v) => {
                // Converted as soon as it is bound, like CPython's loop.
                *slot = Some(convert(i, v)?);
            }
            None if i < required => {
                let name = params[i];
                return Err(Error::type_error(if py.at_least(3, 7) {
                    format!(
                        "function missing required argument '{name}' (pos {})",
                        i + 1
                    )
                } else {
                    format!("Required argument '{name}' (pos {}) not found", i + 1)
                }));
            }
            None => {}
        }
    }
    if nkw > 0 {
        for (i, name) in params.iter().enumerate().take(nargs) {
            if lookup(name).is_some() {
                return Err(Error::type_error(if py.at_least(3, 7) {
                    format!(
                        "argument for function given by name ('{name}') and position ({})",
                        i + 1
                    )
                } else {
                    format!("Argument given by name ('{name}') and position ({})", i + 1)
                }));
            }
        }
        if let Some((k, _)) = kwargs.iter().find(|(k, _)| !params.contains(&k.as_str())) {
            return Err(Error::type_error(if py.at_least(3, 13) {
                format!("this function got an unexpected keyword argument '{k}'")
            } else {
                format!("'{k}' is an invalid keyword argument for this function")
            }));
        }
    }
    Ok(bound)
}

/// Converts constructor argument number `i` with its format code. A
/// [`Value::ClosingIndex`] closes its map as the converter calls `__index__`:
/// the constructor itself has no map to check.
fn convert_ctor_arg(profile: Profile, i: usize, v: &Value) -> Result<i64, Error> {
    let code = match i {
        1 => IntCode::Ssize,
        5 => IntCode::LongLong,
        // `p` takes the truth value, which calls no `__index__`.
        6 => return Ok(i64::from(args::truthy(v))),
        _ => IntCode::Int,
    };
    if args::int_calls_index(profile, v, code) {
        close_target(v)?;
    }
    args::int(profile, v, code)
}

/// Closes the map of a [`Value::ClosingIndex`] that is not the receiver of
/// the call converting it (or when there is no receiver).
///
/// # Errors
///
/// What `close()` raises (BufferError while that map has exports), which
/// `__index__` propagates.
pub(crate) fn close_target(v: &Value) -> Result<(), Error> {
    let Value::ClosingIndex(_, target) = v else {
        return Ok(());
    };
    match target.0.try_borrow_mut() {
        Ok(mut m) => m.close(),
        Err(_) => Err(Error::new(
            ErrorKind::SystemError,
            "the reference cannot close a map that is in use from ClosingIndex.__index__",
        )),
    }
}

/// A bytes-like argument, where the map itself ([`Value::Receiver`]) counts as one.
fn bytes_arg<'v>(m: &Mmap, v: &'v Value) -> Result<Cow<'v, [u8]>, Error> {
    match v {
        Value::Receiver => m.to_bytes().map(Cow::Owned),
        v => args::buffer(m.profile.python, v).map(Cow::Borrowed),
    }
}

/// The data argument of `write`, `find` and `rfind` (argument 1 of `method`):
/// a bytes-like object (`y*`) on Python 3; on 2.7 a `str`, an ASCII `unicode`
/// or a read-only buffer (`s#`). The map itself counts on both.
fn data_arg<'v>(m: &Mmap, method: &str, v: &'v Value) -> Result<Cow<'v, [u8]>, Error> {
    match v {
        Value::Receiver => m.to_bytes().map(Cow::Owned),
        v if m.profile.python.major == 2 => {
            args::py2_string_or_buffer(method, 1, v).map(Cow::Owned)
        }
        v => args::buffer(m.profile.python, v).map(Cow::Borrowed),
    }
}

/// Argument conversion as CPython's parser does it for a method of this map,
/// where converting an object with `__index__` runs Python code that may
/// close the very map whose method is parsing (gh-103987: a
/// [`Value::ClosingIndex`]). Each method checks the map before parsing (the
/// caller's [`Mmap::mapping`]), then converts with these, then, in the
/// methods and versions that have it, checks again with
/// [`Mmap::check_valid_after_parsing`].
impl Mmap {
    /// Runs what calling `v.__index__()` does besides returning its integer:
    /// a [`Value::ClosingIndex`] closes its map, this one or another.
    ///
    /// # Errors
    ///
    /// What `close()` raises (BufferError `cannot close exported pointers
    /// exist`), propagated by `__index__`.
    fn call_index(&mut self, v: &Value) -> Result<(), Error> {
        match v {
            Value::ClosingIndex(_, target) if target.is(self) => self.close(),
            v => close_target(v),
        }
    }

    /// [`args::int`] with format `code`, calling `__index__` where the
    /// converter does.
    fn int_arg(&mut self, v: &Value, code: IntCode) -> Result<i64, Error> {
        if args::int_calls_index(self.profile, v, code) {
            self.call_index(v)?;
        }
        args::int(self.profile, v, code)
    }

    /// The optional `n` argument `i`, if given.
    fn opt_ssize_arg(&mut self, args: &[Value], i: usize) -> Result<Option<i64>, Error> {
        args.get(i)
            .map(|v| self.int_arg(v, IntCode::Ssize))
            .transpose()
    }

    /// [`args::optional_ssize`] (`read`'s count), calling `__index__` where
    /// the converter does.
    fn optional_ssize_arg(&mut self, v: &Value) -> Result<Option<i64>, Error> {
        if args::optional_ssize_calls_index(self.profile, v) {
            self.call_index(v)?;
        }
        args::optional_ssize(self.profile, v)
    }

    /// `PyNumber_AsSsize_t(key, exc)` for a subscript key or item value with
    /// `__index__`: calls it, then checks the range.
    fn index_value(
        &mut self,
        key: &Value,
        n: i128,
        exc: fn(String) -> Error,
    ) -> Result<i64, Error> {
        self.call_index(key)?;
        args::index_or(self.profile, key, n, exc)
    }

    /// `PySlice_Unpack` then `PySlice_AdjustIndices(self->size, …)`: calls
    /// `__index__` on the step, the start and the stop in that order, stopping
    /// where [`args::slice`] raises (a step that is zero or no integer stops
    /// it before the start is converted).
    fn slice_arg(
        &mut self,
        start: Option<&Value>,
        stop: Option<&Value>,
        step: Option<&Value>,
    ) -> Result<args::SliceIndices, Error> {
        for (i, part) in [step, start, stop].into_iter().enumerate() {
            let Some(n) = part.and_then(Value::as_index) else {
                if part.is_some_and(|v| *v != Value::None) {
                    break;
                }
                continue;
            };
            self.call_index(part.unwrap_or(&Value::None))?;
            if i == 0 && n == 0 {
                break;
            }
        }
        args::slice(start, stop, step, self.size_field())
    }

    /// Runs `convert` while the map exports one buffer more: what a `y*`
    /// argument that is the map itself holds while the method's later
    /// arguments convert, so that closing the map then fails.
    fn with_export<T>(
        &mut self,
        held: bool,
        convert: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let counter = self.export_counter();
        if held {
            counter.set(counter.get() + 1);
        }
        let result = convert(self);
        if held {
            counter.set(counter.get() - 1);
        }
        result
    }

    /// The check CPython 3.11.4+ makes again once a method's arguments are
    /// converted (gh-103987), in `read`, `find`, `rfind`, `write_byte`,
    /// `move`, `madvise`, `m[i]`, `m[i:j]` and their assignments, each at its
    /// own place (after the range checks in most); `seek`, `flush` and
    /// `resize` have none and go on with the closed map. Earlier versions
    /// have no check and read or write the unmapped memory (no defined
    /// outcome); the reference raises the same ValueError there.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    fn check_valid_after_parsing(&self) -> Result<(), Error> {
        self.mapping().map(|_| ())
    }
}

/// AttributeError `'mmap.mmap' object has no attribute 'x'`.
fn no_attribute(name: &str) -> Error {
    Error::new(
        ErrorKind::AttributeError,
        format!("'mmap.mmap' object has no attribute '{name}'"),
    )
}

impl Mmap {
    /// Equivalent to Python's `mmap.mmap(*args, **kwargs)` for `profile`: the
    /// Unix constructor `mmap(fileno, length, flags=MAP_SHARED,
    /// prot=PROT_WRITE|PROT_READ, access=ACCESS_DEFAULT, offset=0[, *, trackfd=True])`
    /// (`trackfd` from 3.13). `fileno` is a real descriptor of this process
    /// (-1 = anonymous).
    ///
    /// # Errors
    ///
    /// The argument parser's TypeError/OverflowError texts of the profile's
    /// version, then everything [`MmapOptions::map`] raises. Windows profiles
    /// take the Windows constructor `mmap(fileno, length, tagname=None,
    /// access=ACCESS_DEFAULT, offset=0)`, emulated (`crate::windows`). Python 2.7
    /// profiles get the 3.6 parser texts with 2.7's integer converters (`an
    /// integer is required`; `__index__` is not used) and `mmap.error` for OS
    /// errors.
    pub fn construct(
        profile: Profile,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Result<Mmap, Error> {
        Self::construct_audited(profile, args, kwargs, &mut |_| {})
    }

    /// [`Mmap::construct`], handing the audit events CPython raises
    /// (`sys.addaudithook`, 3.8+) to `audit`.
    ///
    /// # Errors
    ///
    /// As [`Mmap::construct`].
    pub fn construct_audited(
        profile: Profile,
        args: &[Value],
        kwargs: &[(String, Value)],
        audit: &mut dyn FnMut(AuditEvent),
    ) -> Result<Mmap, Error> {
        if profile.platform == Platform::Windows {
            return crate::windows::construct(profile, args, kwargs, audit);
        }
        let [fileno, length, flags, prot, access, offset, trackfd] =
            bind_ctor_args(profile, args, kwargs)?;
        let mut opts = MmapOptions::new();
        if let Some(flags) = flags {
            opts.flags(flags as i32);
        }
        if let Some(prot) = prot {
            opts.prot(prot as i32);
        }
        if let Some(access) = access {
            opts.access(access as i32);
        }
        if let Some(offset) = offset {
            opts.offset(offset);
        }
        if let Some(trackfd) = trackfd {
            opts.trackfd(trackfd != 0);
        }
        // Both are required, so the parser has bound them.
        let (fileno, length) = (fileno.unwrap_or(-1) as i32, length.unwrap_or(0));
        opts.map_audited(profile, fileno, length, audit)
    }

    /// True when the profile's `mmap.mmap` has a method called `name`.
    pub fn has_method(&self, name: &str) -> bool {
        let py = self.profile.python;
        match name {
            "close" | "find" | "rfind" | "flush" | "move" | "read" | "read_byte" | "readline"
            | "resize" | "seek" | "size" | "tell" | "write" | "write_byte" | "__len__"
            | "__getitem__" | "__setitem__" | "__delitem__" | "__repr__" | "__sizeof__" => true,
            "__enter__" | "__exit__" => py.at_least(3, 2),
            "__buffer__" | "__release_buffer__" => py.at_least(3, 12),
            "madvise" => py.at_least(3, 8) && self.profile.platform != Platform::Windows,
            "seekable" => py.at_least(3, 13),
            _ => false,
        }
    }

    /// Equivalent to Python's `m.<name>(*args, **kwargs)` for every method of
    /// the profile's `mmap.mmap`, including `__enter__` (returns
    /// [`Value::Receiver`]), `__exit__`, `__len__`, `__getitem__`,
    /// `__setitem__`, `__delitem__` and `__repr__`. Return values follow the
    /// version: `write` → count (3.6+) or None, `seek` → None (≤3.12) or the
    /// position (3.13+), `flush` → 0 (≤3.7) or None, `read_byte` → an int
    /// (3.x) or a 1-character `str` (2.7).
    ///
    /// Python 2.7's methods take `str` where 3.x takes bytes and ints:
    /// `read(n)` needs its argument (no `None`), `write`, `find` and `rfind`
    /// take a `str`, an ASCII `unicode` or a read-only buffer but no
    /// `bytearray`/`memoryview`, and `write_byte` takes a 1-character `str`.
    ///
    /// # Errors
    ///
    /// AttributeError `'mmap.mmap' object has no attribute 'x'` for names the
    /// version lacks; the call machinery's TypeErrors (keywords, argument
    /// counts) and converter errors of the version; then what the method raises.
    pub fn call(
        &mut self,
        name: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Result<Value, Error> {
        let profile = self.profile;
        let py = profile.python;
        if name == "closed" && py.at_least(3, 2) {
            return Err(Error::type_error("'bool' object is not callable"));
        }
        if name == "__sizeof__" {
            return self.sizeof_call(args, kwargs);
        }
        if !self.has_method(name) {
            return Err(no_attribute(name));
        }
        match name {
            "tell" | "size" | "read_byte" | "readline" | "close" | "__enter__" | "seekable" => {
                args::no_args(profile, name, args, kwargs)?;
                match name {
                    "tell" => Ok(Value::Int(self.tell()? as i128)),
                    "size" => Ok(Value::Int(self.size()?.into())),
                    "read_byte" => {
                        let byte = self.read_byte()?;
                        Ok(self.byte_value(byte))
                    }
                    "readline" => Ok(Value::Bytes(self.readline()?)),
                    "close" => self.close().map(|()| Value::None),
                    "__enter__" => self.mapping().map(|_| Value::Receiver),
                    _ => Ok(Value::Bool(true)),
                }
            }
            "__len__" | "__getitem__" | "__setitem__" | "__delitem__" | "__repr__" => {
                args::no_kwargs(profile, name, Flavor::SlotWrapper, kwargs)?;
                match name {
                    "__len__" => {
                        args::slot_arity(profile, args, 0)?;
                        Ok(Value::Int(self.len()? as i128))
                    }
                    "__repr__" => {
                        args::slot_arity(profile, args, 0)?;
                        Ok(self.repr_value())
                    }
                    "__getitem__" => {
                        args::slot_arity(profile, args, 1)?;
                        self.getitem(&args[0])
                    }
                    "__delitem__" => {
                        args::slot_arity(profile, args, 1)?;
                        self.delitem(&args[0]).map(|()| Value::None)
                    }
                    _ => {
                        args::unpack_arity(args, 2)?;
                        self.setitem(&args[0], &args[1]).map(|()| Value::None)
                    }
                }
            }
            _ => {
                args::no_kwargs(profile, name, Flavor::VarArgs, kwargs)?;
                if name == "__exit__" {
                    return self.close().map(|()| Value::None);
                }
                self.mapping()?;
                match name {
                    "read" if py.major == 2 => {
                        // `n:read`: the count is required and None is no count.
                        args::arity(name, args, 1, 1)?;
                        let limit = self.int_arg(&args[0], IntCode::Ssize)?;
                        self.check_valid_after_parsing()?;
                        Ok(Value::Bytes(self.read(Some(limit))?))
                    }
                    "read" => {
                        args::arity(name, args, 0, 1)?;
                        let limit = match args.first() {
                            Some(v) => self.optional_ssize_arg(v)?,
                            None => None,
                        };
                        self.check_valid_after_parsing()?;
                        Ok(Value::Bytes(self.read(limit)?))
                    }
                    "write" => {
                        args::arity(name, args, 1, 1)?;
                        let data = data_arg(self, name, &args[0])?;
                        let count = self.write(&data)?;
                        Ok(if py.at_least(3, 6) {
                            Value::Int(count as i128)
                        } else {
                            Value::None
                        })
                    }
                    "write_byte" => {
                        args::arity(name, args, 1, 1)?;
                        let byte = if py.major == 2 {
                            args::py2_char(name, 1, &args[0])?
                        } else {
                            self.int_arg(&args[0], IntCode::UByte)? as u8
                        };
                        self.check_writable()?;
                        self.check_valid_after_parsing()?;
                        self.write_byte(byte).map(|()| Value::None)
                    }
                    "seek" => {
                        args::arity(name, args, 1, 2)?;
                        let dist = self.int_arg(&args[0], IntCode::Ssize)?;
                        let whence = match args.get(1) {
                            Some(v) => self.int_arg(v, IntCode::Int)? as i32,
                            None => 0,
                        };
                        // No check after parsing: a map closed meanwhile
                        // still seeks, within the length it had.
                        let pos = self.seek_unchecked(dist, whence)?;
                        Ok(if py.at_least(3, 13) {
                            Value::Int(pos as i128)
                        } else {
                            Value::None
                        })
                    }
                    "find" | "rfind" => {
                        args::arity(name, args, 1, 3)?;
                        let sub = data_arg(self, name, &args[0])?;
                        // `y*` of the map itself holds an export meanwhile.
                        let held = py.major > 2 && args[0] == Value::Receiver;
                        let (start, end) = self.with_export(held, |m| {
                            Ok((m.opt_ssize_arg(args, 1)?, m.opt_ssize_arg(args, 2)?))
                        })?;
                        self.check_valid_after_parsing()?;
                        let found = if name == "find" {
                            self.find(&sub, start, end)?
                        } else {
                            self.rfind(&sub, start, end)?
                        };
                        Ok(Value::Int(found.into()))
                    }
                    "move" => {
                        args::arity(name, args, 3, 3)?;
                        let dest = self.int_arg(&args[0], IntCode::Ssize)?;
                        let src = self.int_arg(&args[1], IntCode::Ssize)?;
                        let count = self.int_arg(&args[2], IntCode::Ssize)?;
                        self.check_writable()?;
                        self.check_move_range(dest, src, count)?;
                        self.check_valid_after_parsing()?;
                        self.move_(dest, src, count).map(|()| Value::None)
                    }
                    "flush" => {
                        args::arity(name, args, 0, 2)?;
                        let offset = self.opt_ssize_arg(args, 0)?;
                        let size = self.opt_ssize_arg(args, 1)?;
                        // No check after parsing: a map closed meanwhile
                        // reaches msync with CPython's NULL-based range.
                        self.flush_unchecked(offset, size)?;
                        let windows = self.profile.platform == Platform::Windows;
                        Ok(if py.at_least(3, 8) {
                            Value::None
                        } else if windows && !matches!(self.access(), Access::Read | Access::Copy) {
                            // FlushViewOfFile's BOOL, which succeeds here.
                            Value::Int(1)
                        } else {
                            Value::Int(0)
                        })
                    }
                    "resize" => {
                        args::arity(name, args, 1, 1)?;
                        let newsize = self.int_arg(&args[0], IntCode::Ssize)?;
                        // No check after parsing: a map closed meanwhile
                        // reaches mremap with CPython's NULL address.
                        self.resize_unchecked(newsize).map(|()| Value::None)
                    }
                    "madvise" => {
                        args::arity(name, args, 1, 3)?;
                        let option = self.int_arg(&args[0], IntCode::Int)? as i32;
                        let start = self.opt_ssize_arg(args, 1)?.unwrap_or(0);
                        let length = self.opt_ssize_arg(args, 2)?;
                        self.madvise_range(start, length)?;
                        self.check_valid_after_parsing()?;
                        self.madvise(option, start, length).map(|()| Value::None)
                    }
                    _ => Err(no_attribute(name)),
                }
            }
        }
    }

    /// Equivalent to Python's `m.<name>` for data attributes: `closed` (3.2+).
    ///
    /// # Errors
    ///
    /// AttributeError `'mmap.mmap' object has no attribute 'x'` for anything
    /// else (methods are reached through [`Mmap::call`]).
    pub fn getattr(&self, name: &str) -> Result<Value, Error> {
        match name {
            "closed" if self.profile.python.at_least(3, 2) => Ok(Value::Bool(self.closed())),
            _ => Err(no_attribute(name)),
        }
    }

    /// The exception `m.<name> = value` raises: a map has no writable
    /// attribute and no `__dict__`.
    ///
    /// AttributeError `attribute 'closed' of 'mmap.mmap' objects is not
    /// writable` (3.2+, where `closed` exists); `'mmap.mmap' object attribute
    /// 'size' is read-only` for a method; `'mmap.mmap' object has no attribute
    /// 'x'` for anything else, followed by ` and no __dict__ for setting new
    /// attributes` from 3.13.
    pub fn setattr_error(&self, name: &str) -> Error {
        let py = self.profile.python;
        let message = if name == "closed" && py.at_least(3, 2) {
            "attribute 'closed' of 'mmap.mmap' objects is not writable".to_owned()
        } else if self.has_method(name) {
            format!("'mmap.mmap' object attribute '{name}' is read-only")
        } else if py.at_least(3, 13) {
            format!(
                "'mmap.mmap' object has no attribute '{name}' and no __dict__ for setting new \
                 attributes"
            )
        } else {
            format!("'mmap.mmap' object has no attribute '{name}'")
        };
        Error::new(ErrorKind::AttributeError, message)
    }

    /// The exception `mmap.mmap.<name> = value` raises: the type is
    /// immutable. TypeError `can't set attributes of built-in/extension type
    /// 'mmap.mmap'` until 3.9; `cannot set 'x' attribute of immutable type
    /// 'mmap.mmap'` from 3.10, where the type became a heap type.
    pub fn type_setattr_error(profile: Profile, name: &str) -> Error {
        let message = if profile.python.at_least(3, 10) {
            format!("cannot set '{name}' attribute of immutable type 'mmap.mmap'")
        } else {
            "can't set attributes of built-in/extension type 'mmap.mmap'".to_owned()
        };
        Error::type_error(message)
    }

    /// A byte as `m[i]` and `m.read_byte()` return it: an int on Python 3, a
    /// 1-character `str` (here [`Value::Bytes`]) on 2.7.
    fn byte_value(&self, byte: u8) -> Value {
        if self.profile.python.major == 2 {
            Value::Bytes(vec![byte])
        } else {
            Value::Int(byte.into())
        }
    }

    /// Equivalent to Python's `m[key]`: an int (3.x) or a 1-character `str`
    /// (2.7) for an index, bytes for a slice.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; IndexError `mmap index out of
    /// range` / `cannot fit 'int' into an index-sized integer` (`'long'` on
    /// 2.7); the slice errors (`slice step cannot be zero`, `slice indices
    /// must be integers or None or have an __index__ method`); TypeError `mmap
    /// indices must be integers`. A key whose `__index__` closed the map:
    /// the range check, then ValueError `mmap closed or invalid`.
    pub fn getitem(&mut self, key: &Value) -> Result<Value, Error> {
        self.mapping()?;
        if let Some(i) = key.as_index() {
            let i = self.index_value(key, i, Error::index_error)?;
            let at = self.position_of(i)?;
            self.check_valid_after_parsing()?;
            return Ok(self.byte_value(self.item(at as i64)?));
        }
        if let Value::Slice(start, stop, step) = key {
            let s = self.slice_arg(start.as_deref(), stop.as_deref(), step.as_deref())?;
            self.check_valid_after_parsing()?;
            return Ok(Value::Bytes(self.slice_bytes(s)?));
        }
        Err(Error::type_error("mmap indices must be integers"))
    }

    /// Equivalent to Python's `m[key] = value`, with CPython's order of checks:
    /// closed, writability, index (range before value) or slice, value type,
    /// value range / length. On 2.7 the value is a `str` (of length 1 for an
    /// index) and writability is checked last, after the value.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`; TypeError `mmap can't modify a
    /// readonly memory map.`; IndexError `mmap index out of range`; TypeError
    /// `mmap item value must be an int`; ValueError `mmap item value must be in
    /// range(0, 256)`; TypeError `a bytes-like object is required, not 'str'`;
    /// IndexError `mmap slice assignment is wrong size`; TypeError `mmap indices
    /// must be integer`. On 2.7, IndexError `mmap assignment must be
    /// single-character string` and `mmap slice assignment must be a string`
    /// replace the value-type errors.
    pub fn setitem(&mut self, key: &Value, value: &Value) -> Result<(), Error> {
        self.assign(key, Some(value))
    }

    /// Equivalent to Python's `del m[key]`, which always fails.
    ///
    /// # Errors
    ///
    /// After the same checks as [`Mmap::setitem`]: TypeError `mmap doesn't
    /// support item deletion` (index; `mmap object doesn't …` on 2.7) or `mmap
    /// object doesn't support slice deletion` (slice).
    pub fn delitem(&mut self, key: &Value) -> Result<(), Error> {
        self.assign(key, None)
    }

    /// CPython's `mmap_ass_subscript`: `value` None means deletion.
    fn assign(&mut self, key: &Value, value: Option<&Value>) -> Result<(), Error> {
        if self.profile.python.major == 2 {
            return self.assign_py2(key, value);
        }
        self.mapping()?;
        self.check_writable()?;
        if let Some(i) = key.as_index() {
            let i = self.index_value(key, i, Error::index_error)?;
            let at = self.position_of(i)?;
            let Some(value) = value else {
                return Err(Error::type_error("mmap doesn't support item deletion"));
            };
            let Some(v) = value.as_index() else {
                return Err(Error::type_error("mmap item value must be an int"));
            };
            let v = self.index_value(value, v, Error::type_error)?;
            let byte = u8::try_from(v)
                .map_err(|_| Error::value_error("mmap item value must be in range(0, 256)"))?;
            self.check_valid_after_parsing()?;
            return self.set_item(at as i64, byte);
        }
        if let Value::Slice(start, stop, step) = key {
            let s = self.slice_arg(start.as_deref(), stop.as_deref(), step.as_deref())?;
            let Some(value) = value else {
                return Err(Error::type_error(
                    "mmap object doesn't support slice deletion",
                ));
            };
            // The map itself as the value: its buffer export checks it first.
            let src = bytes_arg(self, value)?;
            if src.len() != s.len {
                return Err(Error::index_error("mmap slice assignment is wrong size"));
            }
            self.check_valid_after_parsing()?;
            return self.store_slice(s, &src);
        }
        Err(Error::type_error("mmap indices must be integer"))
    }

    /// Python 2.7's `mmap_ass_subscript`: after the key, the value must be a
    /// `str` (exactly one character for an index; IndexErrors otherwise), and
    /// only then is writability checked, so `m[0] = 65` on a read-only map
    /// complains about the value.
    fn assign_py2(&mut self, key: &Value, value: Option<&Value>) -> Result<(), Error> {
        self.mapping()?;
        if let Some(i) = key.as_index() {
            let i = self.index_value(key, i, Error::index_error)?;
            let at = self.position_of(i)?;
            let Some(value) = value else {
                return Err(Error::type_error(
                    "mmap object doesn't support item deletion",
                ));
            };
            let byte = match value {
                Value::Bytes(b) if b.len() == 1 => b[0],
                _ => {
                    return Err(Error::index_error(
                        "mmap assignment must be single-character string",
                    ));
                }
            };
            self.check_writable()?;
            return self.set_item(at as i64, byte);
        }
        if let Value::Slice(start, stop, step) = key {
            let s = self.slice_arg(start.as_deref(), stop.as_deref(), step.as_deref())?;
            let Some(value) = value else {
                return Err(Error::type_error(
                    "mmap object doesn't support slice deletion",
                ));
            };
            let Value::Bytes(src) = value else {
                return Err(Error::index_error("mmap slice assignment must be a string"));
            };
            if src.len() != s.len {
                return Err(Error::index_error("mmap slice assignment is wrong size"));
            }
            self.check_writable()?;
            return self.store_slice(s, src);
        }
        Err(Error::type_error("mmap indices must be integer"))
    }

    /// Equivalent to Python's `item in m`, which goes through the sequence
    /// slot yielding 1-byte `bytes`: true only for a bytes-like `item` of
    /// length 1 whose byte occurs (`49 in m` is False). On 2.7 the items are
    /// 1-character `str`s, which also equal a `unicode` of the same ASCII
    /// character (`u"1" in m`).
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn contains(&self, item: &Value) -> Result<bool, Error> {
        let data = self.mapping()?.bytes();
        let needle = match item {
            // One UTF-8 byte is exactly one ASCII character.
            Value::Str(s) if self.profile.python.major == 2 => Some(s.as_bytes()),
            item => item.as_buffer(),
        };
        Ok(match needle {
            Some(&[b]) => memchr::memchr(b, data).is_some(),
            _ => {
                // CPython compares every item before answering no, so it
                // reads the whole map, and a page the file no longer backs
                // faults (SIGBUS) there too: touch one byte per page.
                let page = crate::sys::page_size();
                for at in (0..data.len()).step_by(page) {
                    std::hint::black_box(data[at]);
                }
                false
            }
        })
    }

    /// Equivalent to Python's `list(m)`: 1-byte `bytes` values.
    ///
    /// # Errors
    ///
    /// ValueError `mmap closed or invalid`.
    pub fn iter(&self) -> Result<Vec<Value>, Error> {
        Ok(self
            .mapping()?
            .bytes()
            .iter()
            .map(|&b| Value::Bytes(vec![b]))
            .collect())
    }

    /// [`Mmap::repr`] as the value Python's `repr(m)` returns: a `str`, which
    /// on 2.7 is a byte string ([`Value::Bytes`]).
    pub fn repr_value(&self) -> Value {
        if self.profile.python.major == 2 {
            Value::Bytes(self.repr().into_bytes())
        } else {
            Value::Str(self.repr())
        }
    }

    /// Equivalent to Python's `repr(m)`: from 3.9
    /// `<mmap.mmap closed=False, access=ACCESS_DEFAULT, length=10, pos=0, offset=0>`
    /// or `<mmap.mmap closed=True>`; up to 3.8 the default
    /// `<mmap.mmap object at 0x…>` with the fixed [`FAKE_ADDRESS`].
    pub fn repr(&self) -> String {
        if !self.profile.python.at_least(3, 9) {
            return format!("<mmap.mmap object at {FAKE_ADDRESS}>");
        }
        match self.len() {
            Err(_) => "<mmap.mmap closed=True>".to_owned(),
            Ok(len) => format!(
                "<mmap.mmap closed=False, access={}, length={len}, pos={}, offset={}>",
                self.access().name(),
                self.raw_pos(),
                self.offset()
            ),
        }
    }
}

/// The `mmap` module's integer constants for `profile`, as present in that
/// version on that platform: `ACCESS_*`, `PAGESIZE`, `ALLOCATIONGRANULARITY`,
/// and on Unix `PROT_*`, `MAP_*`, `MADV_*`.
///
/// Linux values and presence are verified on CPython 2.7 and 3.6–3.13
/// (x86-64). macOS values are Darwin's header values, not run.
pub fn constants(profile: Profile) -> Vec<(&'static str, i128)> {
    let py = profile.python;
    let mut out: Vec<(&'static str, i128)> =
        vec![("ACCESS_READ", 1), ("ACCESS_WRITE", 2), ("ACCESS_COPY", 3)];
    if py.at_least(3, 7) {
        out.push(("ACCESS_DEFAULT", 0));
    }
    out.push(("PAGESIZE", profile.pagesize() as i128));
    out.push((
        "ALLOCATIONGRANULARITY",
        profile.allocation_granularity() as i128,
    ));
    match profile.platform {
        Platform::Windows => {}
        Platform::Linux => {
            out.extend([
                ("PROT_READ", 1),
                ("PROT_WRITE", 2),
                ("PROT_EXEC", 4),
                ("MAP_SHARED", 1),
                ("MAP_PRIVATE", 2),
                ("MAP_DENYWRITE", 2048),
                ("MAP_EXECUTABLE", 4096),
                ("MAP_ANON", 32),
                ("MAP_ANONYMOUS", 32),
            ]);
            if py.at_least(3, 10) {
                out.push(("MAP_POPULATE", 32768));
            }
            if py.at_least(3, 11) {
                out.push(("MAP_STACK", 131072));
            }
            if py.at_least(3, 13) {
                out.extend([("MAP_NORESERVE", 16384), ("MAP_32BIT", 64)]);
            }
            if py.at_least(3, 8) {
                out.extend([
                    ("MADV_NORMAL", 0),
                    ("MADV_RANDOM", 1),
                    ("MADV_SEQUENTIAL", 2),
                    ("MADV_WILLNEED", 3),
                    ("MADV_DONTNEED", 4),
                    ("MADV_FREE", 8),
                    ("MADV_REMOVE", 9),
                    ("MADV_DONTFORK", 10),
                    ("MADV_DOFORK", 11),
                    ("MADV_MERGEABLE", 12),
                    ("MADV_UNMERGEABLE", 13),
                    ("MADV_HUGEPAGE", 14),
                    ("MADV_NOHUGEPAGE", 15),
                    ("MADV_DONTDUMP", 16),
                    ("MADV_DODUMP", 17),
                    ("MADV_HWPOISON", 100),
                ]);
            }
        }
        Platform::MacOs => {
            out.extend([
                ("PROT_READ", 1),
                ("PROT_WRITE", 2),
                ("PROT_EXEC", 4),
                ("MAP_SHARED", 1),
                ("MAP_PRIVATE", 2),
                ("MAP_ANON", 0x1000),
                ("MAP_ANONYMOUS", 0x1000),
            ]);
            if py.at_least(3, 13) {
                out.extend([
                    ("MAP_NORESERVE", 0x40),
                    ("MAP_NOEXTEND", 0x100),
                    ("MAP_HASSEMAPHORE", 0x200),
                    ("MAP_NOCACHE", 0x400),
                    ("MAP_JIT", 0x800),
                    ("MAP_RESILIENT_CODESIGN", 0x2000),
                    ("MAP_RESILIENT_MEDIA", 0x4000),
                    ("MAP_32BIT", 0x8000),
                    ("MAP_TRANSLATED_ALLOW_EXECUTE", 0x20000),
                    ("MAP_UNIX03", 0x40000),
                    ("MAP_TPRO", 0x80000),
                ]);
            }
            if py.at_least(3, 8) {
                out.extend([
                    ("MADV_NORMAL", 0),
                    ("MADV_RANDOM", 1),
                    ("MADV_SEQUENTIAL", 2),
                    ("MADV_WILLNEED", 3),
                    ("MADV_DONTNEED", 4),
                    ("MADV_FREE", 5),
                    ("MADV_FREE_REUSABLE", 7),
                    ("MADV_FREE_REUSE", 8),
                ]);
            }
        }
    }
    out
}

// The tests map memory, which the reference does only on Unix hosts.
#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;

    use rstest::rstest;

    use super::*;
    use crate::profile::PyVersion;

    fn py(minor: u8) -> Profile {
        Profile::new(PyVersion::new(3, minor), Platform::Linux)
    }

    fn int(i: i128) -> Value {
        Value::Int(i)
    }

    fn slice(a: Option<i128>, b: Option<i128>, c: Option<i128>) -> Value {
        let part = |x: Option<i128>| x.map(|i| Box::new(Value::Int(i)));
        Value::Slice(part(a), part(b), part(c))
    }

    /// `mmap.mmap(-1, 10)` holding `b"0123456789"`, position 0.
    fn digits(minor: u8) -> Mmap {
        let mut m = Mmap::construct(py(minor), &[int(-1), int(10)], &[]).unwrap();
        m.setitem(
            &slice(None, None, None),
            &Value::Bytes(b"0123456789".to_vec()),
        )
        .unwrap();
        m
    }

    fn py27() -> Profile {
        Profile::new(PyVersion::new(2, 7), Platform::Linux)
    }

    fn bytes(b: &[u8]) -> Value {
        Value::Bytes(b.to_vec())
    }

    /// `mmap.mmap(-1, 10)` on Python 2.7 holding `"0123456789"`, position 0.
    fn digits27() -> Mmap {
        let mut m = Mmap::construct(py27(), &[int(-1), int(10)], &[]).unwrap();
        m.setitem(&slice(None, None, None), &bytes(b"0123456789"))
            .unwrap();
        m
    }

    /// A Python 2.7 map of a file holding `"0123456789"`, opened with `access`.
    fn file_digits27(access: i128) -> (std::fs::File, Mmap) {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"0123456789").unwrap();
        let fd = int(f.as_raw_fd().into());
        let kw = [("access".to_owned(), int(access))];
        let m = Mmap::construct(py27(), &[fd, int(0)], &kw).unwrap();
        (f, m)
    }

    fn call(m: &mut Mmap, name: &str, args: &[Value]) -> Result<Value, Error> {
        m.call(name, args, &[])
    }

    fn err<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[rstest]
    #[case(11, "tell", vec![int(1)], "TypeError: mmap.tell() takes no arguments (1 given)")]
    #[case(8, "tell", vec![int(1)], "TypeError: tell() takes no arguments (1 given)")]
    #[case(11, "read", vec![int(1), int(2)], "TypeError: read() takes at most 1 argument (2 given)")]
    #[case(11, "read", vec![Value::Float(1.5)], "TypeError: argument should be integer or None, not 'float'")]
    #[case(11, "find", vec![Value::Str("1".into())], "TypeError: a bytes-like object is required, not 'str'")]
    #[case(11, "find", vec![Value::Bytes(b"1".to_vec()), Value::Float(1.5)], "TypeError: 'float' object cannot be interpreted as an integer")]
    #[case(9, "find", vec![Value::Bytes(b"1".to_vec()), Value::Float(1.5)], "TypeError: integer argument expected, got float")]
    #[case(11, "seek", vec![int(1 << 64)], "OverflowError: Python int too large to convert to C ssize_t")]
    #[case(11, "seek", vec![int(0), int(1 << 40)], "OverflowError: signed integer is greater than maximum")]
    #[case(11, "write_byte", vec![int(256)], "OverflowError: unsigned byte integer is greater than maximum")]
    #[case(11, "write_byte", vec![int(1 << 64)], "OverflowError: Python int too large to convert to C long")]
    #[case(11, "move", vec![int(1), int(2)], "TypeError: move() takes exactly 3 arguments (2 given)")]
    #[case(11, "__len__", vec![int(1)], "TypeError: expected 0 arguments, got 1")]
    #[case(11, "__setitem__", vec![int(1)], "TypeError:  expected 2 arguments, got 1")]
    #[case(11, "seekable", vec![], "AttributeError: 'mmap.mmap' object has no attribute 'seekable'")]
    #[case(7, "madvise", vec![int(0)], "AttributeError: 'mmap.mmap' object has no attribute 'madvise'")]
    #[case(11, "xyz", vec![], "AttributeError: 'mmap.mmap' object has no attribute 'xyz'")]
    fn call_errors_match_cpython(
        #[case] minor: u8,
        #[case] name: &str,
        #[case] args: Vec<Value>,
        #[case] expected: &str,
    ) {
        assert_eq!(err(call(&mut digits(minor), name, &args)), expected);
    }

    #[rstest]
    #[case("read", vec![], "TypeError: read() takes exactly 1 argument (0 given)")]
    #[case("read", vec![Value::None], "TypeError: an integer is required")]
    #[case("read", vec![Value::Float(1.0)], "TypeError: integer argument expected, got float")]
    #[case("read", vec![Value::Index(1)], "TypeError: an integer is required")]
    #[case("read", vec![int(1 << 64)], "OverflowError: Python int too large to convert to C long")]
    #[case("seek", vec![int(0), Value::Index(0)], "TypeError: an integer is required")]
    #[case("seek", vec![int(0), int(1 << 40)], "OverflowError: signed integer is greater than maximum")]
    #[case("find", vec![Value::ByteArray(b"ca".to_vec())], "TypeError: find() argument 1 must be string or read-only buffer, not bytearray")]
    #[case("rfind", vec![Value::MemoryView(b"ca".to_vec())], "TypeError: rfind() argument 1 must be string or read-only buffer, not memoryview")]
    #[case("find", vec![Value::None], "TypeError: find() argument 1 must be string or read-only buffer, not None")]
    #[case("find", vec![int(1 << 70)], "TypeError: find() argument 1 must be string or read-only buffer, not long")]
    #[case("find", vec![bytes(b"1"), Value::Index(0)], "TypeError: an integer is required")]
    #[case("find", vec![Value::Str("\u{e9}".into())], "UnicodeEncodeError: 'ascii' codec can't encode character u'\\xe9' in position 0: ordinal not in range(128)")]
    #[case("write", vec![Value::ByteArray(b"ab".to_vec())], "TypeError: write() argument 1 must be string or read-only buffer, not bytearray")]
    #[case("write_byte", vec![int(65)], "TypeError: write_byte() argument 1 must be char, not int")]
    #[case("write_byte", vec![int(1 << 70)], "TypeError: write_byte() argument 1 must be char, not long")]
    #[case("write_byte", vec![bytes(b"AB")], "TypeError: write_byte() argument 1 must be char, not str")]
    #[case("write_byte", vec![Value::Str("A".into())], "TypeError: write_byte() argument 1 must be char, not unicode")]
    #[case("write_byte", vec![Value::ByteArray(b"A".to_vec())], "TypeError: write_byte() argument 1 must be char, not bytearray")]
    fn python_2_call_errors_match_cpython_2_7(
        #[case] name: &str,
        #[case] args: Vec<Value>,
        #[case] expected: &str,
    ) {
        assert_eq!(err(call(&mut digits27(), name, &args)), expected);
    }

    #[test]
    fn python_2_methods_take_and_return_str() {
        let mut m = digits27();
        assert_eq!(call(&mut m, "read_byte", &[]), Ok(bytes(b"0")));
        assert_eq!(m.getitem(&int(-1)), Ok(bytes(b"9")));
        assert_eq!(m.getitem(&Value::Index(3)), Ok(bytes(b"3")));
        assert_eq!(call(&mut m, "find", &[Value::Str("23".into())]), Ok(int(2)));
        assert_eq!(call(&mut m, "find", &[Value::Receiver, int(0)]), Ok(int(0)));
        assert_eq!(call(&mut m, "read", &[Value::Bool(true)]), Ok(bytes(b"1")));
        assert_eq!(
            call(&mut m, "write", &[Value::Str("ab".into())]),
            Ok(Value::None)
        );
        assert_eq!(call(&mut m, "write_byte", &[bytes(b"A")]), Ok(Value::None));
        assert_eq!(call(&mut m, "read", &[int(-1)]), Ok(bytes(b"56789")));
        assert_eq!(m.to_bytes().unwrap(), b"01abA56789");
        assert!(m.contains(&Value::Str("A".into())).unwrap());
        assert!(!m.contains(&Value::Str("\u{e9}".into())).unwrap());
        assert!(!m.contains(&int(65)).unwrap());
    }

    #[rstest]
    #[case(int(1 << 70), "IndexError: cannot fit 'long' into an index-sized integer")]
    #[case(Value::Index(1 << 70), "IndexError: cannot fit 'Index' into an index-sized integer")]
    fn python_2_index_overflow_names_the_type(#[case] key: Value, #[case] expected: &str) {
        assert_eq!(err(digits27().getitem(&key)), expected);
        assert_eq!(err(digits27().setitem(&key, &bytes(b"A"))), expected);
    }

    #[rstest]
    #[case(
        int(0),
        Some(int(65)),
        "IndexError: mmap assignment must be single-character string"
    )]
    #[case(
        int(0),
        Some(bytes(b"")),
        "IndexError: mmap assignment must be single-character string"
    )]
    #[case(int(0), Some(Value::Str("A".into())), "IndexError: mmap assignment must be single-character string")]
    #[case(
        int(0),
        Some(bytes(b"A")),
        "TypeError: mmap can't modify a readonly memory map."
    )]
    #[case(int(10), Some(int(65)), "IndexError: mmap index out of range")]
    #[case(int(0), None, "TypeError: mmap object doesn't support item deletion")]
    #[case(slice(Some(0), Some(2), None), Some(Value::ByteArray(b"AB".to_vec())), "IndexError: mmap slice assignment must be a string")]
    #[case(
        slice(Some(0), Some(2), None),
        Some(Value::Receiver),
        "IndexError: mmap slice assignment must be a string"
    )]
    #[case(
        slice(Some(0), Some(2), None),
        Some(bytes(b"A")),
        "IndexError: mmap slice assignment is wrong size"
    )]
    #[case(
        slice(Some(0), Some(2), None),
        Some(bytes(b"AB")),
        "TypeError: mmap can't modify a readonly memory map."
    )]
    #[case(
        slice(Some(0), Some(1), None),
        None,
        "TypeError: mmap object doesn't support slice deletion"
    )]
    #[case(
        Value::Float(1.5),
        Some(bytes(b"A")),
        "TypeError: mmap indices must be integer"
    )]
    fn python_2_assignment_checks_the_value_before_writability(
        #[case] key: Value,
        #[case] value: Option<Value>,
        #[case] expected: &str,
    ) {
        let (_f, mut m) = file_digits27(1);
        let got = match value {
            Some(v) => m.setitem(&key, &v),
            None => m.delitem(&key),
        };
        assert_eq!(err(got), expected);
    }

    #[test]
    fn python_2_assignment_stores_str() {
        let mut m = digits27();
        m.setitem(&int(0), &bytes(b"A")).unwrap();
        m.setitem(&slice(None, None, Some(-3)), &bytes(b"wxyz"))
            .unwrap();
        assert_eq!(m.to_bytes().unwrap(), b"z12y45x78w");
    }

    #[test]
    fn keyword_errors_name_the_method_per_version() {
        let kw = [("x".to_owned(), int(1))];
        let mut m = digits(11);
        assert_eq!(
            err(m.call("find", &[], &kw)),
            "TypeError: mmap.find() takes no keyword arguments"
        );
        assert_eq!(
            err(m.call("__len__", &[], &kw)),
            "TypeError: wrapper __len__() takes no keyword arguments"
        );
        let mut m = digits(10);
        assert_eq!(
            err(m.call("read", &[], &kw)),
            "TypeError: read() takes no keyword arguments"
        );
        assert_eq!(
            err(m.call("tell", &[], &kw)),
            "TypeError: mmap.tell() takes no keyword arguments"
        );
    }

    #[test]
    fn return_values_follow_the_version() {
        let mut m = digits(12);
        assert_eq!(call(&mut m, "seek", &[int(3)]), Ok(Value::None));
        assert_eq!(
            call(&mut m, "write", &[Value::Bytes(b"ab".to_vec())]),
            Ok(int(2))
        );
        assert_eq!(call(&mut m, "flush", &[]), Ok(Value::None));
        let mut m = digits(13);
        assert_eq!(call(&mut m, "seek", &[int(3)]), Ok(int(3)));
        assert_eq!(call(&mut m, "seekable", &[]), Ok(Value::Bool(true)));
        let mut m = digits(7);
        assert_eq!(call(&mut m, "flush", &[]), Ok(int(0)));
    }

    #[test]
    fn constructor_argument_errors() {
        let c = |minor, args: &[Value], kwargs: &[(String, Value)]| {
            err(Mmap::construct(py(minor), args, kwargs))
        };
        let kw = |k: &str, v: Value| vec![(k.to_owned(), v)];
        assert_eq!(
            c(11, &[], &[]),
            "TypeError: function missing required argument 'fileno' (pos 1)"
        );
        assert_eq!(
            c(6, &[int(-1)], &[]),
            "TypeError: Required argument 'length' (pos 2) not found"
        );
        assert_eq!(
            c(11, &[int(-1), int(10)], &kw("trackfd", Value::Bool(false))),
            "TypeError: 'trackfd' is an invalid keyword argument for this function"
        );
        assert_eq!(
            c(13, &[int(-1), int(10)], &kw("bogus", int(1))),
            "TypeError: this function got an unexpected keyword argument 'bogus'"
        );
        assert_eq!(
            c(11, &[int(-1), int(10)], &kw("length", int(10))),
            "TypeError: argument for function given by name ('length') and position (2)"
        );
        let seven: Vec<Value> = [-1, 10, 1, 3, 0, 0, 1].into_iter().map(int).collect();
        assert_eq!(
            c(11, &seven, &[]),
            "TypeError: function takes at most 6 arguments (7 given)"
        );
        assert_eq!(
            c(13, &seven, &[]),
            "TypeError: function takes at most 6 positional arguments (7 given)"
        );
        assert_eq!(
            c(11, &[int(-1), int(10)], &kw("offset", int(1 << 64))),
            "OverflowError: Python int too large to convert to C long"
        );
        assert_eq!(
            c(11, &[int(-1), int(-1)], &kw("access", int(9))),
            "OverflowError: memory mapped length must be positive"
        );
        assert_eq!(
            c(11, &[int(-1), int(10)], &kw("access", int(7))),
            "ValueError: mmap invalid access parameter."
        );
    }

    #[test]
    fn constructor_maps_a_real_fd() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"0123456789").unwrap();
        let fd = int(f.as_raw_fd().into());
        let mut m = Mmap::construct(py(11), &[fd, int(0)], &[("access".into(), int(1))]).unwrap();
        assert_eq!(call(&mut m, "size", &[]), Ok(int(10)));
        assert_eq!(
            m.repr(),
            "<mmap.mmap closed=False, access=ACCESS_READ, length=10, pos=0, offset=0>"
        );
        assert_eq!(
            err(m.setitem(&int(100), &int(1))),
            "TypeError: mmap can't modify a readonly memory map."
        );
    }

    #[rstest]
    #[case(int(-1), Ok(int(57)))]
    #[case(Value::Index(3), Ok(int(51)))]
    #[case(Value::Bool(true), Ok(int(49)))]
    #[case(int(10), Err("IndexError: mmap index out of range"))]
    #[case(int(1 << 70), Err("IndexError: cannot fit 'int' into an index-sized integer"))]
    #[case(Value::Float(1.5), Err("TypeError: mmap indices must be integers"))]
    #[case(slice(Some(8), Some(2), Some(-2)), Ok(Value::Bytes(b"864".to_vec())))]
    #[case(slice(None, None, Some(1 << 70)), Ok(Value::Bytes(b"0".to_vec())))]
    #[case(
        slice(None, None, Some(0)),
        Err("ValueError: slice step cannot be zero")
    )]
    fn getitem_matches_cpython(#[case] key: Value, #[case] expected: Result<Value, &str>) {
        let got = digits(11).getitem(&key).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_owned));
    }

    #[rstest]
    #[case(int(10), Value::Str("xx".into()), "IndexError: mmap index out of range")]
    #[case(int(0), Value::Bytes(b"a".to_vec()), "TypeError: mmap item value must be an int")]
    #[case(
        int(0),
        int(256),
        "ValueError: mmap item value must be in range(0, 256)"
    )]
    #[case(int(0), int(1 << 70), "TypeError: cannot fit 'int' into an index-sized integer")]
    #[case(slice(Some(0), Some(3), None), Value::Bytes(b"xy".to_vec()), "IndexError: mmap slice assignment is wrong size")]
    #[case(slice(Some(0), Some(3), None), Value::Str("abc".into()), "TypeError: a bytes-like object is required, not 'str'")]
    #[case(Value::Str("a".into()), int(1), "TypeError: mmap indices must be integer")]
    fn setitem_errors_match_cpython(
        #[case] key: Value,
        #[case] value: Value,
        #[case] expected: &str,
    ) {
        assert_eq!(err(digits(11).setitem(&key, &value)), expected);
    }

    #[test]
    fn setitem_and_delitem() {
        let mut m = digits(11);
        m.setitem(
            &slice(None, None, Some(-1)),
            &Value::Bytes(b"abcdefghij".to_vec()),
        )
        .unwrap();
        assert_eq!(m.to_bytes().unwrap(), b"jihgfedcba");
        m.setitem(
            &slice(Some(8), Some(100), None),
            &Value::ByteArray(b"AB".to_vec()),
        )
        .unwrap();
        m.setitem(&int(0), &Value::Index(65)).unwrap();
        assert_eq!(m.to_bytes().unwrap(), b"AihgfedcAB");
        assert_eq!(
            err(m.delitem(&int(100))),
            "IndexError: mmap index out of range"
        );
        assert_eq!(
            err(m.delitem(&int(0))),
            "TypeError: mmap doesn't support item deletion"
        );
        assert_eq!(
            err(m.delitem(&slice(Some(0), Some(1), None))),
            "TypeError: mmap object doesn't support slice deletion"
        );
    }

    #[test]
    fn sequence_protocol_yields_one_byte_bytes() {
        let m = digits(11);
        assert!(m.contains(&Value::Bytes(b"1".to_vec())).unwrap());
        assert!(m.contains(&Value::ByteArray(b"9".to_vec())).unwrap());
        assert!(!m.contains(&int(49)).unwrap());
        assert!(!m.contains(&Value::Bytes(b"12".to_vec())).unwrap());
        assert!(!m.contains(&Value::Str("1".into())).unwrap());
        assert_eq!(
            m.iter().unwrap()[..2],
            [Value::Bytes(b"0".to_vec()), Value::Bytes(b"1".to_vec())]
        );
    }

    #[test]
    fn closed_map_behaviour() {
        let mut m = digits(13);
        assert_eq!(call(&mut m, "__enter__", &[]), Ok(Value::Receiver));
        assert_eq!(
            call(&mut m, "__exit__", &[Value::None, Value::None, Value::None]),
            Ok(Value::None)
        );
        assert_eq!(m.getattr("closed"), Ok(Value::Bool(true)));
        assert_eq!(m.repr(), "<mmap.mmap closed=True>");
        assert_eq!(call(&mut m, "close", &[]), Ok(Value::None));
        assert_eq!(call(&mut m, "seekable", &[]), Ok(Value::Bool(true)));
        for name in [
            "read",
            "tell",
            "size",
            "find",
            "flush",
            "__enter__",
            "__len__",
        ] {
            let e = call(&mut m, name, &[]).unwrap_err();
            assert_eq!(
                e.to_string(),
                "ValueError: mmap closed or invalid",
                "{name}"
            );
        }
        assert_eq!(
            err(m.getitem(&int(0))),
            "ValueError: mmap closed or invalid"
        );
        assert_eq!(
            err(m.contains(&int(0))),
            "ValueError: mmap closed or invalid"
        );
        assert_eq!(
            err(call(&mut m, "tell", &[int(1)])),
            "TypeError: mmap.tell() takes no arguments (1 given)"
        );
    }

    #[test]
    fn write_accepts_the_map_itself() {
        let mut m = digits(11);
        call(&mut m, "seek", &[int(5)]).unwrap();
        assert_eq!(
            err(call(&mut m, "write", &[Value::Receiver])),
            "ValueError: data out of range"
        );
        assert_eq!(call(&mut m, "find", &[Value::Receiver, int(0)]), Ok(int(0)));
    }

    #[test]
    fn repr_before_3_9_is_the_default_one() {
        assert_eq!(
            digits(8).repr(),
            format!("<mmap.mmap object at {FAKE_ADDRESS}>")
        );
    }

    #[test]
    fn constants_follow_version_and_platform() {
        let names = |p: Profile| constants(p).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert!(!names(py(6)).contains(&"ACCESS_DEFAULT"));
        assert!(names(py(11)).contains(&"MAP_STACK"));
        assert!(!names(py(10)).contains(&"MAP_STACK"));
        assert!(!names(py(7)).contains(&"MADV_NORMAL"));
        assert!(names(py(13)).contains(&"MAP_32BIT"));
        let win = Profile::new(PyVersion::new(3, 11), Platform::Windows);
        assert_eq!(
            constants(win),
            [
                ("ACCESS_READ", 1),
                ("ACCESS_WRITE", 2),
                ("ACCESS_COPY", 3),
                ("ACCESS_DEFAULT", 0),
                ("PAGESIZE", 4096),
                ("ALLOCATIONGRANULARITY", 65536)
            ]
        );
    }
}
