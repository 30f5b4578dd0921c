//! CPython's own `mmap`, embedded through pyo3 and hosted by
//! `mmapconf serve cpython`: the Python driver (`drivers/python/
//! mmapconf_driver.py`, compiled into this binary) runs inside the embedded
//! interpreter and speaks the protocol itself, so the embedded CPython and
//! any CPython started from a path are driven by the very same code.

use std::ffi::CString;
use std::io;

use pyo3::prelude::*;
use pyo3::types::PyList;

/// The driver's source.
const DRIVER: &str = include_str!("../../../drivers/python/mmapconf_driver.py");

/// Runs the driver's request loop in the embedded interpreter until end of
/// input: handshake, then one scenario per request line.
pub fn serve() -> io::Result<()> {
    let source = CString::new(DRIVER).map_err(io::Error::other)?;
    Python::attach(|py| -> PyResult<()> {
        let driver = PyModule::from_code(py, &source, c"mmapconf_driver.py", c"mmapconf_driver")?;
        driver.call_method1("main", (PyList::empty(py),))?;
        Ok(())
    })
    .map_err(|e| io::Error::other(format!("the embedded driver failed: {e}")))
}
