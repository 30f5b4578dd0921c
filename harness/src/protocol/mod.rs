//! The adapter protocol of `harness/PROTOCOL.md`: its messages, how a
//! scenario is encoded, the harness's client and the worker's server.

pub mod client;
pub mod encode;
pub mod serve;
pub mod wire;
