//! Every catalogue row checked against Zendesk's OpenAPI file (`shared/zendesk-oas`):
//! its paths and methods exist, and its list and show answers use its JSON keys.

use std::collections::HashMap;

use serde_yaml::Value;
use zdkit_catalog::{Family, Op, FAMILIES};

const OAS_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/zendesk-oas/support-api-oas.yaml"
);

fn oas() -> Value {
    let text = std::fs::read_to_string(OAS_PATH).unwrap_or_else(|e| {
        panic!(
            "the OAS file is required: {OAS_PATH}: {e} (CI clones the repo with shared/ beside it)"
        )
    });
    serde_yaml::from_str(&text).expect("the OAS parses as YAML")
}

/// `/api/v2/macros/{macro_id}` → `macros/{}`.
fn shape(path: &str) -> String {
    let p = path.trim_start_matches("/api/v2/");
    let mut out = String::new();
    let mut depth = 0;
    for c in p.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

fn resolve<'a>(root: &'a Value, mut v: &'a Value) -> &'a Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let mut cur = root;
        for part in r.trim_start_matches("#/").split('/') {
            cur = &cur[part];
        }
        v = cur;
    }
    v
}

/// The top-level property names of a schema (through `allOf`).
fn props(root: &Value, schema: &Value, out: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_sequence) {
        for s in all {
            props(root, s, out);
        }
    }
    if let Some(p) = schema.get("properties").and_then(Value::as_mapping) {
        out.extend(p.keys().filter_map(|k| k.as_str().map(String::from)));
    }
}

/// The property names of the JSON body of the 2xx answer of `op`.
fn answer_keys(root: &Value, op: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for code in ["200", "201"] {
        let r = resolve(root, &op["responses"][code]);
        let schema = &r["content"]["application/json"]["schema"];
        if !schema.is_null() {
            props(root, schema, &mut out);
        }
    }
    out
}

struct Oas {
    root: Value,
    /// path shape → (original path, method → operation)
    paths: HashMap<String, String>,
}

impl Oas {
    fn load() -> Self {
        let root = oas();
        let paths = root["paths"]
            .as_mapping()
            .expect("paths")
            .keys()
            .filter_map(Value::as_str)
            .map(|p| (shape(p), p.to_string()))
            .collect();
        Oas { root, paths }
    }

    fn op(&self, method: &str, path: &str) -> Option<&Value> {
        let orig = self.paths.get(&shape(path))?;
        let op = &self.root["paths"][orig.as_str()][method.to_ascii_lowercase().as_str()];
        (!op.is_null()).then_some(op)
    }
}

fn in_oas(f: &Family) -> bool {
    f.source.is_none()
}

#[test]
fn every_catalogue_path_is_in_the_oas() {
    let oas = Oas::load();
    let mut missing = Vec::new();
    for f in FAMILIES {
        if !in_oas(f) {
            continue;
        }
        for op in f.ops.iter() {
            if f.oas_gaps.contains(&op) {
                continue;
            }
            let path = f.op_path(op).unwrap();
            let m = f.op_method(op).as_str();
            if oas.op(m, &path).is_none() {
                missing.push(format!("{}: {op:?} {m} /api/v2/{path}", f.name));
            }
        }
        for a in f.actions.iter().filter(|a| a.in_oas) {
            if oas.op(a.method.as_str(), a.path).is_none() {
                missing.push(format!(
                    "{}: action {} {} /api/v2/{}",
                    f.name,
                    a.name,
                    a.method.as_str(),
                    a.path
                ));
            }
        }
        if let Some(inc) = f.incremental {
            for p in [inc.time_path, inc.cursor_path].into_iter().flatten() {
                if oas.op("GET", p).is_none() {
                    missing.push(format!("{}: incremental /api/v2/{p}", f.name));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "catalogue paths absent from the OAS:\n{}",
        missing.join("\n")
    );
}

#[test]
fn families_outside_the_oas_say_where_they_are_documented() {
    let oas = Oas::load();
    for f in FAMILIES.iter().filter(|f| !in_oas(f)) {
        assert!(
            f.source.unwrap().contains("developer.zendesk.com"),
            "{}",
            f.name
        );
        // If the OAS gains the family, the row should move into it.
        assert!(
            oas.op("GET", f.path).is_none(),
            "{} is in the OAS now",
            f.name
        );
    }
}

#[test]
fn list_and_show_answers_use_the_catalogue_keys() {
    let oas = Oas::load();
    let mut wrong = Vec::new();
    for f in FAMILIES.iter().filter(|f| in_oas(f)) {
        for (op, key) in [
            (Op::List, f.plural),
            (Op::Show, f.singular),
            (Op::Create, f.singular),
        ] {
            let Some(path) = f.op_path(op) else { continue };
            let Some(o) = oas.op(f.op_method(op).as_str(), &path) else {
                continue;
            };
            let keys = answer_keys(&oas.root, o);
            if !keys.is_empty() && !keys.iter().any(|k| k == key) {
                wrong.push(format!(
                    "{}: {op:?} answers {keys:?}, catalogue says {key:?}",
                    f.name
                ));
            }
        }
        for a in f.actions.iter().filter(|a| a.in_oas) {
            let (Some(key), Some(o)) = (a.key, oas.op(a.method.as_str(), a.path)) else {
                continue;
            };
            let keys = answer_keys(&oas.root, o);
            if !keys.is_empty() && !keys.iter().any(|k| k == key) {
                wrong.push(format!(
                    "{}: action {} answers {keys:?}, catalogue says {key:?}",
                    f.name, a.name
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The schema of the `key` property of the 2xx answer of `op` (an array's items).
fn record_schema<'a>(root: &'a Value, op: &'a Value, key: &str) -> Option<&'a Value> {
    fn find<'a>(root: &'a Value, s: &'a Value, key: &str) -> Option<&'a Value> {
        let s = resolve(root, s);
        if let Some(p) = s.get("properties").and_then(|p| p.get(key)) {
            return Some(p);
        }
        s.get("allOf")?
            .as_sequence()?
            .iter()
            .find_map(|a| find(root, a, key))
    }
    let r = resolve(root, &op["responses"]["200"]);
    let s = resolve(
        root,
        find(root, &r["content"]["application/json"]["schema"], key)?,
    );
    let s = match s.get("items") {
        Some(items) => resolve(root, items),
        None => s,
    };
    Some(s)
}

#[test]
fn id_types_match_the_oas() {
    let oas = Oas::load();
    let mut wrong = Vec::new();
    for f in FAMILIES.iter().filter(|f| in_oas(f)) {
        let Some(path) = f.op_path(Op::Show).or_else(|| f.op_path(Op::List)) else {
            continue;
        };
        let key = if f.ops.show { f.singular } else { f.plural };
        let Some(op) = oas.op("GET", &path) else {
            continue;
        };
        let Some(schema) = record_schema(&oas.root, op, key) else {
            continue;
        };
        let mut id = None;
        fn id_type<'a>(root: &'a Value, s: &'a Value, out: &mut Option<&'a str>) {
            let s = resolve(root, s);
            if let Some(t) = s
                .get("properties")
                .and_then(|p| p.get("id"))
                .map(|i| resolve(root, i))
            {
                *out = t.get("type").and_then(Value::as_str);
            }
            for a in s
                .get("allOf")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                id_type(root, a, out);
            }
        }
        id_type(&oas.root, schema, &mut id);
        let want = match f.id {
            zdkit_catalog::IdKind::Integer => "integer",
            zdkit_catalog::IdKind::String => "string",
        };
        if let Some(t) = id {
            if t != want {
                wrong.push(format!(
                    "{}: the OAS id is {t}, the catalogue says {want}",
                    f.name
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn cursor_paging_matches_the_oas_notes() {
    // Where the OAS's description of a list says "Cursor pagination", the row must too.
    let oas = Oas::load();
    for f in FAMILIES.iter().filter(|f| in_oas(f) && f.ops.list) {
        let Some(o) = oas.op("GET", f.path) else {
            continue;
        };
        let desc = o["description"].as_str().unwrap_or_default();
        if desc.contains("Cursor pagination") {
            assert!(
                f.paging.cursor,
                "{}: the OAS documents cursor pagination",
                f.name
            );
        }
        if desc.contains("Offset pagination") {
            assert!(
                f.paging.offset,
                "{}: the OAS documents offset pagination",
                f.name
            );
        }
    }
}
