//! Which scenarios a run takes: id patterns, tags, methods, platform.

use globset::{Glob, GlobMatcher};
use mmap_reference::{Platform, Profile, PyVersion};

use crate::scenario::Scenario;

/// A selection of scenarios; an empty field selects everything.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    patterns: Vec<Pattern>,
    tags: Vec<String>,
    methods: Vec<String>,
    platform: Option<Platform>,
}

#[derive(Clone, Debug)]
enum Pattern {
    Glob(GlobMatcher),
    Substring(String),
}

impl Selection {
    /// Patterns with `*`, `?` or `[` are globs over the whole id; others
    /// select ids containing them (as `cargo test` filters do).
    pub fn new(
        patterns: &[String],
        tags: &[String],
        methods: &[String],
        platform: Option<Platform>,
    ) -> Result<Self, String> {
        let patterns = patterns
            .iter()
            .map(|p| {
                if p.contains(['*', '?', '[']) {
                    Glob::new(p)
                        .map(|g| Pattern::Glob(g.compile_matcher()))
                        .map_err(|e| format!("bad pattern {p:?}: {e}"))
                } else {
                    Ok(Pattern::Substring(p.clone()))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            patterns,
            tags: tags.to_vec(),
            methods: methods.to_vec(),
            platform,
        })
    }

    /// True when `s` is selected.
    pub fn matches(&self, s: &Scenario) -> bool {
        let id_ok = self.patterns.is_empty()
            || self.patterns.iter().any(|p| match p {
                Pattern::Glob(g) => g.is_match(&s.id),
                Pattern::Substring(sub) => s.id.contains(sub.as_str()),
            });
        let tags_ok = self.tags.iter().all(|t| s.tags.contains(t));
        let methods_ok = self.methods.is_empty() || {
            let used = s.methods();
            self.methods.iter().any(|m| used.contains(m))
        };
        let platform_ok = self
            .platform
            .is_none_or(|p| s.when.platforms.is_empty() || s.when.platforms.contains(&p));
        id_ok && tags_ok && methods_ok && platform_ok
    }
}

/// The profile the reference imitates when no other implementation sets one.
pub fn default_profile() -> Profile {
    Profile::new(PyVersion::new(3, 11), Platform::host())
}
