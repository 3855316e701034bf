//! The results file of the bulk commands: one JSON line per record outcome, plus one line
//! per submitted job, written the moment the job is accepted, so an interrupted run
//! (Ctrl-C, a crash, `kill -9`) leaves behind what it submitted and a rerun polls those
//! jobs instead of sending their records again.
//!
//! Lines:
//! * outcome: `{"line", "key", "ok", "id"?, "status"?, "error"?, "details"?}`;
//! * job: `{"job": "ID", "keys": [...], "lines": [...]}`: the records of a job whose
//!   outcomes are not (all) in the file yet.
//!
//! On open the file is rewritten with the successes and the jobs still to reconcile;
//! failures are dropped (the rerun sends them again).

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::report::{CliError, Exit};

/// One line of the results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    /// The record's line in the input.
    pub line: usize,
    /// `id:N` for updates, the idempotency key for creates.
    pub key: String,
    /// Whether the record was written.
    pub ok: bool,
    /// The ticket id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Zendesk's per-record status (`Updated`, `Created`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The error code or message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

impl Outcome {
    /// An outcome with no details yet.
    pub fn new(line: usize, key: &str, ok: bool) -> Outcome {
        Outcome {
            line,
            key: key.to_owned(),
            ok,
            id: None,
            status: None,
            error: None,
            details: None,
        }
    }
}

/// A job submitted with these records (their keys and input lines, in order).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobLine {
    /// The job status id.
    pub job: String,
    /// The records' keys.
    pub keys: Vec<String>,
    /// The records' input lines.
    pub lines: Vec<usize>,
}

/// The results file: earlier successes and pending jobs are kept, the rest is written anew.
pub struct Results {
    /// Where.
    pub path: PathBuf,
    file: Option<std::fs::File>,
    /// Keys recorded as ok.
    pub done: HashSet<String>,
    /// Jobs submitted earlier whose records have no outcome yet (only those keys).
    pub pending: Vec<JobLine>,
}

impl Results {
    /// Read (and, unless `dry_run`, rewrite) the results file.
    pub fn open(path: PathBuf, dry_run: bool) -> anyhow::Result<Results> {
        let mut kept = Vec::new();
        let mut jobs: Vec<JobLine> = Vec::new();
        let mut seen = HashSet::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for l in text.lines().filter(|l| !l.trim().is_empty()) {
                if let Ok(o) = serde_json::from_str::<Outcome>(l) {
                    seen.insert(o.key.clone());
                    if o.ok {
                        kept.push(o);
                    }
                } else if let Ok(j) = serde_json::from_str::<JobLine>(l) {
                    jobs.push(j);
                }
            }
        }
        // A job's records that got an outcome are settled; the others are pending.
        let pending: Vec<JobLine> = jobs
            .into_iter()
            .filter_map(|j| {
                let (keys, lines): (Vec<String>, Vec<usize>) = j
                    .keys
                    .iter()
                    .zip(&j.lines)
                    .filter(|(k, _)| !seen.contains(*k))
                    .map(|(k, l)| (k.clone(), *l))
                    .unzip();
                (!keys.is_empty()).then_some(JobLine {
                    job: j.job,
                    keys,
                    lines,
                })
            })
            .collect();
        let done = kept.iter().map(|o| o.key.clone()).collect();
        if dry_run {
            return Ok(Results {
                path,
                file: None,
                done,
                pending,
            });
        }
        let mut file = std::fs::File::create(&path)
            .map_err(|e| CliError::new(Exit::Usage, format!("writing {}: {e}", path.display())))?;
        for o in &kept {
            writeln!(file, "{}", serde_json::to_string(o)?)?;
        }
        for j in &pending {
            writeln!(file, "{}", serde_json::to_string(j)?)?;
        }
        Ok(Results {
            path,
            file: Some(file),
            done,
            pending,
        })
    }

    /// Whether `key` is in a pending job (must not be sent again).
    pub fn is_pending(&self, key: &str) -> bool {
        self.pending.iter().any(|j| j.keys.iter().any(|k| k == key))
    }

    /// Append one outcome.
    pub fn record(&mut self, o: &Outcome) -> anyhow::Result<()> {
        self.write_line(&serde_json::to_string(o)?)
    }

    /// Append a submitted job, at once (before waiting for it).
    pub fn record_job(&mut self, j: &JobLine) -> anyhow::Result<()> {
        self.write_line(&serde_json::to_string(j)?)
    }

    fn write_line(&mut self, line: &str) -> anyhow::Result<()> {
        if let Some(f) = &mut self.file {
            // One write per line: what was written survives a crash of this process.
            f.write_all(format!("{line}\n").as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_jobs_are_the_ones_without_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(
            &path,
            concat!(
                "{\"job\":\"a\",\"keys\":[\"id:1\",\"id:2\"],\"lines\":[2,3]}\n",
                "{\"line\":2,\"key\":\"id:1\",\"ok\":true}\n",
                "{\"job\":\"b\",\"keys\":[\"id:3\"],\"lines\":[4]}\n",
                "{\"line\":5,\"key\":\"id:4\",\"ok\":false}\n",
            ),
        )
        .unwrap();
        let r = Results::open(path.clone(), false).unwrap();
        assert!(r.done.contains("id:1"));
        assert_eq!(r.pending.len(), 2);
        assert_eq!(r.pending[0].keys, vec!["id:2"]);
        assert!(r.is_pending("id:3") && !r.is_pending("id:4"));
        drop(r);
        // The rewrite keeps the success and the pending jobs, not the failure.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.contains("id:4"));
    }
}
