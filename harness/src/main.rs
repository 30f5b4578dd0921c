//! `mmapconf`: runs the mmap conformance scenarios and reports.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mmap_conformance::backend::reference::ReferenceBackend;
use mmap_conformance::backend::{self, Backend};
use mmap_conformance::runner::{self, CaseResult, Context};
use mmap_conformance::scenario::{self, Layout, Scenario};
use mmap_conformance::select::{self, Selection};
use mmap_conformance::{report, transcript};
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

#[derive(Subcommand)]
enum Command {
    /// Run scenarios and judge every implementation (the default).
    Run(RunArgs),
    /// List the selected scenarios.
    List(ListArgs),
    /// Print one scenario's transcript from one implementation.
    Show(ShowArgs),
    /// Print the JSON Schema of spec files.
    Schema,
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
    /// Implementations to judge: reference, cpython (repeatable; default all).
    #[arg(long = "impl", value_name = "NAME")]
    implementations: Vec<String>,
    /// The Python version the reference imitates when it runs alone
    /// (default: the embedded CPython's, else 3.11).
    #[arg(long, value_name = "X.Y")]
    python: Option<PyVersion>,
    /// Write the results as JSON to this file (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
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
    /// The implementation: reference or cpython.
    #[arg(long = "impl", default_value = "reference", value_name = "NAME")]
    implementation: String,
    /// The Python version the reference imitates.
    #[arg(long, value_name = "X.Y")]
    python: Option<PyVersion>,
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
        Some(Command::Schema) => {
            println!("{}", mmap_conformance::scenario::doc::schema_json());
            Ok(ExitCode::SUCCESS)
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

fn load(args: &SelectArgs) -> Result<(Layout, Vec<Scenario>), String> {
    let layout = layout(args.spec.clone());
    let all = scenario::load_dir(&layout).map_err(|e| e.to_string())?;
    let selection = Selection::new(&args.patterns, &args.tags, &args.methods, args.platform)?;
    Ok((
        layout,
        all.into_iter().filter(|s| selection.matches(s)).collect(),
    ))
}

/// The implementations a run judges: the reference (with the first other
/// implementation's profile unless `--python` says otherwise) and the others.
fn implementations(
    names: &[String],
    python: Option<PyVersion>,
) -> Result<Vec<Box<dyn Backend>>, String> {
    let others = backend::available();
    let profile = match (python, others.first()) {
        (Some(v), _) => Profile::new(v, Platform::host()),
        (None, Some(b)) => b.describe().profile,
        (None, None) => select::default_profile(),
    };
    let mut all: Vec<Box<dyn Backend>> = vec![Box::new(ReferenceBackend::new(profile))];
    all.extend(others);
    if names.is_empty() {
        return Ok(all);
    }
    let known: Vec<String> = all.iter().map(|b| b.describe().name.clone()).collect();
    for n in names {
        if !known.contains(n) {
            return Err(format!(
                "unknown implementation {n:?}; this build has {}",
                known.join(", ")
            ));
        }
    }
    Ok(all
        .into_iter()
        .filter(|b| names.contains(&b.describe().name))
        .collect())
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let (layout, scenarios) = load(&args.select)?;
    let backends = implementations(&args.implementations, args.python)?;
    let ctx = Context::new(layout);
    let total = (scenarios.len() * backends.len()) as u64;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut results: Vec<CaseResult> = Vec::with_capacity(total as usize);
    for s in &scenarios {
        for b in &backends {
            bar.set_message(format!("{}::{}", b.describe().name, s.id));
            results.push(runner::check(&ctx, s, b.as_ref()));
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    if let Some(path) = &args.json {
        let text =
            serde_json::to_string_pretty(&report::to_json(&results)).map_err(|e| e.to_string())?;
        if path.as_os_str() == "-" {
            println!("{text}");
        } else {
            std::fs::write(path, text + "\n")
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    let mut out = io::stdout().lock();
    let colour = report::use_colour();
    if args.json.as_deref().is_none_or(|p| p.as_os_str() != "-") {
        report::write_text(&mut out, &results, colour).map_err(|e| e.to_string())?;
    }
    let failed = results.iter().any(|r| r.verdict.is_failure());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
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

fn show(args: ShowArgs) -> Result<ExitCode, String> {
    let layout = layout(args.spec);
    let all = scenario::load_dir(&layout).map_err(|e| e.to_string())?;
    let s = all
        .iter()
        .find(|s| s.id == args.id)
        .ok_or_else(|| format!("no scenario with the id {:?}", args.id))?;
    let backends = implementations(std::slice::from_ref(&args.implementation), args.python)?;
    let b = &backends[0];
    let ctx = Context::new(layout);
    let imp = b.describe();
    println!("# {} on {imp}", s.id);
    println!("# {}", s.description);
    if let Some(why) = runner::applicability(s, imp) {
        println!("not applicable: {why}");
        return Ok(ExitCode::SUCCESS);
    }
    let t: transcript::Transcript = runner::transcript(&ctx, s, b.as_ref())?;
    for (i, e) in t.entries.iter().enumerate() {
        println!("{:>3} {} {}", i + 1, e.text, e.outcome);
    }
    Ok(ExitCode::SUCCESS)
}
