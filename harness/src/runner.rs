//! Runs scenarios on implementations through their adapters and judges them.
//!
//! Every implementation, the reference included, runs in adapter processes
//! that the [`Engine`] starts, reuses across scenarios and replaces after a
//! crash, a time-out or a protocol violation. Work is spread over `jobs`
//! threads; results come back in the order of the input, whatever the degree
//! of parallelism.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use mmap_reference::Profile;

use crate::judge::{self, Verdict};
use crate::known::KnownList;
use crate::protocol::client::{Adapter, End, Launch};
use crate::protocol::encode;
use crate::protocol::wire::{Step, WireOutcome};
use crate::sandbox::Sandbox;
use crate::scenario::ast::Expect;
use crate::scenario::model::{FlatOp, FlatStep};
use crate::scenario::{Layout, Scenario};
use crate::target::{Implementation, Target};
use crate::transcript::{Entry, Outcome, Raised, Transcript};

/// One reference transcript, made once and shared.
type ReferenceRun = Arc<OnceLock<Result<Transcript, String>>>;

/// Where runs find their files, and their limits.
#[derive(Clone, Debug)]
pub struct Context {
    /// Spec and fixture directories.
    pub layout: Layout,
    /// Parent of every sandbox ([`crate::sandbox::default_base`] by default).
    pub tmp_base: PathBuf,
    /// The `mmapconf` binary, which hosts the reference and the embedded CPython.
    pub worker: PathBuf,
    /// The time limit of one scenario on one implementation.
    pub timeout: Duration,
    /// The time an adapter has to start and send its handshake.
    pub startup_timeout: Duration,
    /// Scenarios run at once.
    pub jobs: usize,
    /// The data segment an adapter may use, in bytes.
    pub memory: u64,
}

impl Context {
    /// The repository's layout, the system temporary directory, `worker` as
    /// the host binary, a 20-second limit, one job per core and 4 GiB of
    /// data per adapter.
    pub fn new(layout: Layout, worker: PathBuf) -> Self {
        Self {
            layout,
            tmp_base: crate::sandbox::default_base(),
            worker,
            timeout: Duration::from_secs(20),
            startup_timeout: Duration::from_secs(60),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory: 4 << 30,
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
    /// The scenario's topic: its spec file's name (`find`).
    pub topic: String,
    /// The entry of the known-differences list that accepts this failure.
    pub known: Option<usize>,
}

impl CaseResult {
    /// True when this result fails the run: a failure no known difference accepts.
    pub fn fails(&self) -> bool {
        self.verdict.is_failure() && self.known.is_none()
    }
}

/// Runs scenarios; shared by the threads of a run.
pub struct Engine {
    ctx: Context,
    /// Adapters between scenarios, by how they were started.
    idle: Mutex<HashMap<Launch, Vec<Adapter>>>,
    /// The reference's transcripts, by profile and scenario id: each is made
    /// once, by whichever job needs it first (the reference judged as an
    /// implementation, or another implementation compared with it), while
    /// any other job that needs it waits.
    reference: Mutex<HashMap<(Profile, String), ReferenceRun>>,
    /// The accepted differences, for the crashes they expect.
    known: KnownList,
    /// How long each adapter took to start and send its handshake.
    startups: Mutex<HashMap<Launch, Vec<Duration>>>,
}

impl Engine {
    /// An engine with no adapter started yet.
    pub fn new(ctx: Context) -> Self {
        Self {
            ctx,
            idle: Mutex::new(HashMap::new()),
            reference: Mutex::new(HashMap::new()),
            known: KnownList::default(),
            startups: Mutex::new(HashMap::new()),
        }
    }

    /// The start-up times of the adapters started so far with `launch`.
    pub fn startups(&self, launch: &Launch) -> Vec<Duration> {
        self.startups
            .lock()
            .map(|m| m.get(launch).cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Starts an adapter and records how long it took.
    fn start(&self, launch: &Launch) -> Result<Adapter, String> {
        let started = Instant::now();
        let adapter = Adapter::start(launch, self.ctx.startup_timeout, self.ctx.memory)?;
        if let Ok(mut m) = self.startups.lock() {
            m.entry(launch.clone()).or_default().push(started.elapsed());
        }
        Ok(adapter)
    }

    /// The run's context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Starts an adapter, reads its handshake and keeps it for the first
    /// scenario: the implementation it describes, with the id `id` or, when
    /// `None`, `{name}-{python}`.
    pub fn probe(&self, launch: Launch, id: Option<String>) -> Result<Target, String> {
        let adapter = self.start(&launch)?;
        let id = id.unwrap_or_else(|| Implementation::external_id(&adapter.hello));
        let implementation = Implementation::from_hello(id, &adapter.hello);
        self.put_back(&launch, adapter);
        Ok(Target {
            implementation,
            launch,
        })
    }

    /// Runs the scenarios that `known` accepts as crashing an implementation
    /// in a forked child of its adapter, like those the spec expects to
    /// crash, so that the adapter survives them.
    pub fn expect_known_crashes(&mut self, known: KnownList) {
        self.known = known;
    }

    /// The reference imitating `profile`.
    pub fn reference_target(&self, profile: Profile) -> Target {
        Target::reference(&self.ctx.worker, profile)
    }

    /// Runs every scenario on every target, `jobs` at a time; results are in
    /// scenario-major order. `done` is called as each result is ready.
    pub fn run_all(
        &self,
        scenarios: &[Scenario],
        targets: &[Target],
        done: &(dyn Fn(&CaseResult) + Sync),
    ) -> Vec<CaseResult> {
        let items: Vec<(&Scenario, &Target)> = scenarios
            .iter()
            .flat_map(|s| targets.iter().map(move |t| (s, t)))
            .collect();
        let slots: Vec<Mutex<Option<CaseResult>>> =
            items.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..self.ctx.jobs.clamp(1, items.len().max(1)) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((s, t)) = items.get(i) else { break };
                        let result = self.check(s, t);
                        done(&result);
                        if let Ok(mut slot) = slots[i].lock() {
                            *slot = Some(result);
                        }
                    }
                });
            }
        });
        slots
            .into_iter()
            .filter_map(|m| m.into_inner().ok().flatten())
            .collect()
    }

    /// Runs `scenario` on `target` and judges the transcript against the spec
    /// and, for implementations other than the reference, against the
    /// reference imitating the same profile.
    pub fn check(&self, scenario: &Scenario, target: &Target) -> CaseResult {
        let imp = &target.implementation;
        let result = |verdict, transcript| CaseResult {
            scenario: scenario.id.clone(),
            implementation: imp.clone(),
            verdict,
            transcript,
            topic: scenario
                .loc
                .file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            known: None,
        };
        if let Some(why) = applicability(scenario, imp) {
            return result(Verdict::NotApplicable(why), None);
        }
        // The reference judged as an implementation makes the transcript the
        // others are compared with: run it once.
        let transcript = if target.launch == self.reference_target(imp.profile).launch {
            self.reference_transcript(scenario, imp.profile)
        } else {
            self.transcript(scenario, target)
        };
        let transcript = match transcript {
            Ok(t) => t,
            Err(e) => return result(Verdict::Error(e), None),
        };
        let label = format!("{} {}", imp.id, imp.version);
        if let Some(d) = judge::against_spec(scenario, imp.profile, &transcript, &label) {
            return result(Verdict::DiffersFromSpec(d), Some(transcript));
        }
        if imp.name != "reference" && crate::target::REFERENCE_RUNS_HERE {
            let ref_label = format!("reference for {}", imp.profile);
            match self.reference_transcript(scenario, imp.profile) {
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

    fn reference_transcript(
        &self,
        scenario: &Scenario,
        profile: Profile,
    ) -> Result<Transcript, String> {
        let key = (profile, scenario.id.clone());
        let run = match self.reference.lock() {
            Ok(mut m) => m.entry(key).or_default().clone(),
            Err(_) => ReferenceRun::default(),
        };
        run.get_or_init(|| self.transcript(scenario, &self.reference_target(profile)))
            .clone()
    }

    /// Runs `scenario` on `target` in a fresh sandbox, removed afterwards.
    /// An `Err` is a failure of the machinery or the adapter, not a result.
    pub fn transcript(&self, scenario: &Scenario, target: &Target) -> Result<Transcript, String> {
        let imp = &target.implementation;
        let sandbox = Sandbox::new(
            &self.ctx.tmp_base,
            scenario,
            imp.profile,
            &self.ctx.layout.fixtures_dir,
        )
        .map_err(|e| {
            format!(
                "cannot prepare the scenario's files under {}: {e}",
                self.ctx.tmp_base.display()
            )
        })?;
        let steps = scenario.flat_steps();
        let mut request = encode::request(scenario, sandbox.file());
        let known_crash = self.known.expects_crash(&imp.id, &scenario.id);
        let isolated = runs_in_a_child(&steps, imp.profile, known_crash);
        if isolated {
            request.steps = vec![Step::Fork(std::mem::take(&mut request.steps))];
        }
        let mut adapter = self.take(&target.launch)?;
        let output = adapter.run(&request, self.ctx.timeout);
        if adapter.is_alive() {
            self.put_back(&target.launch, adapter);
        }
        let mut outcomes = output.outcomes;
        if isolated {
            // The fork's own outcome comes first; the scenario's steps, the
            // child's, follow, and none runs after the one that crashed.
            outcomes = outcomes.into_iter().skip(1).collect();
            if let Some(c) = outcomes
                .iter()
                .position(|o| matches!(o, Some(WireOutcome::Crashed(_))))
            {
                outcomes.truncate(c + 1);
            }
        }
        let crashed = matches!(outcomes.last(), Some(Some(WireOutcome::Crashed(_))));
        let mut entries: Vec<Entry> = outcomes
            .into_iter()
            .zip(&steps)
            .map(|(o, step)| Entry {
                text: step.text.clone(),
                outcome: match o {
                    Some(WireOutcome::Returned(v)) => Outcome::Returned(v.mask_addresses()),
                    Some(WireOutcome::Raised(r)) => {
                        Outcome::Raised(Raised::from(r).mask_addresses())
                    }
                    Some(WireOutcome::Crashed(sig)) => Outcome::Crashed(sig),
                    None => Outcome::NotRun,
                },
            })
            .collect();
        let next = steps.get(entries.len());
        let stopped = |outcome| -> Result<Transcript, String> {
            let mut entries = entries.clone();
            match next {
                Some(step) => entries.push(Entry {
                    text: step.text.clone(),
                    outcome,
                }),
                None => return Err(format!("`{}` {outcome} after the last step", target.launch)),
            }
            Ok(Transcript { entries })
        };
        match output.end {
            End::Done if entries.len() < steps.len() && !crashed => Err(format!(
                "`{}` ended the scenario after {} of its {} steps",
                target.launch,
                entries.len(),
                steps.len()
            )),
            End::Done => {
                entries.truncate(steps.len());
                Ok(Transcript { entries })
            }
            End::Crashed(how) => stopped(Outcome::Crashed(how)),
            End::TimedOut => stopped(Outcome::TimedOut),
            End::AdapterError(e) => Err(format!("adapter error: {e}")),
            End::Protocol(e) => Err(e),
        }
    }

    fn take(&self, launch: &Launch) -> Result<Adapter, String> {
        let idle = self
            .idle
            .lock()
            .ok()
            .and_then(|mut m| m.get_mut(launch).and_then(Vec::pop));
        match idle {
            Some(a) => Ok(a),
            None => self.start(launch),
        }
    }

    fn put_back(&self, launch: &Launch, adapter: Adapter) {
        if let Ok(mut m) = self.idle.lock() {
            m.entry(launch.clone()).or_default().push(adapter);
        }
    }
}

/// `None` when `scenario` applies to `imp`, else why not.
pub fn applicability(scenario: &Scenario, imp: &Implementation) -> Option<String> {
    if !imp.api.contains(&scenario.api) {
        return Some(
            format!(
                "drives the {:?} API; {} provides {:?}",
                scenario.api, imp.id, imp.api
            )
            .to_lowercase(),
        );
    }
    scenario.when.excludes(imp.profile)
}

/// True when the scenario runs in a forked child of the adapter: on Unix,
/// when the spec expects a step to kill the process (a SIGBUS), or the
/// known differences expect the implementation to die (`known_crash`), and
/// the scenario forks nothing itself. The adapter then survives the crash
/// and takes the next scenario; the transcript is the same as in the
/// adapter itself, since a child reports its steps as the parent would.
fn runs_in_a_child(steps: &[FlatStep<'_>], profile: Profile, known_crash: bool) -> bool {
    profile.platform.is_unix()
        && steps.iter().all(|s| !matches!(s.op, FlatOp::Fork { .. }))
        && (known_crash
            || steps
                .iter()
                .any(|s| matches!(s.expectation(profile), Some(Expect::Crash(_)))))
}
