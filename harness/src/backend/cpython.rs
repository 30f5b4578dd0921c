//! CPython's own `mmap`, embedded through pyo3 and hosted by
//! `mmapconf serve cpython`: every step is a real method
//! call on a real `mmap.mmap` object (no source is generated or evaluated).

use mmap_reference::{Platform, PyVersion};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::exec::{self, Fork, Literal, Runtime};
use crate::protocol::wire::{
    Hello, HelloImplementation, PROTOCOL_VERSION, RunRequest, WireOutcome,
};
use crate::scenario::Api;
use crate::scenario::ast::BinOp;
use crate::scenario::names::{self, NameKind};
use crate::transcript::{Observed, Raised};

/// The embedded interpreter's handshake: its version and platform.
pub fn hello() -> Result<Hello, String> {
    Python::attach(|py| -> PyResult<Hello> {
        let sys = py.import("sys")?;
        let version: String = sys.getattr("version")?.extract()?;
        let info = sys.getattr("version_info")?;
        let major: u8 = info.getattr("major")?.extract()?;
        let minor: u8 = info.getattr("minor")?.extract()?;
        let platform: String = sys.getattr("platform")?.extract()?;
        Ok(Hello {
            protocol: PROTOCOL_VERSION,
            implementation: HelloImplementation {
                name: "cpython".into(),
                version: version
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                python: PyVersion::new(major, minor).to_string(),
                platform: Platform::from_sys_platform(&platform)
                    .unwrap_or_else(Platform::host)
                    .name()
                    .into(),
                api: vec![Api::Mmap],
            },
        })
    })
    .map_err(|e| format!("the embedded interpreter did not report its version: {e}"))
}

/// Runs one request on the embedded interpreter's `mmap`.
pub fn run(request: &RunRequest, emit: &mut dyn FnMut(usize, WireOutcome)) -> Result<(), String> {
    Python::attach(|py| {
        let module = py
            .import("mmap")
            .map_err(|e| format!("import mmap failed: {e}"))?;
        let builtins = py.import("builtins").map_err(|e| e.to_string())?;
        let mut rt = PyRuntime {
            py,
            module,
            builtins,
        };
        let result = exec::run(&mut rt, request, emit);
        drop(rt);
        // Unmap what the scenario left mapped before the next one.
        let _ = py.import("gc").and_then(|gc| gc.call_method0("collect"));
        result
    })
}

/// `Index(n)` in specs: an object whose `__index__` returns `n` (and no
/// other hook), defined in Python as the Python driver defines it, so that
/// its type's name in CPython's own messages is `Index`, as a user's class
/// would be.
const INDEX_CLASS: &std::ffi::CStr = c"class Index(object):
    def __init__(self, n):
        self.n = n

    def __index__(self):
        return self.n

    def __repr__(self):
        return 'Index(%s)' % (self.n,)
";

/// The `mmapconf` module holding [`INDEX_CLASS`], made once per process.
fn index_class(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    if let Ok(m) = py.import("sys")?.getattr("modules")?.get_item("mmapconf") {
        return m.getattr("Index");
    }
    let module = PyModule::from_code(py, INDEX_CLASS, c"mmapconf.py", c"mmapconf")?;
    py.import("sys")?
        .getattr("modules")?
        .set_item("mmapconf", &module)?;
    module.getattr("Index")
}

struct PyRuntime<'py> {
    py: Python<'py>,
    module: Bound<'py, PyModule>,
    builtins: Bound<'py, PyModule>,
}

fn raised(py: Python<'_>, e: PyErr) -> Raised {
    let ty = e.get_type(py);
    let module: String = ty
        .getattr("__module__")
        .and_then(|m| m.extract())
        .unwrap_or_default();
    let name: String = ty.qualname().map(|n| n.to_string()).unwrap_or_default();
    let type_name = if module == "builtins" || module.is_empty() {
        name
    } else {
        format!("{module}.{name}")
    };
    let value = e.value(py);
    let message = value.str().map(|s| s.to_string()).unwrap_or_default();
    let errno = if e.is_instance_of::<PyOSError>(py) {
        value
            .getattr("errno")
            .ok()
            .and_then(|n| n.extract::<i32>().ok())
    } else {
        None
    };
    Raised {
        type_name,
        message,
        errno,
    }
}

impl<'py> PyRuntime<'py> {
    fn wrap<T>(&self, r: PyResult<T>) -> Result<T, Raised> {
        r.map_err(|e| raised(self.py, e))
    }
}

impl Fork for PyRuntime<'_> {
    fn fork(&mut self) -> Result<u32, Raised> {
        let r = self
            .py
            .import("os")
            .and_then(|os| os.call_method0("fork"))
            .and_then(|pid| pid.extract::<u32>());
        self.wrap(r)
    }

    fn exit_child(&mut self) -> ! {
        let _ = self
            .py
            .import("os")
            .and_then(|os| os.call_method1("_exit", (0,)));
        crate::sys::exit_immediately()
    }
}

impl<'py> Runtime for PyRuntime<'py> {
    type Obj = Bound<'py, PyAny>;

    fn literal(&mut self, v: &Literal) -> Result<Self::Obj, Raised> {
        let py = self.py;
        let r: PyResult<Bound<'py, PyAny>> = (|| {
            Ok(match v {
                Observed::None => py.None().into_bound(py),
                Observed::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
                Observed::Int(i) => i.into_pyobject(py)?.into_any(),
                Observed::Float(x) => PyFloat::new(py, *x).into_any(),
                Observed::Bytes(b) => PyBytes::new(py, b).into_any(),
                Observed::Str(s) => PyString::new(py, s).into_any(),
                Observed::List(items) => {
                    let objs = items
                        .iter()
                        .map(|i| self.literal(i))
                        .collect::<Result<Vec<_>, _>>();
                    PyList::new(
                        py,
                        objs.map_err(|r| pyo3::exceptions::PyTypeError::new_err(r.message))?,
                    )?
                    .into_any()
                }
                Observed::Tuple(items) => {
                    let objs = items
                        .iter()
                        .map(|i| self.literal(i))
                        .collect::<Result<Vec<_>, _>>();
                    PyTuple::new(
                        py,
                        objs.map_err(|r| pyo3::exceptions::PyTypeError::new_err(r.message))?,
                    )?
                    .into_any()
                }
                Observed::Ref(_) | Observed::Object(_) => {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "an object is not a literal",
                    ));
                }
            })
        })();
        self.wrap(r)
    }

    fn container(&mut self, tuple: bool, items: Vec<Self::Obj>) -> Result<Self::Obj, Raised> {
        let r = if tuple {
            PyTuple::new(self.py, items).map(Bound::into_any)
        } else {
            PyList::new(self.py, items).map(Bound::into_any)
        };
        self.wrap(r)
    }

    fn items(&mut self, obj: &Self::Obj) -> Option<Vec<Self::Obj>> {
        if let Ok(t) = obj.cast_exact::<PyTuple>() {
            return Some(t.iter().collect());
        }
        obj.cast_exact::<PyList>().ok().map(|l| l.iter().collect())
    }

    fn name(&mut self, name: &str) -> Result<Self::Obj, Raised> {
        let r = match names::classify(name) {
            Some(NameKind::Builtin) if name == "Index" => index_class(self.py),
            Some(NameKind::Builtin) if names::MODULES.contains(&name) => {
                self.py.import(name).map(Bound::into_any)
            }
            Some(NameKind::Builtin) => self.builtins.getattr(name),
            _ => match self.module.getattr(name) {
                Ok(v) => Ok(v),
                Err(_) => {
                    return Err(Raised {
                        type_name: "NameError".into(),
                        message: format!("name '{name}' is not defined"),
                        errno: None,
                    });
                }
            },
        };
        self.wrap(r)
    }

    fn call(
        &mut self,
        func: &Self::Obj,
        args: &[Self::Obj],
        kwargs: &[(String, Self::Obj)],
    ) -> Result<Self::Obj, Raised> {
        let r = (|| {
            let args = PyTuple::new(self.py, args)?;
            if kwargs.is_empty() {
                return func.call1(args);
            }
            let kw = PyDict::new(self.py);
            for (k, v) in kwargs {
                kw.set_item(k, v)?;
            }
            func.call(args, Some(&kw))
        })();
        self.wrap(r)
    }

    fn getattr(&mut self, obj: &Self::Obj, name: &str) -> Result<Self::Obj, Raised> {
        let r = obj.getattr(name);
        self.wrap(r)
    }

    fn getitem(&mut self, obj: &Self::Obj, key: &Self::Obj) -> Result<Self::Obj, Raised> {
        let r = obj.get_item(key);
        self.wrap(r)
    }

    fn setitem(
        &mut self,
        obj: &Self::Obj,
        key: &Self::Obj,
        value: &Self::Obj,
    ) -> Result<(), Raised> {
        let r = obj.set_item(key, value);
        self.wrap(r)
    }

    fn delitem(&mut self, obj: &Self::Obj, key: &Self::Obj) -> Result<(), Raised> {
        let r = obj.del_item(key);
        self.wrap(r)
    }

    fn slice(
        &mut self,
        start: Option<Self::Obj>,
        stop: Option<Self::Obj>,
        step: Option<Self::Obj>,
    ) -> Result<Self::Obj, Raised> {
        let none = || self.py.None().into_bound(self.py);
        let args = [
            start.unwrap_or_else(none),
            stop.unwrap_or_else(none),
            step.unwrap_or_else(none),
        ];
        let r = self
            .builtins
            .getattr("slice")
            .and_then(|s| s.call1(PyTuple::new(self.py, args)?));
        self.wrap(r)
    }

    fn binop(&mut self, op: BinOp, a: &Self::Obj, b: &Self::Obj) -> Result<Self::Obj, Raised> {
        let r = match op {
            BinOp::Add => a.add(b),
            BinOp::Sub => a.sub(b),
            BinOp::Mul => a.mul(b),
            BinOp::FloorDiv => a.floor_div(b),
            BinOp::Pow => a.pow(b, self.py.None()),
        };
        self.wrap(r)
    }

    fn neg(&mut self, a: &Self::Obj) -> Result<Self::Obj, Raised> {
        let r = a.neg();
        self.wrap(r)
    }

    fn contains(&mut self, item: &Self::Obj, container: &Self::Obj) -> Result<Self::Obj, Raised> {
        let r = container
            .contains(item)
            .map(|b| PyBool::new(self.py, b).to_owned().into_any());
        self.wrap(r)
    }

    fn observe(&mut self, obj: &Self::Obj) -> Observed {
        let exact = |o: &Bound<'py, PyAny>| -> Option<Observed> {
            Some(if o.is_none() {
                Observed::None
            } else if o.is_exact_instance_of::<PyBool>() {
                Observed::Bool(o.extract().ok()?)
            } else if o.is_exact_instance_of::<PyInt>() {
                Observed::Int(o.extract().ok()?)
            } else if o.is_exact_instance_of::<PyFloat>() {
                Observed::Float(o.extract().ok()?)
            } else if o.is_exact_instance_of::<PyBytes>() {
                Observed::Bytes(o.extract().ok()?)
            } else if o.is_exact_instance_of::<PyString>() {
                Observed::Str(o.extract().ok()?)
            } else {
                return None;
            })
        };
        if let Some(v) = exact(obj) {
            return v;
        }
        if obj.is_exact_instance_of::<PyList>() || obj.is_exact_instance_of::<PyTuple>() {
            let items: Vec<Observed> = obj
                .try_iter()
                .map(|it| it.flatten().map(|o| self.observe(&o)).collect())
                .unwrap_or_default();
            return if obj.is_exact_instance_of::<PyList>() {
                Observed::List(items)
            } else {
                Observed::Tuple(items)
            };
        }
        let ty = obj.get_type();
        let module: String = ty
            .getattr("__module__")
            .and_then(|m| m.extract())
            .unwrap_or_default();
        let name = ty.qualname().map(|n| n.to_string()).unwrap_or_default();
        Observed::Object(if module == "builtins" {
            name
        } else {
            format!("{module}.{name}")
        })
    }

    fn is_same(&self, a: &Self::Obj, b: &Self::Obj) -> bool {
        a.is(b)
    }
}
