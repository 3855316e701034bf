use super::*;

fn rule(f: impl FnOnce(&mut FaultRule)) -> FaultRule {
    let mut r = FaultRule::default();
    f(&mut r);
    r
}

fn t(secs: u64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + secs)
}

fn schedule(plan: &FaultPlan, n: u64) -> Vec<FaultDecision> {
    let mut f = Faults::new(plan.clone());
    f.set_origin(t(0));
    (0..n)
        .map(|i| f.decide(t(i / 10), i, "/api/v2/tickets"))
        .collect()
}

fn mixed(seed: u64) -> FaultPlan {
    FaultPlan {
        seed,
        rules: vec![rule(|r| {
            r.error_500 = 0.05;
            r.error_503 = 0.05;
            r.retry_after_on_503 = Some(7);
            r.reset = 0.02;
            r.truncate = 0.02;
            r.latency = Some(Latency::Uniform {
                min_ms: 10,
                max_ms: 20,
            });
        })],
        storms: vec![],
    }
}

#[test]
fn default_plan_injects_nothing() {
    assert!(schedule(&FaultPlan::default(), 1000)
        .iter()
        .all(|d| *d == FaultDecision::default()));
}

#[test]
fn same_seed_same_schedule_other_seed_other_schedule() {
    let a = schedule(&mixed(42), 2000);
    assert_eq!(a, schedule(&mixed(42), 2000));
    assert_ne!(a, schedule(&mixed(43), 2000));
    assert!(a.iter().any(|d| d.action == Some(FaultAction::Reset)));
    assert!(a.iter().any(|d| d.action
        == Some(FaultAction::Status {
            status: 503,
            retry_after_secs: Some(7)
        })));
}

#[test]
fn decision_is_a_pure_function_of_seq_not_of_call_order() {
    let plan = mixed(9);
    let mut f = Faults::new(plan);
    f.set_origin(t(0));
    let forward: Vec<_> = (0..100)
        .map(|i| f.decide(t(1), i, "/api/v2/users"))
        .collect();
    let backward: Vec<_> = (0..100)
        .rev()
        .map(|i| f.decide(t(1), i, "/api/v2/users"))
        .collect();
    assert!(forward.iter().eq(backward.iter().rev()));
}

#[test]
fn rates_roughly_match() {
    let plan = FaultPlan {
        seed: 1,
        rules: vec![rule(|r| {
            r.error_500 = 0.1;
            r.error_502 = 0.2;
        })],
        storms: vec![],
    };
    let d = schedule(&plan, 10_000);
    let count = |s: u16| {
        d.iter()
            .filter(|d| matches!(d.action, Some(FaultAction::Status { status, .. }) if status == s))
            .count()
    };
    assert!((800..1200).contains(&count(500)), "{}", count(500));
    assert!((1700..2300).contains(&count(502)), "{}", count(502));
    assert_eq!(count(503), 0);
}

#[test]
fn latency_stays_in_its_distribution() {
    for d in schedule(&mixed(5), 500) {
        let l = d.latency.expect("every request has latency");
        assert!(
            l >= Duration::from_millis(10) && l <= Duration::from_millis(20),
            "{l:?}"
        );
    }
    let plan = FaultPlan {
        rules: vec![rule(|r| {
            r.latency = Some(Latency::Normal {
                mean_ms: 100.0,
                stddev_ms: 10.0,
            })
        })],
        ..FaultPlan::default()
    };
    let ms: Vec<f64> = schedule(&plan, 2000)
        .iter()
        .map(|d| d.latency.unwrap().as_secs_f64() * 1000.0)
        .collect();
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    assert!((95.0..105.0).contains(&mean), "{mean}");
}

#[test]
fn path_filters_select_rules() {
    let plan = FaultPlan {
        rules: vec![rule(|r| {
            r.path = Some("/api/v2/incremental".into());
            r.error_500 = 1.0;
        })],
        ..FaultPlan::default()
    };
    let mut f = Faults::new(plan);
    let hit = f.decide(t(0), 1, "/api/v2/incremental/tickets");
    assert_eq!(
        hit.action,
        Some(FaultAction::Status {
            status: 500,
            retry_after_secs: None
        })
    );
    assert_eq!(
        f.decide(t(0), 2, "/api/v2/incremental")
            .action
            .map(|a| a.kind()),
        Some("status_500".into())
    );
    assert_eq!(f.decide(t(0), 3, "/api/v2/incrementals").action, None);
    assert_eq!(f.decide(t(0), 4, "/api/v2/tickets").action, None);
}

#[test]
fn storms_cover_their_window_only() {
    let plan = FaultPlan {
        storms: vec![
            Storm {
                start_secs: 10,
                end_secs: 20,
                ..Storm::default()
            },
            Storm {
                start_secs: 30,
                end_secs: 40,
                retry_after_secs: Some(3),
                edge: true,
                ..Storm::default()
            },
        ],
        ..FaultPlan::default()
    };
    let mut f = Faults::new(plan);
    f.set_origin(t(0));
    assert_eq!(f.decide(t(9), 0, "/api/v2/x").action, None);
    assert_eq!(
        f.decide(t(10), 1, "/api/v2/x").action,
        Some(FaultAction::Storm429 {
            retry_after_secs: 10
        })
    );
    let half = t(15) + Duration::from_millis(500);
    assert_eq!(
        f.decide(half, 2, "/api/v2/x").action,
        Some(FaultAction::Storm429 {
            retry_after_secs: 5
        })
    );
    assert_eq!(f.decide(t(20), 3, "/api/v2/x").action, None);
    assert_eq!(
        f.decide(t(35), 4, "/api/v2/x").action,
        Some(FaultAction::Edge429 {
            retry_after_secs: Some(3)
        })
    );
    // A new plan restarts the storm clock.
    f.set_plan(f.plan().clone(), t(100));
    assert!(f.decide(t(110), 5, "/api/v2/x").action.is_some());
}

#[test]
fn parses_and_validates_json() {
    let plan = FaultPlan::from_json_str(
        r#"{"seed": 7, "rules": [{"path": "/api/v2/tickets", "error_503": 0.5,
            "retry_after_on_503": 2, "latency": {"kind": "fixed", "ms": 30}}],
            "storms": [{"start_secs": 5, "end_secs": 6}]}"#,
    )
    .unwrap();
    assert_eq!(plan.seed, 7);
    assert_eq!(plan.rules[0].latency, Some(Latency::Fixed { ms: 30 }));
    let back = FaultPlan::from_json_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(back, plan);
    assert!(FaultPlan::from_json_str(r#"{"rules":[{"error_500": 1.5}]}"#).is_err());
    assert!(FaultPlan::from_json_str(r#"{"rules":[{"error_500": 0.6, "reset": 0.6}]}"#).is_err());
    assert!(FaultPlan::from_json_str(r#"{"storms":[{"start_secs": 5, "end_secs": 5}]}"#).is_err());
    assert!(
        FaultPlan::from_json_str(r#"{"sede": 1}"#).is_err(),
        "unknown fields are errors"
    );
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/faults-example.json"
    );
    FaultPlan::from_json_file(example).expect("the documented example parses");
    assert!(matches!(
        FaultPlan::from_json_file("/nonexistent.json"),
        Err(FaultPlanError::Io { .. })
    ));
}

#[test]
fn splitmix_is_the_reference_function() {
    // First output of the reference splitmix64 generator seeded with 0.
    assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
}

proptest::proptest! {
    #[test]
    fn decisions_are_pure(
        seed in proptest::prelude::any::<u64>(),
        seqs in proptest::collection::vec(0u64..1_000_000, 1..50),
        rate in 0.0f64..0.25,
        secs in 0u64..100,
    ) {
        let plan = FaultPlan {
            seed,
            rules: vec![rule(|r| {
                r.error_500 = rate;
                r.reset = rate;
                r.truncate = rate;
                r.latency = Some(Latency::Normal { mean_ms: 50.0, stddev_ms: 30.0 });
            })],
            storms: vec![Storm { start_secs: 40, end_secs: 50, ..Storm::default() }],
        };
        let mut a = Faults::new(plan.clone());
        let mut b = Faults::new(plan);
        a.set_origin(t(0));
        b.set_origin(t(0));
        // `b` sees every request twice and in reverse: no hidden state.
        let fwd: Vec<_> = seqs.iter().map(|&n| a.decide(t(secs), n, "/api/v2/x")).collect();
        for &n in &seqs {
            b.decide(t(secs), n, "/api/v2/y");
        }
        let rev: Vec<_> = seqs.iter().rev().map(|&n| b.decide(t(secs), n, "/api/v2/x")).collect();
        proptest::prop_assert!(fwd.iter().eq(rev.iter().rev()));
        for d in &fwd {
            proptest::prop_assert!(d.latency.is_some());
            if (40..50).contains(&secs) {
                proptest::prop_assert_eq!(d.action, Some(FaultAction::Storm429 { retry_after_secs: 50 - secs }));
            }
        }
    }
}
