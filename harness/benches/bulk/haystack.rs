//! The file every benchmark maps: 100-byte lines of text, with two needles.

use std::path::{Path, PathBuf};

use mmap_reference::Mmap;

use crate::cpython::Peer;

/// Found by `find` near the end of the file, and nowhere else.
pub const NEAR_END: &[u8] = b"needle near the end";
/// Found by `rfind` near the start of the file, and nowhere else.
pub const NEAR_START: &[u8] = b"needle near the start";
/// In no line.
pub const NOWHERE: &[u8] = b"needle nowhere";

/// Where the two needles lie, as distances from the start and the end.
const MARGIN: usize = 1000;

/// The file's size: 1 GiB, or `MMAPCONF_BENCH_MIB` MiB.
pub fn size_from_env() -> usize {
    let mib = std::env::var("MMAPCONF_BENCH_MIB")
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .expect("MMAPCONF_BENCH_MIB is a number of MiB")
        })
        .unwrap_or(1024);
    mib << 20
}

/// The haystack file and a copy of its content.
pub struct Haystack {
    pub path: PathBuf,
    pub size: usize,
    pub content: Vec<u8>,
}

impl Haystack {
    /// Writes the file in `dir`; writing it leaves its pages in the cache.
    pub fn create(dir: &Path, size: usize) -> Haystack {
        let mut content = Vec::with_capacity(size);
        let mut i = 0u64;
        while content.len() < size {
            let mut line =
                format!("line {i:09} of the haystack: the quick brown fox jumps over the lazy dog")
                    .into_bytes();
            line.resize(99, b'.');
            line.push(b'\n');
            content.extend_from_slice(&line);
            i += 1;
        }
        content.truncate(size);
        content[MARGIN..][..NEAR_START.len()].copy_from_slice(NEAR_START);
        let end = size - MARGIN;
        content[end..][..NEAR_END.len()].copy_from_slice(NEAR_END);
        let path = dir.join("haystack");
        std::fs::write(&path, &content).expect("the haystack is written");
        Haystack {
            path,
            size,
            content,
        }
    }

    /// The reference and CPython agree on the searches the benchmarks time,
    /// and those find what the file holds.
    pub fn check(&self, m: &mut Mmap, py: &Peer) {
        let cases: [(&str, &[u8], i64); 4] = [
            ("find", NEAR_END, (self.size - MARGIN) as i64),
            ("find", NOWHERE, -1),
            ("rfind", NEAR_START, MARGIN as i64),
            ("rfind", NOWHERE, -1),
        ];
        for (method, needle, expected) in cases {
            let got = match method {
                "find" => m.find(needle, Some(0), None),
                _ => m.rfind(needle, Some(0), None),
            }
            .expect("the search runs");
            assert_eq!(got, expected, "reference {method}");
            assert_eq!(py.call_int(method, needle), expected, "CPython {method}");
        }
        assert_eq!(m.len().expect("the map is open"), self.size);
    }
}
