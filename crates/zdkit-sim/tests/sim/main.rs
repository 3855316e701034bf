//! Scenario tests of the simulator, run in-process on port 0 with a manual clock.

mod bespoke;
mod conformance;
mod errors;
mod exports;
mod families;
mod jobs;
mod quirks;
mod resources;
mod robustness;
mod routing;
mod search;
mod support;
mod walks;
mod webhooks;
mod writes;
