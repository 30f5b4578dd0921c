//! `cargo bench --bench bulk`: the reference's bulk operations on a file map
//! of 1 GiB with the page cache warm, beside CPython's own `mmap` over the
//! same file (the interpreter embedded here, timed inside itself) and beside
//! the limit of the hardware (memchr's memmem, a plain copy) over a map of
//! the same file. Criterion measures all three; at the end the results
//! table (Markdown) goes to standard output and to `MMAPCONF_BENCH_TABLE`
//! when that names a file. `MMAPCONF_BENCH_MIB` shrinks the file for a quick
//! try; the committed table is for the full size.

mod cpython;
mod haystack;
mod limit;
mod table;

use std::fs::File;
use std::hint::black_box;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use mmap_reference::{MmapOptions, Platform, Profile, Value};

use cpython::Arg;
use haystack::Haystack;

/// Bytes per call of the chunked read and write benchmarks.
const CHUNKS: [(usize, &str); 2] = [(4096, "4KiB"), (1 << 20, "1MiB")];

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let hay = Haystack::create(dir.path(), haystack::size_from_env());
    let py = cpython::Peer::open(&hay);
    let profile = Profile::new(py.version, Platform::host());
    let file = File::options()
        .read(true)
        .write(true)
        .open(&hay.path)
        .expect("the haystack opens");
    let mut m = MmapOptions::new()
        .map(profile, file.as_raw_fd(), 0)
        .expect("the reference maps the haystack");
    let mut raw = limit::Map::new(&file);
    hay.check(&mut m, &py);

    let results = tempfile::tempdir().expect("a directory for criterion");
    let mut c = Criterion::default()
        .output_directory(results.path())
        .configure_from_args();
    let size = hay.size as u64;

    // Reads first: the writes below change the file.
    for (name, method, needle) in [
        ("find_hit", "find", haystack::NEAR_END),
        ("find_miss", "find", haystack::NOWHERE),
        ("rfind_hit", "rfind", haystack::NEAR_START),
        ("rfind_miss", "rfind", haystack::NOWHERE),
    ] {
        let forward = method == "find";
        let mut g = bulk(&mut c, name, size);
        g.bench_function("reference", |b| {
            b.iter(|| {
                let needle = black_box(needle);
                if forward {
                    m.find(needle, Some(0), None)
                } else {
                    m.rfind(needle, Some(0), None)
                }
                .unwrap()
            })
        });
        g.bench_function("cpython", |b| {
            b.iter_custom(|n| py.time(method, &[Arg::Bytes(needle)], n))
        });
        g.bench_function("limit", |b| {
            b.iter(|| {
                let needle = black_box(needle);
                if forward {
                    raw.find(needle)
                } else {
                    raw.rfind(needle)
                }
            })
        });
        g.finish();
    }
    {
        let mut g = bulk(&mut c, "readline", size);
        g.bench_function("reference", |b| {
            b.iter_custom(|n| {
                timed_from_start(&mut m, n, |m| while !m.readline().unwrap().is_empty() {})
            })
        });
        g.bench_function("cpython", |b| {
            b.iter_custom(|n| py.time("readline", &[], n))
        });
        g.bench_function("limit", |b| b.iter(|| raw.count_lines()));
        g.finish();
    }
    for (chunk, label) in CHUNKS {
        let mut g = bulk(&mut c, &format!("read_{label}"), size);
        let calls = hay.size / chunk;
        g.bench_function("reference", |b| {
            b.iter_custom(|n| {
                timed_from_start(&mut m, n, |m| {
                    for _ in 0..calls {
                        black_box(m.read(Some(chunk as i64)).unwrap());
                    }
                })
            })
        });
        g.bench_function("cpython", |b| {
            b.iter_custom(|n| py.time("read", &[Arg::Int(chunk)], n))
        });
        let mut buf = vec![0; chunk];
        g.bench_function("limit", |b| b.iter(|| raw.read_chunks(&mut buf)));
        g.finish();
    }
    {
        let mut g = bulk(&mut c, "full_slice", size);
        let all = Value::Slice(None, None, None);
        g.bench_function("reference", |b| b.iter(|| m.getitem(&all).unwrap()));
        g.bench_function("cpython", |b| {
            b.iter_custom(|n| py.time("full_slice", &[], n))
        });
        g.bench_function("limit", |b| b.iter(|| raw.to_vec()));
        g.finish();
    }
    for (name, call) in [
        ("seek", "seek"),
        ("tell", "tell"),
        ("read_byte", "read_byte"),
    ] {
        let mut g = c.benchmark_group(name);
        g.bench_function("reference", |b| match call {
            "seek" => b.iter(|| m.seek(black_box(0), 0).unwrap()),
            "tell" => b.iter(|| m.tell().unwrap()),
            _ => b.iter_custom(|n| {
                m.seek(0, 0).unwrap();
                let t = Instant::now();
                for _ in 0..n {
                    black_box(m.read_byte().unwrap());
                }
                t.elapsed()
            }),
        });
        g.bench_function("cpython", |b| b.iter_custom(|n| py.time(call, &[], n)));
        g.finish();
    }

    // Writes, last.
    for (chunk, label) in CHUNKS {
        let mut g = bulk(&mut c, &format!("write_{label}"), size);
        let calls = hay.size / chunk;
        let data = hay.content[..chunk].to_vec();
        g.bench_function("reference", |b| {
            b.iter_custom(|n| {
                timed_from_start(&mut m, n, |m| {
                    for _ in 0..calls {
                        m.write(black_box(&data)).unwrap();
                    }
                })
            })
        });
        g.bench_function("cpython", |b| {
            b.iter_custom(|n| py.time("write", &[Arg::Bytes(&data)], n))
        });
        g.bench_function("limit", |b| b.iter(|| raw.write_chunks(&data)));
        g.finish();
    }
    {
        let mut g = bulk(&mut c, "slice_assign", size);
        let all = Value::Slice(None, None, None);
        let data = Value::Bytes(hay.content.clone());
        g.bench_function("reference", |b| {
            b.iter(|| m.setitem(&all, black_box(&data)).unwrap())
        });
        g.bench_function("cpython", |b| {
            b.iter_custom(|n| py.time("slice_assign", &[Arg::Content], n))
        });
        g.bench_function("limit", |b| b.iter(|| raw.write_all(&hay.content)));
        g.finish();
    }
    {
        let mut g = bulk(&mut c, "overlapping_move", size);
        let count = size as i64 - 1;
        g.bench_function("reference", |b| b.iter(|| m.move_(1, 0, count).unwrap()));
        g.bench_function("cpython", |b| {
            b.iter_custom(|n| py.time("overlapping_move", &[], n))
        });
        g.bench_function("limit", |b| b.iter(|| raw.shift_by_one()));
        g.finish();
    }
    c.final_summary();

    let machine = table::Machine::describe(&py.sys_version, hay.size);
    let text = table::render(results.path(), &machine);
    println!("\n{text}");
    if let Some(path) = std::env::var_os("MMAPCONF_BENCH_TABLE") {
        std::fs::write(&path, &text).expect("the results table is written");
        eprintln!("results table written to {}", path.to_string_lossy());
    }
}

/// A group for one operation over the whole map: ten samples of the same
/// number of runs (one pass over 1 GiB takes long enough to time alone),
/// with the map's size as the throughput.
fn bulk<'a>(c: &'a mut Criterion, name: &str, size: u64) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(size));
    g
}

/// `n` runs of `pass`, each from position 0; the seek is not timed.
fn timed_from_start(
    m: &mut mmap_reference::Mmap,
    n: u64,
    mut pass: impl FnMut(&mut mmap_reference::Mmap),
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..n {
        m.seek(0, 0).unwrap();
        let t = Instant::now();
        pass(m);
        total += t.elapsed();
    }
    total
}
