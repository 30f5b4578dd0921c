//! A short, deterministic fuzzing pass on stable Rust: the spec loader and
//! the protocol's decoders get thousands of inputs mutated from real ones
//! (every spec file; every request the corpus encodes; outcome and
//! handshake lines) and must not panic. The long, coverage-guided runs use
//! cargo-fuzz on the same entry points (`fuzz/`, see the README).

use mmap_conformance::difffuzz::Rng;
use mmap_conformance::fuzz;
use mmap_conformance::protocol::encode;
use mmap_conformance::scenario::{self, Layout};

/// `seed` after a few random edits, possibly spliced with `other`.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    const BYTES: &[u8] = b"{}[]:,\"\\ -01239.eE\n\t#!>'*&|abcxyz\xff\x00";
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] = BYTES[rng.below(BYTES.len())];
            }
            1 => data.insert(at, BYTES[rng.below(BYTES.len())]),
            2 => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(32)).min(data.len());
                let chunk = data[at..end].to_vec();
                let to = rng.below(data.len() + 1);
                data.splice(to..to, chunk);
            }
            4 => data.truncate(at),
            _ => {
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(64)).min(other.len());
                data.splice(at..at, other[from..end].iter().copied());
            }
        }
    }
    data
}

fn run(seeds: &[Vec<u8>], rounds: usize, target: fn(&[u8])) {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    for seed in seeds {
        target(seed);
    }
    for _ in 0..rounds {
        let seed = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed, other);
        if std::panic::catch_unwind(|| target(&input)).is_err() {
            panic!("panicked on {:?}", String::from_utf8_lossy(&input));
        }
    }
}

fn spec_files() -> Vec<Vec<u8>> {
    let layout = Layout::repository();
    let mut out = vec![];
    for entry in std::fs::read_dir(layout.spec_dir.join("mmap")).unwrap() {
        out.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    out
}

#[test]
fn the_spec_loader_never_panics() {
    // One scenario at a time keeps each input small and the pass short.
    let mut seeds = vec![];
    for file in spec_files() {
        let text = String::from_utf8(file).unwrap();
        for chunk in text.split("\n\n  ").take(6) {
            seeds.push(format!("scenarios:\n  {chunk}\n").into_bytes());
        }
    }
    run(&seeds, 3_000, fuzz::spec_loader);
}

#[test]
fn the_protocol_decoders_never_panic() {
    let scenarios = scenario::load_dir(&Layout::repository()).unwrap();
    let mut seeds: Vec<Vec<u8>> = scenarios
        .iter()
        .map(|s| {
            let request = encode::request(s, None);
            serde_json::to_vec(&serde_json::json!({ "run": request })).unwrap()
        })
        .collect();
    seeds.extend(
        [
            r#"{"protocol":2,"implementation":{"name":"x","version":"1","python":"3.11","platform":"linux","api":["mmap"]}}"#,
            r#"{"step":0,"returned":{"type":"int","value":"-12"}}"#,
            r#"{"step":1,"returned":{"type":"bytes","value":"00ff"}}"#,
            r#"{"step":2,"returned":{"type":"tuple","value":[{"type":"ref","value":"m"},{"type":"float","value":1.5}]}}"#,
            r#"{"step":3,"raised":{"type":"OSError","message":"[Errno 22] Invalid argument","errno":22}}"#,
            r#"{"step":4,"crashed":"SIGBUS"}"#,
            r#"{"done":"x"}"#,
            r#"{"error":"unsupported"}"#,
        ]
        .map(|s| s.as_bytes().to_vec()),
    );
    run(&seeds, 30_000, fuzz::protocol);
}
