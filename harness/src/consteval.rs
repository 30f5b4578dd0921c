//! Evaluates the constant expressions of specs: expected values and file
//! content, for a profile, without any implementation.

use std::path::Path;

use mmap_reference::Profile;

use crate::scenario::ast::{BinOp, Expr};
use crate::scenario::load::fixture_path;
use crate::transcript::Observed;

/// What names mean while evaluating.
pub struct ConstEnv<'a> {
    /// The profile whose constants (`PAGESIZE`, `ACCESS_READ`) apply.
    pub profile: Profile,
    /// Names bound by earlier steps; they evaluate to a reference to the object.
    pub bound: &'a dyn Fn(&str) -> bool,
    /// Where `fixture("name")` reads from; `None` where fixtures are not allowed.
    pub fixtures_dir: Option<&'a Path>,
}

/// Evaluates `e` to the value it denotes.
pub fn eval(e: &Expr, env: &ConstEnv<'_>) -> Result<Observed, String> {
    Ok(match e {
        Expr::None => Observed::None,
        Expr::Bool(b) => Observed::Bool(*b),
        Expr::Int(i) => Observed::Int(*i),
        Expr::Float(x) => Observed::Float(*x),
        Expr::Bytes(b) => Observed::Bytes(b.clone()),
        Expr::Str(s) => Observed::Str(s.clone()),
        Expr::Tuple(items) => Observed::Tuple(
            items
                .iter()
                .map(|i| eval(i, env))
                .collect::<Result<_, _>>()?,
        ),
        Expr::List(items) => Observed::List(
            items
                .iter()
                .map(|i| eval(i, env))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Name(n) if (env.bound)(n) => Observed::Ref(n.clone()),
        Expr::Name(n) => mmap_reference::constants(env.profile)
            .into_iter()
            .find(|(name, _)| name == n)
            .map(|(_, v)| Observed::Int(v))
            .ok_or_else(|| format!("the constant {n} does not exist for {}", env.profile))?,
        Expr::Neg(a) => match eval(a, env)? {
            Observed::Int(i) => Observed::Int(-i),
            Observed::Float(x) => Observed::Float(-x),
            other => return Err(format!("cannot negate {other}")),
        },
        Expr::BinOp(op, a, b) => binop(*op, eval(a, env)?, eval(b, env)?)?,
        Expr::Call { func, args, kwargs } if kwargs.is_empty() => {
            match (func.as_ref(), args.as_slice()) {
                (Expr::Name(n), [size]) if n == "zeros" => match eval(size, env)? {
                    Observed::Int(len) => Observed::Bytes(vec![
                        0;
                        usize::try_from(len).map_err(
                            |_| "zeros() needs a size >= 0"
                        )?
                    ]),
                    other => return Err(format!("zeros() needs an int, found {other}")),
                },
                (Expr::Name(n), [Expr::Str(name)]) if n == "fixture" => {
                    let dir = env
                        .fixtures_dir
                        .ok_or("fixture() is only allowed in `file`")?;
                    let path = fixture_path(dir, name)?;
                    Observed::Bytes(
                        std::fs::read(&path)
                            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                    )
                }
                _ => {
                    return Err(
                        "expected a constant expression (a literal, a constant, arithmetic)".into(),
                    );
                }
            }
        }
        _ => {
            return Err(
                "expected a constant expression (a literal, a constant, arithmetic)".into(),
            );
        }
    })
}

/// `a OP b` on constant values, as Python computes it.
pub fn binop(op: BinOp, a: Observed, b: Observed) -> Result<Observed, String> {
    use Observed::{Bytes, Int};
    let overflow = || format!("integer overflow in {a} {} {b}", op.symbol());
    Ok(match (op, &a, &b) {
        (BinOp::Add, Int(x), Int(y)) => Int(x.checked_add(*y).ok_or_else(overflow)?),
        (BinOp::Sub, Int(x), Int(y)) => Int(x.checked_sub(*y).ok_or_else(overflow)?),
        (BinOp::Mul, Int(x), Int(y)) => Int(x.checked_mul(*y).ok_or_else(overflow)?),
        (BinOp::FloorDiv, Int(x), Int(y)) if *y != 0 => {
            Int(x.div_euclid(*y) - i128::from(x.rem_euclid(*y) != 0 && *y < 0))
        }
        (BinOp::Pow, Int(x), Int(y)) => {
            let exp = u32::try_from(*y).map_err(|_| overflow())?;
            Int(x.checked_pow(exp).ok_or_else(overflow)?)
        }
        (BinOp::Add, Bytes(x), Bytes(y)) => Bytes([x.as_slice(), y].concat()),
        (BinOp::Mul, Bytes(x), Int(n)) | (BinOp::Mul, Int(n), Bytes(x)) => {
            Bytes(x.repeat(usize::try_from(*n).unwrap_or(0)))
        }
        _ => return Err(format!("unsupported operation {a} {} {b}", op.symbol())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse::parse_expr;
    use mmap_reference::{Platform, PyVersion};

    fn eval_str(text: &str) -> Result<Observed, String> {
        let env = ConstEnv {
            profile: Profile::new(PyVersion::new(3, 11), Platform::Linux),
            bound: &|n| n == "m",
            fixtures_dir: None,
        };
        eval(&parse_expr(text).unwrap(), &env)
    }

    #[test]
    fn arithmetic_follows_python() {
        assert_eq!(eval_str("-7 // 2"), Ok(Observed::Int(-4)));
        assert_eq!(eval_str("7 // -2"), Ok(Observed::Int(-4)));
        assert_eq!(eval_str("-2**3"), Ok(Observed::Int(-8)));
        assert_eq!(
            eval_str("b'ab' * 2 + b'c'"),
            Ok(Observed::Bytes(b"ababc".to_vec()))
        );
        assert_eq!(eval_str("m"), Ok(Observed::Ref("m".into())));
    }

    #[test]
    fn constants_come_from_the_profile() {
        let page = mmap_reference::Profile::new(PyVersion::new(3, 11), Platform::Linux).pagesize();
        assert_eq!(
            eval_str("2 * PAGESIZE"),
            Ok(Observed::Int(2 * page as i128))
        );
        assert!(eval_str("NOPE").unwrap_err().contains("NOPE"));
    }
}
