//! CPython's argument converters as `mmap` uses them, with each version's
//! exact `TypeError`/`OverflowError` texts.
//!
//! `Py_ssize_t`, C `long` and `long long` are 64-bit on the Unix profiles, so
//! all converted integers are `i64`.

use crate::error::{Error, ErrorKind};
use crate::profile::{Profile, PyVersion};
use crate::value::Value;

/// `PY_SSIZE_T_MAX` on a 64-bit build.
pub const SSIZE_MAX: i64 = i64::MAX;
/// `PY_SSIZE_T_MIN` on a 64-bit build.
pub const SSIZE_MIN: i64 = i64::MIN;

/// How a method is declared in CPython's method table; decides its
/// argument-count and keyword error texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `METH_VARARGS` (parsed with `PyArg_ParseTuple`).
    VarArgs,
    /// `METH_NOARGS`.
    NoArgs,
    /// A slot wrapper such as `__len__` (`wrapper_descriptor`).
    SlotWrapper,
}

/// The name a method's call errors use: `mmap.find` from the versions that
/// print the qualified name, `find` before.
fn qualified(profile: Profile, method: &str, flavor: Flavor) -> String {
    let qualify = match flavor {
        Flavor::VarArgs => profile.python.at_least(3, 11),
        Flavor::NoArgs => profile.python.at_least(3, 9),
        Flavor::SlotWrapper => false,
    };
    if qualify {
        format!("mmap.{method}")
    } else {
        method.to_owned()
    }
}

/// Rejects keyword arguments as the method's call machinery does:
/// `mmap.find() takes no keyword arguments` (3.11+), `find() takes …` before;
/// `wrapper __len__() takes no keyword arguments` for slot wrappers.
pub fn no_kwargs(
    profile: Profile,
    method: &str,
    flavor: Flavor,
    kwargs: &[(String, Value)],
) -> Result<(), Error> {
    if kwargs.is_empty() {
        return Ok(());
    }
    Err(Error::type_error(match flavor {
        Flavor::SlotWrapper if profile.python.at_least(3, 7) => {
            format!("wrapper {method}() takes no keyword arguments")
        }
        Flavor::SlotWrapper => format!("wrapper {method} doesn't take keyword arguments"),
        _ => format!(
            "{}() takes no keyword arguments",
            qualified(profile, method, flavor)
        ),
    }))
}

/// A `METH_NOARGS` method called with arguments:
/// `mmap.tell() takes no arguments (1 given)` (3.9+), `tell() takes …` before.
pub fn no_args(
    profile: Profile,
    method: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Result<(), Error> {
    let shown = format!("{}()", qualified(profile, method, Flavor::NoArgs));
    refuse_arguments(&shown, args, kwargs)
}

/// The call machinery of a `METH_NOARGS` function shown as `shown`
/// (`mmap.tell()`, `memoryview.tolist()`, `__sizeof__()`): keywords are
/// refused first, then positional arguments.
pub fn refuse_arguments(
    shown: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Result<(), Error> {
    if !kwargs.is_empty() {
        return Err(Error::type_error(format!(
            "{shown} takes no keyword arguments"
        )));
    }
    if !args.is_empty() {
        return Err(Error::type_error(format!(
            "{shown} takes no arguments ({} given)",
            args.len()
        )));
    }
    Ok(())
}

/// `PyArg_ParseTuple`'s count check for format `…:method` with `min`
/// required and `max` total arguments: `write() takes exactly 1 argument (0 given)`,
/// `find() takes at least 1 argument (0 given)`, `read() takes at most 1 argument (2 given)`.
pub fn arity(method: &str, args: &[Value], min: usize, max: usize) -> Result<(), Error> {
    let n = args.len();
    if (min..=max).contains(&n) {
        return Ok(());
    }
    let (how, count) = if min == max {
        ("exactly", min)
    } else if n < min {
        ("at least", min)
    } else {
        ("at most", max)
    };
    let s = if count == 1 { "" } else { "s" };
    Err(Error::type_error(format!(
        "{method}() takes {how} {count} argument{s} ({n} given)"
    )))
}

/// A slot wrapper's count check (`check_num_args`): `expected 0 arguments, got 1`
/// (before 3.8 always "arguments").
pub fn slot_arity(profile: Profile, args: &[Value], n: usize) -> Result<(), Error> {
    if args.len() == n {
        return Ok(());
    }
    let s = if n == 1 && profile.python.at_least(3, 8) {
        ""
    } else {
        "s"
    };
    Err(Error::type_error(format!(
        "expected {n} argument{s}, got {}",
        args.len()
    )))
}

/// `PyArg_UnpackTuple(args, "", n, n, …)` as `__setitem__`'s wrapper uses it:
/// ` expected 2 arguments, got 1` (the empty function name leaves a leading space).
pub fn unpack_arity(args: &[Value], n: usize) -> Result<(), Error> {
    if args.len() == n {
        return Ok(());
    }
    let s = if n == 1 { "" } else { "s" };
    Err(Error::type_error(format!(
        " expected {n} argument{s}, got {}",
        args.len()
    )))
}

/// The C integer an argument converter produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntCode {
    /// `n`: `Py_ssize_t`.
    Ssize,
    /// `i`: C `int`.
    Int,
    /// `L`: C `long long` (`off_t` for `offset`).
    LongLong,
    /// `b`: unsigned char, range-checked 0..=255.
    UByte,
}

/// Converts `v` as `PyArg_Parse*` format code `code` would.
///
/// * float: `integer argument expected, got float` (2.7–3.9), `'float' object
///   cannot be interpreted as an integer` (3.10+);
/// * other non-integers: `'str' object cannot be interpreted as an integer`
///   for `n` (all 3.x) and for `i`/`b`/`L` from 3.10; `an integer is required
///   (got type str)` for `i`/`b`/`L` before 3.10; `an integer is required`
///   for every code on 2.7;
/// * objects with only `__index__`: accepted by `n` (3.x), by `i`/`b`/`L`
///   from 3.8; before that `an integer is required (got type X)`; on 2.7 no
///   code accepts them (its converters call `__int__`, not `__index__`);
/// * range: OverflowError `Python int too large to convert to C ssize_t` (`n`
///   on 3.x), `Python int too large to convert to C long` (`i`/`b`/`L`, and
///   `n` on 2.7, beyond 64 bits), `signed integer is greater than maximum` /
///   `… less than minimum` (`i`), `unsigned byte integer is greater than
///   maximum` / `… less than minimum` (`b`).
pub fn int(profile: Profile, v: &Value, code: IntCode) -> Result<i64, Error> {
    let py = profile.python;
    let n = if py.major == 2 {
        int_value_py2(v)?
    } else {
        int_value_py3(profile, v, code)?
    };
    let Ok(n) = i64::try_from(n) else {
        return Err(Error::overflow_error(match code {
            IntCode::Ssize if py.major > 2 => "Python int too large to convert to C ssize_t",
            _ => "Python int too large to convert to C long",
        }));
    };
    match code {
        IntCode::Int if n > i64::from(i32::MAX) => Err(Error::overflow_error(
            "signed integer is greater than maximum",
        )),
        IntCode::Int if n < i64::from(i32::MIN) => {
            Err(Error::overflow_error("signed integer is less than minimum"))
        }
        IntCode::UByte if n > 255 => Err(Error::overflow_error(
            "unsigned byte integer is greater than maximum",
        )),
        IntCode::UByte if n < 0 => Err(Error::overflow_error(
            "unsigned byte integer is less than minimum",
        )),
        _ => Ok(n),
    }
}

/// The integer a Python 3 converter takes from `v`, before its range check.
fn int_value_py3(profile: Profile, v: &Value, code: IntCode) -> Result<i128, Error> {
    let py = profile.python;
    let modern = py.at_least(3, 10);
    match v {
        Value::Float(_) if !modern => {
            Err(Error::type_error("integer argument expected, got float"))
        }
        v if v.is_index_object() && code != IntCode::Ssize && !py.at_least(3, 8) => {
            Err(Error::type_error(format!(
                "an integer is required (got type {})",
                v.type_name()
            )))
        }
        _ => match v.as_index() {
            Some(n) => Ok(n),
            None if modern || code == IntCode::Ssize => Err(cannot_interpret(v)),
            None => Err(Error::type_error(format!(
                "an integer is required (got type {})",
                v.type_name()
            ))),
        },
    }
}

/// The integer a Python 2.7 converter (`n`, `i`, `L`) takes from `v`, before
/// its range check: floats are refused by name, then `PyInt_AsLong` takes
/// ints, longs and bools and refuses the rest, `__index__`-only objects included.
fn int_value_py2(v: &Value) -> Result<i128, Error> {
    match v {
        Value::Float(_) => Err(Error::type_error("integer argument expected, got float")),
        Value::Bool(b) => Ok(i128::from(*b)),
        Value::Int(i) => Ok(*i),
        _ => Err(Error::type_error("an integer is required")),
    }
}

/// TypeError `'X' object cannot be interpreted as an integer`.
fn cannot_interpret(v: &Value) -> Error {
    Error::type_error(format!(
        "'{}' object cannot be interpreted as an integer",
        v.type_name()
    ))
}

/// `read()`'s converter (`_Py_convert_optional_to_ssize_t`): `None` → no limit.
///
/// 3.7+: non-integers → `argument should be integer or None, not 'float'`.
/// 3.6: floats → `'float' object cannot be interpreted as an integer`, other
/// non-ints (including `__index__`-only objects) → `integer argument expected, got 'str'`.
/// Too large: OverflowError `cannot fit 'int' into an index-sized integer`
/// (naming the argument's type: `'Index'` for an `__index__` object).
pub fn optional_ssize(profile: Profile, v: &Value) -> Result<Option<i64>, Error> {
    let n = match v {
        Value::None => return Ok(None),
        v if v.is_index_object() && !profile.python.at_least(3, 7) => {
            return Err(Error::type_error(format!(
                "integer argument expected, got '{}'",
                v.type_name()
            )));
        }
        Value::Float(_) if !profile.python.at_least(3, 7) => return Err(cannot_interpret(v)),
        _ => match v.as_index() {
            Some(n) => n,
            None if profile.python.at_least(3, 7) => {
                return Err(Error::type_error(format!(
                    "argument should be integer or None, not '{}'",
                    v.type_name()
                )));
            }
            None => {
                return Err(Error::type_error(format!(
                    "integer argument expected, got '{}'",
                    v.type_name()
                )));
            }
        },
    };
    i64::try_from(n).map(Some).map_err(|_| {
        Error::overflow_error(format!(
            "cannot fit '{}' into an index-sized integer",
            v.type_name()
        ))
    })
}

/// True when [`int`]'s converter `code` calls `v.__index__()`: for objects
/// with `__index__` that are not integers, on Python 3, where the converter
/// accepts them (`n` always, `i`/`b`/`L` from 3.8). Python 2.7's converters
/// never do.
pub fn int_calls_index(profile: Profile, v: &Value, code: IntCode) -> bool {
    let py = profile.python;
    v.is_index_object() && py.major > 2 && (code == IntCode::Ssize || py.at_least(3, 8))
}

/// True when [`optional_ssize`] calls `v.__index__()` (3.7+, where it
/// accepts objects with `__index__`).
pub fn optional_ssize_calls_index(profile: Profile, v: &Value) -> bool {
    v.is_index_object() && profile.python.at_least(3, 7)
}

/// `PyNumber_AsSsize_t(key, exc)` for a `key` already known to have
/// `__index__` with value `n`: out of range raises `exc` with `cannot fit
/// 'int' into an index-sized integer`, naming the key's own type: `'int'`,
/// the class of an `__index__` object, or on 2.7 `'long'`.
pub fn index_or(
    profile: Profile,
    key: &Value,
    n: i128,
    exc: fn(String) -> Error,
) -> Result<i64, Error> {
    let type_name = if profile.python.major == 2 {
        key.py2_type_name()
    } else {
        key.type_name()
    };
    i64::try_from(n).map_err(|_| {
        exc(format!(
            "cannot fit '{type_name}' into an index-sized integer"
        ))
    })
}

/// The `y*` converter (buffer protocol): bytes-like objects only; anything
/// else → TypeError `a bytes-like object is required, not 'str'`.
/// [`Value::Receiver`] (the map itself) is handled by the caller.
pub fn buffer(python: PyVersion, v: &Value) -> Result<&[u8], Error> {
    v.as_buffer_in(python).ok_or_else(|| not_bytes_like(v))
}

/// TypeError `a bytes-like object is required, not 'X'`.
pub fn not_bytes_like(v: &Value) -> Error {
    Error::type_error(format!(
        "a bytes-like object is required, not '{}'",
        v.type_name()
    ))
}

/// TypeError `find() argument 1 must be string or read-only buffer, not
/// bytearray`: Python 2.7's `converterr` text for argument `position` of
/// `method`, which expected `expected`. `None` is named `None`, other values
/// by their 2.7 type name.
fn py2_converter_error(method: &str, position: usize, expected: &str, v: &Value) -> Error {
    let got = match v {
        Value::None => "None",
        v => v.py2_type_name(),
    };
    Error::type_error(format!(
        "{method}() argument {position} must be {expected}, not {got}"
    ))
}

/// Python 2.7's `s#` converter for argument `position` of `method`: a `str`
/// as is, a `unicode` encoded with the default (ASCII) codec, and objects with
/// the old read-only buffer protocol. `bytearray` and `memoryview` do not
/// qualify (they define `bf_releasebuffer`); [`Value::Receiver`] (the map
/// itself, which does) is handled by the caller.
///
/// # Errors
///
/// TypeError `find() argument 1 must be string or read-only buffer, not
/// bytearray`; UnicodeEncodeError for non-ASCII text (see [`ascii_encode`]).
pub fn py2_string_or_buffer(method: &str, position: usize, v: &Value) -> Result<Vec<u8>, Error> {
    match v {
        Value::Bytes(b) => Ok(b.clone()),
        Value::Str(s) => ascii_encode(s),
        v => Err(py2_converter_error(
            method,
            position,
            "string or read-only buffer",
            v,
        )),
    }
}

/// Python 2.7's `c` converter for argument `position` of `method`: a `str` of
/// length 1 gives its byte; anything else (an int, a longer `str`, a 1-character
/// `unicode` or `bytearray`) is refused.
///
/// # Errors
///
/// TypeError `write_byte() argument 1 must be char, not int`.
pub fn py2_char(method: &str, position: usize, v: &Value) -> Result<u8, Error> {
    match v {
        Value::Bytes(b) if b.len() == 1 => Ok(b[0]),
        v => Err(py2_converter_error(method, position, "char", v)),
    }
}

/// `unicode.encode("ascii")` as Python 2.7 does it implicitly (its default
/// encoding is ASCII).
///
/// # Errors
///
/// UnicodeEncodeError naming the first run of non-ASCII characters:
/// `'ascii' codec can't encode character u'\xe9' in position 0: ordinal not
/// in range(128)` for a run of one (`u'\u20ac'`, `u'\U0001f600'` for wider
/// characters), `… can't encode characters in position 1-2: …` for longer runs.
/// Positions count characters (2.7 on Linux is a UCS-4 build).
pub fn ascii_encode(s: &str) -> Result<Vec<u8>, Error> {
    if s.is_ascii() {
        return Ok(s.as_bytes().to_vec());
    }
    let mut chars = s.chars().enumerate().skip_while(|(_, c)| c.is_ascii());
    let (start, first) = chars
        .next()
        .expect("a non-ASCII string has a non-ASCII char");
    let run = 1 + chars.take_while(|(_, c)| !c.is_ascii()).count();
    let what = if run == 1 {
        let c = u32::from(first);
        let escaped = match c {
            0..=0xff => format!("x{c:02x}"),
            0x100..=0xffff => format!("u{c:04x}"),
            _ => format!("U{c:08x}"),
        };
        format!("character u'\\{escaped}' in position {start}")
    } else {
        format!("characters in position {start}-{}", start + run - 1)
    };
    Err(Error::new(
        ErrorKind::UnicodeEncodeError,
        format!("'ascii' codec can't encode {what}: ordinal not in range(128)"),
    ))
}

/// Python's truth value (`p` converter), for the values the harness sends.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(x) => *x != 0.0,
        Value::Bytes(b) | Value::ByteArray(b) | Value::MemoryView(b) => !b.is_empty(),
        Value::Str(s) => !s.is_empty(),
        Value::Tuple(items) | Value::List(items) => !items.is_empty(),
        Value::Index(_)
        | Value::ClosingIndex(..)
        | Value::Buffer(_)
        | Value::Slice(..)
        | Value::Receiver => true,
    }
}

/// A slice after `PySlice_Unpack` + `PySlice_AdjustIndices`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceIndices {
    /// First index.
    pub start: i64,
    /// Step (never 0).
    pub step: i64,
    /// Number of selected items.
    pub len: usize,
}

impl SliceIndices {
    /// The selected positions, in order.
    pub fn positions(self) -> impl Iterator<Item = usize> {
        (0..self.len as i64).map(move |k| (self.start + k * self.step) as usize)
    }
}

/// `_PyEval_SliceIndex`: None → default, `__index__` values clamp to the
/// `Py_ssize_t` range, anything else → TypeError.
fn slice_part(v: Option<&Value>, default: i64) -> Result<i64, Error> {
    match v {
        None | Some(Value::None) => Ok(default),
        Some(v) => match v.as_index() {
            Some(n) => Ok(n.clamp(i128::from(SSIZE_MIN), i128::from(SSIZE_MAX)) as i64),
            None => Err(Error::type_error(
                "slice indices must be integers or None or have an __index__ method",
            )),
        },
    }
}

/// `PySlice_Unpack` then `PySlice_AdjustIndices(length, …)`: step first
/// (`slice step cannot be zero`), then start, then stop.
pub fn slice(
    start: Option<&Value>,
    stop: Option<&Value>,
    step: Option<&Value>,
    length: usize,
) -> Result<SliceIndices, Error> {
    let step = slice_part(step, 1)?;
    if step == 0 {
        return Err(Error::value_error("slice step cannot be zero"));
    }
    let step = step.max(-SSIZE_MAX);
    let mut start = slice_part(start, if step < 0 { SSIZE_MAX } else { 0 })?;
    let mut stop = slice_part(stop, if step < 0 { SSIZE_MIN } else { SSIZE_MAX })?;
    let length = length as i64;
    let adjust = |i: &mut i64| {
        if *i < 0 {
            *i += length;
            if *i < 0 {
                *i = if step < 0 { -1 } else { 0 };
            }
        } else if *i >= length {
            *i = if step < 0 { length - 1 } else { length };
        }
    };
    adjust(&mut start);
    adjust(&mut stop);
    let len = if step < 0 {
        if stop < start {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        }
    } else if start < stop {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    Ok(SliceIndices {
        start,
        step,
        len: len as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Platform, PyVersion};
    use rstest::rstest;

    fn py(minor: u8) -> Profile {
        Profile::new(PyVersion::new(3, minor), Platform::Linux)
    }

    fn msg<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[rstest]
    #[case(
        11,
        Value::Float(1.5),
        IntCode::Ssize,
        "TypeError: 'float' object cannot be interpreted as an integer"
    )]
    #[case(
        9,
        Value::Float(1.5),
        IntCode::Ssize,
        "TypeError: integer argument expected, got float"
    )]
    #[case(6, Value::Str("a".into()), IntCode::Ssize, "TypeError: 'str' object cannot be interpreted as an integer")]
    #[case(9, Value::Str("a".into()), IntCode::Int, "TypeError: an integer is required (got type str)")]
    #[case(
        7,
        Value::Index(1),
        IntCode::Int,
        "TypeError: an integer is required (got type Index)"
    )]
    #[case(11, Value::Int(1 << 64), IntCode::Ssize, "OverflowError: Python int too large to convert to C ssize_t")]
    #[case(11, Value::Int(1 << 64), IntCode::LongLong, "OverflowError: Python int too large to convert to C long")]
    #[case(11, Value::Int(1 << 40), IntCode::Int, "OverflowError: signed integer is greater than maximum")]
    #[case(11, Value::Int(-(1 << 40)), IntCode::Int, "OverflowError: signed integer is less than minimum")]
    #[case(
        11,
        Value::Int(256),
        IntCode::UByte,
        "OverflowError: unsigned byte integer is greater than maximum"
    )]
    #[case(11, Value::Int(-1), IntCode::UByte, "OverflowError: unsigned byte integer is less than minimum")]
    #[case(11, Value::Bytes(b"a".to_vec()), IntCode::UByte, "TypeError: 'bytes' object cannot be interpreted as an integer")]
    fn int_converter_errors(
        #[case] minor: u8,
        #[case] v: Value,
        #[case] code: IntCode,
        #[case] expected: &str,
    ) {
        assert_eq!(msg(int(py(minor), &v, code)), expected);
    }

    #[rstest]
    #[case(
        Value::Float(1.0),
        IntCode::Ssize,
        "TypeError: integer argument expected, got float"
    )]
    #[case(Value::None, IntCode::Ssize, "TypeError: an integer is required")]
    #[case(Value::Index(1), IntCode::Ssize, "TypeError: an integer is required")]
    #[case(Value::Str("a".into()), IntCode::Int, "TypeError: an integer is required")]
    #[case(
        Value::Index(0),
        IntCode::LongLong,
        "TypeError: an integer is required"
    )]
    #[case(Value::Int(1 << 64), IntCode::Ssize, "OverflowError: Python int too large to convert to C long")]
    #[case(Value::Int(-(1 << 64)), IntCode::LongLong, "OverflowError: Python int too large to convert to C long")]
    #[case(Value::Int(1 << 64), IntCode::Int, "OverflowError: Python int too large to convert to C long")]
    #[case(Value::Int(-(1 << 40)), IntCode::Int, "OverflowError: signed integer is less than minimum")]
    fn int_converter_errors_on_python_2(
        #[case] v: Value,
        #[case] code: IntCode,
        #[case] expected: &str,
    ) {
        let py27 = Profile::new(PyVersion::new(2, 7), Platform::Linux);
        assert_eq!(msg(int(py27, &v, code)), expected);
    }

    #[rstest]
    #[case("a\u{e9}\u{e9}b", "characters in position 1-2")]
    #[case("ab\u{e9}", "character u'\\xe9' in position 2")]
    #[case("\u{e9}a\u{e9}", "character u'\\xe9' in position 0")]
    #[case("\u{20ac}", "character u'\\u20ac' in position 0")]
    #[case("\u{1f600}", "character u'\\U0001f600' in position 0")]
    fn ascii_encode_errors_match_python_2(#[case] s: &str, #[case] what: &str) {
        assert_eq!(
            msg(ascii_encode(s)),
            format!(
                "UnicodeEncodeError: 'ascii' codec can't encode {what}: ordinal not in range(128)"
            )
        );
    }

    #[test]
    fn python_2_str_converters() {
        assert_eq!(ascii_encode("abc"), Ok(b"abc".to_vec()));
        assert_eq!(
            py2_string_or_buffer("find", 1, &Value::Str("1".into())),
            Ok(b"1".to_vec())
        );
        assert_eq!(
            py2_char("write_byte", 1, &Value::Bytes(b"A".to_vec())),
            Ok(b'A')
        );
        assert_eq!(
            msg(py2_char("write_byte", 1, &Value::None)),
            "TypeError: write_byte() argument 1 must be char, not None"
        );
    }

    #[test]
    fn int_converter_accepts_bool_and_index() {
        assert_eq!(int(py(11), &Value::Bool(true), IntCode::UByte), Ok(1));
        assert_eq!(int(py(8), &Value::Index(-3), IntCode::Int), Ok(-3));
        assert_eq!(int(py(6), &Value::Index(7), IntCode::Ssize), Ok(7));
    }

    #[test]
    fn read_converter_messages() {
        assert_eq!(optional_ssize(py(11), &Value::None), Ok(None));
        assert_eq!(
            msg(optional_ssize(py(11), &Value::Float(1.5))),
            "TypeError: argument should be integer or None, not 'float'"
        );
        assert_eq!(
            msg(optional_ssize(py(6), &Value::Str("a".into()))),
            "TypeError: integer argument expected, got 'str'"
        );
        assert_eq!(
            msg(optional_ssize(py(11), &Value::Int(1 << 64))),
            "OverflowError: cannot fit 'int' into an index-sized integer"
        );
    }

    #[test]
    fn call_shape_messages() {
        assert_eq!(
            msg(no_args(py(11), "tell", &[Value::Int(1)], &[])),
            "TypeError: mmap.tell() takes no arguments (1 given)"
        );
        assert_eq!(
            msg(no_args(py(8), "tell", &[Value::Int(1)], &[])),
            "TypeError: tell() takes no arguments (1 given)"
        );
        let kw = [("x".to_owned(), Value::Int(1))];
        assert_eq!(
            msg(no_kwargs(py(11), "find", Flavor::VarArgs, &kw)),
            "TypeError: mmap.find() takes no keyword arguments"
        );
        assert_eq!(
            msg(no_kwargs(py(10), "find", Flavor::VarArgs, &kw)),
            "TypeError: find() takes no keyword arguments"
        );
        assert_eq!(
            msg(arity("read", &[Value::Int(1), Value::Int(2)], 0, 1)),
            "TypeError: read() takes at most 1 argument (2 given)"
        );
        assert_eq!(
            msg(arity("move", &[], 3, 3)),
            "TypeError: move() takes exactly 3 arguments (0 given)"
        );
        assert_eq!(
            msg(arity("find", &[], 1, 3)),
            "TypeError: find() takes at least 1 argument (0 given)"
        );
    }

    #[rstest]
    #[case(None, None, Some(-1), 10, 9, -1, 10)]
    #[case(Some(8), Some(2), Some(-2), 10, 8, -2, 3)]
    #[case(Some(1), Some(8), Some(3), 10, 1, 3, 3)]
    #[case(Some(5), Some(2), None, 10, 5, 1, 0)]
    #[case(None, None, Some(1 << 70), 10, 0, i64::MAX, 1)]
    #[case(Some(-(1 << 70)), Some(1 << 70), None, 10, 0, 1, 10)]
    fn slice_matches_python(
        #[case] start: Option<i128>,
        #[case] stop: Option<i128>,
        #[case] step: Option<i128>,
        #[case] length: usize,
        #[case] s0: i64,
        #[case] st: i64,
        #[case] n: usize,
    ) {
        let v = |x: Option<i128>| x.map(Value::Int);
        let (a, b, c) = (v(start), v(stop), v(step));
        let got = slice(a.as_ref(), b.as_ref(), c.as_ref(), length).unwrap();
        assert_eq!(
            got,
            SliceIndices {
                start: s0,
                step: st,
                len: n
            }
        );
    }

    #[test]
    fn slice_checks_step_before_bounds() {
        let f = Value::Float(1.5);
        let zero = Value::Int(0);
        assert_eq!(
            msg(slice(Some(&f), None, Some(&zero), 3)),
            "ValueError: slice step cannot be zero"
        );
        assert_eq!(
            msg(slice(Some(&f), None, None, 3)),
            "TypeError: slice indices must be integers or None or have an __index__ method"
        );
    }
}
