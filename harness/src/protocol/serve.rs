//! The adapter side of the protocol for the implementations `mmapconf serve`
//! hosts: read requests, run them, write outcomes.

use std::fs::File;
use std::io::{self, BufRead, Write};

use super::wire::{Hello, Message, Request, RunRequest, StepOutcome, WireOutcome};

/// Runs one request, handing each outcome to the emitter; `Err` is an
/// adapter error.
pub type RunFn<'a> =
    dyn FnMut(&RunRequest, &mut dyn FnMut(usize, WireOutcome)) -> Result<(), String> + 'a;

/// Speaks the protocol on standard input and output until end of input.
///
/// Standard output is kept for the protocol alone: anything else the
/// implementation prints to it goes to standard error instead.
pub fn serve_stdio(hello: &Hello, run: &mut RunFn<'_>) -> io::Result<()> {
    let out = crate::sys::take_stdout()?;
    serve(io::stdin().lock(), out, hello, run)
}

/// Speaks the protocol on `input` and `out`.
pub fn serve(
    input: impl BufRead,
    mut out: File,
    hello: &Hello,
    run: &mut RunFn<'_>,
) -> io::Result<()> {
    send(&mut out, hello)?;
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let request = match Request::decode(&line) {
            Ok(r) => r,
            Err(e) => {
                send(
                    &mut out,
                    &Message::Error {
                        error: format!("malformed request: {e}"),
                    },
                )?;
                continue;
            }
        };
        let Request::Run(request) = request;
        let mut failed = None;
        let result = run(&request, &mut |step, outcome| {
            if failed.is_none() {
                failed = send(&mut out, &StepOutcome { step, outcome }).err();
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        let end = match result {
            Ok(()) => Message::Done { done: request.id },
            Err(error) => Message::Error { error },
        };
        send(&mut out, &end)?;
    }
    Ok(())
}

fn send(out: &mut File, msg: &impl serde::Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(msg).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)
}
