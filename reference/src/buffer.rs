//! The buffer protocol of a map: `memoryview(m)` and, from 3.12,
//! `m.__buffer__(flags)` / `m.__release_buffer__(view)` (PEP 688), with
//! CPython's export counting.
//!
//! A [`MemoryView`] shares the map ([`SharedMmap`]) as a Python memoryview
//! holds a reference to its object. Each `memoryview(m)` takes one export of
//! the map (CPython's `mmap_buffer_getbuf` increments `exports`); slices of a
//! view share that export, as CPython's views share their managed buffer, and
//! it is given back when the last of them is released or dropped. While an
//! export is live, [`Mmap::close`] and [`Mmap::resize`] raise BufferError.
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use mmap_reference::{MemoryView, Mmap, Platform, Profile, PyVersion, Value};
//!
//! let profile = Profile::new(PyVersion::new(3, 11), Platform::Linux);
//! let m = Rc::new(RefCell::new(
//!     Mmap::construct(profile, &[Value::Int(-1), Value::Int(10)], &[]).unwrap(),
//! ));
//! let v = MemoryView::new(&m).unwrap();
//! let err = m.borrow_mut().close().unwrap_err();
//! assert_eq!(err.to_string(), "BufferError: cannot close exported pointers exist");
//! v.release();
//! m.borrow_mut().close().unwrap();
//! ```

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::args::{self, IntCode};
use crate::error::{Error, ErrorKind};
use crate::mmap::{Access, Mmap};
use crate::profile::PyVersion;
use crate::value::Value;

/// A map shared by the Python objects that refer to it (its memoryviews).
pub type SharedMmap = Rc<RefCell<Mmap>>;

/// `PyBUF_WRITABLE`: the flag of `__buffer__` that asks for a writable buffer.
const PYBUF_WRITABLE: i64 = 1;

/// One export of a map (CPython's managed buffer): given back when dropped.
#[derive(Debug)]
struct Export {
    map: SharedMmap,
    counter: Rc<Cell<usize>>,
}

impl Drop for Export {
    fn drop(&mut self) {
        self.counter.set(self.counter.get().saturating_sub(1));
    }
}

/// The `order` argument of `tobytes(order=None)` (3.8+), parsed as the
/// version's argument clinic does: `None` when absent or `None`.
fn tobytes_order<'a>(
    py: PyVersion,
    args: &'a [Value],
    kwargs: &'a [(String, Value)],
) -> Result<Option<&'a str>, Error> {
    let given = args.len() + kwargs.len();
    if given > 1 {
        return Err(Error::type_error(if py.at_least(3, 10) {
            format!("tobytes() takes at most 1 argument ({given} given)")
        } else {
            format!("function takes at most 1 argument ({given} given)")
        }));
    }
    let value = match (args.first(), kwargs.first()) {
        (Some(v), _) => v,
        (None, Some((name, v))) if name == "order" => v,
        (None, Some((name, _))) => {
            return Err(Error::type_error(if py.at_least(3, 13) {
                format!("tobytes() got an unexpected keyword argument '{name}'")
            } else if py.at_least(3, 10) {
                format!("'{name}' is an invalid keyword argument for tobytes()")
            } else {
                format!("'{name}' is an invalid keyword argument for this function")
            }));
        }
        (None, None) => return Ok(None),
    };
    match value {
        Value::None => Ok(None),
        Value::Str(order) => Ok(Some(order)),
        other => Err(Error::type_error(if py.at_least(3, 10) {
            format!(
                "tobytes() argument 'order' must be str or None, not {}",
                other.type_name()
            )
        } else {
            format!("argument 1 must be str or None, not {}", other.type_name())
        })),
    }
}

/// ValueError `operation forbidden on released memoryview object`.
fn released_error() -> Error {
    Error::value_error("operation forbidden on released memoryview object")
}

/// A `memoryview` of a map: format `'B'`, one dimension, read-only exactly
/// when the map's (derived) access is `ACCESS_READ`.
///
/// The view addresses the map's bytes `start + k * step` for `k < len`; a
/// slice of a view is another `MemoryView` sharing the same export.
#[derive(Debug)]
pub struct MemoryView {
    /// `None` once released (`v.release()`).
    export: RefCell<Option<Rc<Export>>>,
    /// The Python version whose memoryview this is: its methods' argument
    /// errors differ by version, also once released.
    python: PyVersion,
    readonly: bool,
    start: i64,
    step: i64,
    len: usize,
}

/// What `v[key]` gives: an int for an index, a new view for a slice.
#[derive(Debug)]
pub enum ViewItem {
    /// `v[i]`: the byte as an int.
    Int(u8),
    /// `v[i:j:k]`: a view sharing the export.
    View(MemoryView),
}

impl MemoryView {
    /// Equivalent to Python's `memoryview(m)`: takes an export of the map.
    ///
    /// # Errors
    ///
    /// Python 2.7: TypeError `cannot make memory view because object does not
    /// have the buffer interface` (its mmap has only the old buffer
    /// interface). ValueError `mmap closed or invalid`.
    pub fn new(map: &SharedMmap) -> Result<MemoryView, Error> {
        if map.borrow().profile.python.major == 2 {
            return Err(Error::type_error(
                "cannot make memory view because object does not have the buffer interface",
            ));
        }
        Self::export(map, false)
    }

    /// CPython's `mmap_buffer_getbuf`: validity, then `PyBuffer_FillInfo`
    /// (BufferError `Object is not writable.` when a writable buffer is asked
    /// of a read-only map), then one more export.
    fn export(map: &SharedMmap, writable: bool) -> Result<MemoryView, Error> {
        let m = map.borrow();
        let len = m.len()?;
        let readonly = m.access() == Access::Read;
        if writable && readonly {
            return Err(Error::buffer_error("Object is not writable."));
        }
        let counter = m.export_counter();
        counter.set(counter.get() + 1);
        Ok(MemoryView {
            export: RefCell::new(Some(Rc::new(Export {
                map: Rc::clone(map),
                counter,
            }))),
            python: m.profile.python,
            readonly,
            start: 0,
            step: 1,
            len,
        })
    }

    /// Equivalent to Python's `m.__buffer__(*args)` (3.12+): `memoryview(m)`
    /// with the buffer flags given.
    ///
    /// # Errors
    ///
    /// AttributeError `'mmap.mmap' object has no attribute '__buffer__'`
    /// before 3.12; TypeError ` expected 1 argument, got 0`; the `int`
    /// converter's errors; OverflowError `buffer flags too large`; ValueError
    /// `mmap closed or invalid`; BufferError `Object is not writable.` for
    /// `PyBUF_WRITABLE` on a read-only map.
    pub fn dunder_buffer(map: &SharedMmap, args: &[Value]) -> Result<MemoryView, Error> {
        let profile = map.borrow().profile;
        if !profile.python.at_least(3, 12) {
            return Err(no_attribute("__buffer__"));
        }
        args::unpack_arity(args, 1)?;
        let flags = args::int(profile, &args[0], IntCode::Ssize)?;
        if i32::try_from(flags).is_err() {
            return Err(Error::overflow_error("buffer flags too large"));
        }
        Self::export(map, flags & PYBUF_WRITABLE != 0)
    }

    /// Equivalent to Python's `m.__release_buffer__(view)` (3.12+): releases
    /// `view`, which must be a memoryview of this very map. `view` is `None`
    /// when the argument is not a memoryview of a map (`other` then tells
    /// whether it is a memoryview at all).
    ///
    /// # Errors
    ///
    /// AttributeError before 3.12; TypeError ` expected 1 argument, got 0`
    /// (`nargs` ≠ 1); TypeError `expected a memoryview object`; ValueError
    /// `memoryview's buffer has already been released`; ValueError
    /// `memoryview's buffer is not this object`.
    pub fn dunder_release_buffer(
        map: &SharedMmap,
        nargs: usize,
        view: Option<&MemoryView>,
        other_is_memoryview: bool,
    ) -> Result<(), Error> {
        if !map.borrow().profile.python.at_least(3, 12) {
            return Err(no_attribute("__release_buffer__"));
        }
        if nargs != 1 {
            let placeholder = vec![Value::None; nargs];
            args::unpack_arity(&placeholder, 1)?;
        }
        let Some(view) = view else {
            return Err(if other_is_memoryview {
                Error::value_error("memoryview's buffer is not this object")
            } else {
                Error::type_error("expected a memoryview object")
            });
        };
        let export = view.export.borrow().clone();
        match export {
            None => Err(Error::value_error(
                "memoryview's buffer has already been released",
            )),
            Some(e) if !Rc::ptr_eq(&e.map, map) => {
                Err(Error::value_error("memoryview's buffer is not this object"))
            }
            Some(_) => {
                view.release();
                Ok(())
            }
        }
    }

    /// The export, or ValueError `operation forbidden on released memoryview object`.
    fn live(&self) -> Result<Rc<Export>, Error> {
        self.export.borrow().clone().ok_or_else(released_error)
    }

    /// The map's position of the view's item `k`.
    fn position(&self, k: usize) -> usize {
        (self.start + k as i64 * self.step) as usize
    }

    /// Equivalent to Python's `v.release()`: gives the export back (once the
    /// view's slices are released too); releasing again does nothing.
    pub fn release(&self) {
        self.export.borrow_mut().take();
    }

    /// The map the view exports (`v.obj`).
    ///
    /// # Errors
    ///
    /// ValueError `operation forbidden on released memoryview object`.
    pub fn obj(&self) -> Result<SharedMmap, Error> {
        Ok(Rc::clone(&self.live()?.map))
    }

    /// Equivalent to Python's `len(v)`.
    ///
    /// # Errors
    ///
    /// ValueError `operation forbidden on released memoryview object`.
    pub fn len(&self) -> Result<usize, Error> {
        self.live()?;
        Ok(self.len)
    }

    /// Equivalent to Python's `len(v) == 0`.
    ///
    /// # Errors
    ///
    /// ValueError `operation forbidden on released memoryview object`.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }

    /// Equivalent to Python's `v.tobytes()` and `bytes(v)`.
    ///
    /// # Errors
    ///
    /// ValueError `operation forbidden on released memoryview object`.
    pub fn tobytes(&self) -> Result<Vec<u8>, Error> {
        let export = self.live()?;
        let m = export.map.borrow();
        let data = m.mapping()?.bytes();
        Ok((0..self.len).map(|k| data[self.position(k)]).collect())
    }

    /// Equivalent to Python's `v.<name>` for the data attributes `readonly`,
    /// `format`, `itemsize`, `ndim`, `shape`, `strides`, `nbytes` (`obj` is
    /// [`MemoryView::obj`]).
    ///
    /// # Errors
    ///
    /// ValueError `operation forbidden on released memoryview object`;
    /// AttributeError `'memoryview' object has no attribute 'x'`.
    pub fn getattr(&self, name: &str) -> Result<Value, Error> {
        let known = matches!(
            name,
            "readonly" | "format" | "itemsize" | "ndim" | "shape" | "strides" | "nbytes"
        );
        if !known {
            return Err(Error::new(
                ErrorKind::AttributeError,
                format!("'memoryview' object has no attribute '{name}'"),
            ));
        }
        self.live()?;
        Ok(match name {
            "readonly" => Value::Bool(self.readonly),
            "format" => Value::Str("B".into()),
            "itemsize" | "ndim" => Value::Int(1),
            "shape" => Value::Tuple(vec![Value::Int(self.len as i128)]),
            "strides" => Value::Tuple(vec![Value::Int(self.step.into())]),
            _ => Value::Int(self.len as i128),
        })
    }

    /// Equivalent to Python's `v.<name>(*args, **kwargs)` for `tobytes()`,
    /// `tolist()` and `release()` ([`MemoryView::release`]), with the
    /// argument errors of the view's Python version.
    ///
    /// # Errors
    ///
    /// TypeError for arguments: `tolist()` and `release()` take none (named
    /// `memoryview.tolist()` from 3.9), nor does `tobytes()` before 3.8;
    /// from 3.8 `tobytes(order=None)` takes `'C'`, `'F'` or `'A'` (ValueError
    /// `order must be 'C', 'F' or 'A'` otherwise). ValueError `operation
    /// forbidden on released memoryview object`, after the argument errors
    /// except for 3.8 and 3.9's `tobytes`, which checks it first.
    /// AttributeError for other names.
    pub fn call(
        &self,
        name: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Result<Value, Error> {
        let py = self.python;
        match name {
            "tobytes" if py.at_least(3, 8) => {
                if !py.at_least(3, 10) {
                    self.live()?;
                }
                let order = tobytes_order(py, args, kwargs)?;
                self.live()?;
                if order.is_some_and(|o| !matches!(o, "C" | "F" | "A")) {
                    return Err(Error::value_error("order must be 'C', 'F' or 'A'"));
                }
                Ok(Value::Bytes(self.tobytes()?))
            }
            "tobytes" | "tolist" | "release" => {
                let shown = if py.at_least(3, 9) && name != "tobytes" {
                    format!("memoryview.{name}()")
                } else {
                    format!("{name}()")
                };
                args::refuse_arguments(&shown, args, kwargs)?;
                match name {
                    "release" => {
                        self.release();
                        Ok(Value::None)
                    }
                    "tobytes" => Ok(Value::Bytes(self.tobytes()?)),
                    _ => Ok(Value::List(
                        self.tobytes()?
                            .into_iter()
                            .map(|b| Value::Int(b.into()))
                            .collect(),
                    )),
                }
            }
            _ => Err(Error::new(
                ErrorKind::AttributeError,
                format!("'memoryview' object has no attribute '{name}'"),
            )),
        }
    }

    /// Equivalent to Python's `v[key]`: an int for an index, a view sharing
    /// the export for a slice.
    ///
    /// # Errors
    ///
    /// ValueError `operation forbidden on released memoryview object`;
    /// IndexError `index out of bounds on dimension 1`; the slice errors;
    /// TypeError `memoryview: invalid slice key`.
    pub fn getitem(&self, key: &Value) -> Result<ViewItem, Error> {
        let export = self.live()?;
        if let Some(i) = key.as_index() {
            let k = self.index(i)?;
            let m = export.map.borrow();
            return Ok(ViewItem::Int(m.mapping()?.bytes()[self.position(k)]));
        }
        if let Value::Slice(start, stop, step) = key {
            let s = args::slice(start.as_deref(), stop.as_deref(), step.as_deref(), self.len)?;
            return Ok(ViewItem::View(MemoryView {
                export: RefCell::new(Some(export)),
                python: self.python,
                readonly: self.readonly,
                start: self.start + s.start * self.step,
                step: self.step * s.step,
                len: s.len,
            }));
        }
        Err(Error::type_error("memoryview: invalid slice key"))
    }

    /// Item `i` of the view (negative counts from the end), or IndexError.
    fn index(&self, i: i128) -> Result<usize, Error> {
        let len = self.len as i128;
        let k = if i < 0 { i + len } else { i };
        if k < 0 || k >= len {
            return Err(Error::index_error("index out of bounds on dimension 1"));
        }
        Ok(k as usize)
    }

    /// Equivalent to Python's `v[key] = value` (`value` `None`: `del v[key]`),
    /// writing through to the map, with CPython's order of checks.
    ///
    /// # Errors
    ///
    /// ValueError `operation forbidden on released memoryview object`;
    /// TypeError `cannot modify read-only memory`; TypeError `cannot delete
    /// memory`; IndexError `index out of bounds on dimension 1`; TypeError
    /// `memoryview: invalid type for format 'B'`; ValueError `memoryview:
    /// invalid value for format 'B'`; TypeError `a bytes-like object is
    /// required, not 'str'`; ValueError `memoryview assignment: lvalue and
    /// rvalue have different structures`; TypeError `memoryview: invalid slice key`.
    pub fn setitem(&self, key: &Value, value: Option<&Value>) -> Result<(), Error> {
        let export = self.live()?;
        if self.readonly {
            return Err(Error::type_error("cannot modify read-only memory"));
        }
        let Some(value) = value else {
            return Err(Error::type_error("cannot delete memory"));
        };
        let mut m = export.map.borrow_mut();
        if let Some(i) = key.as_index() {
            let k = self.index(i)?;
            let Some(v) = value.as_index() else {
                return Err(Error::type_error("memoryview: invalid type for format 'B'"));
            };
            let byte = u8::try_from(v)
                .map_err(|_| Error::value_error("memoryview: invalid value for format 'B'"))?;
            let at = self.position(k);
            m.set_item(at as i64, byte)?;
            return Ok(());
        }
        if let Value::Slice(start, stop, step) = key {
            let src = args::buffer(m.profile.python, value)?;
            let s = args::slice(start.as_deref(), stop.as_deref(), step.as_deref(), self.len)?;
            if src.len() != s.len {
                return Err(Error::value_error(
                    "memoryview assignment: lvalue and rvalue have different structures",
                ));
            }
            for (k, &b) in s.positions().zip(src) {
                let at = self.position(k);
                m.set_item(at as i64, b)?;
            }
            return Ok(());
        }
        Err(Error::type_error("memoryview: invalid slice key"))
    }
}

/// AttributeError `'mmap.mmap' object has no attribute 'x'`.
fn no_attribute(name: &str) -> Error {
    Error::new(
        ErrorKind::AttributeError,
        format!("'mmap.mmap' object has no attribute '{name}'"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Platform, Profile, PyVersion};

    fn digits(minor: u8) -> SharedMmap {
        let profile = Profile::new(PyVersion::new(3, minor), Platform::Linux);
        let mut m = Mmap::construct(profile, &[Value::Int(-1), Value::Int(10)], &[]).unwrap();
        m.write(b"0123456789").unwrap();
        Rc::new(RefCell::new(m))
    }

    fn slice(a: i128, b: i128) -> Value {
        Value::Slice(
            Some(Box::new(Value::Int(a))),
            Some(Box::new(Value::Int(b))),
            None,
        )
    }

    #[test]
    fn a_slice_keeps_the_export_after_its_view_is_released() {
        let m = digits(11);
        let v = MemoryView::new(&m).unwrap();
        let ViewItem::View(w) = v.getitem(&slice(2, 4)).unwrap() else {
            panic!("a slice gives a view")
        };
        v.release();
        assert_eq!(
            v.len().unwrap_err().to_string(),
            "ValueError: operation forbidden on released memoryview object"
        );
        assert_eq!(m.borrow().exports(), 1);
        assert_eq!(w.tobytes().unwrap(), b"23");
        w.setitem(&Value::Int(0), Some(&Value::Int(65))).unwrap();
        drop(w);
        assert_eq!(m.borrow().exports(), 0);
        assert_eq!(m.borrow().to_bytes().unwrap(), b"01A3456789");
    }

    #[test]
    fn dunder_buffer_is_3_12_and_checks_writability() {
        let m = digits(11);
        assert_eq!(
            MemoryView::dunder_buffer(&m, &[Value::Int(0)])
                .unwrap_err()
                .to_string(),
            "AttributeError: 'mmap.mmap' object has no attribute '__buffer__'"
        );
        let m = digits(12);
        let v = MemoryView::dunder_buffer(&m, &[Value::Int(1)]).unwrap();
        assert_eq!(v.getattr("readonly"), Ok(Value::Bool(false)));
        MemoryView::dunder_release_buffer(&m, 1, Some(&v), true).unwrap();
        assert_eq!(m.borrow().exports(), 0);
        assert_eq!(
            MemoryView::dunder_release_buffer(&m, 1, Some(&v), true)
                .unwrap_err()
                .to_string(),
            "ValueError: memoryview's buffer has already been released"
        );
    }

    #[test]
    fn memoryview_of_a_python_2_map_is_refused() {
        let profile = Profile::new(PyVersion::new(2, 7), Platform::Linux);
        let m = Mmap::construct(profile, &[Value::Int(-1), Value::Int(10)], &[]).unwrap();
        let m = Rc::new(RefCell::new(m));
        assert_eq!(
            MemoryView::new(&m).unwrap_err().to_string(),
            "TypeError: cannot make memory view because object does not have the buffer interface"
        );
    }
}
