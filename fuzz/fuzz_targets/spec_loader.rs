//! The spec loader on arbitrary bytes: errors are fine, panics are not.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mmap_conformance::fuzz::spec_loader(data));
