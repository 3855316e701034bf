//! A local Zendesk for tests, benchmarks and users' own integration tests.
//!
//! `app(state)` is the seam: serve it on a port (`zd sim`), or in-process on port 0 from a
//! test. Everything is deterministic from [`SimConfig::seed`], and all time is the virtual
//! time of the [`SimConfig::clock`].
//!
//! Module map (one concern each):
//! * `config`   – [`SimConfig`], plans, accounts and credentials.
//! * `state`    – [`SimState`]: data, clock, limiter, faults, stats behind one `Arc`.
//! * `limits`   – the per-plan layered rate limiter (pure state machine, time passed in).
//! * `faults`   – the seeded fault schedule.
//! * `layers`   – middleware: request id, auth, faults, rate limits, stats, headers.
//! * `error`    – one error enum rendering Zendesk-shaped bodies.
//! * `api/*`    – one module per Zendesk resource, each owning its `router()`.
//! * `admin`    – `/__sim/*`.
