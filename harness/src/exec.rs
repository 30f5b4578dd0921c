//! Runs a scenario's steps against any object model: the evaluator is shared,
//! each in-process backend supplies a [`Runtime`].

use std::collections::HashMap;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use crate::sandbox::Sandbox;
use crate::scenario::Scenario;
use crate::scenario::ast::{BinOp, Expr, Stmt};
use crate::scenario::model::{FlatOp, FlatStep};
use crate::transcript::{Entry, Observed, Outcome, Raised, Transcript};

/// A literal value handed to a runtime to make its own object from.
pub type Literal = Observed;

/// The object model of an implementation, one Python operation per method.
/// An `Err` is the exception the operation raised.
pub trait Runtime: Fork {
    /// An object of the implementation.
    type Obj: Clone;

    /// Makes an object from a literal.
    fn literal(&mut self, v: &Literal) -> Result<Self::Obj, Raised>;
    /// Looks up a predefined name: `mmap`, a module constant, a builtin.
    fn name(&mut self, name: &str) -> Result<Self::Obj, Raised>;
    /// `func(*args, **kwargs)`
    fn call(
        &mut self,
        func: &Self::Obj,
        args: &[Self::Obj],
        kwargs: &[(String, Self::Obj)],
    ) -> Result<Self::Obj, Raised>;
    /// `obj.name`
    fn getattr(&mut self, obj: &Self::Obj, name: &str) -> Result<Self::Obj, Raised>;
    /// `obj[key]`
    fn getitem(&mut self, obj: &Self::Obj, key: &Self::Obj) -> Result<Self::Obj, Raised>;
    /// `obj[key] = value`
    fn setitem(
        &mut self,
        obj: &Self::Obj,
        key: &Self::Obj,
        value: &Self::Obj,
    ) -> Result<(), Raised>;
    /// `del obj[key]`
    fn delitem(&mut self, obj: &Self::Obj, key: &Self::Obj) -> Result<(), Raised>;
    /// `slice(start, stop, step)`
    fn slice(
        &mut self,
        start: Option<Self::Obj>,
        stop: Option<Self::Obj>,
        step: Option<Self::Obj>,
    ) -> Result<Self::Obj, Raised>;
    /// `a OP b`
    fn binop(&mut self, op: BinOp, a: &Self::Obj, b: &Self::Obj) -> Result<Self::Obj, Raised>;
    /// `-a`
    fn neg(&mut self, a: &Self::Obj) -> Result<Self::Obj, Raised>;
    /// `item in container`
    fn contains(&mut self, item: &Self::Obj, container: &Self::Obj) -> Result<Self::Obj, Raised>;
    /// The object as a transcript value (identity with names is the evaluator's job).
    fn observe(&mut self, obj: &Self::Obj) -> Observed;
    /// `a is b`
    fn is_same(&self, a: &Self::Obj, b: &Self::Obj) -> bool;
}

/// Runs every step of `scenario` on `rt`, with the scenario's file prepared
/// in `sandbox`.
pub fn run<R: Runtime>(rt: &mut R, scenario: &Scenario, sandbox: &mut Sandbox) -> Transcript {
    let steps = scenario.flat_steps();
    let mut ev = Evaluator {
        rt,
        sandbox,
        env: HashMap::new(),
        order: vec![],
    };
    let entries = ev.steps(&steps);
    Transcript { entries }
}

/// How a runtime splits into two processes for `fork:` steps.
pub trait Fork {
    /// `os.fork()`: the child's pid in the parent, 0 in the child.
    fn fork(&mut self) -> Result<u32, Raised>;
    /// Ends the child process at once, without running exit handlers.
    fn exit_child(&mut self) -> !;
}

struct Evaluator<'a, R: Runtime> {
    rt: &'a mut R,
    sandbox: &'a mut Sandbox,
    env: HashMap<String, R::Obj>,
    /// Binding order, so identity lookups prefer the earliest name.
    order: Vec<String>,
}

impl<R: Runtime> Evaluator<'_, R> {
    fn steps(&mut self, steps: &[FlatStep<'_>]) -> Vec<Entry> {
        let mut entries = Vec::with_capacity(steps.len());
        let mut i = 0;
        while i < steps.len() {
            let step = &steps[i];
            let outcome = match &step.op {
                FlatOp::Stmt(stmt) => self.stmt(stmt),
                FlatOp::Enter { expr, name } => self.enter(expr, name),
                FlatOp::Exit { name } => self.exit(name),
                FlatOp::Fork { child_len } => {
                    let child = &steps[i + 1..i + 1 + child_len];
                    let (outcome, child_entries) = self.fork(child);
                    entries.push(Entry {
                        text: step.text.clone(),
                        outcome,
                    });
                    entries.extend(child_entries);
                    i += 1 + child_len;
                    continue;
                }
            };
            entries.push(Entry {
                text: step.text.clone(),
                outcome,
            });
            i += 1;
        }
        entries
    }

    /// Runs `child` in a forked process and returns the fork step's outcome
    /// and the child's entries (ending in a crash entry if it died).
    fn fork(&mut self, child: &[FlatStep<'_>]) -> (Outcome, Vec<Entry>) {
        let (mut parent_end, mut child_end) = match UnixStream::pair() {
            Ok(pair) => pair,
            Err(e) => return (Outcome::Raised(os_error(&e)), vec![]),
        };
        match self.rt.fork() {
            Err(e) => (Outcome::Raised(e), vec![]),
            Ok(0) => {
                drop(parent_end);
                let entries = self.steps(child);
                let json = serde_json::to_vec(&entries).unwrap_or_default();
                let _ = child_end.write_all(&json);
                drop(child_end);
                self.rt.exit_child()
            }
            Ok(pid) => {
                drop(child_end);
                let mut json = vec![];
                let _ = parent_end.read_to_end(&mut json);
                let status = crate::sys::wait(pid);
                let mut entries: Vec<Entry> = serde_json::from_slice(&json).unwrap_or_default();
                if let Some(signal) = status.signal {
                    if let Some(step) = child.get(entries.len()) {
                        entries.push(Entry {
                            text: step.text.clone(),
                            outcome: Outcome::Crashed(signal),
                        });
                    }
                }
                (Outcome::Returned(Observed::None), entries)
            }
        }
    }

    fn bind(&mut self, name: &str, obj: R::Obj) {
        if self.env.insert(name.to_owned(), obj).is_none() {
            self.order.push(name.to_owned());
        }
    }

    fn stmt(&mut self, stmt: &Stmt) -> Outcome {
        let result = match stmt {
            Stmt::Expr(e) => self.eval(e).map(|obj| self.observe(&obj)),
            Stmt::Bind(name, e) => self.eval(e).map(|obj| {
                let seen = self.observe(&obj);
                self.bind(name, obj);
                seen
            }),
            Stmt::SetItem(o, k, v) => (|| {
                let (o, k, v) = (self.eval(o)?, self.eval(k)?, self.eval(v)?);
                self.rt.setitem(&o, &k, &v).map(|()| Observed::None)
            })(),
            Stmt::DelItem(o, k) => (|| {
                let (o, k) = (self.eval(o)?, self.eval(k)?);
                self.rt.delitem(&o, &k).map(|()| Observed::None)
            })(),
        };
        into_outcome(result)
    }

    fn enter(&mut self, expr: &Expr, name: &str) -> Outcome {
        let result = (|| {
            let manager = self.eval(expr)?;
            let enter = self.rt.getattr(&manager, "__enter__")?;
            let value = self.rt.call(&enter, &[], &[])?;
            // Bind the manager first, so that `__enter__` returning it shows
            // as the name itself.
            self.bind(name, manager);
            let seen = self.observe(&value);
            self.bind(name, value);
            Ok(seen)
        })();
        into_outcome(result)
    }

    fn exit(&mut self, name: &str) -> Outcome {
        let result = (|| {
            let obj = self
                .env
                .get(name)
                .cloned()
                .ok_or_else(|| name_error(name))?;
            let exit = self.rt.getattr(&obj, "__exit__")?;
            let none = self.rt.literal(&Observed::None)?;
            let value = self
                .rt
                .call(&exit, &[none.clone(), none.clone(), none], &[])?;
            Ok(self.observe(&value))
        })();
        into_outcome(result)
    }

    /// The transcript value of `obj`: a bound name when it is that very object.
    fn observe(&mut self, obj: &R::Obj) -> Observed {
        let seen = self.rt.observe(obj);
        if matches!(seen, Observed::Object(_)) {
            for name in &self.order {
                if self.env.get(name).is_some_and(|b| self.rt.is_same(b, obj)) {
                    return Observed::Ref(name.clone());
                }
            }
        }
        seen
    }

    fn eval(&mut self, e: &Expr) -> Result<R::Obj, Raised> {
        match e {
            Expr::None => self.rt.literal(&Observed::None),
            Expr::Bool(b) => self.rt.literal(&Observed::Bool(*b)),
            Expr::Int(i) => self.rt.literal(&Observed::Int(*i)),
            Expr::Float(x) => self.rt.literal(&Observed::Float(*x)),
            Expr::Bytes(b) => self.rt.literal(&Observed::Bytes(b.clone())),
            Expr::Str(s) => self.rt.literal(&Observed::Str(s.clone())),
            Expr::Tuple(items) | Expr::List(items) => {
                // Containers of literals only: scenarios pass them as values.
                let mut lits = vec![];
                for item in items {
                    let obj = self.eval(item)?;
                    lits.push(self.rt.observe(&obj));
                }
                let lit = if matches!(e, Expr::Tuple(_)) {
                    Observed::Tuple(lits)
                } else {
                    Observed::List(lits)
                };
                self.rt.literal(&lit)
            }
            Expr::Name(n) => match self.env.get(n) {
                Some(obj) => Ok(obj.clone()),
                None => self.rt.name(n),
            },
            Expr::Call { func, args, kwargs } => {
                if let Expr::Attr(obj, method) = func.as_ref() {
                    if matches!(obj.as_ref(), Expr::Name(n) if n == "f" && !self.env.contains_key("f"))
                    {
                        return self.file_call(method, args);
                    }
                }
                let f = self.eval(func)?;
                let args = args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<Vec<_>, _>>()?;
                let kwargs = kwargs
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.eval(v)?)))
                    .collect::<Result<Vec<_>, Raised>>()?;
                self.rt.call(&f, &args, &kwargs)
            }
            Expr::Attr(obj, name) => {
                let obj = self.eval(obj)?;
                self.rt.getattr(&obj, name)
            }
            Expr::Subscript(obj, key) => {
                let obj = self.eval(obj)?;
                let key = self.eval(key)?;
                self.rt.getitem(&obj, &key)
            }
            Expr::Slice(a, b, c) => {
                let mut part = |p: &Option<Box<Expr>>| p.as_ref().map(|x| self.eval(x)).transpose();
                let (a, b, c) = (part(a)?, part(b)?, part(c)?);
                self.rt.slice(a, b, c)
            }
            Expr::BinOp(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                self.rt.binop(*op, &a, &b)
            }
            Expr::Neg(a) => {
                let a = self.eval(a)?;
                self.rt.neg(&a)
            }
            Expr::In(a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                self.rt.contains(&a, &b)
            }
        }
    }

    /// `f.method(...)`: the harness's own file operations, the same for every
    /// implementation.
    fn file_call(&mut self, method: &str, args: &[Expr]) -> Result<R::Obj, Raised> {
        let mut lits = vec![];
        for a in args {
            let obj = self.eval(a)?;
            lits.push(self.rt.observe(&obj));
        }
        let value = self.sandbox.file_op(method, &lits)?;
        self.rt.literal(&value)
    }
}

fn into_outcome(r: Result<Observed, Raised>) -> Outcome {
    match r {
        Ok(v) => Outcome::Returned(v),
        Err(e) => Outcome::Raised(e),
    }
}

fn name_error(name: &str) -> Raised {
    Raised {
        type_name: "NameError".into(),
        message: format!("name '{name}' is not defined"),
        errno: None,
    }
}

fn os_error(e: &std::io::Error) -> Raised {
    Raised {
        type_name: "OSError".into(),
        message: e.to_string(),
        errno: e.raw_os_error(),
    }
}
