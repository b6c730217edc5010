//! Finding the target interpreter and asking it about itself, once.
//!
//! [`discovery`] turns what the user asked for (`--python`, pyenv's
//! version files, `PATH`) into a program; [`probe`] runs it and reads its
//! answer into [`probe::BaseInterpreter`], remembered by [`facts_cache`].
//! This stage decides nothing about the environment and writes nothing to
//! it: its only output is the facts the plan is made from.

pub mod bundled_wheels;
pub mod discovery;
pub mod facts_cache;
pub mod installs;
pub mod probe;
pub mod pyenv;
