//! The harness side of the protocol: one adapter process, its handshake,
//! and one scenario at a time under a time limit. Crashes, hangs and protocol
//! violations end the process and are reported; they never end the run.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::wire::{Hello, Message, PROTOCOL_VERSION, Request, RunRequest, WireOutcome};

/// The longest line an adapter may send; longer ones are a protocol error
/// (a flood is contained, not buffered without bound).
pub const MAX_LINE: usize = 64 << 20;

/// How much of an adapter's standard error is kept for messages.
const STDERR_TAIL: usize = 4096;

/// How much of a request or a line messages quote.
const QUOTE: usize = 600;

/// How to start an adapter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Launch {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
}

impl fmt::Display for Launch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.program.display())?;
        for a in &self.args {
            write!(f, " {}", a.to_string_lossy())?;
        }
        Ok(())
    }
}

/// How a scenario's run on an adapter ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    /// The adapter reported every step and `done`.
    Done,
    /// The adapter reported an error of its own.
    AdapterError(String),
    /// The adapter died: `SIGBUS`, or `exit status 3`.
    Crashed(String),
    /// The time limit passed; the adapter was killed.
    TimedOut,
    /// The adapter broke the protocol; the message shows what was sent and
    /// what came back.
    Protocol(String),
}

/// What an adapter reported for one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// Outcomes in step order, starting at step 0; `None` for the steps of
    /// a forked child that died before it reached them.
    pub outcomes: Vec<Option<WireOutcome>>,
    /// How it ended.
    pub end: End,
}

enum Line {
    Text(String),
    TooLong,
    Eof,
}

/// A running adapter.
pub struct Adapter {
    launch: Launch,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    /// Its handshake.
    pub hello: Hello,
    alive: bool,
}

impl Adapter {
    /// Starts the adapter, its data segment limited to `memory` bytes, and
    /// reads its handshake within `timeout`.
    pub fn start(launch: &Launch, timeout: Duration, memory: u64) -> Result<Self, String> {
        let mut cmd = Command::new(&launch.program);
        cmd.args(&launch.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        crate::sys::own_process_group(&mut cmd);
        crate::sys::limit_memory(&mut cmd, memory);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start `{launch}`: {e}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || read_lines(stdout, &tx));
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail2 = Arc::clone(&tail);
        std::thread::spawn(move || keep_tail(stderr, &tail2));
        let mut adapter = Self {
            launch: launch.clone(),
            stdin: child.stdin.take(),
            child,
            lines,
            stderr: tail,
            hello: Hello {
                protocol: 0,
                implementation: super::wire::HelloImplementation {
                    name: String::new(),
                    version: String::new(),
                    python: String::new(),
                    platform: String::new(),
                    api: vec![],
                },
            },
            alive: true,
        };
        let deadline = Instant::now() + timeout;
        let line = match adapter.next_line(deadline) {
            Ok(line) => line,
            Err(end) => {
                let what = match end {
                    End::TimedOut => format!("sent no handshake within {timeout:?}"),
                    End::Crashed(how) => format!("ended ({how}) before its handshake"),
                    End::Protocol(m) | End::AdapterError(m) => m,
                    End::Done => String::new(),
                };
                return Err(adapter.failure(&format!("`{launch}` {what}"), None));
            }
        };
        adapter.hello = parse_hello(&line).map_err(|why| {
            adapter.failure(
                &format!("`{launch}` sent a bad handshake: {why}"),
                Some(&line),
            )
        })?;
        Ok(adapter)
    }

    /// True while the adapter can take another request.
    pub fn is_alive(&self) -> bool {
        self.alive
    }

    /// Runs one scenario, waiting at most `timeout` for it to finish. After
    /// any end other than `Done` and `AdapterError`, the adapter is dead.
    pub fn run(&mut self, request: &RunRequest, timeout: Duration) -> RunOutput {
        let mut outcomes: Vec<Option<WireOutcome>> = vec![];
        let ranges = request.child_ranges();
        let mut crashed_child = false;
        let sent = serde_json::to_string(&Request::Run(request.clone())).unwrap_or_default();
        let write = self.stdin.as_mut().map(|s| {
            s.write_all(format!("{sent}\n").as_bytes())
                .and_then(|()| s.flush())
        });
        // If the write failed, the adapter is gone; what it died of shows
        // on the next read.
        let _ = write;
        let deadline = Instant::now() + timeout;
        let end = loop {
            let line = match self.next_line(deadline) {
                Ok(line) => line,
                Err(end) => break end,
            };
            let msg = match Message::decode(&line) {
                Ok(m) => m,
                Err(e) => {
                    break self.violation(
                        &format!("sent a line that is not a message ({e})"),
                        &sent,
                        &line,
                    );
                }
            };
            let total = request.step_count();
            let skips_to = |step: usize, outcomes: &[Option<WireOutcome>]| {
                crashed_child
                    && ranges
                        .iter()
                        .any(|r| r.contains(&(outcomes.len() - 1)) && r.end == step)
            };
            match msg {
                Message::Outcome(o) if o.step == outcomes.len() => {
                    crashed_child = matches!(o.outcome, WireOutcome::Crashed(_));
                    outcomes.push(Some(o.outcome));
                }
                // A child that died reports no more of its steps (nor of its
                // own children's): the parent goes on after its range.
                Message::Outcome(o) if skips_to(o.step, &outcomes) => {
                    outcomes.resize(o.step, None);
                    crashed_child = matches!(o.outcome, WireOutcome::Crashed(_));
                    outcomes.push(Some(o.outcome));
                }
                Message::Outcome(o) => {
                    let why = format!(
                        "reported step {} where step {} was next",
                        o.step,
                        outcomes.len()
                    );
                    break self.violation(&why, &sent, &line);
                }
                Message::Done { done } if done == request.id => {
                    if skips_to(total, &outcomes) {
                        outcomes.resize(total, None);
                    }
                    break End::Done;
                }
                Message::Done { done } => {
                    let why = format!("ended scenario {done:?} while running {:?}", request.id);
                    break self.violation(&why, &sent, &line);
                }
                Message::Error { error } => break End::AdapterError(error),
            }
        };
        if !matches!(end, End::Done | End::AdapterError(_)) {
            self.kill();
        }
        RunOutput { outcomes, end }
    }

    /// The next line, or how the adapter ended.
    fn next_line(&mut self, deadline: Instant) -> Result<String, End> {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(wait) {
            Ok(Line::Text(t)) => Ok(t),
            Ok(Line::TooLong) => {
                self.kill();
                Err(End::Protocol(self.failure(
                    &format!("`{}` sent a line longer than {MAX_LINE} bytes", self.launch),
                    None,
                )))
            }
            Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                // It closed its output: it is ending, or it has ended and is
                // waiting to be reaped; its status is already decided.
                let status = self.reap();
                Err(End::Crashed(match status {
                    Ok(s) => match crate::sys::exit_signal(s) {
                        Some(sig) => crate::sys::signal_name(sig),
                        None => format!("exit status {}", s.code().unwrap_or(-1)),
                    },
                    Err(e) => format!("unknown status ({e})"),
                }))
            }
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                Err(End::TimedOut)
            }
        }
    }

    fn violation(&mut self, why: &str, sent: &str, got: &str) -> End {
        self.kill();
        End::Protocol(format!(
            "{}\n  sent: {}",
            self.failure(&format!("`{}` {why}", self.launch), Some(got)),
            quote(sent)
        ))
    }

    /// `what`, the line that came back and the end of the adapter's stderr.
    fn failure(&self, what: &str, got: Option<&str>) -> String {
        let mut msg = what.to_owned();
        if let Some(got) = got {
            msg.push_str(&format!("\n  got:  {}", quote(got)));
        }
        let tail = self
            .stderr
            .lock()
            .map(|t| t.iter().copied().collect::<Vec<u8>>());
        if let Ok(tail) = tail {
            let text = String::from_utf8_lossy(&tail);
            let text = text.trim_end();
            if !text.is_empty() {
                msg.push_str("\n  its standard error ends with:");
                for l in text
                    .lines()
                    .rev()
                    .take(8)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                {
                    msg.push_str("\n    ");
                    msg.push_str(l);
                }
            }
        }
        msg
    }

    fn kill(&mut self) {
        if self.alive {
            let _ = self.reap();
        }
    }

    /// Kills the adapter's process group and reaps the adapter. Until it is
    /// reaped, its pid (the group's id) cannot be reused, so the kill reaches
    /// only the adapter and what it started.
    fn reap(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.alive = false;
        self.stdin = None;
        crate::sys::kill_group(self.child.id());
        let _ = self.child.kill();
        self.child.wait()
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        // Nothing an adapter holds needs a graceful exit (the harness owns
        // the temporary files); the group kill also reaches any child a
        // `fork` step left behind.
        self.kill();
    }
}

/// An adapter's handshake line, checked: the protocol version, the fields,
/// a Python version and a platform the harness knows, a non-empty API list.
pub fn parse_hello(line: &str) -> Result<Hello, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    match value.get("protocol") {
        None => return Err("no \"protocol\" field".into()),
        Some(v) if v.as_u64() != Some(u64::from(PROTOCOL_VERSION)) => {
            return Err(format!(
                "it speaks protocol {v}; this harness speaks protocol {PROTOCOL_VERSION}"
            ));
        }
        Some(_) => {}
    }
    let hello: Hello = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let imp = &hello.implementation;
    imp.python
        .parse::<mmap_reference::PyVersion>()
        .map_err(|e| format!("implementation.python {:?}: {e}", imp.python))?;
    imp.platform
        .parse::<mmap_reference::Platform>()
        .map_err(|e| format!("implementation.platform {:?}: {e}", imp.platform))?;
    if imp.api.is_empty() {
        return Err("implementation.api is empty".into());
    }
    Ok(hello)
}

fn quote(text: &str) -> String {
    if text.len() <= QUOTE {
        return text.to_owned();
    }
    let mut cut = QUOTE;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..cut], text.len())
}

fn read_lines(stdout: impl Read, tx: &mpsc::Sender<Line>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut buf = vec![];
        match (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) | Err(_) => {
                let _ = tx.send(Line::Eof);
                return;
            }
            Ok(_) if buf.last() != Some(&b'\n') && buf.len() > MAX_LINE => {
                let _ = tx.send(Line::TooLong);
                return;
            }
            Ok(_) => {
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                let text = String::from_utf8_lossy(&buf).into_owned();
                if tx.send(Line::Text(text)).is_err() {
                    return;
                }
            }
        }
    }
}

fn keep_tail(stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut reader = BufReader::new(stderr);
    let mut buf = [0u8; 4096];
    while let Ok(n) = reader.read(&mut buf) {
        if n == 0 {
            return;
        }
        if let Ok(mut t) = tail.lock() {
            t.extend(&buf[..n]);
            let excess = t.len().saturating_sub(STDERR_TAIL);
            t.drain(..excess);
        }
    }
}
