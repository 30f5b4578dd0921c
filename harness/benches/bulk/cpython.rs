//! The peer: CPython's own `mmap` in the interpreter embedded through pyo3,
//! timed by the loops in `peers.py`.

use std::ffi::CString;
use std::time::Duration;

use mmap_reference::PyVersion;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::haystack::Haystack;

/// The timing loops' source.
const PEERS: &str = include_str!("peers.py");

/// An argument of a timing loop, after the map and before the repetitions.
pub enum Arg<'a> {
    Bytes(&'a [u8]),
    Int(usize),
    /// The haystack's original content (made once: it is 1 GiB).
    Content,
}

/// CPython's map of the haystack and the loops that time it.
pub struct Peer {
    module: Py<PyModule>,
    map: Py<PyAny>,
    content: Py<PyBytes>,
    /// `sys.version_info[:2]`.
    pub version: PyVersion,
    /// `sys.version`, for the table.
    pub sys_version: String,
}

impl Peer {
    /// Maps the haystack in the embedded interpreter.
    pub fn open(hay: &Haystack) -> Peer {
        let source = CString::new(PEERS).expect("no NUL in peers.py");
        Python::attach(|py| -> PyResult<Peer> {
            let module = PyModule::from_code(py, &source, c"peers.py", c"peers")?;
            let map = module.call_method1("open_map", (&hay.path,))?;
            let sys = py.import("sys")?;
            let info = sys.getattr("version_info")?;
            let (major, minor): (u8, u8) =
                (info.get_item(0)?.extract()?, info.get_item(1)?.extract()?);
            Ok(Peer {
                module: module.unbind(),
                map: map.unbind(),
                content: PyBytes::new(py, &hay.content).unbind(),
                version: PyVersion::new(major, minor),
                sys_version: sys.getattr("version")?.extract()?,
            })
        })
        .unwrap_or_else(|e| panic!("the embedded CPython cannot map the haystack: {e}"))
    }

    /// What `peers.<loop>(m, *args, iters)` measured.
    pub fn time(&self, name: &str, args: &[Arg], iters: u64) -> Duration {
        Python::attach(|py| -> PyResult<Duration> {
            let mut all = vec![self.map.bind(py).clone()];
            for a in args {
                all.push(match a {
                    Arg::Bytes(b) => PyBytes::new(py, b).into_any(),
                    Arg::Int(n) => n.into_pyobject(py)?.into_any(),
                    Arg::Content => self.content.bind(py).clone().into_any(),
                });
            }
            all.push(iters.into_pyobject(py)?.into_any());
            let ns: u64 = self
                .module
                .bind(py)
                .getattr(name)?
                .call1(PyTuple::new(py, all)?)?
                .extract()?;
            Ok(Duration::from_nanos(ns))
        })
        .unwrap_or_else(|e| panic!("peers.{name} failed: {e}"))
    }

    /// What `m.<method>(*args)` returns, as an integer (for the checks).
    pub fn call_int(&self, method: &str, needle: &[u8]) -> i64 {
        Python::attach(|py| -> PyResult<i64> {
            self.map
                .bind(py)
                .call_method1(method, (PyBytes::new(py, needle), 0))?
                .extract()
        })
        .unwrap_or_else(|e| panic!("m.{method} failed: {e}"))
    }
}
