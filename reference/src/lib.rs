//! A Rust implementation of Python's `mmap` object that reproduces CPython's
//! observable behaviour exactly (return values, exception types and messages,
//! position, and what lands in the file) for a chosen [`Profile`].
//!
//! [`Mmap`] is the map: typed methods with Python's names ([`Mmap::read`],
//! [`Mmap::find`], [`Mmap::move_`] …) and a dynamic layer ([`Mmap::construct`],
//! [`Mmap::call`], [`Mmap::getitem`] …) that takes Python-like [`Value`]s and
//! converts them exactly as the profile's CPython does. [`constants`] lists the
//! module's integer constants. [`MemoryView`] is `memoryview(m)`, with
//! CPython's export counting that keeps a map with live views from closing or
//! resizing.
//!
//! ```
//! use mmap_reference::{Mmap, Platform, Profile, PyVersion, Value};
//!
//! let profile = Profile::new(PyVersion::new(3, 11), Platform::Linux);
//! let mut m = Mmap::construct(profile, &[Value::Int(-1), Value::Int(10)], &[]).unwrap();
//! assert_eq!(m.write(b"hello").unwrap(), 5);
//! assert_eq!(m.find(b"l", Some(0), None).unwrap(), 2);
//! let err = m.call("seek", &[Value::Int(11)], &[]).unwrap_err();
//! assert_eq!(err.to_string(), "ValueError: seek out of range");
//! ```

#![deny(unsafe_code)]

mod args;
pub mod buffer;
mod dynamic;
pub mod error;
mod mmap;
pub mod mmapfile;
mod object;
pub mod profile;
mod sys;
pub mod value;
mod windows;

pub use buffer::{MemoryView, SharedMmap, ViewItem};
pub use dynamic::{FAKE_ADDRESS, constants};
pub use error::{Error, ErrorKind, WinError};
pub use mmap::{Access, AuditEvent, Mmap, MmapOptions};
pub use mmapfile::MmapFile;
pub use object::PY2_PROTOCOL_2_PICKLE;
pub use profile::{Platform, Profile, PyVersion};
pub use value::Value;
