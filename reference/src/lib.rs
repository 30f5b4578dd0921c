//! A Rust implementation of Python's `mmap` object that reproduces CPython's
//! observable behaviour exactly (return values, exception types and messages,
//! position, and what lands in the file) for a chosen [`Profile`].

pub mod error;
pub mod profile;
mod sys;
pub mod value;

pub use error::{Error, ErrorKind};
pub use profile::{Platform, Profile, PyVersion};
pub use value::Value;
