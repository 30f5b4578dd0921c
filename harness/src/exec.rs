//! Runs a request's steps against any object model: the evaluator is shared,
//! each in-process implementation supplies a [`Runtime`]. This is the adapter
//! side of the protocol for the implementations `mmapconf serve` hosts.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};

use crate::fileops::{FileHandle, os_error};
use crate::protocol::wire::{
    Expr, RunRequest, Step, StepOutcome, WireOutcome, after_crash, child_ranges, step_count,
};
use crate::scenario::ast::BinOp;
use crate::transcript::{Observed, Raised};

/// A literal value handed to a runtime to make its own object from.
pub type Literal = Observed;

/// The object model of an implementation, one Python operation per method.
/// An `Err` is the exception the operation raised.
pub trait Runtime: Fork {
    /// An object of the implementation.
    type Obj: Clone;

    /// Makes an object from a literal.
    fn literal(&mut self, v: &Literal) -> Result<Self::Obj, Raised>;
    /// A new tuple (`tuple` true) or list holding `items`.
    fn container(&mut self, tuple: bool, items: Vec<Self::Obj>) -> Result<Self::Obj, Raised>;
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
    /// `obj.name = value`
    fn setattr(&mut self, obj: &Self::Obj, name: &str, value: &Self::Obj) -> Result<(), Raised>;
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
    /// The items of a tuple or list, `None` for other objects.
    fn items(&mut self, obj: &Self::Obj) -> Option<Vec<Self::Obj>>;
    /// The object as a transcript value (identity with names is the evaluator's job).
    fn observe(&mut self, obj: &Self::Obj) -> Observed;
    /// `a is b`
    fn is_same(&self, a: &Self::Obj, b: &Self::Obj) -> bool;
}

/// How a runtime splits into two processes for `fork` steps.
pub trait Fork {
    /// `os.fork()`: the child's pid in the parent, 0 in the child.
    fn fork(&mut self) -> Result<u32, Raised>;
    /// Ends the child process at once, without running exit handlers.
    fn exit_child(&mut self) -> !;
}

/// Runs every step of `request` on `rt`, handing each step's outcome to
/// `emit` as soon as it is known. An `Err` is an adapter error: the request
/// could not be carried out (its file cannot be opened).
pub fn run<R: Runtime>(
    rt: &mut R,
    request: &RunRequest,
    emit: &mut dyn FnMut(usize, WireOutcome),
) -> Result<(), String> {
    let file = request.file.as_ref().map(FileHandle::open).transpose()?;
    let mut ev = Evaluator {
        rt,
        file,
        env: HashMap::new(),
        order: vec![],
    };
    ev.steps(&request.steps, 0, emit);
    Ok(())
}

struct Evaluator<'a, R: Runtime> {
    rt: &'a mut R,
    file: Option<FileHandle>,
    env: HashMap<String, R::Obj>,
    /// Binding order, so identity lookups prefer the earliest name.
    order: Vec<String>,
}

impl<R: Runtime> Evaluator<'_, R> {
    /// Runs `steps`, the first of which has index `base`; returns the next index.
    fn steps(
        &mut self,
        steps: &[Step],
        mut index: usize,
        emit: &mut dyn FnMut(usize, WireOutcome),
    ) -> usize {
        for step in steps {
            let result = match step {
                Step::Eval(e) => self.eval(e).map(|obj| self.observe(&obj)),
                Step::Assign(b) => self.eval(&b.value).map(|obj| {
                    let seen = self.observe(&obj);
                    self.bind(&b.name, obj);
                    seen
                }),
                // Python evaluates the value of an assignment first.
                Step::SetItem(s) => (|| {
                    let v = self.eval(&s.value)?;
                    let (t, k) = (self.eval(&s.target)?, self.eval(&s.key)?);
                    self.rt.setitem(&t, &k, &v).map(|()| Observed::None)
                })(),
                Step::SetAttr(s) => (|| {
                    let v = self.eval(&s.value)?;
                    let t = self.eval(&s.target)?;
                    self.rt.setattr(&t, &s.name, &v).map(|()| Observed::None)
                })(),
                Step::DelItem(d) => (|| {
                    let (t, k) = (self.eval(&d.target)?, self.eval(&d.key)?);
                    self.rt.delitem(&t, &k).map(|()| Observed::None)
                })(),
                Step::Enter(b) => self.enter(&b.value, &b.name),
                Step::Exit(n) => self.exit(&n.name),
                Step::Fork(child) => {
                    index = self.fork(child, index, emit);
                    continue;
                }
            };
            emit(
                index,
                match result {
                    Ok(v) => WireOutcome::Returned(v),
                    Err(e) => WireOutcome::Raised(e.into()),
                },
            );
            index += 1;
        }
        index
    }

    /// Runs `child` in a forked process; emits the fork step's outcome, then
    /// the child's (ending in a crash if a signal killed it). Returns the
    /// index after the child's steps.
    fn fork(
        &mut self,
        child: &[Step],
        index: usize,
        emit: &mut dyn FnMut(usize, WireOutcome),
    ) -> usize {
        let end = index + 1 + step_count(child);
        let (mut parent_end, mut child_end) = match crate::sys::channel() {
            Ok(pair) => pair,
            Err(e) => {
                emit(index, WireOutcome::Raised(os_error(&e).into()));
                return end;
            }
        };
        match self.rt.fork() {
            Err(e) => emit(index, WireOutcome::Raised(e.into())),
            Ok(0) => {
                drop(parent_end);
                self.steps(child, index + 1, &mut |i, outcome| {
                    let line = serde_json::to_string(&StepOutcome { step: i, outcome })
                        .unwrap_or_default();
                    let _ = writeln!(child_end, "{line}");
                });
                drop(child_end);
                self.rt.exit_child()
            }
            Ok(pid) => {
                drop(child_end);
                let mut reported = vec![];
                for line in BufReader::new(&mut parent_end).lines() {
                    let Ok(line) = line else { break };
                    if let Ok(o) = serde_json::from_str::<StepOutcome>(&line) {
                        reported.push(o);
                    }
                }
                let status = crate::sys::wait(pid);
                emit(index, WireOutcome::Returned(Observed::None));
                // The child's first step it did not report.
                let next = match reported.last() {
                    None => index + 1,
                    Some(o) if matches!(o.outcome, WireOutcome::Crashed(_)) => {
                        after_crash(&child_ranges(child, index + 1), o.step)
                    }
                    Some(o) => o.step + 1,
                };
                for o in reported {
                    emit(o.step, o.outcome);
                }
                if next < end {
                    let how = match (status.signal, status.code) {
                        (Some(signal), _) => signal,
                        (None, Some(code)) => format!("exit status {code}"),
                        (None, None) => "unknown status".to_owned(),
                    };
                    emit(next, WireOutcome::Crashed(how));
                }
            }
        }
        end
    }

    fn bind(&mut self, name: &str, obj: R::Obj) {
        if self.env.insert(name.to_owned(), obj).is_none() {
            self.order.push(name.to_owned());
        }
    }

    fn enter(&mut self, expr: &Expr, name: &str) -> Result<Observed, Raised> {
        let manager = self.eval(expr)?;
        let enter = self.rt.getattr(&manager, "__enter__")?;
        let value = self.rt.call(&enter, &[], &[])?;
        // Bind the manager first, so that `__enter__` returning it shows
        // as the name itself.
        self.bind(name, manager);
        let seen = self.observe(&value);
        self.bind(name, value);
        Ok(seen)
    }

    fn exit(&mut self, name: &str) -> Result<Observed, Raised> {
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
    }

    /// The transcript value of `obj`: a bound name when it is that very
    /// object; a tuple's or list's items by the same rule.
    fn observe(&mut self, obj: &R::Obj) -> Observed {
        let seen = self.rt.observe(obj);
        if let Observed::Tuple(_) | Observed::List(_) = seen {
            if let Some(items) = self.rt.items(obj) {
                let items = items.iter().map(|i| self.observe(i)).collect();
                return match seen {
                    Observed::Tuple(_) => Observed::Tuple(items),
                    _ => Observed::List(items),
                };
            }
        }
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
            Expr::Value(v) => self.rt.literal(v),
            Expr::Tuple(items) | Expr::List(items) => {
                let objs = items
                    .iter()
                    .map(|item| self.eval(item))
                    .collect::<Result<Vec<_>, _>>()?;
                self.rt.container(matches!(e, Expr::Tuple(_)), objs)
            }
            Expr::Name(n) => match self.env.get(n) {
                Some(obj) => Ok(obj.clone()),
                None => self.rt.name(n),
            },
            Expr::Call(c) => {
                let f = self.eval(&c.func)?;
                let args = c
                    .args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<Vec<_>, _>>()?;
                let kwargs = c
                    .kwargs
                    .iter()
                    .map(|b| Ok((b.name.clone(), self.eval(&b.value)?)))
                    .collect::<Result<Vec<_>, Raised>>()?;
                self.rt.call(&f, &args, &kwargs)
            }
            Expr::Attr(a) => {
                let obj = self.eval(&a.value)?;
                self.rt.getattr(&obj, &a.name)
            }
            Expr::Item(i) => {
                let obj = self.eval(&i.value)?;
                let key = self.eval(&i.key)?;
                self.rt.getitem(&obj, &key)
            }
            Expr::Slice(s) => {
                let mut part = |p: &Option<Expr>| p.as_ref().map(|x| self.eval(x)).transpose();
                let (a, b, c) = (part(&s.start)?, part(&s.stop)?, part(&s.step)?);
                self.rt.slice(a, b, c)
            }
            Expr::BinOp(b) => {
                let (l, r) = (self.eval(&b.left)?, self.eval(&b.right)?);
                self.rt.binop(b.op, &l, &r)
            }
            Expr::Neg(a) => {
                let a = self.eval(a)?;
                self.rt.neg(&a)
            }
            Expr::In(i) => {
                let (a, b) = (self.eval(&i.item)?, self.eval(&i.container)?);
                self.rt.contains(&a, &b)
            }
            Expr::File(call) => {
                let mut lits = vec![];
                for a in &call.args {
                    let obj = self.eval(a)?;
                    lits.push(self.rt.observe(&obj));
                }
                let file = self.file.as_mut().ok_or_else(|| Raised {
                    type_name: "HarnessError".into(),
                    message: "the scenario has no file".into(),
                    errno: None,
                })?;
                let value = file.call(&call.method, &lits)?;
                self.rt.literal(&value)
            }
        }
    }
}

fn name_error(name: &str) -> Raised {
    Raised {
        type_name: "NameError".into(),
        message: format!("name '{name}' is not defined"),
        errno: None,
    }
}
