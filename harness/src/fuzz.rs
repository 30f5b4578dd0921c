//! The entry points fuzzers drive (the `fuzz/` crate under cargo-fuzz, and a
//! short deterministic pass in the tests): each takes arbitrary bytes and
//! must return, whatever they are, without panicking.

use std::path::Path;

use crate::protocol::client::parse_hello;
use crate::protocol::wire::{Message, Request};
use crate::scenario::{Layout, load_str};

/// Loads `data` as a spec file; any error is fine, a panic is not.
pub fn spec_loader(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = load_str(&Layout::repository(), Path::new("spec/fuzz.yaml"), &text);
}

/// Decodes `data` as each line of the protocol (handshake, message,
/// request); what decodes must encode and decode back to itself.
pub fn protocol(data: &[u8]) {
    let line = String::from_utf8_lossy(data);
    let _ = parse_hello(&line);
    if let Ok(m) = Message::decode(&line) {
        let again = serde_json::to_string(&m).expect("a decoded message encodes");
        assert_eq!(Message::decode(&again).ok(), Some(m), "message round trip");
    }
    if let Ok(r) = Request::decode(&line) {
        let again = serde_json::to_string(&r).expect("a decoded request encodes");
        assert_eq!(Request::decode(&again).ok(), Some(r), "request round trip");
    }
}
