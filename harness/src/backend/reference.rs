//! The reference crate's `Mmap`, hosted by `mmapconf serve reference`.

use std::cell::RefCell;
use std::rc::Rc;

use mmap_reference::value::MapRef;
use mmap_reference::{AuditEvent, Error, MemoryView, Mmap, MmapFile, Profile, Value, ViewItem};

use crate::consteval;
use crate::exec::{self, Fork, Literal, Runtime};
use crate::protocol::wire::{
    Hello, HelloImplementation, PROTOCOL_VERSION, RunRequest, WireOutcome,
};
use crate::scenario::Api;
use crate::scenario::ast::BinOp;
use crate::transcript::{Observed, Raised};

/// The reference's handshake for `profile`.
pub fn hello(profile: Profile) -> Hello {
    Hello {
        protocol: PROTOCOL_VERSION,
        implementation: HelloImplementation {
            name: "reference".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            python: profile.python.to_string(),
            platform: profile.platform.name().into(),
            // pywin32 exists on Windows only.
            api: if profile.platform == mmap_reference::Platform::Windows {
                vec![Api::Mmap, Api::Mmapfile]
            } else {
                vec![Api::Mmap]
            },
        },
    }
}

/// Runs one request on the reference imitating `profile`.
pub fn run(
    profile: Profile,
    request: &RunRequest,
    emit: &mut dyn FnMut(usize, WireOutcome),
) -> Result<(), String> {
    let mut rt = RefRuntime {
        profile,
        api: request.api,
        audit: vec![],
    };
    exec::run(&mut rt, request, emit)
}

/// The reference's objects.
#[derive(Clone)]
pub enum Obj {
    /// A plain Python value.
    Value(Value),
    /// An `mmap.mmap` object.
    Map(Rc<RefCell<Mmap>>),
    /// A bound method of a map, not yet called.
    Method(Rc<RefCell<Mmap>>, String),
    /// A memoryview of a map.
    View(Rc<MemoryView>),
    /// A bound method of a memoryview, not yet called.
    ViewMethod(Rc<MemoryView>, String),
    /// The `mmap` constructor.
    Constructor,
    /// pywin32's `mmapfile` function.
    MmapFileConstructor,
    /// A `Pymmapfile` object.
    MmapFile(Rc<RefCell<MmapFile>>),
    /// A bound method of a `Pymmapfile`, not yet called.
    MmapFileMethod(Rc<RefCell<MmapFile>>, String),
    /// A builtin function, a module the harness provides (`pickle`) or a
    /// function of one (`pickle.dumps`).
    Builtin(String),
}

/// The reference's object model for the evaluator.
pub struct RefRuntime {
    /// The profile imitated.
    pub profile: Profile,
    /// The API the scenario drives.
    pub api: Api,
    /// The audit events raised since the scenario began (`audit_events()`).
    pub audit: Vec<AuditEvent>,
}

fn raised(e: Error) -> Raised {
    Raised {
        type_name: e.type_name.to_owned(),
        message: e.message.clone(),
        errno: e.errno(),
    }
}

fn type_error(message: String) -> Raised {
    Raised {
        type_name: "TypeError".into(),
        message,
        errno: None,
    }
}

fn unsupported(what: &str) -> Raised {
    Raised {
        type_name: "HarnessError".into(),
        message: format!("the reference backend cannot {what} yet"),
        errno: None,
    }
}

fn to_value(v: &Literal) -> Result<Value, Raised> {
    Ok(match v {
        Observed::None => Value::None,
        Observed::Bool(b) => Value::Bool(*b),
        Observed::Int(i) => Value::Int(*i),
        Observed::Float(x) => Value::Float(*x),
        Observed::Bytes(b) => Value::Bytes(b.clone()),
        Observed::Str(s) => Value::Str(s.clone()),
        Observed::List(items) => Value::List(items.iter().map(to_value).collect::<Result<_, _>>()?),
        Observed::Tuple(items) => {
            Value::Tuple(items.iter().map(to_value).collect::<Result<_, _>>()?)
        }
        Observed::Ref(_) | Observed::Object(_) => {
            return Err(unsupported("pass an object as a literal"));
        }
    })
}

fn observe_value(v: &Value) -> Observed {
    match v {
        Value::None => Observed::None,
        Value::Bool(b) => Observed::Bool(*b),
        Value::Int(i) => Observed::Int(*i),
        Value::Float(x) => Observed::Float(*x),
        Value::Bytes(b) => Observed::Bytes(b.clone()),
        Value::Str(s) => Observed::Str(s.clone()),
        Value::List(items) => Observed::List(items.iter().map(observe_value).collect()),
        Value::Tuple(items) => Observed::Tuple(items.iter().map(observe_value).collect()),
        Value::ByteArray(_) => Observed::Object("bytearray".into()),
        Value::MemoryView(_) => Observed::Object("memoryview".into()),
        Value::Index(_) => Observed::Object("mmapconf.Index".into()),
        Value::ClosingIndex(..) => Observed::Object("mmapconf.ClosingIndex".into()),
        Value::Buffer(_) => Observed::Object("mmapconf.Buffer".into()),
        Value::Slice(..) => Observed::Object("slice".into()),
        Value::Receiver => Observed::Object("mmap.mmap".into()),
    }
}

/// Refuses a `ClosingIndex` where the reference does not model when its
/// `__index__` would run (builtins, memoryviews, `__buffer__`): a harness
/// error, never a silently wrong outcome.
fn no_closing_index<'a>(
    what: &str,
    values: impl IntoIterator<Item = &'a Value>,
) -> Result<(), Raised> {
    fn has(v: &Value) -> bool {
        match v {
            Value::ClosingIndex(..) => true,
            Value::Slice(a, b, c) => [a, b, c].into_iter().flatten().any(|v| has(v)),
            Value::Tuple(items) | Value::List(items) => items.iter().any(has),
            _ => false,
        }
    }
    if values.into_iter().any(has) {
        return Err(unsupported(&format!("pass a ClosingIndex to {what}")));
    }
    Ok(())
}

impl RefRuntime {
    fn arg(obj: &Obj) -> Result<Value, Raised> {
        match obj {
            Obj::Value(v) => Ok(v.clone()),
            // A bytes-like argument: what the view shows now.
            Obj::View(v) => v.tobytes().map(Value::MemoryView).map_err(raised),
            _ => Err(unsupported("pass a map, method or builtin as an argument")),
        }
    }

    /// `m.__buffer__(flags)` and `m.__release_buffer__(view)`.
    fn call_buffer_method(
        &mut self,
        func: &Obj,
        args: &[Obj],
        kwargs: &[(String, Obj)],
    ) -> Result<Obj, Raised> {
        let values = || args.iter().map(Self::arg).collect::<Result<Vec<_>, _>>();
        match func {
            Obj::Method(map, name) if name == "__buffer__" => {
                // Before 3.12 the attribute is missing, whatever the arguments.
                if !kwargs.is_empty() && map.borrow().profile().python.at_least(3, 12) {
                    return Err(type_error(
                        "wrapper __buffer__() takes no keyword arguments".into(),
                    ));
                }
                let view = MemoryView::dunder_buffer(map, &values()?).map_err(raised)?;
                Ok(Obj::View(Rc::new(view)))
            }
            Obj::Method(map, name) if name == "__release_buffer__" => {
                // Before 3.12 the attribute is missing, whatever the arguments.
                if !kwargs.is_empty() && map.borrow().profile().python.at_least(3, 12) {
                    return Err(type_error(
                        "wrapper __release_buffer__() takes no keyword arguments".into(),
                    ));
                }
                let (view, is_memoryview) = match args.first() {
                    Some(Obj::View(v)) => (Some(v.as_ref()), true),
                    Some(Obj::Value(Value::MemoryView(_))) => (None, true),
                    _ => (None, false),
                };
                MemoryView::dunder_release_buffer(map, args.len(), view, is_memoryview)
                    .map_err(raised)?;
                Ok(Obj::Value(Value::None))
            }
            _ => Err(unsupported("call this object")),
        }
    }

    /// An argument of a method of `receiver`: the receiver itself passes as
    /// [`Value::Receiver`] (`m.find(m)`, `m[0:4] = m`), anything else as [`Self::arg`].
    fn arg_of(receiver: &Rc<RefCell<Mmap>>, obj: &Obj) -> Result<Value, Raised> {
        match obj {
            Obj::Map(m) if Rc::ptr_eq(m, receiver) => Ok(Value::Receiver),
            obj => Self::arg(obj),
        }
    }

    fn builtin(&mut self, name: &str, args: &[Obj]) -> Result<Obj, Raised> {
        let one = || match args {
            [a] => Ok(a),
            _ => Err(type_error(format!(
                "{name}() takes exactly one argument ({} given)",
                args.len()
            ))),
        };
        let python = self.profile.python;
        if !matches!(name, "slice" | "repr") {
            let values = args.iter().filter_map(|o| match o {
                Obj::Value(v) => Some(v),
                _ => None,
            });
            no_closing_index(&format!("{name}()"), values)?;
        }
        let buffer = |o: &Obj| -> Result<Vec<u8>, Raised> {
            match o {
                Obj::Map(m) => m.borrow().to_bytes().map_err(raised),
                Obj::View(v) => v.tobytes().map_err(raised),
                Obj::Value(v) => v.as_buffer_in(python).map(<[u8]>::to_vec).ok_or_else(|| {
                    type_error(format!(
                        "cannot convert '{}' object to bytes",
                        v.type_name()
                    ))
                }),
                _ => Err(unsupported("take the buffer of this object")),
            }
        };
        let v = match name {
            "len" => match one()? {
                Obj::Map(m) => Value::Int(m.borrow().len().map_err(raised)? as i128),
                Obj::View(v) => Value::Int(v.len().map_err(raised)? as i128),
                Obj::Value(v) => match v.as_buffer() {
                    Some(b) => Value::Int(b.len() as i128),
                    None => return Err(unsupported("take len() of this value")),
                },
                _ => return Err(unsupported("take len() of this object")),
            },
            "bytes" => Value::Bytes(buffer(one()?)?),
            "bytearray" => Value::ByteArray(buffer(one()?)?),
            "memoryview" => match one()? {
                Obj::Map(m) => {
                    let view = MemoryView::new(m).map_err(raised)?;
                    return Ok(Obj::View(Rc::new(view)));
                }
                Obj::View(_) => return Err(unsupported("take a memoryview of a memoryview")),
                other => Value::MemoryView(buffer(other)?),
            },
            "list" => match one()? {
                Obj::Map(m) => Value::List(m.borrow().iter().map_err(raised)?),
                _ => return Err(unsupported("take list() of this object")),
            },
            "repr" => match one()? {
                Obj::Map(m) => m.borrow().repr_value(),
                Obj::Value(v) => Value::Str(v.to_string()),
                _ => return Err(unsupported("take repr() of this object")),
            },
            "Index" => match one()? {
                Obj::Value(Value::Int(n)) => Value::Index(*n),
                _ => return Err(type_error("Index() takes an int".into())),
            },
            "ClosingIndex" => match args {
                [Obj::Map(m), Obj::Value(Value::Int(n))] => {
                    Value::ClosingIndex(*n, MapRef(Rc::clone(m)))
                }
                _ => {
                    return Err(type_error("ClosingIndex() takes a map and an int".into()));
                }
            },
            "audit_events" if args.is_empty() => Value::List(
                self.audit
                    .iter()
                    .map(|e| {
                        Value::Tuple(vec![
                            Value::Str(e.name.into()),
                            Value::Tuple(e.args.clone()),
                        ])
                    })
                    .collect(),
            ),
            "Buffer" => match one()? {
                Obj::Value(Value::Bytes(b)) => Value::Buffer(b.clone()),
                _ => return Err(type_error("Buffer() takes bytes".into())),
            },
            "slice" => {
                let part = |o: Option<&Obj>| -> Result<Option<Box<Value>>, Raised> {
                    match o {
                        None | Some(Obj::Value(Value::None)) => Ok(None),
                        Some(o) => Ok(Some(Box::new(Self::arg(o)?))),
                    }
                };
                Value::Slice(part(args.first())?, part(args.get(1))?, part(args.get(2))?)
            }
            "pickle.dumps" => match args {
                [Obj::Map(m)] => Value::Bytes(m.borrow().pickle_dumps(None).map_err(raised)?),
                [Obj::Map(m), protocol] => {
                    let protocol = Self::arg(protocol)?;
                    Value::Bytes(m.borrow().pickle_dumps(Some(&protocol)).map_err(raised)?)
                }
                _ => return Err(unsupported("pickle anything but a map")),
            },
            "copy.copy" | "copy.deepcopy" => match one()? {
                Obj::Map(m) => {
                    let copied = m.borrow().copy().map_err(raised)?;
                    return Ok(Obj::Map(Rc::new(RefCell::new(copied))));
                }
                _ => return Err(unsupported("copy anything but a map")),
            },
            other => return Err(unsupported(&format!("call the builtin {other}()"))),
        };
        Ok(Obj::Value(v))
    }
}

impl Fork for RefRuntime {
    fn fork(&mut self) -> Result<u32, Raised> {
        crate::sys::fork().map_err(|e| Raised {
            type_name: "OSError".into(),
            message: e.to_string(),
            errno: e.raw_os_error(),
        })
    }

    fn exit_child(&mut self) -> ! {
        crate::sys::exit_immediately()
    }
}

impl Runtime for RefRuntime {
    type Obj = Obj;

    fn literal(&mut self, v: &Literal) -> Result<Obj, Raised> {
        to_value(v).map(Obj::Value)
    }

    fn container(&mut self, tuple: bool, items: Vec<Obj>) -> Result<Obj, Raised> {
        let values = items
            .into_iter()
            .map(|item| match item {
                Obj::Value(v) => Ok(v),
                _ => Err(unsupported(
                    "hold a map, a method or a function in a tuple or list",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Obj::Value(if tuple {
            Value::Tuple(values)
        } else {
            Value::List(values)
        }))
    }

    fn items(&mut self, _obj: &Obj) -> Option<Vec<Obj>> {
        // Its tuples and lists hold plain values, never a bound object.
        None
    }

    fn name(&mut self, name: &str) -> Result<Obj, Raised> {
        match crate::scenario::names::classify_in(self.api, name) {
            Some(crate::scenario::names::NameKind::Constructor) if self.api == Api::Mmapfile => {
                return Ok(Obj::MmapFileConstructor);
            }
            Some(crate::scenario::names::NameKind::Constructor) => return Ok(Obj::Constructor),
            // Only interpreters with audit hooks (3.8+) have it.
            Some(crate::scenario::names::NameKind::Builtin)
                if name == "audit_events" && !self.profile.python.at_least(3, 8) => {}
            Some(crate::scenario::names::NameKind::Builtin) => {
                return Ok(Obj::Builtin(name.to_owned()));
            }
            _ => {}
        }
        mmap_reference::constants(self.profile)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Obj::Value(Value::Int(v)))
            .ok_or_else(|| Raised {
                type_name: "NameError".into(),
                message: format!("name '{name}' is not defined"),
                errno: None,
            })
    }

    fn call(&mut self, func: &Obj, args: &[Obj], kwargs: &[(String, Obj)]) -> Result<Obj, Raised> {
        let values = || args.iter().map(Self::arg).collect::<Result<Vec<_>, _>>();
        let kw = || {
            kwargs
                .iter()
                .map(|(k, v)| Ok((k.clone(), Self::arg(v)?)))
                .collect::<Result<Vec<_>, Raised>>()
        };
        match func {
            Obj::MmapFileConstructor => {
                let (args, kwargs) = (values()?, kw()?);
                let m = MmapFile::construct(self.profile, &args, &kwargs).map_err(raised)?;
                Ok(Obj::MmapFile(Rc::new(RefCell::new(m))))
            }
            Obj::MmapFileMethod(m, name) => {
                let (args, kwargs) = (values()?, kw()?);
                m.borrow_mut()
                    .call(name, &args, &kwargs)
                    .map(Obj::Value)
                    .map_err(raised)
            }
            Obj::MmapFile(_) => Err(type_error("'mmapfile' object is not callable".into())),
            Obj::Constructor => {
                let (args, kwargs) = (values()?, kw()?);
                let audit = &mut self.audit;
                let m = Mmap::construct_audited(self.profile, &args, &kwargs, &mut |e| {
                    audit.push(e);
                })
                .map_err(raised)?;
                Ok(Obj::Map(Rc::new(RefCell::new(m))))
            }
            Obj::Method(_, name)
                if matches!(name.as_str(), "__buffer__" | "__release_buffer__") =>
            {
                let values = args.iter().filter_map(|o| match o {
                    Obj::Value(v) => Some(v),
                    _ => None,
                });
                no_closing_index(&format!("{name}()"), values)?;
                self.call_buffer_method(func, args, kwargs)
            }
            Obj::Method(map, name) => {
                // Arguments first: a view passed as one reads the map.
                let values = args
                    .iter()
                    .map(|a| Self::arg_of(map, a))
                    .collect::<Result<Vec<_>, _>>()?;
                let kw = kw()?;
                let result = map.borrow_mut().call(name, &values, &kw).map_err(raised)?;
                Ok(match result {
                    Value::Receiver => Obj::Map(map.clone()),
                    v => Obj::Value(v),
                })
            }
            Obj::ViewMethod(view, name) => {
                let (values, kw) = (values()?, kw()?);
                no_closing_index(
                    &format!("memoryview.{name}()"),
                    values.iter().chain(kw.iter().map(|(_, v)| v)),
                )?;
                view.call(name, &values, &kw)
                    .map(Obj::Value)
                    .map_err(raised)
            }
            Obj::View(_) => Err(type_error("'memoryview' object is not callable".into())),
            Obj::Builtin(name) if kwargs.is_empty() => self.builtin(name, args),
            Obj::Builtin(name) => Err(type_error(format!("{name}() takes no keyword arguments"))),
            Obj::Map(_) => Err(type_error("'mmap.mmap' object is not callable".into())),
            Obj::Value(v) => Err(type_error(format!(
                "'{}' object is not callable",
                v.type_name()
            ))),
        }
    }

    fn getattr(&mut self, obj: &Obj, name: &str) -> Result<Obj, Raised> {
        match obj {
            Obj::Map(m) if name == "closed" => {
                m.borrow().getattr(name).map(Obj::Value).map_err(raised)
            }
            Obj::Map(m) if m.borrow().has_method(name) => {
                Ok(Obj::Method(m.clone(), name.to_owned()))
            }
            Obj::Map(m) => m.borrow().getattr(name).map(Obj::Value).map_err(raised),
            Obj::MmapFile(m) if crate::scenario::names::MMAPFILE_ATTRIBUTES.contains(&name) => {
                Ok(Obj::MmapFileMethod(m.clone(), name.to_owned()))
            }
            Obj::MmapFile(_) => Err(Raised {
                type_name: "AttributeError".into(),
                message: format!("'mmapfile' object has no attribute '{name}'"),
                errno: None,
            }),
            Obj::View(v) => match name {
                "obj" => v.obj().map(Obj::Map).map_err(raised),
                "release" | "tobytes" | "tolist" => Ok(Obj::ViewMethod(v.clone(), name.to_owned())),
                _ => v.getattr(name).map(Obj::Value).map_err(raised),
            },
            Obj::Builtin(module) if crate::scenario::names::MODULES.contains(&module.as_str()) => {
                match (module.as_str(), name) {
                    ("pickle", "dumps") | ("copy", "copy" | "deepcopy") => {
                        Ok(Obj::Builtin(format!("{module}.{name}")))
                    }
                    _ => Err(Raised {
                        type_name: "AttributeError".into(),
                        message: format!("module '{module}' has no attribute '{name}'"),
                        errno: None,
                    }),
                }
            }
            Obj::Value(v) => Err(Raised {
                type_name: "AttributeError".into(),
                message: format!("'{}' object has no attribute '{name}'", v.type_name()),
                errno: None,
            }),
            _ => Err(unsupported("get attributes of this object")),
        }
    }

    fn getitem(&mut self, obj: &Obj, key: &Obj) -> Result<Obj, Raised> {
        match obj {
            Obj::Map(m) => {
                let key = Self::arg(key)?;
                m.borrow_mut().getitem(&key).map(Obj::Value).map_err(raised)
            }
            Obj::View(v) => {
                let key = Self::arg(key)?;
                no_closing_index("a memoryview's subscript", [&key])?;
                match v.getitem(&key).map_err(raised)? {
                    ViewItem::Int(b) => Ok(Obj::Value(Value::Int(b.into()))),
                    ViewItem::View(w) => Ok(Obj::View(Rc::new(w))),
                }
            }
            _ => Err(unsupported("index this object")),
        }
    }

    fn setitem(&mut self, obj: &Obj, key: &Obj, value: &Obj) -> Result<(), Raised> {
        match obj {
            Obj::Map(m) => {
                let (key, value) = (Self::arg(key)?, Self::arg_of(m, value)?);
                m.borrow_mut().setitem(&key, &value).map_err(raised)
            }
            Obj::View(v) => {
                let (key, value) = (Self::arg(key)?, Self::arg(value)?);
                no_closing_index("a memoryview's subscript", [&key, &value])?;
                v.setitem(&key, Some(&value)).map_err(raised)
            }
            _ => Err(unsupported("assign items of this object")),
        }
    }

    fn setattr(&mut self, obj: &Obj, name: &str, _value: &Obj) -> Result<(), Raised> {
        match obj {
            Obj::Map(m) => Err(raised(m.borrow().setattr_error(name))),
            Obj::Constructor => Err(raised(mmap_reference::Mmap::type_setattr_error(
                self.profile,
                name,
            ))),
            _ => Err(unsupported("set attributes of this object")),
        }
    }

    fn delitem(&mut self, obj: &Obj, key: &Obj) -> Result<(), Raised> {
        match obj {
            Obj::Map(m) => {
                let key = Self::arg(key)?;
                m.borrow_mut().delitem(&key).map_err(raised)
            }
            Obj::View(v) => {
                let key = Self::arg(key)?;
                no_closing_index("a memoryview's subscript", [&key])?;
                v.setitem(&key, None).map_err(raised)
            }
            _ => Err(unsupported("delete items of this object")),
        }
    }

    fn slice(
        &mut self,
        start: Option<Obj>,
        stop: Option<Obj>,
        step: Option<Obj>,
    ) -> Result<Obj, Raised> {
        let part = |o: Option<Obj>| o.map(|o| Self::arg(&o).map(Box::new)).transpose();
        Ok(Obj::Value(Value::Slice(
            part(start)?,
            part(stop)?,
            part(step)?,
        )))
    }

    fn binop(&mut self, op: BinOp, a: &Obj, b: &Obj) -> Result<Obj, Raised> {
        let (a, b) = (observe_value(&Self::arg(a)?), observe_value(&Self::arg(b)?));
        let r = consteval::binop(op, a, b).map_err(type_error)?;
        self.literal(&r)
    }

    fn neg(&mut self, a: &Obj) -> Result<Obj, Raised> {
        match Self::arg(a)? {
            Value::Int(i) => Ok(Obj::Value(Value::Int(-i))),
            Value::Float(x) => Ok(Obj::Value(Value::Float(-x))),
            v => Err(type_error(format!(
                "bad operand type for unary -: '{}'",
                v.type_name()
            ))),
        }
    }

    fn contains(&mut self, item: &Obj, container: &Obj) -> Result<Obj, Raised> {
        match container {
            Obj::Map(m) => m
                .borrow()
                .contains(&Self::arg(item)?)
                .map(|b| Obj::Value(Value::Bool(b)))
                .map_err(raised),
            _ => Err(unsupported("test membership in this object")),
        }
    }

    fn observe(&mut self, obj: &Obj) -> Observed {
        match obj {
            Obj::Value(v) => observe_value(v),
            Obj::Map(_) => Observed::Object("mmap.mmap".into()),
            Obj::View(_) => Observed::Object("memoryview".into()),
            Obj::Builtin(name) if crate::scenario::names::MODULES.contains(&name.as_str()) => {
                Observed::Object("module".into())
            }
            Obj::Method(..) | Obj::ViewMethod(..) | Obj::Builtin(_) => {
                Observed::Object("builtin_function_or_method".into())
            }
            Obj::Constructor => Observed::Object("type".into()),
            Obj::MmapFile(_) => Observed::Object("mmapfile".into()),
            Obj::MmapFileMethod(..) | Obj::MmapFileConstructor => {
                Observed::Object("builtin_function_or_method".into())
            }
        }
    }

    fn is_same(&self, a: &Obj, b: &Obj) -> bool {
        match (a, b) {
            (Obj::Map(x), Obj::Map(y)) => Rc::ptr_eq(x, y),
            (Obj::View(x), Obj::View(y)) => Rc::ptr_eq(x, y),
            (Obj::MmapFile(x), Obj::MmapFile(y)) => Rc::ptr_eq(x, y),
            _ => false,
        }
    }
}
