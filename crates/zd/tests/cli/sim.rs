//! `zd sim`: the real binary serves a working simulator on a free port.
use std::io::BufRead;
use std::process::Command;

use crate::support::{zd_bin, ZdSim};

#[test]
fn sim_on_port_zero_prints_its_address_then_credentials_and_serves() {
    let mut sim = ZdSim::spawn(&["--port", "0", "--tickets", "200", "--plan", "team"], &[]);
    let url = sim.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_ne!(url, "http://127.0.0.1:0");

    let mut rest = String::new();
    for _ in 0..2 {
        sim.out.read_line(&mut rest).unwrap();
    }
    assert!(
        rest.contains("admin@example.com") && rest.contains("zd-sim-token"),
        "the credentials follow the address: {rest:?}"
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let me = http
            .get(format!("{url}/api/v2/users/me.json"))
            .basic_auth("admin@example.com/token", Some("zd-sim-token"))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        assert_eq!(
            me.headers()["x-rate-limit"],
            "200",
            "--plan team is applied"
        );
        let body = me.text().await.unwrap();
        assert!(body.contains("\"admin@example.com\""), "{body}");

        let unauth = http
            .get(format!("{url}/api/v2/tickets/1"))
            .send()
            .await
            .unwrap();
        assert_eq!(unauth.status(), 401);
        assert_eq!(
            unauth.text().await.unwrap(),
            r#"{"error":"Couldn't authenticate you"}"#
        );
    });
}

#[test]
fn sim_rejects_a_bad_time_scale() {
    let out = Command::new(zd_bin())
        .args(["sim", "--port", "0", "--time-scale", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("time-scale"));
}

#[test]
fn sim_credentials_come_from_the_environment_never_argv() {
    let sim = ZdSim::spawn(
        &["--port", "0", "--tickets", "50", "--password-auth"],
        &[
            ("ZD_SIM_API_TOKEN", "other-sim-token"),
            ("ZD_SIM_PASSWORD", "hunter2-sim"),
        ],
    );
    let url = sim.url.clone();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let status = |user: &'static str, pw: &'static str| {
            let req = http
                .get(format!("{url}/api/v2/users/me"))
                .basic_auth(user, Some(pw));
            async move { req.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(
            status("admin@example.com/token", "other-sim-token").await,
            200
        );
        assert_eq!(status("admin@example.com/token", "zd-sim-token").await, 401);
        assert_eq!(status("admin@example.com", "hunter2-sim").await, 200);
    });

    // A token on the command line is refused with the reason.
    let refused = Command::new(zd_bin())
        .args(["sim", "--port", "0", "--api-token", "x"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("command line"));
}
