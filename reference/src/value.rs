//! Python-like values: what the dynamic layer takes as arguments and returns.
//!
//! Half of `mmap`'s interesting behaviour is argument handling (`find("3")`,
//! `m[1.5]`, `write_byte(256)`), so arguments keep their Python type.

use std::fmt;
use std::rc::Rc;

use crate::buffer::SharedMmap;
use crate::mmap::Mmap;
use crate::profile::PyVersion;

/// The map a [`Value::ClosingIndex`] closes, compared by identity.
#[derive(Clone)]
pub struct MapRef(pub SharedMmap);

impl MapRef {
    /// True when this is the map `m` itself.
    pub fn is(&self, m: &Mmap) -> bool {
        std::ptr::eq(self.0.as_ptr(), m)
    }
}

impl PartialEq for MapRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for MapRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MapRef({:p})", self.0.as_ptr())
    }
}

/// A Python value as far as `mmap`'s API can see it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// `int` (scenarios need values up to about `2**100`)
    Int(i128),
    /// `float`
    Float(f64),
    /// `bytes` (a `str` on Python 2)
    Bytes(Vec<u8>),
    /// `str` (`unicode` on Python 2)
    Str(String),
    /// `bytearray`
    ByteArray(Vec<u8>),
    /// A read-only `memoryview` over bytes that are not the map's own.
    MemoryView(Vec<u8>),
    /// An instance of a class whose `__index__` returns this integer.
    Index(i128),
    /// `ClosingIndex(m, n)`: an instance of a class whose `__index__` closes
    /// the map `m` and then returns `n`. Converting it is a step with a side
    /// effect, which the dynamic layer runs where CPython's argument parser
    /// calls `__index__` (see `Mmap::call`).
    ClosingIndex(i128, MapRef),
    /// An instance of a class whose `__buffer__` exports these bytes.
    Buffer(Vec<u8>),
    /// A `slice(start, stop, step)`.
    Slice(Option<Box<Value>>, Option<Box<Value>>, Option<Box<Value>>),
    /// `tuple`
    Tuple(Vec<Value>),
    /// `list`
    List(Vec<Value>),
    /// The object a method was called on (what `__enter__` returns).
    Receiver,
}

impl Value {
    /// `type(v).__name__` as CPython 3 spells it in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Bytes(_) => "bytes",
            Value::Str(_) => "str",
            Value::ByteArray(_) => "bytearray",
            Value::MemoryView(_) => "memoryview",
            Value::Index(_) => "Index",
            Value::ClosingIndex(..) => "ClosingIndex",
            Value::Buffer(_) => "Buffer",
            Value::Slice(..) => "slice",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Receiver => "mmap.mmap",
        }
    }

    /// `type(v).__name__` as CPython 2.7 spells it in messages: `str` for
    /// bytes, `unicode` for text, and `long` for an int beyond a C `long`
    /// (`sys.maxint`), which Python 2 keeps in a separate type.
    pub fn py2_type_name(&self) -> &'static str {
        match self {
            Value::Int(i) if i64::try_from(*i).is_err() => "long",
            Value::Bytes(_) => "str",
            Value::Str(_) => "unicode",
            v => v.type_name(),
        }
    }

    /// The integer `operator.index(v)` gives, if `v` has `__index__`.
    pub fn as_index(&self) -> Option<i128> {
        match *self {
            Value::Bool(b) => Some(i128::from(b)),
            Value::Int(i) | Value::Index(i) | Value::ClosingIndex(i, _) => Some(i),
            _ => None,
        }
    }

    /// True for objects that are not integers but have `__index__`, whose
    /// conversion therefore calls Python code ([`Value::Index`],
    /// [`Value::ClosingIndex`]).
    pub fn is_index_object(&self) -> bool {
        matches!(self, Value::Index(_) | Value::ClosingIndex(..))
    }

    /// The bytes of a bytes-like object (the buffer protocol), if `v` is one.
    pub fn as_buffer(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) | Value::ByteArray(b) | Value::MemoryView(b) => Some(b),
            _ => None,
        }
    }

    /// The bytes `python` takes from `v` through the buffer protocol: a
    /// bytes-like object's, or from 3.12 (PEP 688) those an object exports
    /// through a Python-level `__buffer__`, which earlier versions ignore.
    pub fn as_buffer_in(&self, python: PyVersion) -> Option<&[u8]> {
        match self {
            Value::Buffer(b) if python.at_least(3, 12) => Some(b),
            v => v.as_buffer(),
        }
    }
}

/// Writes `bytes` as Python's `repr` does: `b'...'` with `\x..` escapes,
/// double quotes when the bytes hold `'` but no `"`.
pub fn write_bytes_repr(f: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    f.write_char('b')?;
    f.write_char(quote as char)?;
    for &b in bytes {
        match b {
            b'\\' => f.write_str("\\\\")?,
            b'\t' => f.write_str("\\t")?,
            b'\n' => f.write_str("\\n")?,
            b'\r' => f.write_str("\\r")?,
            _ if b == quote => write!(f, "\\{}", b as char)?,
            0x20..=0x7e => f.write_char(b as char)?,
            _ => write!(f, "\\x{b:02x}")?,
        }
    }
    f.write_char(quote as char)
}

/// Writes `s` as Python 3's `repr` of a `str` does for printable text.
pub fn write_str_repr(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    f.write_char(quote)?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\t' => f.write_str("\\t")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            _ if c == quote => write!(f, "\\{c}")?,
            _ if (c as u32) < 0x20 || c as u32 == 0x7f => write!(f, "\\x{:02x}", c as u32)?,
            _ => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

impl fmt::Display for Value {
    /// The value's Python `repr`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, items: &[Value]) -> fmt::Result {
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            Ok(())
        }
        fn opt(v: &Option<Box<Value>>) -> String {
            v.as_ref()
                .map_or_else(|| "None".to_owned(), |v| v.to_string())
        }
        match self {
            Value::None => f.write_str("None"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write_float_repr(f, *x),
            Value::Bytes(b) => write_bytes_repr(f, b),
            Value::Str(s) => write_str_repr(f, s),
            Value::ByteArray(b) => {
                f.write_str("bytearray(")?;
                write_bytes_repr(f, b)?;
                f.write_str(")")
            }
            Value::MemoryView(b) => {
                f.write_str("memoryview(")?;
                write_bytes_repr(f, b)?;
                f.write_str(")")
            }
            Value::Index(i) => write!(f, "Index({i})"),
            Value::ClosingIndex(i, _) => write!(f, "ClosingIndex({i})"),
            Value::Buffer(b) => {
                f.write_str("Buffer(")?;
                write_bytes_repr(f, b)?;
                f.write_str(")")
            }
            Value::Slice(a, b, c) => write!(f, "slice({}, {}, {})", opt(a), opt(b), opt(c)),
            Value::Tuple(items) => {
                f.write_str("(")?;
                seq(f, items)?;
                if items.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            Value::List(items) => {
                f.write_str("[")?;
                seq(f, items)?;
                f.write_str("]")
            }
            Value::Receiver => f.write_str("<receiver>"),
        }
    }
}

/// Python's `repr(float)` for the values scenarios use: shortest round-trip
/// digits, always with a `.` or exponent.
fn write_float_repr(f: &mut impl fmt::Write, x: f64) -> fmt::Result {
    if x.is_nan() {
        f.write_str("nan")
    } else if x.is_infinite() {
        f.write_str(if x > 0.0 { "inf" } else { "-inf" })
    } else if x == x.trunc() && x.abs() < 1e16 {
        write!(f, "{x:.1}")
    } else {
        write!(f, "{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_level_exporters_are_buffers_from_3_12() {
        let exporter = Value::Buffer(b"ab".to_vec());
        assert_eq!(exporter.as_buffer_in(PyVersion::new(3, 11)), None);
        assert_eq!(
            exporter.as_buffer_in(PyVersion::new(3, 12)),
            Some(&b"ab"[..])
        );
        assert_eq!(exporter.as_buffer(), None);
        let bytes = Value::Bytes(b"c".to_vec());
        assert_eq!(bytes.as_buffer_in(PyVersion::new(2, 7)), Some(&b"c"[..]));
    }

    #[test]
    fn bytes_repr_matches_python() {
        let r = |b: &[u8]| Value::Bytes(b.to_vec()).to_string();
        assert_eq!(r(b"abc"), "b'abc'");
        assert_eq!(r(b"a'b"), "b\"a'b\"");
        assert_eq!(r(b"a'b\""), "b'a\\'b\"'");
        assert_eq!(r(b"\x00\xff\n\\"), "b'\\x00\\xff\\n\\\\'");
    }

    #[test]
    fn containers_repr_matches_python() {
        let t = Value::Tuple(vec![Value::Int(1)]);
        assert_eq!(t.to_string(), "(1,)");
        let l = Value::List(vec![Value::Bytes(b"0".to_vec()), Value::None]);
        assert_eq!(l.to_string(), "[b'0', None]");
        assert_eq!(Value::Float(1.5).to_string(), "1.5");
        assert_eq!(Value::Float(2.0).to_string(), "2.0");
    }

    #[test]
    fn python_2_type_names() {
        assert_eq!(Value::Bytes(b"a".to_vec()).py2_type_name(), "str");
        assert_eq!(Value::Str("a".into()).py2_type_name(), "unicode");
        assert_eq!(Value::Int(i64::MAX.into()).py2_type_name(), "int");
        assert_eq!(Value::Int(1 << 63).py2_type_name(), "long");
        assert_eq!(Value::Int(-(1 << 70)).py2_type_name(), "long");
        assert_eq!(Value::ByteArray(vec![]).py2_type_name(), "bytearray");
    }
}
