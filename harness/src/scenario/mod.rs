//! Spec files: their YAML form, the step language, and the strict loader.

pub mod ast;
pub mod doc;
pub mod load;
pub mod model;
pub mod names;
pub mod parse;
pub mod source_ref;

pub use load::{Layout, LoadError, LoadErrors, load_dir, load_str};
pub use model::{
    Action, Api, FileSetup, Loc, OpenMode, PlatformNote, Scenario, Step, Variant, When,
};
