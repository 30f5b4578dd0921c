//! Which operations of the map the corpus exercises in which kind of map:
//! the table of (operation, map kind) pairs, each cell the scenarios that
//! perform that operation on such a map, and the reasons for the cells left
//! empty on purpose (`coverage-gaps.yaml` at the repository's root).
//!
//! A map's kind is read from the constructor call that made it: anonymous
//! (`mmap(-1, …)`), or a file map by its `access` argument (positional or
//! keyword), `ACCESS_DEFAULT` when absent. Operations are the map's methods
//! and attributes called or read on a name bound to a map, and the
//! operations Python spells with syntax or builtins (`m[i]`, `len(m)`, `x in
//! m`, `list(m)`, `memoryview(m)`, `repr(m)`, `pickle.dumps(m)`, `with`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::scenario::Scenario;
use crate::scenario::ast::{Expr, Stmt};
use crate::scenario::model::FlatOp;
use crate::scenario::names::MMAP_ATTRIBUTES;

/// The kind of a map, the table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `mmap(-1, …)`: anonymous memory.
    Anonymous,
    /// A file map with `ACCESS_DEFAULT` (flags and prot decide).
    Default,
    /// `ACCESS_READ`.
    Read,
    /// `ACCESS_WRITE`.
    Write,
    /// `ACCESS_COPY`.
    Copy,
}

impl Kind {
    /// Every kind, in column order.
    pub const ALL: [Kind; 5] = [
        Kind::Anonymous,
        Kind::Default,
        Kind::Read,
        Kind::Write,
        Kind::Copy,
    ];

    /// The column's heading, also the spelling in `coverage-gaps.yaml`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Anonymous => "anonymous",
            Kind::Default => "ACCESS_DEFAULT",
            Kind::Read => "ACCESS_READ",
            Kind::Write => "ACCESS_WRITE",
            Kind::Copy => "ACCESS_COPY",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The operations the table lists, its rows: the map's methods and
/// attributes, then what Python spells with syntax or builtins.
pub fn operations() -> Vec<&'static str> {
    let mut ops: Vec<&str> = MMAP_ATTRIBUTES.to_vec();
    ops.extend(["in", "iter", "memoryview", "pickle"]);
    ops
}

/// The scenarios in each (operation, kind) cell.
#[derive(Debug, Default)]
pub struct Coverage {
    cells: BTreeMap<(String, Kind), BTreeSet<String>>,
}

impl Coverage {
    /// The table of `scenarios`.
    pub fn of(scenarios: &[Scenario]) -> Self {
        let mut cov = Coverage::default();
        for s in scenarios {
            let mut maps: HashMap<String, Kind> = HashMap::new();
            for step in s.flat_steps() {
                match step.op {
                    FlatOp::Stmt(stmt) => {
                        let exprs: Vec<&Expr> = match stmt {
                            Stmt::Expr(e) => vec![e],
                            Stmt::Bind(_, e) => vec![e],
                            Stmt::SetItem(o, k, v) => {
                                cov.note_on(&maps, o, "__setitem__", &s.id);
                                vec![o, k, v]
                            }
                            Stmt::DelItem(o, k) => {
                                cov.note_on(&maps, o, "__delitem__", &s.id);
                                vec![o, k]
                            }
                            Stmt::SetAttr(o, _, v) => vec![o, v],
                        };
                        for e in exprs {
                            cov.walk(&maps, e, &s.id);
                        }
                        if let Stmt::Bind(name, e) = stmt {
                            match kind_of(e) {
                                Some(kind) => maps.insert(name.clone(), kind),
                                None => maps.remove(name),
                            };
                        }
                    }
                    FlatOp::Enter { expr, name } => {
                        cov.walk(&maps, expr, &s.id);
                        if let Some(kind) = kind_of(expr).or_else(|| map_kind(&maps, expr)) {
                            maps.insert(name.to_owned(), kind);
                            cov.note(kind, "__enter__", &s.id);
                        }
                    }
                    FlatOp::Exit { name } => {
                        if let Some(&kind) = maps.get(name) {
                            cov.note(kind, "__exit__", &s.id);
                        }
                    }
                    FlatOp::Fork { .. } => {}
                }
            }
        }
        cov
    }

    /// The scenarios of one cell.
    pub fn cell(&self, op: &str, kind: Kind) -> Option<&BTreeSet<String>> {
        self.cells.get(&(op.to_owned(), kind))
    }

    fn note(&mut self, kind: Kind, op: &str, id: &str) {
        self.cells
            .entry((op.to_owned(), kind))
            .or_default()
            .insert(id.to_owned());
    }

    fn note_on(&mut self, maps: &HashMap<String, Kind>, target: &Expr, op: &str, id: &str) {
        if let Some(kind) = map_kind(maps, target) {
            self.note(kind, op, id);
        }
    }

    /// Notes every operation `e` performs on a bound map.
    fn walk(&mut self, maps: &HashMap<String, Kind>, e: &Expr, id: &str) {
        match e {
            Expr::Call { func, args, kwargs } => {
                match func.as_ref() {
                    Expr::Attr(obj, method) => match obj.as_ref() {
                        Expr::Name(module) if module == "pickle" || module == "copy" => {
                            if let Some(first) = args.first() {
                                self.note_on(maps, first, "pickle", id);
                            }
                        }
                        obj => {
                            self.note_on(maps, obj, method, id);
                            self.walk(maps, obj, id);
                        }
                    },
                    Expr::Name(builtin) => {
                        let op = match builtin.as_str() {
                            "len" => Some("__len__"),
                            "repr" => Some("__repr__"),
                            "list" => Some("iter"),
                            "memoryview" | "bytes" | "bytearray" => Some("memoryview"),
                            _ => None,
                        };
                        if let (Some(op), Some(first)) = (op, args.first()) {
                            self.note_on(maps, first, op, id);
                        }
                    }
                    other => self.walk(maps, other, id),
                }
                args.iter().for_each(|a| self.walk(maps, a, id));
                kwargs.iter().for_each(|(_, a)| self.walk(maps, a, id));
            }
            Expr::Attr(obj, name) => {
                self.note_on(maps, obj, name, id);
                self.walk(maps, obj, id);
            }
            Expr::Subscript(obj, key) => {
                self.note_on(maps, obj, "__getitem__", id);
                self.walk(maps, obj, id);
                self.walk(maps, key, id);
            }
            Expr::In(item, container) => {
                self.note_on(maps, container, "in", id);
                self.walk(maps, item, id);
                self.walk(maps, container, id);
            }
            Expr::Tuple(items) | Expr::List(items) => {
                items.iter().for_each(|i| self.walk(maps, i, id));
            }
            Expr::Slice(a, b, c) => {
                for part in [a, b, c].into_iter().flatten() {
                    self.walk(maps, part, id);
                }
            }
            Expr::BinOp(_, a, b) => {
                self.walk(maps, a, id);
                self.walk(maps, b, id);
            }
            Expr::Neg(a) => self.walk(maps, a, id),
            _ => {}
        }
    }
}

/// The kind of map `e` makes, if it is a call of the constructor.
fn kind_of(e: &Expr) -> Option<Kind> {
    let Expr::Call { func, args, kwargs } = e else {
        return None;
    };
    if !matches!(func.as_ref(), Expr::Name(n) if n == "mmap") {
        return None;
    }
    let anonymous = match args.first() {
        Some(Expr::Int(-1)) => true,
        Some(Expr::Neg(inner)) => matches!(inner.as_ref(), Expr::Int(1)),
        _ => false,
    };
    if anonymous {
        return Some(Kind::Anonymous);
    }
    // mmap(fileno, length, flags, prot, access, offset)
    let access = kwargs
        .iter()
        .find(|(k, _)| k == "access")
        .map(|(_, v)| v)
        .or_else(|| args.get(4));
    Some(match access {
        Some(Expr::Name(n)) if n == "ACCESS_READ" => Kind::Read,
        Some(Expr::Name(n)) if n == "ACCESS_WRITE" => Kind::Write,
        Some(Expr::Name(n)) if n == "ACCESS_COPY" => Kind::Copy,
        _ => Kind::Default,
    })
}

/// The kind of the map `e` names, if it names one.
fn map_kind(maps: &HashMap<String, Kind>, e: &Expr) -> Option<Kind> {
    match e {
        Expr::Name(n) => maps.get(n).copied(),
        _ => None,
    }
}

/// Why a cell is empty on purpose: one entry of `coverage-gaps.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GapDoc {
    operation: String,
    kinds: Vec<String>,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GapsDoc {
    gaps: Vec<Spanned<GapDoc>>,
}

/// The reasons for empty cells, by (operation, kind).
#[derive(Debug, Default)]
pub struct Gaps(BTreeMap<(String, Kind), String>);

impl Gaps {
    /// The repository's list, `coverage-gaps.yaml` at its root.
    pub fn repository_path() -> PathBuf {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest
            .parent()
            .unwrap_or(manifest)
            .join("coverage-gaps.yaml")
    }

    /// Reads the list at `path` (none when the file does not exist); errors
    /// name the file, line and what was expected.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
        };
        let doc: GapsDoc = serde_saphyr::from_str(&text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            format!("{}:{line}:{column}: {e}", path.display())
        })?;
        let ops = operations();
        let mut out = BTreeMap::new();
        for entry in doc.gaps {
            let at = format!("{}:{}", path.display(), entry.referenced.line());
            let g = entry.value;
            if !ops.contains(&g.operation.as_str()) {
                return Err(format!(
                    "{at}: unknown operation {:?}; expected one of {}",
                    g.operation,
                    ops.join(", ")
                ));
            }
            if g.reason.trim().is_empty() {
                return Err(format!("{at}: reason must not be empty"));
            }
            for k in &g.kinds {
                let kind = Kind::ALL
                    .into_iter()
                    .find(|kind| kind.name() == k)
                    .ok_or_else(|| {
                        let names: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
                        format!(
                            "{at}: unknown kind {k:?}; expected one of {}",
                            names.join(", ")
                        )
                    })?;
                out.insert((g.operation.clone(), kind), g.reason.clone());
            }
        }
        Ok(Self(out))
    }
}

/// Writes the table: one row per operation, one column per kind, each cell
/// the number of scenarios (`-` with a reason, `MISSING` without one); then
/// the reasons. Returns the number of cells empty without a reason.
pub fn write_table(out: &mut impl Write, cov: &Coverage, gaps: &Gaps) -> io::Result<usize> {
    let ops = operations();
    let width = ops.iter().map(|o| o.len()).max().unwrap_or(0);
    write!(out, "{:width$}", "operation")?;
    for k in Kind::ALL {
        write!(out, "  {:>14}", k.name())?;
    }
    writeln!(out)?;
    let mut missing = 0;
    let mut explained = vec![];
    for op in &ops {
        write!(out, "{op:width$}")?;
        for k in Kind::ALL {
            let text = match (cov.cell(op, k), gaps.0.get(&((*op).to_owned(), k))) {
                (Some(ids), _) => ids.len().to_string(),
                (None, Some(reason)) => {
                    explained.push(format!("{op} on {k}: {reason}"));
                    "-".to_owned()
                }
                (None, None) => {
                    missing += 1;
                    "MISSING".to_owned()
                }
            };
            write!(out, "  {text:>14}")?;
        }
        writeln!(out)?;
    }
    if !explained.is_empty() {
        writeln!(out, "\nempty on purpose (coverage-gaps.yaml):")?;
        for e in explained {
            writeln!(out, "  {e}")?;
        }
    }
    writeln!(
        out,
        "\n{missing} cells empty without a reason (`MISSING`: write a scenario, or a reason in coverage-gaps.yaml)"
    )?;
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Layout, load_str};

    #[test]
    fn kinds_come_from_the_constructor_and_operations_from_the_steps() {
        let text = "scenarios:
  x-y:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    file: b\"abc\"
    steps:
      - m = mmap(f.fileno(), 0, access=ACCESS_READ)
      - a = mmap(-1, 4)
      - m.find(b\"b\")
      - a[0] = 1
      - len(a)
      - b\"a\" in m
      - list(m)
";
        let scenarios = load_str(&Layout::repository(), Path::new("spec/t.yaml"), text).unwrap();
        let cov = Coverage::of(&scenarios);
        let has = |op: &str, k: Kind| cov.cell(op, k).is_some_and(|c| c.contains("x-y"));
        assert!(has("find", Kind::Read));
        assert!(has("__setitem__", Kind::Anonymous));
        assert!(has("__len__", Kind::Anonymous));
        assert!(has("in", Kind::Read));
        assert!(has("iter", Kind::Read));
        assert!(!has("find", Kind::Anonymous));
        assert!(!has("__len__", Kind::Read));
    }
}
