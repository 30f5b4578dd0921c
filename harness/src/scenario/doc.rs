//! The YAML document structure of a spec file, as serde reads it.
//!
//! Every leaf keeps its source location (`Spanned`) so that later checks can
//! point at `file:line:column`. The JSON Schema in `spec/schema.json` is
//! generated from these types.

use std::fmt;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};

/// A spec file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "mmap conformance spec file")]
pub struct SpecDoc {
    /// The API the scenarios drive: `mmap` (default) or pywin32's `mmapfile`.
    #[serde(default)]
    #[schemars(with = "Option<Api>")]
    pub api: Option<Spanned<Api>>,
    /// Scenarios by id (kebab-case, unique across the corpus).
    #[schemars(with = "IndexMap<String, ScenarioDoc>")]
    pub scenarios: IndexMap<Spanned<String>, ScenarioDoc>,
}

/// The Python API a scenario drives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// Python's `mmap` module.
    #[default]
    Mmap,
    /// pywin32's `mmapfile` module.
    Mmapfile,
}

/// One scenario.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    /// The behaviour in one plain sentence.
    #[schemars(with = "String")]
    pub description: Spanned<String>,
    /// Passages of the source documents checked: `<document>#<section>`.
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub cite: Vec<Spanned<String>>,
    /// Labels to select scenarios by.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tags: Vec<Spanned<String>>,
    /// Where the scenario applies; elsewhere it is not applicable.
    #[serde(default)]
    pub when: Option<WhenDoc>,
    /// Content of a fresh temporary file opened as `f` (an expression).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub file: Option<Spanned<String>>,
    /// How `f` is opened.
    #[serde(default)]
    #[schemars(with = "Option<OpenMode>")]
    pub open: Option<Spanned<OpenMode>>,
    /// Platforms whose expectations here were not observed on that platform,
    /// each with what they are traced to: `{windows: "cpython@v3.12.0:Modules/mmapmodule.c#L1110"}`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, String>>")]
    pub unconfirmed: Option<IndexMap<Spanned<String>, Spanned<String>>>,
    /// Platforms whose expectations here a run on that platform confirmed,
    /// each with the run: `{windows: "GitHub Actions windows-2022, CPython 3.12.7"}`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, String>>")]
    pub confirmed: Option<IndexMap<Spanned<String>, Spanned<String>>>,
    /// The steps, in order.
    pub steps: Vec<StepDoc>,
}

/// Where a scenario applies.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhenDoc {
    /// Comparisons the Python version must satisfy: `">=3.3, <3.13"`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub python: Option<Spanned<String>>,
    /// Platforms: `linux`, `macos`, `windows`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub platform: Option<Vec<Spanned<String>>>,
}

/// How the scenario's file is opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum OpenMode {
    /// `os.open(path, os.O_RDWR)`
    #[default]
    #[serde(rename = "O_RDWR")]
    ReadWrite,
    /// `os.open(path, os.O_RDONLY)`
    #[serde(rename = "O_RDONLY")]
    ReadOnly,
    /// `os.open(path, os.O_WRONLY)`
    #[serde(rename = "O_WRONLY")]
    WriteOnly,
}

/// A step: one line, or a mapping for what one line cannot say.
#[derive(Debug)]
pub struct StepDoc {
    /// Where the step starts.
    pub at: Location,
    /// The step itself.
    pub kind: StepDocKind,
}

/// The two shapes of a step.
#[derive(Debug)]
pub enum StepDocKind {
    /// `STATEMENT [-> VALUE | !! EXCEPTION] [if CONDITION]`
    Line(String),
    /// A mapping; which keys may go together is checked by the loader.
    Structured(Box<StructuredDoc>),
}

/// The keys of a structured step. Valid combinations: `step` + `one_of` +
/// `because`; `with` + `steps`; `fork` alone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructuredDoc {
    /// The statement whose outcome is one of several.
    #[serde(default)]
    pub step: Option<Spanned<String>>,
    /// Acceptable outcomes, each `-> VALUE` or `!! EXCEPTION`.
    #[serde(default)]
    pub one_of: Option<Vec<Spanned<String>>>,
    /// Why the behaviour is not one outcome.
    #[serde(default)]
    pub because: Option<Spanned<String>>,
    /// `EXPR as NAME`
    #[serde(default)]
    pub with: Option<Spanned<String>>,
    /// The body of `with`.
    #[serde(default)]
    pub steps: Option<Vec<StepDoc>>,
    /// Steps run in a child process after `os.fork()`.
    #[serde(default)]
    pub fork: Option<Vec<StepDoc>>,
}

impl<'de> Deserialize<'de> for StepDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<StepDocKind>::deserialize(d)?;
        Ok(StepDoc {
            at: spanned.referenced,
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for StepDocKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KindVisitor;

        impl<'de> Visitor<'de> for KindVisitor {
            type Value = StepDocKind;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a step line, or a mapping with `step`, `with` or `fork`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<StepDocKind, E> {
                Ok(StepDocKind::Line(v.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StepDocKind, A::Error> {
                StructuredDoc::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|s| StepDocKind::Structured(Box::new(s)))
            }
        }

        d.deserialize_any(KindVisitor)
    }
}

/// The JSON Schema of a step, spelled out shape by shape.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum StepSchema {
    /// `STATEMENT [-> VALUE | !! EXCEPTION] [if CONDITION]`
    Line(String),
    /// A step with several acceptable outcomes.
    OneOf {
        /// The statement.
        step: String,
        /// Acceptable outcomes, each `-> VALUE` or `!! EXCEPTION`.
        #[schemars(length(min = 2))]
        one_of: Vec<String>,
        /// Why the behaviour is not one outcome.
        because: String,
    },
    /// `with EXPR as NAME:` and its body.
    With {
        /// `EXPR as NAME`
        with: String,
        /// The body.
        steps: Vec<StepSchema>,
    },
    /// Steps run in a child process after `os.fork()`.
    Fork {
        /// The child's steps.
        fork: Vec<StepSchema>,
    },
}

impl JsonSchema for StepDoc {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Step".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        StepSchema::json_schema(generator)
    }
}

/// The JSON Schema of spec files, as committed in `spec/schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(SpecDoc);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
