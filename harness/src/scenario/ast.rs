//! The syntax tree of a step line: a small subset of Python.

use std::fmt;

use mmap_reference::{Platform, PyVersion};
use serde::{Deserialize, Serialize};

/// A Python expression, restricted to what scenarios need.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A name: a bound object, `f`, `mmap`, a constant or a builtin.
    Name(String),
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// An integer literal.
    Int(i128),
    /// A float literal.
    Float(f64),
    /// A bytes literal.
    Bytes(Vec<u8>),
    /// A str literal.
    Str(String),
    /// `(a, b)`
    Tuple(Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `func(args, key=value)`
    Call {
        /// What is called: a name or an attribute.
        func: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments, in order.
        kwargs: Vec<(String, Expr)>,
    },
    /// `obj.name`
    Attr(Box<Expr>, String),
    /// `obj[key]`
    Subscript(Box<Expr>, Box<Expr>),
    /// `a:b:c` inside a subscript.
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// A binary operation.
    BinOp(BinOp, Box<Expr>, Box<Expr>),
    /// `-a`
    Neg(Box<Expr>),
    /// `a in b`
    In(Box<Expr>, Box<Expr>),
}

/// A binary arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinOp {
    /// `+`
    #[serde(rename = "+")]
    Add,
    /// `-`
    #[serde(rename = "-")]
    Sub,
    /// `*`
    #[serde(rename = "*")]
    Mul,
    /// `//`
    #[serde(rename = "//")]
    FloorDiv,
    /// `**`
    #[serde(rename = "**")]
    Pow,
}

impl BinOp {
    /// The operator as Python writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::FloorDiv => "//",
            BinOp::Pow => "**",
        }
    }
}

/// A step's statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// An expression whose value is the step's result.
    Expr(Expr),
    /// `name = expr`
    Bind(String, Expr),
    /// `obj[key] = value`
    SetItem(Expr, Expr, Expr),
    /// `del obj[key]`
    DelItem(Expr, Expr),
    /// `obj.name = value`
    SetAttr(Expr, String, Expr),
}

/// What a step must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// Return, with any value.
    Returns,
    /// Return exactly this value (evaluated for the profile).
    Value(Expr),
    /// Raise this exception.
    Raises(Raise),
    /// Be killed by this signal (`SIGBUS`).
    Crash(String),
    /// Any of these, for a reason.
    OneOf(Vec<Expect>, String),
}

/// An expected exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raise {
    /// The class name, module-qualified when not a builtin (`mmap.error`).
    pub type_name: String,
    /// The exact `str(exception)`, if pinned.
    pub message: Option<String>,
    /// The errno of an `OSError`, if pinned.
    pub errno: Option<i32>,
}

/// Names of the `OSError` family, whose expectations are written
/// `OSError(errno, "strerror")`.
pub const OS_ERRORS: &[&str] = &[
    "OSError",
    "mmap.error",
    "PermissionError",
    "FileNotFoundError",
    "FileExistsError",
    "IsADirectoryError",
    "NotADirectoryError",
    "BlockingIOError",
    "InterruptedError",
];

/// A condition on the profile: all of its atoms hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cond(pub Vec<CondAtom>);

/// One test of a [`Cond`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CondAtom {
    /// `python OP X.Y`
    Python(CmpOp, PyVersion),
    /// `linux`, `not windows`, `unix`: the platform is (or is not) in the set.
    Platform {
        /// True for `not ...`.
        negated: bool,
        /// The platforms the word names (`unix` names two).
        platforms: Vec<Platform>,
    },
}

/// A comparison operator in a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

impl CmpOp {
    /// Applies the comparison.
    pub fn holds<T: Ord>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Ge => a >= b,
            CmpOp::Gt => a > b,
        }
    }

    /// The operator's spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
        }
    }
}

impl Cond {
    /// True when every atom holds for `python` on `platform`.
    pub fn holds(&self, python: PyVersion, platform: Platform) -> bool {
        self.0.iter().all(|atom| match atom {
            CondAtom::Python(op, v) => op.holds(python, *v),
            CondAtom::Platform { negated, platforms } => platforms.contains(&platform) != *negated,
        })
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, atom) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            match atom {
                CondAtom::Python(op, v) => write!(f, "python {} {v}", op.symbol())?,
                CondAtom::Platform { negated, platforms } => {
                    if *negated {
                        f.write_str("not ")?;
                    }
                    let names: Vec<_> = platforms.iter().map(|p| p.name()).collect();
                    f.write_str(if names.len() > 1 { "unix" } else { names[0] })?;
                }
            }
        }
        Ok(())
    }
}
