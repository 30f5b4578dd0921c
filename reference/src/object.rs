//! What a map does under Python's generic object machinery: `pickle.dumps(m)`,
//! `copy.copy(m)` / `copy.deepcopy(m)` (all refused, each version with its
//! own text, except Python 2.7's protocol 2) and `m.__sizeof__()`.

use crate::args::{self, IntCode};
use crate::error::Error;
use crate::mmap::Mmap;
use crate::profile::{Platform, PyVersion};
use crate::value::Value;

/// What Python 2.7's `pickle.dumps(m, 2)` returns: `object.__reduce_ex__(2)`
/// of 2.7 does not refuse types without a reduction, so the map pickles as a
/// bare `copy_reg.__newobj__(mmap.mmap)` call (which cannot be unpickled:
/// the constructor needs its arguments).
pub const PY2_PROTOCOL_2_PICKLE: &[u8] = b"\x80\x02cmmap\nmmap\nq\x00)\x81q\x01.";

/// `pickle.HIGHEST_PROTOCOL` of `py`.
fn highest_protocol(py: PyVersion) -> i64 {
    if py.major == 2 {
        2
    } else if py.at_least(3, 8) {
        5
    } else if py.at_least(3, 4) {
        4
    } else {
        3
    }
}

/// `pickle.DEFAULT_PROTOCOL` of `py` (Python 2.7's `dumps` defaults to 0).
fn default_protocol(py: PyVersion) -> i64 {
    if py.major == 2 {
        0
    } else if py.at_least(3, 14) {
        5
    } else if py.at_least(3, 8) {
        4
    } else {
        3
    }
}

impl Mmap {
    /// Equivalent to Python's `m.__reduce_ex__(protocol)` as `pickle` and
    /// `copy` call it: protocols 0 and 1 go through `copyreg._reduce_ex`,
    /// which refuses the type by its `__name__`; 2 and later through
    /// `object.__reduce_ex__`, which refuses it by its qualified name from
    /// Python 3 on and lets it through on 2.7.
    ///
    /// # Errors
    ///
    /// TypeError `cannot pickle 'mmap' object` (protocol < 2) / `cannot
    /// pickle 'mmap.mmap' object` (3.8+); `can't pickle mmap objects` /
    /// `can't pickle mmap.mmap objects` before 3.8.
    fn reduce_ex(&self, protocol: i64) -> Result<(), Error> {
        let py = self.profile.python;
        let name = if protocol < 2 {
            "mmap"
        } else if py.major == 2 {
            return Ok(());
        } else {
            "mmap.mmap"
        };
        Err(Error::type_error(if py.at_least(3, 8) {
            format!("cannot pickle '{name}' object")
        } else {
            format!("can't pickle {name} objects")
        }))
    }

    /// Equivalent to Python's `pickle.dumps(m[, protocol])`: the protocol
    /// (`None` or absent: the version's default; negative: the highest) is
    /// checked, then the map refuses to be reduced. Python 2.7 pickles it at
    /// protocol 2 ([`PY2_PROTOCOL_2_PICKLE`]).
    ///
    /// # Errors
    ///
    /// The `int` converter's TypeErrors for a non-integer protocol; ValueError
    /// `pickle protocol must be <= 5` (the version's highest); the TypeError
    /// of `__reduce_ex__` (see [`Mmap::copy`] for the texts).
    pub fn pickle_dumps(&self, protocol: Option<&Value>) -> Result<Vec<u8>, Error> {
        let py = self.profile.python;
        let highest = highest_protocol(py);
        let protocol = match protocol {
            None | Some(Value::None) => default_protocol(py),
            Some(v) => args::int(self.profile, v, IntCode::Int)?,
        };
        let protocol = if protocol < 0 { highest } else { protocol };
        if protocol > highest {
            return Err(Error::value_error(format!(
                "pickle protocol must be <= {highest}"
            )));
        }
        self.reduce_ex(protocol)?;
        Ok(PY2_PROTOCOL_2_PICKLE.to_vec())
    }

    /// Equivalent to Python's `copy.copy(m)` and `copy.deepcopy(m)`, which
    /// never succeed: both reduce the map with `__reduce_ex__(4)` (3.x) or
    /// `__reduce_ex__(2)` (2.7), whose reconstruction then calls
    /// `mmap.mmap.__new__(mmap.mmap)` without arguments.
    ///
    /// # Errors
    ///
    /// TypeError `cannot pickle 'mmap.mmap' object` (3.8+), `can't pickle
    /// mmap.mmap objects` (3.0–3.7); on 2.7 the constructor's TypeError
    /// `Required argument 'fileno' (pos 1) not found`.
    pub fn copy(&self) -> Result<Mmap, Error> {
        let protocol = if self.profile.python.major == 2 { 2 } else { 4 };
        self.reduce_ex(protocol)?;
        Mmap::construct(self.profile, &[], &[])
    }

    /// Equivalent to Python's `m.__sizeof__()`. On Unix `mmap.mmap`
    /// inherits it from `object`: the type's `tp_basicsize` on a 64-bit
    /// build, 56 bytes on 2.7, 72 on 3.0–3.8 and 80 from 3.9, as observed on
    /// 2.7.18 and 3.6–3.13. Windows builds have their own method, which adds
    /// the tag name's bytes to the 64-bit size of `mmap_object` with its
    /// Windows fields (three handles and pointers where Unix has `fd`): 80
    /// on 2.7, 96 on 3.x, whose `weakreflist` follows `exports` (Unix 3.6's
    /// `__weakrefoffset__` is 56, the size of the fields before it).
    pub fn sizeof(&self) -> usize {
        let py = self.profile.python;
        if self.profile.platform == Platform::Windows {
            let base = if py.major == 2 { 80 } else { 96 };
            return base + self.windows_tagname_size();
        }
        if py.major == 2 {
            56
        } else if py.at_least(3, 9) {
            80
        } else {
            72
        }
    }

    /// `m.__sizeof__(*args, **kwargs)`: `METH_NOARGS`, named in its errors
    /// from 3.9 after the class that defines it: `object` on Unix, `mmap`
    /// on Windows.
    pub(crate) fn sizeof_call(
        &self,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Result<Value, Error> {
        let owner = if self.profile.platform == Platform::Windows {
            "mmap"
        } else {
            "object"
        };
        let shown = if self.profile.python.at_least(3, 9) {
            format!("{owner}.__sizeof__()")
        } else {
            "__sizeof__()".to_owned()
        };
        args::refuse_arguments(&shown, args, kwargs)?;
        Ok(Value::Int(self.sizeof() as i128))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Platform, Profile};

    fn map(major: u8, minor: u8) -> Mmap {
        let profile = Profile::new(PyVersion::new(major, minor), Platform::Linux);
        Mmap::construct(profile, &[Value::Int(-1), Value::Int(10)], &[]).unwrap()
    }

    fn err<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn pickling_is_refused_with_each_versions_text() {
        assert_eq!(
            err(map(3, 11).pickle_dumps(None)),
            "TypeError: cannot pickle 'mmap.mmap' object"
        );
        assert_eq!(
            err(map(3, 11).pickle_dumps(Some(&Value::Int(1)))),
            "TypeError: cannot pickle 'mmap' object"
        );
        assert_eq!(
            err(map(3, 7).pickle_dumps(None)),
            "TypeError: can't pickle mmap.mmap objects"
        );
        assert_eq!(
            err(map(2, 7).pickle_dumps(None)),
            "TypeError: can't pickle mmap objects"
        );
        assert_eq!(
            map(2, 7).pickle_dumps(Some(&Value::Int(-1))).unwrap(),
            PY2_PROTOCOL_2_PICKLE
        );
        assert_eq!(
            err(map(3, 7).pickle_dumps(Some(&Value::Int(5)))),
            "ValueError: pickle protocol must be <= 4"
        );
    }

    #[test]
    fn copying_is_refused() {
        assert_eq!(
            err(map(3, 8).copy()),
            "TypeError: cannot pickle 'mmap.mmap' object"
        );
        assert_eq!(
            err(map(2, 7).copy()),
            "TypeError: Required argument 'fileno' (pos 1) not found"
        );
    }
}
