//! Scenarios as the harness runs them: parsed, checked and located.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use mmap_reference::{Platform, Profile, PyVersion};

use super::ast::{CmpOp, Cond, Expect, Expr, Stmt};
pub use super::doc::{Api, OpenMode};

/// A place in a spec file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    /// The spec file, relative to the current directory when possible.
    pub file: Arc<PathBuf>,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One behaviour, ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Stable kebab-case id.
    pub id: String,
    /// Where the id is written.
    pub loc: Loc,
    /// The API driven.
    pub api: Api,
    /// The behaviour in one sentence.
    pub description: String,
    /// Cited passages, `document#section`.
    pub cite: Vec<String>,
    /// Labels.
    pub tags: Vec<String>,
    /// Where it applies.
    pub when: When,
    /// The temporary file, if any.
    pub file: Option<FileSetup>,
    /// Platforms whose expectations are traced to documents or source lines
    /// but not yet observed there, each with its trace.
    pub unconfirmed: Vec<PlatformNote>,
    /// Platforms whose expectations a run there confirmed, each with the run.
    pub confirmed: Vec<PlatformNote>,
    /// The steps.
    pub steps: Vec<Step>,
}

/// A note about a scenario's expectations on one platform.
#[derive(Clone, Debug)]
pub struct PlatformNote {
    /// The platform (never Linux).
    pub platform: Platform,
    /// The trace (for `unconfirmed`) or the confirming run (for `confirmed`).
    pub note: String,
    /// Where the platform is named.
    pub loc: Loc,
}

/// Content and open mode of a scenario's file.
#[derive(Clone, Debug)]
pub struct FileSetup {
    /// Its content: an expression evaluated for the profile.
    pub content: Expr,
    /// How it is opened.
    pub open: OpenMode,
}

/// Where a scenario applies.
#[derive(Clone, Debug, Default)]
pub struct When {
    /// Version comparisons that must all hold.
    pub python: Vec<(CmpOp, PyVersion)>,
    /// Platforms; empty means all.
    pub platforms: Vec<Platform>,
}

impl When {
    /// `None` when the scenario applies to `profile`, else why not.
    pub fn excludes(&self, profile: Profile) -> Option<String> {
        if !self.platforms.is_empty() && !self.platforms.contains(&profile.platform) {
            let names: Vec<_> = self.platforms.iter().map(|p| p.name()).collect();
            return Some(format!(
                "applies to {} only, not {}",
                names.join(", "),
                profile.platform
            ));
        }
        for (op, v) in &self.python {
            if !op.holds(profile.python, *v) {
                return Some(format!(
                    "needs python {} {v}; this is {}",
                    op.symbol(),
                    profile.python
                ));
            }
        }
        None
    }
}

/// One step and what it must do.
#[derive(Clone, Debug)]
pub struct Step {
    /// Where the step is written.
    pub loc: Loc,
    /// What it does.
    pub action: Action,
    /// The expected outcome per condition, first match wins; one unconditional
    /// entry for most steps.
    pub variants: Vec<Variant>,
}

/// What a step does.
#[derive(Clone, Debug)]
pub enum Action {
    /// A statement; `text` is how transcripts show it.
    Stmt {
        /// The statement.
        stmt: Stmt,
        /// Its source text.
        text: String,
    },
    /// `with EXPR as NAME:` then the body, then `NAME.__exit__(None, None, None)`.
    With {
        /// The context manager expression.
        expr: Expr,
        /// Its source text.
        text: String,
        /// The name bound to what `__enter__` returned.
        name: String,
        /// The body.
        body: Vec<Step>,
    },
    /// The body runs in a child process after `os.fork()`.
    Fork {
        /// The child's steps.
        body: Vec<Step>,
    },
}

/// An expected outcome, under a condition.
#[derive(Clone, Debug)]
pub struct Variant {
    /// When this expectation applies (`None`: always).
    pub cond: Option<Cond>,
    /// What must happen.
    pub expect: Expect,
}

impl Scenario {
    /// Every method name called on a bound object, for `--method` filters.
    pub fn methods(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        fn walk_expr(e: &Expr, out: &mut BTreeSet<String>) {
            match e {
                Expr::Call { func, args, kwargs } => {
                    match func.as_ref() {
                        Expr::Attr(obj, name) if !matches!(obj.as_ref(), Expr::Name(n) if n == "f") =>
                        {
                            out.insert(name.clone());
                            walk_expr(obj, out);
                        }
                        Expr::Name(n) if n == "mmap" => {
                            out.insert("mmap".into());
                        }
                        Expr::Name(n) if n == "len" => {
                            out.insert("len".into());
                        }
                        other => walk_expr(other, out),
                    }
                    args.iter().for_each(|a| walk_expr(a, out));
                    kwargs.iter().for_each(|(_, a)| walk_expr(a, out));
                }
                Expr::Attr(obj, name) => {
                    if !matches!(obj.as_ref(), Expr::Name(n) if n == "f") {
                        out.insert(name.clone());
                    }
                    walk_expr(obj, out);
                }
                Expr::Subscript(obj, key) => {
                    out.insert("__getitem__".into());
                    walk_expr(obj, out);
                    walk_expr(key, out);
                }
                Expr::In(a, b) => {
                    out.insert("__contains__".into());
                    walk_expr(a, out);
                    walk_expr(b, out);
                }
                Expr::BinOp(_, a, b) => {
                    walk_expr(a, out);
                    walk_expr(b, out);
                }
                Expr::Neg(a) => walk_expr(a, out),
                Expr::Tuple(items) | Expr::List(items) => {
                    items.iter().for_each(|a| walk_expr(a, out))
                }
                _ => {}
            }
        }
        fn walk(steps: &[Step], out: &mut BTreeSet<String>) {
            for s in steps {
                match &s.action {
                    Action::Stmt { stmt, .. } => match stmt {
                        Stmt::Expr(e) | Stmt::Bind(_, e) => walk_expr(e, out),
                        Stmt::SetItem(o, k, v) => {
                            out.insert("__setitem__".into());
                            walk_expr(o, out);
                            walk_expr(k, out);
                            walk_expr(v, out);
                        }
                        Stmt::DelItem(o, k) => {
                            out.insert("__delitem__".into());
                            walk_expr(o, out);
                            walk_expr(k, out);
                        }
                        Stmt::SetAttr(o, _, v) => {
                            out.insert("__setattr__".into());
                            walk_expr(o, out);
                            walk_expr(v, out);
                        }
                    },
                    Action::With { expr, body, .. } => {
                        out.insert("__enter__".into());
                        out.insert("__exit__".into());
                        walk_expr(expr, out);
                        walk(body, out);
                    }
                    Action::Fork { body } => walk(body, out),
                }
            }
        }
        walk(&self.steps, &mut out);
        out
    }
}

/// A step in execution order: a `with` becomes its header, its body and its
/// exit; a `fork` becomes a marker followed by the child's steps.
#[derive(Clone, Debug)]
pub struct FlatStep<'a> {
    /// Where the step is written.
    pub loc: &'a Loc,
    /// How transcripts show it.
    pub text: String,
    /// What to do.
    pub op: FlatOp<'a>,
    /// The expected outcomes (none for the implicit exit and fork steps,
    /// which must only return).
    pub variants: &'a [Variant],
}

/// What a [`FlatStep`] does.
#[derive(Clone, Debug)]
pub enum FlatOp<'a> {
    /// Run a statement.
    Stmt(&'a Stmt),
    /// Evaluate the expression, call `__enter__`, bind the result.
    Enter {
        /// The context manager expression.
        expr: &'a Expr,
        /// The name to bind.
        name: &'a str,
    },
    /// `name.__exit__(None, None, None)`
    Exit {
        /// The bound name.
        name: &'a str,
    },
    /// `os.fork()`; the next `child_len` steps run in the child.
    Fork {
        /// How many of the following steps belong to the child.
        child_len: usize,
    },
}

impl FlatStep<'_> {
    /// The expectation that applies to `profile`: the first variant whose
    /// condition holds, `Returns` for the implicit steps that have none, and
    /// `None` when the spec says nothing for this profile.
    pub fn expectation(&self, profile: Profile) -> Option<&Expect> {
        if self.variants.is_empty() {
            return Some(&Expect::Returns);
        }
        self.variants
            .iter()
            .find(|v| {
                v.cond
                    .as_ref()
                    .is_none_or(|c| c.holds(profile.python, profile.platform))
            })
            .map(|v| &v.expect)
    }
}

impl Scenario {
    /// The platforms other than Linux whose expectations this scenario states
    /// specifically: all it applies to when it does not apply to Linux, or
    /// when a step picks its outcome by platform. Expectations on shared code
    /// observed on Linux are not specific to any platform.
    pub fn platform_specific(&self) -> Vec<Platform> {
        let applies: Vec<Platform> = Platform::ALL
            .into_iter()
            .filter(|p| self.when.platforms.is_empty() || self.when.platforms.contains(p))
            .collect();
        let by_platform = self.flat_steps().iter().any(|step| {
            step.variants.iter().any(|v| {
                v.cond.as_ref().is_some_and(|c| {
                    c.0.iter()
                        .any(|atom| matches!(atom, super::ast::CondAtom::Platform { .. }))
                })
            })
        });
        if applies.contains(&Platform::Linux) && !by_platform {
            return vec![];
        }
        applies
            .into_iter()
            .filter(|p| *p != Platform::Linux)
            .collect()
    }

    /// The steps in execution order; transcripts have one entry per item.
    pub fn flat_steps(&self) -> Vec<FlatStep<'_>> {
        fn flatten<'a>(steps: &'a [Step], out: &mut Vec<FlatStep<'a>>) {
            for s in steps {
                match &s.action {
                    Action::Stmt { stmt, text } => out.push(FlatStep {
                        loc: &s.loc,
                        text: text.clone(),
                        op: FlatOp::Stmt(stmt),
                        variants: &s.variants,
                    }),
                    Action::With {
                        expr,
                        text,
                        name,
                        body,
                    } => {
                        out.push(FlatStep {
                            loc: &s.loc,
                            text: format!("with {text} as {name}"),
                            op: FlatOp::Enter { expr, name },
                            variants: &s.variants,
                        });
                        flatten(body, out);
                        out.push(FlatStep {
                            loc: &s.loc,
                            text: format!("{name}.__exit__(None, None, None)"),
                            op: FlatOp::Exit { name },
                            variants: &[],
                        });
                    }
                    Action::Fork { body } => {
                        let at = out.len();
                        out.push(FlatStep {
                            loc: &s.loc,
                            text: "fork:".into(),
                            op: FlatOp::Fork { child_len: 0 },
                            variants: &[],
                        });
                        flatten(body, out);
                        let child_len = out.len() - at - 1;
                        out[at].op = FlatOp::Fork { child_len };
                    }
                }
            }
        }
        let mut out = vec![];
        flatten(&self.steps, &mut out);
        out
    }
}
