//! Loads spec files strictly: every problem is an error naming
//! `file:line:column` and what was expected there.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use mmap_reference::Platform;
use serde_saphyr::{Location, Spanned};

use super::ast::{Expect, Expr, Stmt};
use super::doc::{Api, SpecDoc, StepDoc, StepDocKind, StructuredDoc};
use super::model::{Action, FileSetup, Loc, PlatformNote, Scenario, Step, Variant, When};
use super::names::{self, NameKind};
use super::parse::{self, SyntaxError};

/// The source documents a scenario may cite (`../shared/seeds/INDEX.md`).
pub const DOCUMENTS: &[&str] = &[
    "000_6c4516bd15d06843.txt",
    "001_7715153f72b30a8b.txt",
    "002_127dda643d53162a.txt",
    "003_06ad5e3d3859ed64.txt",
    "004_5f09b125d9b38bcd.txt",
];

/// A problem in a spec file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// Where.
    pub loc: Loc,
    /// What was expected, and what was found.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// Every problem found while loading, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// Where the loader finds things.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The directory of spec files (searched recursively for `*.yaml`).
    pub spec_dir: PathBuf,
    /// The directory fixtures are copied from.
    pub fixtures_dir: PathBuf,
}

impl Layout {
    /// The repository's own `spec/` and `fixtures/`, found from this crate.
    pub fn repository() -> Self {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = manifest.parent().unwrap_or(manifest);
        Self {
            spec_dir: root.join("spec"),
            fixtures_dir: root.join("fixtures"),
        }
    }
}

/// Loads every `*.yaml` under `layout.spec_dir`, sorted by path.
pub fn load_dir(layout: &Layout) -> Result<Vec<Scenario>, LoadErrors> {
    let mut files = vec![];
    collect_yaml(&layout.spec_dir, &mut files).map_err(|e| {
        LoadErrors(vec![LoadError {
            loc: Loc {
                file: Arc::new(layout.spec_dir.clone()),
                line: 0,
                column: 0,
            },
            message: format!("cannot read the spec directory: {e}"),
        }])
    })?;
    files.sort();
    let mut loader = Loader::new(layout);
    // Paths show relative to the repository (`spec/mmap/find.yaml`).
    let root = layout.spec_dir.parent().unwrap_or(&layout.spec_dir);
    for path in files {
        let shown = path
            .strip_prefix(root)
            .map_or_else(|_| path.clone(), Path::to_path_buf);
        match std::fs::read_to_string(&path) {
            Ok(text) => loader.add_file(&shown, &text),
            Err(e) => loader.error_at(&Arc::new(shown), 0, 0, format!("cannot read the file: {e}")),
        }
    }
    loader.finish()
}

/// Loads scenarios from one file's text (for tests and tools).
pub fn load_str(layout: &Layout, path: &Path, text: &str) -> Result<Vec<Scenario>, LoadErrors> {
    let mut loader = Loader::new(layout);
    loader.add_file(path, text);
    loader.finish()
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

struct Loader<'a> {
    layout: &'a Layout,
    scenarios: Vec<Scenario>,
    errors: Vec<LoadError>,
    ids: HashMap<String, Loc>,
}

/// The context of one file: its path and text, to turn YAML locations and
/// offsets inside scalars into `file:line:column`.
struct Source<'t> {
    file: Arc<PathBuf>,
    text: &'t str,
}

impl Source<'_> {
    fn loc(&self, at: &Location) -> Loc {
        Loc {
            file: self.file.clone(),
            line: at.line(),
            column: at.column(),
        }
    }

    /// The location of character `offset` of the scalar that starts at `at`
    /// (one further when the scalar is quoted).
    fn loc_in(&self, at: &Location, offset: usize) -> Loc {
        let quoted = at
            .span()
            .byte_offset()
            .and_then(|b| self.text.get(usize::try_from(b).ok()?..))
            .is_some_and(|rest| rest.starts_with(['"', '\'']));
        let column = at.column() + offset as u64 + u64::from(quoted);
        Loc {
            file: self.file.clone(),
            line: at.line(),
            column,
        }
    }
}

impl<'a> Loader<'a> {
    fn new(layout: &'a Layout) -> Self {
        Self {
            layout,
            scenarios: vec![],
            errors: vec![],
            ids: HashMap::new(),
        }
    }

    fn finish(self) -> Result<Vec<Scenario>, LoadErrors> {
        if self.errors.is_empty() {
            Ok(self.scenarios)
        } else {
            Err(LoadErrors(self.errors))
        }
    }

    fn error_at(&mut self, file: &Arc<PathBuf>, line: u64, column: u64, message: String) {
        self.errors.push(LoadError {
            loc: Loc {
                file: file.clone(),
                line,
                column,
            },
            message,
        });
    }

    fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.errors.push(LoadError {
            loc,
            message: message.into(),
        });
    }

    fn syntax(&mut self, src: &Source<'_>, at: &Location, e: SyntaxError) {
        self.error(src.loc_in(at, e.offset), e.message);
    }

    fn add_file(&mut self, path: &Path, text: &str) {
        let file = Arc::new(path.to_path_buf());
        let doc: SpecDoc = match serde_saphyr::from_str(text) {
            Ok(doc) => doc,
            Err(e) => {
                let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                self.error_at(&file, line, column, yaml_message(&e));
                return;
            }
        };
        let src = Source { file, text };
        let api = doc.api.map(|a| a.value).unwrap_or_default();
        for (id, sdoc) in doc.scenarios {
            let loc = src.loc(&id.referenced);
            let id = id.value;
            if !is_kebab(&id) {
                self.error(
                    loc.clone(),
                    format!(
                        "expected a kebab-case scenario id (a-z, 0-9, single dashes), found {id:?}"
                    ),
                );
            }
            if let Some(first) = self.ids.get(&id) {
                self.error(
                    loc.clone(),
                    format!("duplicate scenario id {id:?}; first defined at {first}"),
                );
                continue;
            }
            self.ids.insert(id.clone(), loc.clone());
            if sdoc.description.value.trim().is_empty() {
                self.error(
                    src.loc(&sdoc.description.referenced),
                    "expected a description, found an empty string",
                );
            }
            if sdoc.cite.is_empty() {
                self.error(
                    loc.clone(),
                    "expected at least one citation in `cite`, found none",
                );
            }
            for c in &sdoc.cite {
                self.check_citation(&src, c);
            }
            let when = self.when(&src, sdoc.when);
            let file = sdoc.file.as_ref().and_then(|content| {
                let expr = match parse::parse_expr(&content.value) {
                    Ok(e) => e,
                    Err(e) => {
                        self.syntax(&src, &content.referenced, e);
                        return None;
                    }
                };
                self.check_file_expr(&src, &content.referenced, &expr);
                Some(FileSetup {
                    content: expr,
                    open: sdoc.open.as_ref().map(|o| o.value).unwrap_or_default(),
                })
            });
            if sdoc.file.is_none() {
                if let Some(open) = &sdoc.open {
                    self.error(src.loc(&open.referenced), "`open` needs a `file` to open");
                }
            }
            let mut scope = Scope::new(file.is_some(), api);
            let steps = self.steps(&src, &sdoc.steps, &mut scope);
            if sdoc.steps.is_empty() {
                self.error(
                    loc.clone(),
                    "expected at least one step in `steps`, found none",
                );
            }
            let unconfirmed = self.platform_notes(&src, sdoc.unconfirmed, true);
            let confirmed = self.platform_notes(&src, sdoc.confirmed, false);
            let scenario = Scenario {
                id,
                loc,
                api,
                description: sdoc.description.value,
                cite: sdoc.cite.into_iter().map(|c| c.value).collect(),
                tags: sdoc.tags.into_iter().map(|t| t.value).collect(),
                when,
                file,
                unconfirmed,
                confirmed,
                steps,
            };
            self.check_confirmation(&scenario);
            self.scenarios.push(scenario);
        }
    }

    /// Reads `unconfirmed` (`traced`: each note must name a source) or
    /// `confirmed`: a mapping from a platform other than Linux to a note.
    fn platform_notes(
        &mut self,
        src: &Source<'_>,
        doc: Option<IndexMap<Spanned<String>, Spanned<String>>>,
        traced: bool,
    ) -> Vec<PlatformNote> {
        let mut out = vec![];
        for (platform, note) in doc.unwrap_or_default() {
            let loc = src.loc(&platform.referenced);
            let platform = match platform.value.parse::<Platform>() {
                Ok(Platform::Linux) => {
                    self.error(
                        loc,
                        "expected macos or windows: Linux expectations are observed on this machine",
                    );
                    continue;
                }
                Ok(p) => p,
                Err(e) => {
                    self.error(loc, e);
                    continue;
                }
            };
            if traced {
                if let Err(why) = super::source_ref::parse(&note.value) {
                    self.error(src.loc(&note.referenced), why);
                }
            } else if note.value.trim().is_empty() {
                self.error(
                    src.loc(&note.referenced),
                    "expected the run that confirmed these expectations, found an empty string",
                );
            }
            out.push(PlatformNote {
                platform,
                note: note.value,
                loc,
            });
        }
        out
    }

    /// Every platform a scenario states specific expectations for is marked
    /// unconfirmed or confirmed, once, and only platforms it applies to are.
    fn check_confirmation(&mut self, s: &Scenario) {
        let specific = s.platform_specific();
        for p in &specific {
            let marks = s
                .unconfirmed
                .iter()
                .chain(&s.confirmed)
                .filter(|m| m.platform == *p)
                .count();
            if marks == 0 {
                self.error(
                    s.loc.clone(),
                    format!(
                        "expected `unconfirmed: {{{p}: <trace>}}` (the document sentence or source line \
                         the {p} expectations come from) or `confirmed: {{{p}: <run>}}`: this scenario \
                         states what happens on {p}"
                    ),
                );
            }
        }
        let mut seen = BTreeSet::new();
        for m in s.unconfirmed.iter().chain(&s.confirmed) {
            let p = m.platform;
            if !s.when.platforms.is_empty() && !s.when.platforms.contains(&p) {
                self.error(
                    m.loc.clone(),
                    format!("{p} is not a platform this scenario applies to"),
                );
            } else if !seen.insert(p) {
                self.error(
                    m.loc.clone(),
                    format!("{p} is marked twice; a platform is either unconfirmed or confirmed"),
                );
            }
        }
    }

    fn check_citation(&mut self, src: &Source<'_>, c: &Spanned<String>) {
        let ok = c.value.split_once('#').is_some_and(|(doc, section)| {
            DOCUMENTS.contains(&doc)
                && !section.is_empty()
                && section
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        });
        if !ok {
            self.error(
                src.loc(&c.referenced),
                format!(
                    "expected a citation `<document>#<section>` with a document of ../shared/seeds/INDEX.md \
                     ({}), found {:?}",
                    DOCUMENTS.join(", "),
                    c.value
                ),
            );
        }
    }

    fn when(&mut self, src: &Source<'_>, doc: Option<super::doc::WhenDoc>) -> When {
        let mut when = When::default();
        let Some(doc) = doc else { return when };
        if let Some(py) = doc.python {
            match parse::parse_version_req(&py.value) {
                Ok(req) => when.python = req,
                Err(e) => self.syntax(src, &py.referenced, e),
            }
        }
        for p in doc.platform.unwrap_or_default() {
            match p.value.parse() {
                Ok(platform) => when.platforms.push(platform),
                Err(e) => self.error(src.loc(&p.referenced), e),
            }
        }
        when
    }

    fn check_file_expr(&mut self, src: &Source<'_>, at: &Location, expr: &Expr) {
        match expr {
            Expr::Call { func, args, kwargs } if matches!(func.as_ref(), Expr::Name(n) if n == "fixture") => {
                let name = match (args.as_slice(), kwargs.is_empty()) {
                    ([Expr::Str(name)], true) => name,
                    _ => {
                        self.error(src.loc(at), "expected `fixture(\"name\")` with one string argument");
                        return;
                    }
                };
                match fixture_path(&self.layout.fixtures_dir, name) {
                    Ok(path) if path.is_file() => {}
                    Ok(path) => self.error(
                        src.loc(at),
                        format!("fixture {name:?} not found (expected a file at {})", path.display()),
                    ),
                    Err(why) => self.error(src.loc(at), why),
                }
            }
            Expr::Call { func, args, .. } if matches!(func.as_ref(), Expr::Name(n) if n == "zeros") => {
                args.iter().for_each(|a| self.check_file_expr(src, at, a));
            }
            Expr::Bytes(_) | Expr::Int(_) | Expr::Name(_) => {
                if let Expr::Name(n) = expr {
                    if names::classify(n) != Some(NameKind::Constant) {
                        self.error(src.loc(at), format!("expected a constant in `file`, found the name `{n}`"));
                    }
                }
            }
            Expr::BinOp(_, a, b) => {
                self.check_file_expr(src, at, a);
                self.check_file_expr(src, at, b);
            }
            _ => self.error(
                src.loc(at),
                "expected file content: bytes, `zeros(n)`, `fixture(\"name\")` or arithmetic on them",
            ),
        }
    }

    fn steps(&mut self, src: &Source<'_>, docs: &[StepDoc], scope: &mut Scope) -> Vec<Step> {
        let mut steps: Vec<Step> = vec![];
        for doc in docs {
            let loc = src.loc(&doc.at);
            match &doc.kind {
                StepDocKind::Line(text) => {
                    let line = match parse::parse_line(text) {
                        Ok(l) => l,
                        Err(e) => {
                            self.syntax(src, &doc.at, e);
                            continue;
                        }
                    };
                    let variant = Variant {
                        cond: line.cond.clone(),
                        expect: line.expect,
                    };
                    // A conditional line right after a conditional line with the
                    // same statement is another outcome of the same step.
                    if let Some(prev) = steps.last_mut() {
                        if let Action::Stmt {
                            text: prev_text, ..
                        } = &prev.action
                        {
                            if variant.cond.is_some()
                                && prev.variants.iter().all(|v| v.cond.is_some())
                                && *prev_text == line.stmt_text
                            {
                                prev.variants.push(variant);
                                continue;
                            }
                        }
                    }
                    self.check_stmt(src, &doc.at, &line.stmt, &variant.expect, scope);
                    steps.push(Step {
                        loc,
                        action: Action::Stmt {
                            stmt: line.stmt,
                            text: line.stmt_text,
                        },
                        variants: vec![variant],
                    });
                }
                StepDocKind::Structured(s) => {
                    if let Some(step) = self.structured(src, loc, s, scope) {
                        steps.push(step);
                    }
                }
            }
        }
        if let Some((_, before)) = steps.split_last() {
            for step in before.iter().filter(|s| may_crash(s)) {
                self.error(
                    step.loc.clone(),
                    "expected a step that may crash to be the last of its scenario or `fork` \
                     body: the steps after it could not run",
                );
            }
        }
        steps
    }

    fn structured(
        &mut self,
        src: &Source<'_>,
        loc: Loc,
        s: &StructuredDoc,
        scope: &mut Scope,
    ) -> Option<Step> {
        let keys: BTreeSet<&str> = [
            ("step", s.step.is_some()),
            ("one_of", s.one_of.is_some()),
            ("because", s.because.is_some()),
            ("with", s.with.is_some()),
            ("steps", s.steps.is_some()),
            ("fork", s.fork.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, present)| present.then_some(k))
        .collect();
        let shape = |ks: &[&str]| keys == ks.iter().copied().collect();
        if shape(&["because", "one_of", "step"]) {
            let (step, one_of, because) =
                (s.step.as_ref()?, s.one_of.as_ref()?, s.because.as_ref()?);
            let line = match parse::parse_line(&step.value) {
                Ok(l) => l,
                Err(e) => {
                    self.syntax(src, &step.referenced, e);
                    return None;
                }
            };
            if line.expect != Expect::Returns || line.cond.is_some() {
                self.error(
                    src.loc(&step.referenced),
                    "expected a bare statement in `step`; outcomes go in `one_of`",
                );
            }
            let mut outcomes = vec![];
            for o in one_of {
                match parse::parse_outcome(&o.value) {
                    Ok(e) => outcomes.push(e),
                    Err(e) => self.syntax(src, &o.referenced, e),
                }
            }
            if one_of.len() < 2 {
                self.error(loc.clone(), "expected at least two outcomes in `one_of`");
            }
            if because.value.trim().is_empty() {
                self.error(
                    src.loc(&because.referenced),
                    "expected a reason in `because`, found an empty string",
                );
            }
            let expect = Expect::OneOf(outcomes, because.value.clone());
            self.check_stmt(src, &step.referenced, &line.stmt, &expect, scope);
            return Some(Step {
                loc,
                action: Action::Stmt {
                    stmt: line.stmt,
                    text: line.stmt_text,
                },
                variants: vec![Variant { cond: None, expect }],
            });
        }
        if shape(&["steps", "with"]) {
            let header = s.with.as_ref()?;
            let (expr, name, text, expect) = match parse::parse_with(&header.value) {
                Ok(parts) => parts,
                Err(e) => {
                    self.syntax(src, &header.referenced, e);
                    return None;
                }
            };
            self.check_expr(src, &header.referenced, &expr, &expect, scope);
            scope.bind(&name, is_ctor(&expr, scope.api) || scope.is_map_expr(&expr));
            let body = self.steps(src, s.steps.as_deref().unwrap_or_default(), scope);
            if let Some(step) = body.last().filter(|s| may_crash(s)) {
                self.error(
                    step.loc.clone(),
                    "expected no step that may crash inside `with`: the `__exit__` after it \
                     could not run",
                );
            }
            return Some(Step {
                loc,
                action: Action::With {
                    expr,
                    text,
                    name,
                    body,
                },
                variants: vec![Variant { cond: None, expect }],
            });
        }
        if shape(&["fork"]) {
            let body = self.steps(
                src,
                s.fork.as_deref().unwrap_or_default(),
                &mut scope.clone(),
            );
            return Some(Step {
                loc,
                action: Action::Fork { body },
                variants: vec![Variant {
                    cond: None,
                    expect: Expect::Returns,
                }],
            });
        }
        self.error(
            loc,
            format!(
                "expected a structured step with `step`, `one_of` and `because`, or `with` and `steps`, \
                 or `fork`; found the keys {}",
                keys.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
        None
    }

    fn check_stmt(
        &mut self,
        src: &Source<'_>,
        at: &Location,
        stmt: &Stmt,
        expect: &Expect,
        scope: &mut Scope,
    ) {
        match stmt {
            Stmt::Expr(e) => self.check_expr(src, at, e, expect, scope),
            Stmt::Bind(name, e) => {
                self.check_expr(src, at, e, expect, scope);
                if names::classify_in(scope.api, name).is_some() || name == "f" {
                    self.error(
                        src.loc(at),
                        format!("cannot bind `{name}`: it names a constant, a builtin or the file"),
                    );
                }
                scope.bind(name, is_ctor(e, scope.api));
            }
            Stmt::SetItem(o, k, v) => {
                for e in [o, k, v] {
                    self.check_expr(src, at, e, expect, scope);
                }
            }
            Stmt::DelItem(o, k) => {
                self.check_expr(src, at, o, expect, scope);
                self.check_expr(src, at, k, expect, scope);
            }
            // Setting any name is a behaviour to observe: no attribute check.
            Stmt::SetAttr(o, _, v) => {
                self.check_expr(src, at, o, expect, scope);
                self.check_expr(src, at, v, expect, scope);
            }
        }
        if let Expect::Value(v) = expect {
            self.check_expr(src, at, v, &Expect::Returns, scope);
        }
    }

    /// Checks that every name is known and every method called on a map exists
    /// in some version, unless the step expects an `AttributeError`.
    fn check_expr(
        &mut self,
        src: &Source<'_>,
        at: &Location,
        e: &Expr,
        expect: &Expect,
        scope: &Scope,
    ) {
        let expects_attribute_error = match expect {
            Expect::Raises(r) => r.type_name == "AttributeError",
            Expect::OneOf(all, _) => all
                .iter()
                .any(|o| matches!(o, Expect::Raises(r) if r.type_name == "AttributeError")),
            _ => false,
        };
        let mut problems = vec![];
        walk_names(e, &mut |node| {
            match node {
            Expr::Name(n) if names::FILE_CONTENT.contains(&n.as_str()) => problems.push(format!(
                "`{n}` makes a scenario's file content; expected it only in `file:`"
            )),
            Expr::Name(n) if !scope.knows(n) => problems.push(format!(
                "unknown name `{n}`; expected a name bound by an earlier step, `f`, `mmap`, a module constant \
                 or a builtin ({})",
                names::BUILTINS.join(", ")
            )),
            Expr::Attr(obj, attr) => {
                if let Expr::Name(n) = obj.as_ref() {
                    if n == "f" && !names::FILE_METHODS.contains(&attr.as_str()) {
                        problems.push(format!(
                            "unknown file method `f.{attr}`; expected one of {}",
                            names::FILE_METHODS.join(", ")
                        ));
                    } else if scope.is_map(n)
                        && !scope.attributes().contains(&attr.as_str())
                        && !expects_attribute_error
                    {
                        problems.push(format!(
                            "unknown {} method or attribute `{attr}`; expected one of {} \
                             (or expect an AttributeError)",
                            scope.api_name(),
                            scope.attributes().join(", ")
                        ));
                    }
                }
            }
            _ => {}
        }
        });
        for p in problems {
            self.error(src.loc(at), p);
        }
    }
}

fn walk_names(e: &Expr, visit: &mut dyn FnMut(&Expr)) {
    visit(e);
    match e {
        Expr::Call { func, args, kwargs } => {
            // The callee of `obj.method(...)` is checked as an attribute; a bare
            // name callee is checked as a name.
            walk_names(func, visit);
            args.iter().for_each(|a| walk_names(a, visit));
            kwargs.iter().for_each(|(_, a)| walk_names(a, visit));
        }
        Expr::Attr(obj, _) => walk_names(obj, visit),
        Expr::Subscript(a, b) | Expr::BinOp(_, a, b) | Expr::In(a, b) => {
            walk_names(a, visit);
            walk_names(b, visit);
        }
        Expr::Slice(a, b, c) => [a, b, c]
            .into_iter()
            .flatten()
            .for_each(|x| walk_names(x, visit)),
        Expr::Neg(a) => walk_names(a, visit),
        Expr::Tuple(items) | Expr::List(items) => items.iter().for_each(|a| walk_names(a, visit)),
        _ => {}
    }
}

/// True when some outcome of `step` is a crash (`!! SIGBUS`).
fn may_crash(step: &Step) -> bool {
    step.variants.iter().any(|v| match &v.expect {
        Expect::Crash(_) => true,
        Expect::OneOf(outcomes, _) => outcomes.iter().any(|o| matches!(o, Expect::Crash(_))),
        _ => false,
    })
}

/// True for a call of the API's constructor: `mmap(...)` or `mmapfile(...)`.
fn is_ctor(e: &Expr, api: Api) -> bool {
    matches!(e, Expr::Call { func, .. }
        if matches!(func.as_ref(), Expr::Name(n) if names::classify_in(api, n) == Some(NameKind::Constructor)))
}

/// The names bound so far in a scenario, and which of them are maps.
#[derive(Clone)]
struct Scope {
    has_file: bool,
    api: Api,
    bound: HashMap<String, bool>,
}

impl Scope {
    fn new(has_file: bool, api: Api) -> Self {
        Self {
            has_file,
            api,
            bound: HashMap::new(),
        }
    }

    /// The methods and attributes of the API's map object.
    fn attributes(&self) -> &'static [&'static str] {
        match self.api {
            Api::Mmap => names::MMAP_ATTRIBUTES,
            Api::Mmapfile => names::MMAPFILE_ATTRIBUTES,
        }
    }

    fn api_name(&self) -> &'static str {
        match self.api {
            Api::Mmap => "mmap",
            Api::Mmapfile => "mmapfile",
        }
    }

    fn bind(&mut self, name: &str, is_map: bool) {
        self.bound.insert(name.to_owned(), is_map);
    }

    fn knows(&self, n: &str) -> bool {
        self.bound.contains_key(n)
            || (n == "f" && self.has_file)
            || names::classify_in(self.api, n).is_some()
    }

    fn is_map(&self, n: &str) -> bool {
        self.bound.get(n).copied().unwrap_or(false)
    }

    fn is_map_expr(&self, e: &Expr) -> bool {
        matches!(e, Expr::Name(n) if self.is_map(n))
    }
}

/// Resolves a fixture name inside `fixtures_dir`, refusing paths that escape it.
pub fn fixture_path(fixtures_dir: &Path, name: &str) -> Result<PathBuf, String> {
    let rel = Path::new(name);
    let escapes = rel.components().any(|c| !matches!(c, Component::Normal(_)));
    if name.is_empty() || escapes {
        return Err(format!(
            "expected a fixture name inside fixtures/ (no `..`, no absolute path), found {name:?}"
        ));
    }
    Ok(fixtures_dir.join(rel))
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The YAML library's message without the location it also prints (the
/// loader prints the location in front, as for every other error).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    // "line 3 column 5: unknown field ..." -> "unknown field ..."
    let message = match first.split_once(": ") {
        Some((prefix, rest)) if prefix.starts_with("line ") && prefix.contains(" column ") => rest,
        _ => first,
    };
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!(
            "duplicate key {key:?}: scenario ids and the keys of a mapping must be unique"
        );
    }
    format!("invalid spec file: {message}")
}
