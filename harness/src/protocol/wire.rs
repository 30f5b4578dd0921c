//! The messages of the adapter protocol (`harness/PROTOCOL.md`), as serde
//! types: what the harness sends, what an adapter answers.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::scenario::Api;
use crate::scenario::ast::BinOp;
use crate::transcript::{Observed, Raised};

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: u32 = 2;

/// The adapter's first line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// The protocol version the adapter speaks.
    pub protocol: u32,
    /// Who it is.
    pub implementation: HelloImplementation,
}

/// The `implementation` of a [`Hello`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloImplementation {
    /// `cpython`, `pypy`, `rustpython`, a library's name.
    pub name: String,
    /// Its own version text.
    pub version: String,
    /// `MAJOR.MINOR` of the Python whose behaviour it claims.
    pub python: String,
    /// `linux`, `macos` or `windows`.
    pub platform: String,
    /// The APIs it drives.
    pub api: Vec<Api>,
}

impl Message {
    /// An adapter's line after the handshake.
    pub fn decode(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line)
    }
}

impl Request {
    /// A line of the harness's, as an adapter reads it.
    pub fn decode(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line)
    }
}

/// A request from the harness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Request {
    /// Run one scenario.
    Run(RunRequest),
}

/// One scenario, ready for an adapter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The scenario's id.
    pub id: String,
    /// The file the harness prepared, if any.
    pub file: Option<FileSpec>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The API the steps drive: `mmap` (the default, left out) or `mmapfile`.
    #[serde(default, skip_serializing_if = "is_mmap")]
    pub api: Api,
}

fn is_mmap(api: &Api) -> bool {
    *api == Api::Mmap
}

impl RunRequest {
    /// How many outcomes the steps produce: each step, and a fork's child
    /// steps.
    pub fn step_count(&self) -> usize {
        step_count(&self.steps)
    }

    /// The index ranges of the steps each `fork`'s child runs, outermost
    /// first. After a child's `crashed` outcome, the next outcome is the
    /// first step after the crashed child's range.
    pub fn child_ranges(&self) -> Vec<Range<usize>> {
        child_ranges(&self.steps, 0)
    }
}

/// [`RunRequest::child_ranges`] for `steps`, the first of which has index
/// `base`.
pub fn child_ranges(steps: &[Step], base: usize) -> Vec<Range<usize>> {
    fn walk(steps: &[Step], mut index: usize, out: &mut Vec<Range<usize>>) {
        for step in steps {
            index += 1;
            if let Step::Fork(child) = step {
                out.push(index..index + step_count(child));
                walk(child, index, out);
                index += step_count(child);
            }
        }
    }
    let mut out = vec![];
    walk(steps, base, &mut out);
    out
}

/// The index that follows a `crashed` outcome at `step`: the end of the
/// innermost child range holding it (the steps of the child that died and
/// of its own children are not reported), or `step + 1` outside any child.
pub fn after_crash(ranges: &[Range<usize>], step: usize) -> usize {
    ranges
        .iter()
        .filter(|r| r.contains(&step))
        .map(|r| r.end)
        .min()
        .unwrap_or(step + 1)
}

/// How many outcomes `steps` produce: each step, and a fork's child steps.
pub fn step_count(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            Step::Fork(child) => 1 + step_count(child),
            _ => 1,
        })
        .sum()
}

/// Where the scenario's file is and how to open it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Absolute path inside the harness's temporary directory.
    pub path: String,
    /// `rb`, `r+b` or `wb` (never truncating).
    pub mode: String,
}

/// One step of a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Step {
    /// Evaluate; the outcome is the value.
    Eval(Expr),
    /// Evaluate and bind a name.
    Assign(Binding),
    /// `target[key] = value`
    SetItem(SetItem),
    /// `del target[key]`
    DelItem(DelItem),
    /// `target.name = value`
    SetAttr(SetAttr),
    /// `with value as name:`: call `__enter__` and bind what it returned.
    Enter(Binding),
    /// `name.__exit__(None, None, None)`
    Exit(NameRef),
    /// `os.fork()`; the child runs these steps.
    Fork(Vec<Step>),
}

/// A name and the expression bound to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// The name.
    pub name: String,
    /// The expression.
    pub value: Expr,
}

/// A bound name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameRef {
    /// The name.
    pub name: String,
}

/// `target[key] = value`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetItem {
    /// The container.
    pub target: Expr,
    /// The index or slice.
    pub key: Expr,
    /// What is stored.
    pub value: Expr,
}

/// `target.name = value`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAttr {
    /// The object.
    pub target: Expr,
    /// The attribute's name.
    pub name: String,
    /// What is stored.
    pub value: Expr,
}

/// `del target[key]`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelItem {
    /// The container.
    pub target: Expr,
    /// The index or slice.
    pub key: Expr,
}

/// An expression of a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Expr {
    /// A literal.
    Value(Observed),
    /// `(a, b)`
    Tuple(Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// A name.
    Name(String),
    /// `value.name`
    Attr(Box<Attr>),
    /// `func(*args, **kwargs)`
    Call(Box<Call>),
    /// `value[key]`
    Item(Box<Item>),
    /// `slice(start, stop, step)`
    Slice(Box<Slice>),
    /// `left OP right`
    BinOp(Box<BinOpExpr>),
    /// `-value`
    Neg(Box<Expr>),
    /// `item in container`
    In(Box<In>),
    /// A file step.
    File(FileCall),
}

/// `value.name`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attr {
    /// The object.
    pub value: Expr,
    /// The attribute.
    pub name: String,
}

/// `func(*args, **kwargs)`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// What is called.
    pub func: Expr,
    /// Positional arguments.
    pub args: Vec<Expr>,
    /// Keyword arguments, in order.
    pub kwargs: Vec<Binding>,
}

/// `value[key]`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The container.
    pub value: Expr,
    /// The index or slice.
    pub key: Expr,
}

/// `slice(start, stop, step)`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slice {
    /// `None` when absent.
    pub start: Option<Expr>,
    /// `None` when absent.
    pub stop: Option<Expr>,
    /// `None` when absent.
    pub step: Option<Expr>,
}

/// `left OP right`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinOpExpr {
    /// The operator.
    pub op: BinOp,
    /// The left operand.
    pub left: Expr,
    /// The right operand.
    pub right: Expr,
}

/// `item in container`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct In {
    /// What is looked for.
    pub item: Expr,
    /// Where.
    pub container: Expr,
}

/// `f.method(*args)` on the scenario's file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCall {
    /// `fileno`, `size`, `read`, `pwrite`, `truncate`, `tell`, `seek`, `close`.
    pub method: String,
    /// Its arguments.
    pub args: Vec<Expr>,
}

/// A line from an adapter after the handshake.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Message {
    /// A step's outcome.
    Outcome(StepOutcome),
    /// The scenario is over.
    Done {
        /// The scenario's id.
        done: String,
    },
    /// The adapter could not do what was asked.
    Error {
        /// Why.
        error: String,
    },
}

/// `{"step": i, "returned": ...}` and its siblings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// The step's index in execution order.
    pub step: usize,
    /// What it did.
    #[serde(flatten)]
    pub outcome: WireOutcome,
}

/// What a step did, as the protocol writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WireOutcome {
    /// It returned this value.
    Returned(Observed),
    /// It raised this exception.
    Raised(WireRaised),
    /// A forked child was killed by this signal.
    Crashed(String),
}

/// An exception as the protocol writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireRaised {
    /// The class name, module-qualified unless a builtin.
    #[serde(rename = "type")]
    pub type_name: String,
    /// `str(exception)`.
    pub message: String,
    /// The `errno` attribute, when an integer.
    pub errno: Option<i32>,
}

impl From<WireRaised> for Raised {
    fn from(r: WireRaised) -> Self {
        Raised {
            type_name: r.type_name,
            message: r.message,
            errno: r.errno,
        }
    }
}

impl From<Raised> for WireRaised {
    fn from(r: Raised) -> Self {
        WireRaised {
            type_name: r.type_name,
            message: r.message,
            errno: r.errno,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_may_carry_a_null_value() {
        for line in [
            r#"{"step":0,"returned":{"type":"none"}}"#,
            r#"{"step":0,"returned":{"type":"none","value":null}}"#,
        ] {
            let m: Message = serde_json::from_str(line).unwrap();
            assert_eq!(
                m,
                Message::Outcome(StepOutcome {
                    step: 0,
                    outcome: WireOutcome::Returned(Observed::None)
                })
            );
        }
    }

    #[test]
    fn child_ranges_count_nested_steps_in_pre_order() {
        // 0 a; 1 fork [2 b; 3 fork [4 c; 5 d]; 6 e]; 7 f
        let s = || Step::Eval(Expr::Name("x".into()));
        let request = RunRequest {
            id: "x".into(),
            api: Api::Mmap,
            file: None,
            steps: vec![
                s(),
                Step::Fork(vec![s(), Step::Fork(vec![s(), s()]), s()]),
                s(),
            ],
        };
        assert_eq!(request.step_count(), 8);
        let ranges = request.child_ranges();
        assert_eq!(ranges, [2..7, 4..6]);
        assert_eq!(after_crash(&ranges, 4), 6);
        assert_eq!(after_crash(&ranges, 2), 7);
        assert_eq!(after_crash(&ranges, 0), 1);
    }

    #[test]
    fn messages_have_the_documented_shapes() {
        let m: Message =
            serde_json::from_str(r#"{"step":0,"returned":{"type":"int","value":"12"}}"#).unwrap();
        assert_eq!(
            m,
            Message::Outcome(StepOutcome {
                step: 0,
                outcome: WireOutcome::Returned(Observed::Int(12))
            })
        );
        let m: Message = serde_json::from_str(
            r#"{"step":1,"raised":{"type":"ValueError","message":"x","errno":null}}"#,
        )
        .unwrap();
        assert!(matches!(m, Message::Outcome(StepOutcome { step: 1, .. })));
        let m: Message = serde_json::from_str(r#"{"done":"a"}"#).unwrap();
        assert_eq!(m, Message::Done { done: "a".into() });
        let m: Message = serde_json::from_str(r#"{"step":2,"crashed":"SIGBUS"}"#).unwrap();
        assert!(matches!(
            m,
            Message::Outcome(StepOutcome {
                outcome: WireOutcome::Crashed(_),
                ..
            })
        ));
        assert!(serde_json::from_str::<Message>(r#"{"step":2}"#).is_err());
    }

    #[test]
    fn steps_encode_as_one_key_objects() {
        let step = Step::Assign(Binding {
            name: "m".into(),
            value: Expr::Call(Box::new(Call {
                func: Expr::Name("mmap".into()),
                args: vec![Expr::Value(Observed::Int(-1))],
                kwargs: vec![],
            })),
        });
        let json = serde_json::to_string(&step).unwrap();
        assert_eq!(
            json,
            r#"{"assign":{"name":"m","value":{"call":{"func":{"name":"mmap"},"args":[{"value":{"type":"int","value":"-1"}}],"kwargs":[]}}}}"#
        );
        assert_eq!(serde_json::from_str::<Step>(&json).unwrap(), step);
        let op = serde_json::to_string(&BinOp::FloorDiv).unwrap();
        assert_eq!(op, r#""//""#);
    }
}
