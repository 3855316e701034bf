// Generator of a realistic cursor-based incremental ticket export page with sideloads
// (`include=users,groups,organizations`), shaped like the recorded go-zendesk tickets.
// Shared by the model tests and `benches/decode.rs` through `include!`; std only.

/// A cursor-based incremental ticket export page of `n` tickets, with sideloaded users
/// (one per 4 tickets), 12 groups and one organization per 20 tickets.
#[allow(dead_code)]
pub fn export_page_json(n: usize) -> String {
    use std::fmt::Write as _;
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[(self.next() % xs.len() as u64) as usize]
        }
    }
    fn ts(epoch: u64) -> String {
        // Civil-from-days (Howard Hinnant), UTC.
        let days = (epoch / 86_400) as i64;
        let secs = epoch % 86_400;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = if m <= 2 { y + 1 } else { y };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            y,
            m,
            d,
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
    let mut r = Lcg(0x5eed);
    let base: u64 = 1_704_164_645;
    let users = n.div_ceil(6).max(1);
    let orgs = n.div_ceil(20).max(1);
    let user_id = |i: usize| 377_922_500_012u64 + i as u64 * 7;
    let org_id = |i: usize| 360_363_695_492u64 + i as u64 * 11;
    let group_id = |i: usize| 360_004_077_472u64 + i as u64 * 13;
    let mut s = String::with_capacity(n * 1500 + users * 900);
    s.push_str("{\"tickets\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let id = 35_436 + i as u64;
        let created = base - 86_400 * 30 + r.next() % (86_400 * 30);
        let updated = created + r.next() % 86_400;
        let status = r.pick(&["new", "open", "open", "pending", "hold", "solved", "closed"]);
        let priority = r.pick(&["null", "\"low\"", "\"normal\"", "\"high\"", "\"urgent\""]);
        let ttype = r.pick(&[
            "null",
            "\"question\"",
            "\"incident\"",
            "\"problem\"",
            "\"task\"",
        ]);
        let channel = r.pick(&["email", "web", "api", "mobile", "chat"]);
        let requester = user_id(r.next() as usize % users);
        let assignee = if r.next() & 3 == 0 {
            "null".to_owned()
        } else {
            user_id(r.next() as usize % users).to_string()
        };
        let subject = format!(
            "Printer {} on floor {} is on fire (ticket {})",
            r.next() % 100,
            r.next() % 12,
            id
        );
        let _ = write!(
            s,
            concat!(
                "{{\"url\":\"https://acme.zendesk.com/api/v2/tickets/{id}.json\",\"id\":{id},",
                "\"external_id\":{ext},\"via\":{{\"channel\":\"{channel}\",\"source\":{{\"from\":{{\"address\":\"customer{req}@example.com\",\"name\":\"Customer {req}\"}},",
                "\"to\":{{\"name\":\"Acme Support\",\"address\":\"support@acme.zendesk.com\"}},\"rel\":null}}}},",
                "\"created_at\":\"{created}\",\"updated_at\":\"{updated}\",\"type\":{ttype},",
                "\"subject\":\"{subject}\",\"raw_subject\":\"{subject}\",",
                "\"description\":\"Hello,\\n\\nThe printer is on fire again. \\\"Smoke\\\" is very colorful \u{2014} please help.\\n\\nThanks,\\nCustomer {req}\",",
                "\"priority\":{priority},\"status\":\"{status}\",\"custom_status_id\":{cs},\"recipient\":\"support@acme.zendesk.com\",",
                "\"requester_id\":{req},\"submitter_id\":{req},\"assignee_id\":{assignee},\"organization_id\":{org},\"group_id\":{group},",
                "\"collaborator_ids\":[{req}],\"follower_ids\":[],\"email_cc_ids\":[],\"forum_topic_id\":null,\"problem_id\":null,",
                "\"has_incidents\":false,\"is_public\":true,\"due_at\":null,\"tags\":[\"hardware\",\"printer\",\"floor_{floor}\"],",
                "\"custom_fields\":[{{\"id\":360005657120,\"value\":\"value {id}\"}},{{\"id\":360005657121,\"value\":[\"a\",\"b\"]}},",
                "{{\"id\":360005657122,\"value\":null}},{{\"id\":360005657123,\"value\":true}},{{\"id\":360005657124,\"value\":\"{n4}\"}}],",
                "\"satisfaction_rating\":{{\"score\":\"offered\"}},\"sharing_agreement_ids\":[],\"fields\":[],\"followup_ids\":[],",
                "\"ticket_form_id\":360000389592,\"brand_id\":360002256672,\"allow_channelback\":false,\"allow_attachments\":true,",
                "\"from_messaging_channel\":false,\"generated_timestamp\":{gen}{unknown}}}"
            ),
            id = id,
            ext = if i % 3 == 0 { format!("\"crm-{id}\"") } else { "null".to_owned() },
            channel = channel,
            req = requester,
            created = ts(created),
            updated = ts(updated),
            ttype = ttype,
            subject = subject,
            priority = priority,
            status = status,
            cs = 12_480_498_776_781u64 + r.next() % 5,
            assignee = assignee,
            org = org_id(r.next() as usize % orgs),
            group = group_id(r.next() as usize % 12),
            floor = r.next() % 12,
            n4 = r.next(),
            gen = updated + 5,
            unknown = if i % 10 == 0 { ",\"ai_summary\":{\"text\":\"Printer fire\",\"confidence\":0.93}" } else { "" },
        );
    }
    s.push_str("],\"users\":[");
    for i in 0..users {
        if i > 0 {
            s.push(',');
        }
        let id = user_id(i);
        let role = r.pick(&["end-user", "end-user", "end-user", "agent", "admin"]);
        let created = ts(base - 86_400 * 400 + r.next() % (86_400 * 300));
        let _ = write!(
            s,
            concat!(
                "{{\"id\":{id},\"url\":\"https://acme.zendesk.com/api/v2/users/{id}.json\",\"name\":\"Customer {id}\",",
                "\"email\":\"customer{id}@example.com\",\"created_at\":\"{created}\",\"updated_at\":\"{created}\",",
                "\"time_zone\":\"Copenhagen\",\"iana_time_zone\":\"Europe/Copenhagen\",\"phone\":null,\"shared_phone_number\":null,",
                "\"photo\":null,\"locale_id\":1,\"locale\":\"en-US\",\"organization_id\":null,\"role\":\"{role}\",\"verified\":true,",
                "\"external_id\":null,\"tags\":[],\"alias\":null,\"active\":true,\"shared\":false,\"shared_agent\":false,",
                "\"last_login_at\":null,\"two_factor_auth_enabled\":false,\"signature\":null,\"details\":null,\"notes\":null,",
                "\"role_type\":null,\"custom_role_id\":null,\"moderator\":false,\"ticket_restriction\":\"requested\",",
                "\"only_private_comments\":false,\"restricted_agent\":true,\"suspended\":false,\"chat_only\":false,",
                "\"default_group_id\":null,\"report_csv\":false,\"user_fields\":{{\"plan\":\"gold\"}}}}"
            ),
            id = id,
            created = created,
            role = role,
        );
    }
    s.push_str("],\"groups\":[");
    for i in 0..12 {
        if i > 0 {
            s.push(',');
        }
        let id = group_id(i);
        let _ = write!(
            s,
            "{{\"url\":\"https://acme.zendesk.com/api/v2/groups/{id}.json\",\"id\":{id},\"is_public\":true,\"name\":\"Tier {i}\",\"description\":\"\",\"default\":{d},\"deleted\":false,\"created_at\":\"2018-11-23T16:05:12Z\",\"updated_at\":\"2018-11-23T16:05:15Z\"}}",
            d = i == 0
        );
    }
    s.push_str("],\"organizations\":[");
    for i in 0..orgs {
        if i > 0 {
            s.push(',');
        }
        let id = org_id(i);
        let _ = write!(
            s,
            "{{\"url\":\"https://acme.zendesk.com/api/v2/organizations/{id}.json\",\"id\":{id},\"name\":\"Org {id}\",\"shared_tickets\":false,\"shared_comments\":false,\"external_id\":null,\"created_at\":\"2014-04-22T18:10:12Z\",\"updated_at\":\"2014-04-22T18:10:12Z\",\"domain_names\":[\"org{i}.example.com\"],\"details\":null,\"notes\":null,\"group_id\":null,\"tags\":[],\"organization_fields\":{{}}}}"
        );
    }
    let _ = write!(
        s,
        concat!(
            "],\"after_cursor\":\"MTcwNDE2NDY0NS4wfHwzNTQzNnw=\",",
            "\"after_url\":\"https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTcwNDE2NDY0NS4wfHwzNTQzNnw%3D\",",
            "\"before_cursor\":null,\"before_url\":null,\"end_of_stream\":false}}"
        )
    );
    s
}
