//! The protocol's decoders on arbitrary bytes: no panic, and what decodes
//! round-trips.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mmap_conformance::fuzz::protocol(data));
