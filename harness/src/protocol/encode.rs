//! A scenario as the protocol sends it: its steps in execution order, with
//! `with` blocks spelled out and `fork` bodies nested.

use std::collections::HashSet;

use crate::scenario::ast::{self, Stmt};
use crate::scenario::model::{FlatOp, FlatStep};
use crate::scenario::{OpenMode, Scenario};
use crate::transcript::Observed;

use super::wire::{
    Attr, BinOpExpr, Binding, Call, DelItem, Expr, FileCall, FileSpec, In, Item, NameRef,
    RunRequest, SetAttr, SetItem, Slice, Step,
};

/// The request that runs `scenario`, whose file (if any) is at `file`.
pub fn request(scenario: &Scenario, file: Option<&std::path::Path>) -> RunRequest {
    let flat = scenario.flat_steps();
    let mut bound = HashSet::new();
    RunRequest {
        id: scenario.id.clone(),
        api: scenario.api,
        file: file
            .zip(scenario.file.as_ref())
            .map(|(path, setup)| FileSpec {
                path: path.to_string_lossy().into_owned(),
                mode: mode(setup.open).into(),
            }),
        steps: steps(&flat, &mut bound),
    }
}

/// The protocol's spelling of an open mode.
pub fn mode(open: OpenMode) -> &'static str {
    match open {
        OpenMode::ReadWrite => "r+b",
        OpenMode::ReadOnly => "rb",
        OpenMode::WriteOnly => "wb",
    }
}

fn steps(flat: &[FlatStep<'_>], bound: &mut HashSet<String>) -> Vec<Step> {
    let mut out = vec![];
    let mut i = 0;
    while i < flat.len() {
        out.push(match &flat[i].op {
            FlatOp::Stmt(stmt) => match stmt {
                Stmt::Expr(e) => Step::Eval(expr(e, bound)),
                Stmt::Bind(name, e) => {
                    let value = expr(e, bound);
                    bound.insert(name.clone());
                    Step::Assign(Binding {
                        name: name.clone(),
                        value,
                    })
                }
                Stmt::SetItem(t, k, v) => Step::SetItem(SetItem {
                    target: expr(t, bound),
                    key: expr(k, bound),
                    value: expr(v, bound),
                }),
                Stmt::DelItem(t, k) => Step::DelItem(DelItem {
                    target: expr(t, bound),
                    key: expr(k, bound),
                }),
                Stmt::SetAttr(t, name, v) => Step::SetAttr(SetAttr {
                    target: expr(t, bound),
                    name: name.clone(),
                    value: expr(v, bound),
                }),
            },
            FlatOp::Enter { expr: e, name } => {
                let value = expr(e, bound);
                bound.insert((*name).to_owned());
                Step::Enter(Binding {
                    name: (*name).to_owned(),
                    value,
                })
            }
            FlatOp::Exit { name } => Step::Exit(NameRef {
                name: (*name).to_owned(),
            }),
            FlatOp::Fork { child_len } => {
                let child = &flat[i + 1..i + 1 + child_len];
                i += child_len;
                // The child's bindings do not reach the parent.
                Step::Fork(steps(child, &mut bound.clone()))
            }
        });
        i += 1;
    }
    out
}

fn expr(e: &ast::Expr, bound: &HashSet<String>) -> Expr {
    let each = |items: &[ast::Expr]| items.iter().map(|x| expr(x, bound)).collect();
    match e {
        ast::Expr::None => Expr::Value(Observed::None),
        ast::Expr::Bool(b) => Expr::Value(Observed::Bool(*b)),
        ast::Expr::Int(i) => Expr::Value(Observed::Int(*i)),
        ast::Expr::Float(x) => Expr::Value(Observed::Float(*x)),
        ast::Expr::Bytes(b) => Expr::Value(Observed::Bytes(b.clone())),
        ast::Expr::Str(s) => Expr::Value(Observed::Str(s.clone())),
        ast::Expr::Tuple(items) => Expr::Tuple(each(items)),
        ast::Expr::List(items) => Expr::List(each(items)),
        ast::Expr::Name(n) => Expr::Name(n.clone()),
        ast::Expr::Call { func, args, kwargs } => {
            if let ast::Expr::Attr(obj, method) = func.as_ref() {
                if matches!(obj.as_ref(), ast::Expr::Name(n) if n == "f" && !bound.contains("f")) {
                    return Expr::File(FileCall {
                        method: method.clone(),
                        args: each(args),
                    });
                }
            }
            Expr::Call(Box::new(Call {
                func: expr(func, bound),
                args: each(args),
                kwargs: kwargs
                    .iter()
                    .map(|(name, v)| Binding {
                        name: name.clone(),
                        value: expr(v, bound),
                    })
                    .collect(),
            }))
        }
        ast::Expr::Attr(obj, name) => Expr::Attr(Box::new(Attr {
            value: expr(obj, bound),
            name: name.clone(),
        })),
        ast::Expr::Subscript(obj, key) => Expr::Item(Box::new(Item {
            value: expr(obj, bound),
            key: expr(key, bound),
        })),
        ast::Expr::Slice(a, b, c) => {
            let part = |p: &Option<Box<ast::Expr>>| p.as_deref().map(|x| expr(x, bound));
            Expr::Slice(Box::new(Slice {
                start: part(a),
                stop: part(b),
                step: part(c),
            }))
        }
        ast::Expr::BinOp(op, a, b) => Expr::BinOp(Box::new(BinOpExpr {
            op: *op,
            left: expr(a, bound),
            right: expr(b, bound),
        })),
        ast::Expr::Neg(a) => Expr::Neg(Box::new(expr(a, bound))),
        ast::Expr::In(a, b) => Expr::In(Box::new(In {
            item: expr(a, bound),
            container: expr(b, bound),
        })),
    }
}
