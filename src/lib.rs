#![warn(missing_docs)]
//! covmerge: combine coverage data from many test workers, hosts and
//! platforms into one report that matches coverage.py's byte for byte.
//!
//! Data flow (see docs/ARCHITECTURE.md): [`discover`] finds inputs,
//! [`formats`] reads each into the [`model`], [`paths`] normalises file
//! names, [`combine`] unions them, [`report`] prints the table, keeping
//! the files [`filter`] lets through; [`config`] reads coverage.py's and
//! covmerge's configuration files. On the
//! worker side, [`record`] writes one data file per worker. [`cli`] turns
//! command lines into calls of these modules.

pub mod analysis;
pub mod attribution;
pub mod child;
pub mod cli;
pub mod combine;
pub mod config;
pub mod discover;
pub mod error;
pub mod export;
pub mod filter;
pub mod formats;
pub mod guard;
pub mod hashing;
pub mod launch;
pub mod limits;
pub mod manifest;
pub mod model;
pub mod names;
pub mod output;
pub mod pathglob;
pub mod paths;
pub mod pathtext;
pub mod probe;
pub mod pyanalysis;
pub mod pyfmt;
pub mod pysource;
pub mod record;
pub mod report;
pub mod sanitize;
#[cfg(test)]
mod testing;

pub use error::{Error, Result};
