//! strat: a command-line tracker for strategy action plans.
//!
//! The binary (`src/main.rs`) is a thin shell over these modules; they are
//! a library so that benchmarks can time the store and the rules directly.

pub mod cli;
pub mod commands;
pub mod domain;
pub mod error;
pub mod exchange;
pub mod output;
pub mod store;
