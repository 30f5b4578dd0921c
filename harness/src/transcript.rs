//! What an implementation did, step by step, in a language-neutral form.

use std::fmt::{self, Write as _};

use mmap_reference::value::{write_bytes_repr, write_str_repr};
use serde::{Deserialize, Serialize};

/// A value a step returned, as any implementation can report it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Observed {
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// An `int`, carried as decimal text so any size survives JSON.
    Int(#[serde(with = "int_text")] i128),
    /// A `float`.
    Float(f64),
    /// `bytes`, carried as lowercase hex.
    Bytes(#[serde(with = "hex")] Vec<u8>),
    /// A `str`.
    Str(String),
    /// A `list`.
    List(Vec<Observed>),
    /// A `tuple`.
    Tuple(Vec<Observed>),
    /// The very object a scenario name is bound to (`m.__enter__()` is `m`).
    Ref(String),
    /// Any other object, by its type's qualified name (`mmap.mmap`).
    Object(String),
}

/// What one step did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It returned this value.
    Returned(Observed),
    /// It raised this exception.
    Raised(Raised),
    /// The process was killed by this signal (`SIGBUS`).
    Crashed(String),
    /// It did not finish within the time limit.
    TimedOut,
    /// It was never reached: a forked child died at an earlier step.
    NotRun,
}

/// An exception as the implementation raised it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raised {
    /// `type(e).__name__`, module-qualified when not a builtin (`mmap.error`).
    pub type_name: String,
    /// `str(e)`.
    pub message: String,
    /// `e.errno` for `OSError`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<i32>,
}

/// One executed step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The statement as the spec writes it.
    pub text: String,
    /// What it did.
    pub outcome: Outcome,
}

/// Every executed step of one scenario on one implementation, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// One entry per executed step; a crash ends the list early.
    pub entries: Vec<Entry>,
}

impl fmt::Display for Observed {
    /// Python's `repr`, except that a bound object shows as its name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, items: &[Observed]) -> fmt::Result {
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            Ok(())
        }
        match self {
            Observed::None => f.write_str("None"),
            Observed::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Observed::Int(i) => write!(f, "{i}"),
            Observed::Float(x) => write!(f, "{}", mmap_reference::Value::Float(*x)),
            Observed::Bytes(b) => write_long_bytes(f, b),
            Observed::Str(s) => write_str_repr(f, s),
            Observed::List(items) => {
                f.write_char('[')?;
                seq(f, items)?;
                f.write_char(']')
            }
            Observed::Tuple(items) => {
                f.write_char('(')?;
                seq(f, items)?;
                f.write_str(if items.len() == 1 { ",)" } else { ")" })
            }
            Observed::Ref(name) => f.write_str(name),
            Observed::Object(t) => write!(f, "<{t} object>"),
        }
    }
}

impl Observed {
    /// This value with every object address in a `str` (or Python 2's byte
    /// `str`) masked: ` at 0x7f3797a392f0>`
    /// (as `object.__repr__` prints it, `<mmap.mmap object at 0x7f3797a392f0>`)
    /// becomes ` at 0x...>`. Addresses differ per run and per implementation,
    /// so transcripts carry, and specs write, the rest of the text.
    pub fn mask_addresses(self) -> Observed {
        match self {
            Observed::Str(s) => Observed::Str(mask_addresses(&s)),
            // Python 2's `str`.
            Observed::Bytes(b) => match String::from_utf8(b) {
                Ok(s) => Observed::Bytes(mask_addresses(&s).into_bytes()),
                Err(e) => Observed::Bytes(e.into_bytes()),
            },
            Observed::List(items) => {
                Observed::List(items.into_iter().map(Observed::mask_addresses).collect())
            }
            Observed::Tuple(items) => {
                Observed::Tuple(items.into_iter().map(Observed::mask_addresses).collect())
            }
            other => other,
        }
    }
}

impl Raised {
    /// This exception with the object addresses in its message masked, as
    /// [`Observed::mask_addresses`] does for values.
    pub fn mask_addresses(self) -> Raised {
        Raised {
            message: mask_addresses(&self.message),
            ..self
        }
    }
}

/// `s` with the hex digits of each ` at 0x…>` replaced by `...`.
fn mask_addresses(s: &str) -> String {
    const AT: &str = " at 0x";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(AT) {
        let (head, tail) = rest.split_at(i + AT.len());
        out.push_str(head);
        let digits = tail.bytes().take_while(u8::is_ascii_hexdigit).count();
        if digits > 0 && tail[digits..].starts_with('>') {
            out.push_str("...");
        } else {
            out.push_str(&tail[..digits]);
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// Bytes longer than this are shown as hex rows with offsets.
const LONG_BYTES: usize = 64;

/// Short bytes as an escaped literal; long ones as `b'' # N bytes` followed by
/// hex rows with offsets, one per line, so diffs point at the differing row.
fn write_long_bytes(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
    if b.len() <= LONG_BYTES {
        return write_bytes_repr(f, b);
    }
    write!(f, "<{} bytes>", b.len())?;
    for (row, chunk) in b.chunks(16).enumerate() {
        write!(f, "\n      {:08x} ", row * 16)?;
        for byte in chunk {
            write!(f, " {byte:02x}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Raised {
    /// `Type("message")`, or `Type(errno, "strerror")` for OS errors, and
    /// `Type(errno, "strerror", None, winerror)` for Windows errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.type_name)?;
        f.write_char('(')?;
        let prefix = self.errno.map(|n| format!("[Errno {n}] "));
        let windows = self
            .errno
            .and_then(|_| self.message.strip_prefix("[WinError "))
            .and_then(|rest| rest.split_once("] "))
            .filter(|(code, _)| code.parse::<i32>().is_ok());
        match (
            prefix.as_deref().and_then(|p| self.message.strip_prefix(p)),
            windows,
        ) {
            (Some(strerror), _) => {
                write!(f, "{}, ", self.errno.unwrap_or_default())?;
                write_str_repr(f, strerror)?;
            }
            (None, Some((code, strerror))) => {
                write!(f, "{}, ", self.errno.unwrap_or_default())?;
                write_str_repr(f, strerror)?;
                write!(f, ", None, {code}")?;
            }
            (None, None) => write_str_repr(f, &self.message)?,
        }
        f.write_char(')')
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(v) => write!(f, "-> {v}"),
            Outcome::Raised(r) => write!(f, "!! {r}"),
            Outcome::Crashed(sig) => write!(f, "!! {sig}"),
            Outcome::TimedOut => f.write_str("timed out"),
            Outcome::NotRun => f.write_str("(not run)"),
        }
    }
}

mod int_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| {
            serde::de::Error::custom(format!("expected a decimal integer, found {text:?}"))
        })
    }
}

mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&v.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        let err =
            || serde::de::Error::custom(format!("expected lowercase hex bytes, found {text:?}"));
        if text.len() % 2 != 0 {
            return Err(err());
        }
        (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(err)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_render_like_the_spec_writes_them() {
        let r = Outcome::Raised(Raised {
            type_name: "OSError".into(),
            message: "[Errno 22] Invalid argument".into(),
            errno: Some(22),
        });
        assert_eq!(r.to_string(), "!! OSError(22, 'Invalid argument')");
        let r = Outcome::Raised(Raised {
            type_name: "PermissionError".into(),
            message: "[WinError 5] Access is denied".into(),
            errno: Some(13),
        });
        assert_eq!(
            r.to_string(),
            "!! PermissionError(13, 'Access is denied', None, 5)"
        );
        let r = Outcome::Raised(Raised {
            type_name: "TypeError".into(),
            message: "a bytes-like object is required, not 'str'".into(),
            errno: None,
        });
        assert_eq!(
            r.to_string(),
            "!! TypeError(\"a bytes-like object is required, not 'str'\")"
        );
        assert_eq!(
            Outcome::Returned(Observed::Bytes(b"ab".to_vec())).to_string(),
            "-> b'ab'"
        );
    }

    #[test]
    fn object_addresses_are_masked() {
        let s = |t: &str| Observed::Str(t.into()).mask_addresses();
        assert_eq!(
            s("<mmap.mmap object at 0x7f3797a392f0>"),
            Observed::Str("<mmap.mmap object at 0x...>".into())
        );
        for kept in [
            "at 0x12>",
            " at 0x>",
            " at 0x12 >",
            "<mmap.mmap closed=True>",
        ] {
            assert_eq!(s(kept), Observed::Str(kept.into()));
        }
        assert_eq!(
            Observed::List(vec![Observed::Str("<a at 0xAb1> <b at 0x2>".into())]).mask_addresses(),
            Observed::List(vec![Observed::Str("<a at 0x...> <b at 0x...>".into())])
        );
        let raised = Raised {
            type_name: "SystemError".into(),
            message: "internal: <OSError object at 0x7fadb82c8040>".into(),
            errno: None,
        };
        assert_eq!(
            raised.mask_addresses().message,
            "internal: <OSError object at 0x...>"
        );
    }

    #[test]
    fn long_bytes_render_as_hex_rows() {
        let text = Observed::Bytes(vec![0x61; 65]).to_string();
        assert!(
            text.starts_with("<65 bytes>\n      00000000  61 61"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 6);
    }

    #[test]
    fn json_carries_ints_as_text_and_bytes_as_hex() {
        let e = Observed::List(vec![Observed::Int(1 << 70), Observed::Bytes(vec![0, 255])]);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"type":"list","value":[{"type":"int","value":"1180591620717411303424"},{"type":"bytes","value":"00ff"}]}"#
        );
        assert_eq!(serde_json::from_str::<Observed>(&json).unwrap(), e);
    }
}
