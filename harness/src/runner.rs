//! Runs one scenario on one implementation in a fresh sandbox and judges it.

use std::path::PathBuf;

use crate::backend::reference::ReferenceBackend;
use crate::backend::{Backend, Implementation};
use crate::judge::{self, Verdict};
use crate::sandbox::Sandbox;
use crate::scenario::{Layout, Scenario};
use crate::transcript::Transcript;

/// Where runs find fixtures and make their temporary directories.
#[derive(Clone, Debug)]
pub struct Context {
    /// Spec and fixture directories.
    pub layout: Layout,
    /// Parent of every sandbox (the system's temporary directory by default).
    pub tmp_base: PathBuf,
}

impl Context {
    /// The repository's layout and the system temporary directory.
    pub fn new(layout: Layout) -> Self {
        Self {
            layout,
            tmp_base: std::env::temp_dir(),
        }
    }
}

/// One implementation's result on one scenario.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The scenario's id.
    pub scenario: String,
    /// Who ran it.
    pub implementation: Implementation,
    /// The judgement.
    pub verdict: Verdict,
    /// What it did, when it ran.
    pub transcript: Option<Transcript>,
}

/// Runs `scenario` on `backend` and judges the transcript against the spec
/// and, for implementations other than the reference, against the reference
/// run with the same profile.
pub fn check(ctx: &Context, scenario: &Scenario, backend: &dyn Backend) -> CaseResult {
    let imp = backend.describe().clone();
    let result = |verdict, transcript| CaseResult {
        scenario: scenario.id.clone(),
        implementation: imp.clone(),
        verdict,
        transcript,
    };
    if let Some(why) = applicability(scenario, &imp) {
        return result(Verdict::NotApplicable(why), None);
    }
    let transcript = match transcript(ctx, scenario, backend) {
        Ok(t) => t,
        Err(e) => return result(Verdict::Error(e), None),
    };
    let label = format!("{} {}", imp.name, imp.version);
    if let Some(d) = judge::against_spec(scenario, imp.profile, &transcript, &label) {
        return result(Verdict::DiffersFromSpec(d), Some(transcript));
    }
    if imp.name != "reference" {
        let reference = ReferenceBackend::new(imp.profile);
        let ref_label = format!("reference for {}", imp.profile);
        match self::transcript(ctx, scenario, &reference) {
            Ok(ref_t) => {
                if let Some(d) =
                    judge::against_reference(scenario, &transcript, &ref_t, &ref_label, &label)
                {
                    return result(Verdict::DiffersFromReference(d), Some(transcript));
                }
            }
            Err(e) => {
                return result(
                    Verdict::Error(format!("the reference could not run: {e}")),
                    Some(transcript),
                );
            }
        }
    }
    result(Verdict::Pass, Some(transcript))
}

/// `None` when `scenario` applies to `imp`, else why not.
pub fn applicability(scenario: &Scenario, imp: &Implementation) -> Option<String> {
    if scenario.api != imp.api {
        return Some(
            format!(
                "drives the {:?} API; {} provides {:?}",
                scenario.api, imp.name, imp.api
            )
            .to_lowercase(),
        );
    }
    scenario.when.excludes(imp.profile)
}

/// Runs `scenario` on `backend` in a fresh sandbox, removed afterwards.
pub fn transcript(
    ctx: &Context,
    scenario: &Scenario,
    backend: &dyn Backend,
) -> Result<Transcript, String> {
    let imp = backend.describe();
    let mut sandbox = Sandbox::new(
        &ctx.tmp_base,
        scenario,
        imp.profile,
        &ctx.layout.fixtures_dir,
    )
    .map_err(|e| {
        format!(
            "cannot prepare the scenario's files under {}: {e}",
            ctx.tmp_base.display()
        )
    })?;
    backend
        .run(scenario, &mut sandbox)
        .map_err(|e| e.to_string())
}
