//! pyvenv: creates Python virtual environments (PEP 405), a drop-in for
//! `python -m venv`.
//!
//! Data flows one way: [`cli`] -> [`layout::Options`] -> [`discovery`] and
//! [`interpreter`] (the facts) -> [`layout`] (the plan) -> [`builder`].

pub mod activation;
pub mod builder;
pub mod cli;
pub mod error;
pub mod generate;
pub mod interpreter;
pub mod os;
pub mod plan;
pub mod pyrepr;
pub mod report;
pub mod run;
pub mod seed;
