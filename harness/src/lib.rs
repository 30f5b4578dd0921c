//! The mmap conformance harness: loads the scenarios of `spec/`, runs them
//! against the reference, the embedded CPython and other implementations,
//! and judges every transcript against the spec and the reference.

#![deny(unsafe_code)]

pub mod backend;
pub mod catalogue;
pub mod consteval;
pub mod coverage;
pub mod difffuzz;
pub mod discover;
pub mod exec;
pub mod fileops;
pub mod fuzz;
pub mod html;
pub mod judge;
pub mod junit;
pub mod known;
pub mod protocol;
pub mod report;
pub mod repro;
pub mod runner;
pub mod sandbox;
pub mod scenario;
pub mod select;
mod sys;
pub mod target;
pub mod trace;
pub mod transcript;
