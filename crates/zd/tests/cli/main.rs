//! Drives the real `zd` binary against an in-process simulator. One test binary; one module
//! per command.

mod api;
mod budget;
mod config;
mod doctor;
mod explain;
mod hostile;
mod limits;
mod resources;
mod secrets;
mod sim;
mod support;
mod sync;
mod sync_archived;
mod sync_progress;
mod tickets;
mod usage;
