//! `mmapconf`: runs the mmap conformance scenarios and reports.

#![deny(unsafe_code)]

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mmap_conformance::known::{self, KnownList};
use mmap_conformance::protocol::client::Launch;
use mmap_conformance::runner::{self, CaseResult, Context, Engine};
use mmap_conformance::sandbox::Sandbox;
use mmap_conformance::scenario::{self, Layout, Scenario};
use mmap_conformance::select::{self, Selection};
use mmap_conformance::target::{self, Target};
use mmap_conformance::{
    backend, catalogue, coverage, difffuzz, discover, html, junit, report, repro, trace,
};
use mmap_reference::{Platform, Profile, PyVersion};

/// Runs Python mmap conformance scenarios against the reference and real
/// implementations. Without a command, runs everything selected.
#[derive(Parser)]
#[command(name = "mmapconf", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

// Parsed once per run, so the size of the largest variant costs nothing
// (it crosses clippy's limit on some targets only).
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run scenarios and judge every implementation (the default).
    Run(RunArgs),
    /// List the selected scenarios.
    List(ListArgs),
    /// Print one scenario's transcript from one implementation.
    Show(ShowArgs),
    /// Print a standalone Python script that reproduces one scenario under
    /// any interpreter, showing what the spec expects and what happens.
    Repro(ReproArgs),
    /// Run random operation sequences on the reference and on real
    /// implementations; write each difference, shrunk, as a scenario.
    Fuzz(FuzzArgs),
    /// Print the behaviour catalogue (Markdown) from the specs and the
    /// recorded outcomes: `mmapconf catalogue > docs/catalogue.md`.
    Catalogue(CatalogueArgs),
    /// Print each sentence of the source documents with the scenarios that
    /// check it, or why none can (`traceability.yaml`).
    Trace(TraceArgs),
    /// Print which operations the scenarios perform on which kind of map
    /// (anonymous, or a file map by access mode), and the empty cells.
    Coverage(CoverageArgs),
    /// Print the JSON Schema of spec files.
    Schema,
    /// List the Python interpreters `--discover` would use, with what each
    /// reports about itself, and the names it looked for in vain.
    Interpreters,
    /// Host the reference or the embedded CPython as a protocol adapter on
    /// standard input and output (the harness starts these itself).
    #[command(hide = true)]
    Serve(ServeArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// `reference` or `cpython`.
    name: String,
    /// The Python version the reference imitates.
    #[arg(long, value_name = "X.Y", default_value = "3.11")]
    python: PyVersion,
    /// The platform the reference imitates (default: this one).
    #[arg(long)]
    platform: Option<Platform>,
}

#[derive(Args, Clone, Default)]
struct TargetArgs {
    /// Implementations to judge, by id (`reference`, `cpython`, `pypy-3.9`)
    /// or glob (`cpython-*`); repeatable; default all.
    #[arg(long = "impl", value_name = "ID")]
    implementations: Vec<String>,
    /// The Python version the reference imitates as an implementation of
    /// its own (default: the embedded CPython's, else 3.11).
    #[arg(long, value_name = "X.Y")]
    python: Option<PyVersion>,
    /// The platform the reference imitates (default: this one): with
    /// `macos` or `windows` the reference runs that platform's scenarios
    /// here, while the real implementations keep this machine's.
    #[arg(long, value_name = "PLATFORM")]
    reference_platform: Option<Platform>,
    /// Also run the Python driver under this interpreter (repeatable).
    #[arg(long = "interpreter", value_name = "PATH")]
    interpreters: Vec<PathBuf>,
    /// Also run this adapter command line (repeatable; split as a shell would).
    #[arg(long = "adapter", value_name = "COMMAND")]
    adapters: Vec<String>,
    /// Also run every interpreter found under pyenv and on PATH.
    #[arg(long)]
    discover: bool,
    /// Seconds one scenario may take on one implementation.
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    timeout: f64,
    /// Scenarios to run at once (default: one per core).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Memory (data segment, MiB) one adapter may allocate; beyond it the
    /// implementation gets MemoryError or dies, alone.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    memory: u64,
}

#[derive(Args, Clone, Default)]
struct SelectArgs {
    /// Scenario ids to take: a glob (`find-*`) or a part of the id.
    patterns: Vec<String>,
    /// Only scenarios with this tag (repeatable; all must match).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only scenarios that call this method (repeatable; any may match).
    #[arg(long = "method", value_name = "NAME")]
    methods: Vec<String>,
    /// Only scenarios that apply to this platform (linux, macos, windows).
    #[arg(long)]
    platform: Option<Platform>,
    /// The spec directory (default: the repository's `spec/`).
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
struct RunArgs {
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    targets: TargetArgs,
    /// The list of accepted differences (default: the repository's
    /// `known-differences.yaml`).
    #[arg(long, value_name = "PATH")]
    known: Option<PathBuf>,
    /// Write the results as JSON to this file (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write the results as JUnit XML to this file: one test suite per
    /// implementation, differences as failures, crashes and time-outs as errors.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Write the results as one self-contained HTML page: the matrix of
    /// scenarios by implementation; a cell opens its transcript and diff.
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Record each implementation's outcomes for the catalogue to this file
    /// (the repository keeps one in `docs/observed.json`).
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

#[derive(Args)]
struct ListArgs {
    #[command(flatten)]
    select: SelectArgs,
}

#[derive(Args)]
struct ShowArgs {
    /// The scenario's id.
    id: String,
    #[command(flatten)]
    targets: TargetArgs,
    /// The spec directory (default: the repository's `spec/`).
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
}

#[derive(Args)]
struct FuzzArgs {
    /// Seconds to fuzz each implementation for.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    seconds: f64,
    /// The first sequence's seed (the same seed, the same sequences).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write the scenarios found to this spec file (default: standard output).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    #[command(flatten)]
    targets: TargetArgs,
}

#[derive(Args)]
struct CatalogueArgs {
    /// The spec directory (default: the repository's `spec/`).
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
    /// The recorded outcomes (default: the repository's `docs/observed.json`).
    #[arg(long, value_name = "PATH")]
    observed: Option<PathBuf>,
}

#[derive(Args)]
struct TraceArgs {
    /// The spec directory (default: the repository's `spec/`).
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
    /// The list (default: the repository's `traceability.yaml`).
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// The source documents (default: the repository's `docs/sources/`).
    #[arg(long, value_name = "DIR")]
    sources: Option<PathBuf>,
    /// Exit with status 1 when a sentence is accounted for by nothing.
    #[arg(long)]
    check: bool,
}

#[derive(Args)]
struct CoverageArgs {
    /// The spec directory (default: the repository's `spec/`).
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
    /// Exit with status 1 when a cell is empty without a reason.
    #[arg(long)]
    check: bool,
    /// The reasons for empty cells (default: the repository's `coverage-gaps.yaml`).
    #[arg(long, value_name = "PATH")]
    gaps: Option<PathBuf>,
}

#[derive(Args)]
struct ReproArgs {
    /// The scenario's id.
    id: String,
    /// The platform whose constants size the scenario's file (default: this one).
    #[arg(long)]
    platform: Option<Platform>,
    /// The spec directory (default: the repository's `spec/`).
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run(cli.run),
        Some(Command::Run(args)) => run(args),
        Some(Command::List(args)) => list(args),
        Some(Command::Show(args)) => show(args),
        Some(Command::Repro(args)) => repro(args),
        Some(Command::Coverage(args)) => coverage(args),
        Some(Command::Trace(args)) => trace_cmd(args),
        Some(Command::Catalogue(args)) => catalogue_cmd(args),
        Some(Command::Fuzz(args)) => fuzz_cmd(args),
        Some(Command::Schema) => {
            println!("{}", mmap_conformance::scenario::doc::schema_json());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Interpreters) => interpreters(),
        Some(Command::Serve(args)) => {
            let profile = Profile::new(args.python, args.platform.unwrap_or_else(Platform::host));
            backend::serve(&args.name, profile)
                .map(|()| ExitCode::SUCCESS)
                .map_err(|e| format!("mmapconf serve {}: {e}", args.name))
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

fn layout(spec: Option<PathBuf>) -> Layout {
    let mut layout = Layout::repository();
    if let Some(dir) = spec {
        layout.fixtures_dir = dir
            .parent()
            .map_or_else(|| PathBuf::from("fixtures"), |p| p.join("fixtures"));
        layout.spec_dir = dir;
    }
    layout
}

/// The layout of `spec` (default: the repository's) and all its scenarios.
fn load_all(spec: Option<PathBuf>) -> Result<(Layout, Vec<Scenario>), String> {
    let layout = layout(spec);
    let all = scenario::load_dir(&layout).map_err(|e| e.to_string())?;
    Ok((layout, all))
}

/// The scenario called `id`.
fn by_id<'a>(all: &'a [Scenario], id: &str) -> Result<&'a Scenario, String> {
    all.iter()
        .find(|s| s.id == id)
        .ok_or_else(|| format!("no scenario with the id {id:?}"))
}

/// Status 1 when a check failed, else 0.
fn status(failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn load(args: &SelectArgs) -> Result<(Layout, Vec<Scenario>), String> {
    let (layout, all) = load_all(args.spec.clone())?;
    let selection = Selection::new(&args.patterns, &args.tags, &args.methods, args.platform)?;
    Ok((
        layout,
        all.into_iter().filter(|s| selection.matches(s)).collect(),
    ))
}

fn engine(layout: Layout, args: &TargetArgs) -> Result<Engine, String> {
    let worker = std::env::current_exe()
        .map_err(|e| format!("cannot find the mmapconf binary to host workers: {e}"))?;
    let mut ctx = Context::new(layout, worker);
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return Err(format!(
            "--timeout must be a positive number of seconds, not {}",
            args.timeout
        ));
    }
    ctx.timeout = Duration::from_secs_f64(args.timeout);
    if let Some(jobs) = args.jobs {
        ctx.jobs = jobs.max(1);
    }
    ctx.memory = args.memory.saturating_mul(1 << 20);
    Sandbox::check_base(&ctx.tmp_base)?;
    // A run killed before it could clean up leaves its sandboxes behind.
    Sandbox::reclaim(&ctx.tmp_base);
    Ok(Engine::new(ctx))
}

/// The implementations a run judges, and notes on what was skipped and why.
/// The embedded CPython and the reference come first, then the adapters
/// named on the command line, then the discovered interpreters.
fn targets(engine: &Engine, args: &TargetArgs) -> Result<(Vec<Target>, Vec<String>), String> {
    let worker = engine.context().worker.clone();
    let mut notes = vec![];
    let mut probes: Vec<(Launch, Option<String>, String)> = vec![];
    if backend::hosted().contains(&"cpython") {
        probes.push((
            Target::embedded_cpython(&worker),
            Some("cpython".into()),
            "the embedded CPython".into(),
        ));
    }
    let driver = target::python_driver_path();
    for p in &args.interpreters {
        probes.push((
            Target::python_driver(p, &driver),
            None,
            p.display().to_string(),
        ));
    }
    for a in &args.adapters {
        let words = shell_words::split(a).map_err(|e| format!("--adapter {a:?}: {e}"))?;
        let Some((program, rest)) = words.split_first() else {
            return Err("--adapter needs a command".into());
        };
        probes.push((
            Launch {
                program: program.into(),
                args: rest.iter().map(Into::into).collect(),
            },
            None,
            a.clone(),
        ));
    }
    if args.discover {
        let search = discover::interpreters();
        for f in search.found {
            probes.push((
                Target::python_driver(&f.path, &driver),
                None,
                format!("{} ({})", f.path.display(), f.how),
            ));
        }
        if !search.missing.is_empty() {
            notes.push(format!("not found on PATH: {}", search.missing.join(", ")));
        }
    }
    // Start every adapter at once: start-up is most of an interpreter's cost.
    let probed: Vec<Result<Target, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = probes
            .iter()
            .map(|(launch, id, _)| scope.spawn(|| engine.probe(launch.clone(), id.clone())))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("the probe panicked".into()))
            })
            .collect()
    });
    let mut all: Vec<Target> = vec![];
    let mut embedded_profile = None;
    for ((_, id, what), result) in probes.iter().zip(probed) {
        match result {
            Ok(t) => {
                if id.as_deref() == Some("cpython") {
                    embedded_profile = Some(t.implementation.profile);
                }
                if let Some(same) = all
                    .iter()
                    .find(|o| o.implementation.id == t.implementation.id)
                {
                    notes.push(format!(
                        "skipped {what}: the same implementation as {} ({})",
                        same.implementation.id, same.launch
                    ));
                } else {
                    all.push(t);
                }
            }
            Err(e)
                if args.discover
                    && id.is_none()
                    && !args
                        .interpreters
                        .iter()
                        .any(|p| what == &p.display().to_string()) =>
            {
                notes.push(format!("skipped {what}: {e}"));
            }
            Err(e) => return Err(format!("cannot use {what}: {e}")),
        }
    }
    let python = args
        .python
        .or(embedded_profile.map(|p: Profile| p.python))
        .unwrap_or_else(|| select::default_profile().python);
    let profile = Profile::new(
        python,
        args.reference_platform.unwrap_or_else(Platform::host),
    );
    if target::REFERENCE_RUNS_HERE {
        all.insert(0, engine.reference_target(profile));
    } else {
        notes.push(
            "the reference maps memory with Unix system calls and does not run on this host: \
             implementations are judged against the spec alone"
                .into(),
        );
    }
    if args.implementations.is_empty() {
        return Ok((all, notes));
    }
    let ids: Vec<String> = all.iter().map(|t| t.implementation.id.clone()).collect();
    let mut wanted = vec![];
    for pattern in &args.implementations {
        let glob = globset::Glob::new(pattern)
            .map_err(|e| format!("bad --impl pattern {pattern:?}: {e}"))?
            .compile_matcher();
        if !ids.iter().any(|id| glob.is_match(id)) {
            return Err(format!(
                "unknown implementation {pattern:?}; this run has {}",
                ids.join(", ")
            ));
        }
        wanted.push(glob);
    }
    all.retain(|t| wanted.iter().any(|g| g.is_match(&t.implementation.id)));
    Ok((all, notes))
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let mut engine = engine(layout(args.select.spec.clone()), &args.targets)?;
    // Starting the implementations (the embedded CPython's start-up is the
    // longest wait of a default run) overlaps reading the spec.
    let (loaded, probed) = std::thread::scope(|scope| {
        let probing = scope.spawn(|| targets(&engine, &args.targets));
        let loaded = load(&args.select);
        let probed = probing
            .join()
            .unwrap_or_else(|_| Err("starting the implementations panicked".into()));
        (loaded, probed)
    });
    let (_, scenarios) = loaded?;
    if scenarios.is_empty() {
        return Err("no scenario matches the selection".into());
    }
    let known = KnownList::load(&args.known.clone().unwrap_or_else(known::repository_path))?;
    let (targets, notes) = probed?;
    engine.expect_known_crashes(known.clone());
    let total = (scenarios.len() * targets.len()) as u64;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let mut results: Vec<CaseResult> = engine.run_all(&scenarios, &targets, &|r| {
        bar.set_message(format!("{}::{}", r.implementation.id, r.scenario));
        bar.inc(1);
    });
    bar.finish_and_clear();
    report::write_timing(
        &mut io::stderr().lock(),
        &engine,
        &targets,
        started.elapsed(),
    )
    .map_err(|e| e.to_string())?;
    let stale = known.apply(&mut results);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report::to_json(&results, &known))
            .map_err(|e| e.to_string())?;
        if path.as_os_str() == "-" {
            println!("{text}");
        } else {
            std::fs::write(path, text + "\n")
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    if let Some(path) = &args.html {
        let mut page = vec![];
        html::write(&mut page, &results, &known).map_err(|e| e.to_string())?;
        std::fs::write(path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.record {
        let text = serde_json::to_string_pretty(&catalogue::Observations::of(&results))
            .map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.junit {
        let xml = junit::report(&results, &known)
            .to_string()
            .map_err(|e| format!("cannot write JUnit XML: {e}"))?;
        std::fs::write(path, xml).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut out = io::stdout().lock();
    let colour = report::use_colour();
    if args.json.as_deref().is_none_or(|p| p.as_os_str() != "-") {
        for n in notes
            .iter()
            .chain(&report::confirmations(&scenarios, &results))
        {
            writeln!(out, "note: {n}").map_err(|e| e.to_string())?;
        }
        report::write_text(&mut out, &results, &known, &stale, colour)
            .map_err(|e| e.to_string())?;
    }
    let failed = results.iter().any(CaseResult::fails) || !stale.is_empty();
    Ok(status(failed))
}

fn interpreters() -> Result<ExitCode, String> {
    let search = discover::interpreters();
    let driver = target::python_driver_path();
    let engine = Engine::new(Context::new(
        Layout::repository(),
        std::env::current_exe().map_err(|e| e.to_string())?,
    ));
    for f in &search.found {
        match engine.probe(Target::python_driver(&f.path, &driver), None) {
            Ok(t) => println!("{}  {}  ({})", t.implementation.id, f.path.display(), f.how),
            Err(e) => println!("unusable  {}  ({}): {e}", f.path.display(), f.how),
        }
    }
    for name in &search.missing {
        println!("not found  {name}");
    }
    Ok(ExitCode::SUCCESS)
}

fn list(args: ListArgs) -> Result<ExitCode, String> {
    let (_, scenarios) = load(&args.select)?;
    let mut out = io::stdout().lock();
    for s in &scenarios {
        let methods: Vec<String> = s.methods().into_iter().collect();
        let tags = if s.tags.is_empty() {
            String::new()
        } else {
            format!("  [{}]", s.tags.join(", "))
        };
        writeln!(out, "{}  {}  {}{tags}", s.id, s.loc, methods.join(" "))
            .map_err(|e| e.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn fuzz_cmd(args: FuzzArgs) -> Result<ExitCode, String> {
    let layout = Layout::repository();
    let engine = engine(layout.clone(), &args.targets)?;
    let (targets, _) = targets(&engine, &args.targets)?;
    let budget = Duration::from_secs_f64(args.seconds.max(0.0));
    let mut found = vec![];
    for (i, t) in targets.iter().enumerate() {
        if t.implementation.id == "reference" {
            continue;
        }
        let seed = args.seed.wrapping_add(i as u64);
        let started = Instant::now();
        let findings = difffuzz::run(&engine, t, seed, budget, &layout)?;
        let rate = findings.cases as f64 / started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "{}: {} sequences ({rate:.0} per second), {} differences",
            t.implementation.id,
            findings.cases,
            findings.scenarios.len()
        );
        found.extend(findings.scenarios);
    }
    // Each finding is a whole spec file; they merge under one `scenarios:`.
    let merged = found
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == 0 {
                f.clone()
            } else {
                f.replacen("scenarios:\n", "", 1)
            }
        })
        .collect::<String>();
    match &args.out {
        Some(path) if !merged.is_empty() => std::fs::write(path, merged)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        Some(_) => {}
        None => print!("{merged}"),
    }
    Ok(status(!found.is_empty()))
}

fn catalogue_cmd(args: CatalogueArgs) -> Result<ExitCode, String> {
    let (_, all) = load_all(args.spec)?;
    let obs = catalogue::Observations::load(
        &args
            .observed
            .unwrap_or_else(catalogue::Observations::repository_path),
    )?;
    catalogue::write(&mut io::stdout().lock(), &all, &obs).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn trace_cmd(args: TraceArgs) -> Result<ExitCode, String> {
    let (_, all) = load_all(args.spec)?;
    let sources = args.sources.unwrap_or_else(|| {
        trace::repository_path()
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf)
            .join("docs/sources")
    });
    let traces = trace::load(
        &args.file.unwrap_or_else(trace::repository_path),
        &sources,
        &all,
    )?;
    let obs = catalogue::Observations::load(&catalogue::Observations::repository_path())?;
    let gaps =
        trace::write_table(&mut io::stdout().lock(), &traces, &obs).map_err(|e| e.to_string())?;
    Ok(status(args.check && gaps > 0))
}

fn coverage(args: CoverageArgs) -> Result<ExitCode, String> {
    let (_, all) = load_all(args.spec)?;
    let gaps = coverage::Gaps::load(&args.gaps.unwrap_or_else(coverage::Gaps::repository_path))?;
    let table = coverage::Coverage::of(&all);
    let missing = coverage::write_table(&mut io::stdout().lock(), &table, &gaps)
        .map_err(|e| e.to_string())?;
    Ok(status(args.check && missing > 0))
}

fn repro(args: ReproArgs) -> Result<ExitCode, String> {
    let (layout, all) = load_all(args.spec)?;
    let s = by_id(&all, &args.id)?;
    let platform = args.platform.unwrap_or_else(Platform::host);
    print!("{}", repro::script(s, &layout, platform)?);
    Ok(ExitCode::SUCCESS)
}

fn show(args: ShowArgs) -> Result<ExitCode, String> {
    let (layout, all) = load_all(args.spec)?;
    let s = by_id(&all, &args.id)?;
    let mut target_args = args.targets.clone();
    if target_args.implementations.is_empty() {
        target_args.implementations.push("reference".into());
    }
    let engine = engine(layout, &target_args)?;
    let (targets, _) = targets(&engine, &target_args)?;
    for t in &targets {
        let imp = &t.implementation;
        println!("# {} on {imp}", s.id);
        println!("# {}", s.description);
        if let Some(why) = runner::applicability(s, imp) {
            println!("not applicable: {why}");
            continue;
        }
        let transcript = engine.transcript(s, t)?;
        for (i, e) in transcript.entries.iter().enumerate() {
            println!("{:>3} {} {}", i + 1, e.text, e.outcome);
        }
    }
    Ok(ExitCode::SUCCESS)
}
