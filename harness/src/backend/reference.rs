//! The reference crate's `Mmap`, hosted by `mmapconf serve reference`.

use std::cell::RefCell;
use std::rc::Rc;

use mmap_reference::{Error, Mmap, Profile, Value};

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
            api: vec![Api::Mmap],
        },
    }
}

/// Runs one request on the reference imitating `profile`.
pub fn run(
    profile: Profile,
    request: &RunRequest,
    emit: &mut dyn FnMut(usize, WireOutcome),
) -> Result<(), String> {
    exec::run(&mut RefRuntime { profile }, request, emit)
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
    /// The `mmap` constructor.
    Constructor,
    /// A builtin function.
    Builtin(String),
}

/// The reference's object model for the evaluator.
pub struct RefRuntime {
    /// The profile imitated.
    pub profile: Profile,
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
        Value::Index(_) => Observed::Object("Index".into()),
        Value::Slice(..) => Observed::Object("slice".into()),
        Value::Receiver => Observed::Object("mmap.mmap".into()),
    }
}

impl RefRuntime {
    fn arg(obj: &Obj) -> Result<Value, Raised> {
        match obj {
            Obj::Value(v) => Ok(v.clone()),
            _ => Err(unsupported("pass a map, method or builtin as an argument")),
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
        let buffer = |o: &Obj| -> Result<Vec<u8>, Raised> {
            match o {
                Obj::Map(m) => m.borrow().to_bytes().map_err(raised),
                Obj::Value(v) => v.as_buffer().map(<[u8]>::to_vec).ok_or_else(|| {
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
                Obj::Value(v) => match v.as_buffer() {
                    Some(b) => Value::Int(b.len() as i128),
                    None => return Err(unsupported("take len() of this value")),
                },
                _ => return Err(unsupported("take len() of this object")),
            },
            "bytes" => Value::Bytes(buffer(one()?)?),
            "bytearray" => Value::ByteArray(buffer(one()?)?),
            "memoryview" => match one()? {
                Obj::Map(_) => return Err(unsupported("export a memoryview of a map")),
                other => Value::MemoryView(buffer(other)?),
            },
            "list" => match one()? {
                Obj::Map(m) => Value::List(m.borrow().iter().map_err(raised)?),
                _ => return Err(unsupported("take list() of this object")),
            },
            "repr" => match one()? {
                Obj::Map(m) => Value::Str(m.borrow().repr()),
                Obj::Value(v) => Value::Str(v.to_string()),
                _ => return Err(unsupported("take repr() of this object")),
            },
            "Index" => match one()? {
                Obj::Value(Value::Int(n)) => Value::Index(*n),
                _ => return Err(type_error("Index() takes an int".into())),
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
        match crate::scenario::names::classify(name) {
            Some(crate::scenario::names::NameKind::Constructor) => return Ok(Obj::Constructor),
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
            Obj::Constructor => {
                let m = Mmap::construct(self.profile, &values()?, &kw()?).map_err(raised)?;
                Ok(Obj::Map(Rc::new(RefCell::new(m))))
            }
            Obj::Method(map, name) => {
                let result = map
                    .borrow_mut()
                    .call(name, &values()?, &kw()?)
                    .map_err(raised)?;
                Ok(match result {
                    Value::Receiver => Obj::Map(map.clone()),
                    v => Obj::Value(v),
                })
            }
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
            Obj::Map(m) => Ok(Obj::Method(m.clone(), name.to_owned())),
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
            Obj::Map(m) => m
                .borrow()
                .getitem(&Self::arg(key)?)
                .map(Obj::Value)
                .map_err(raised),
            _ => Err(unsupported("index this object")),
        }
    }

    fn setitem(&mut self, obj: &Obj, key: &Obj, value: &Obj) -> Result<(), Raised> {
        match obj {
            Obj::Map(m) => m
                .borrow_mut()
                .setitem(&Self::arg(key)?, &Self::arg(value)?)
                .map_err(raised),
            _ => Err(unsupported("assign items of this object")),
        }
    }

    fn delitem(&mut self, obj: &Obj, key: &Obj) -> Result<(), Raised> {
        match obj {
            Obj::Map(m) => m.borrow_mut().delitem(&Self::arg(key)?).map_err(raised),
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
            Obj::Method(..) | Obj::Builtin(_) => {
                Observed::Object("builtin_function_or_method".into())
            }
            Obj::Constructor => Observed::Object("type".into()),
        }
    }

    fn is_same(&self, a: &Obj, b: &Obj) -> bool {
        matches!((a, b), (Obj::Map(x), Obj::Map(y)) if Rc::ptr_eq(x, y))
    }
}
