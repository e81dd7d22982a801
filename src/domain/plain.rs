//! JSON as strat writes it for the changes of an event: compact, keys in
//! one order, strings escaped only where JSON requires. Written and read
//! back by hand, since every event passes through here on its way into the
//! database and out of it, and a general JSON reader or writer costs
//! several times more. Any text not written this way is left to one.

use super::model::Change;

/// Changes as the `changes` column holds them: a JSON list, exactly as
/// serde_json writes `[Change]`, written here without its machinery (a
/// tenth of an import's writing went to it).
pub fn changes_json(changes: &[Change]) -> String {
    let mut out = String::with_capacity(2 + changes.len() * 64);
    out.push('[');
    for (n, c) in changes.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str("{\"field\":");
        json_text(&mut out, Some(&c.field));
        out.push_str(",\"from\":");
        json_text(&mut out, c.from.as_deref());
        out.push_str(",\"to\":");
        json_text(&mut out, c.to.as_deref());
        out.push('}');
    }
    out.push(']');
    out
}

/// The changes `text` holds when it is written exactly as [`changes_json`]
/// writes them, and so as the `changes` column holds them (and `strat
/// export` copies them); `None` for any other way of writing them, which
/// is left to a JSON reader. Read by hand: this is how every event is
/// read back, and most of an import.
pub fn stored_changes(text: &str) -> Option<Vec<Change>> {
    match leading_changes(text)? {
        (changes, "") => Some(changes),
        _ => None,
    }
}

/// As [`stored_changes`], for changes at the start of `text`, and what
/// follows them.
pub fn leading_changes(text: &str) -> Option<(Vec<Change>, &str)> {
    let mut rest = text.strip_prefix('[')?;
    let mut changes = Vec::new();
    if let Some(after) = rest.strip_prefix(']') {
        return Some((changes, after));
    }
    loop {
        let (field, after) = plain_text(rest.strip_prefix("{\"field\":")?)?;
        let (from, after) = plain_text_or_null(after.strip_prefix(",\"from\":")?)?;
        let (to, after) = plain_text_or_null(after.strip_prefix(",\"to\":")?)?;
        changes.push(Change {
            field: field.to_owned(),
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        });
        let after = after.strip_prefix('}')?;
        rest = match after.strip_prefix(']') {
            Some(after) => return Some((changes, after)),
            None => after.strip_prefix(',')?,
        };
    }
}

/// A JSON string at the start of `text` with nothing escaped in it, as
/// [`json_text`] writes it, and what follows it.
pub fn plain_text(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix('"')?;
    let end = body
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20)?;
    (body.as_bytes()[end] == b'"').then(|| (&body[..end], &body[end + 1..]))
}

pub fn plain_text_or_null(text: &str) -> Option<(Option<&str>, &str)> {
    match text.strip_prefix("null") {
        Some(after) => Some((None, after)),
        None => plain_text(text).map(|(t, after)| (Some(t), after)),
    }
}

/// A JSON string (or null). Text with nothing to escape, nearly all, is
/// copied as it is; the rest is left to serde_json.
fn json_text(out: &mut String, text: Option<&str>) {
    match text {
        None => out.push_str("null"),
        Some(t) if !t.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) => {
            out.push('"');
            out.push_str(t);
            out.push('"');
        }
        Some(t) => out.push_str(&serde_json::to_string(t).expect("text always serializes")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lists of changes whose text has quotes, backslashes, control and
    /// non-ASCII characters.
    fn change_lists() -> impl Strategy<Value = Vec<Change>> {
        let change = (
            ".*",
            proptest::option::of(".*"),
            proptest::option::of("[\"\\\\a-zé\u{1}\n]*"),
        )
            .prop_map(|(field, from, to)| Change { field, from, to });
        proptest::collection::vec(change, 0..4)
    }

    proptest::proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Stored changes are the very text serde_json would write, for
        /// any text: quotes, backslashes, control and non-ASCII characters.
        #[test]
        fn changes_are_written_as_serde_json_writes_them(
            changes in change_lists()
        ) {
            proptest::prop_assert_eq!(
                changes_json(&changes),
                serde_json::to_string(&changes).unwrap()
            );
        }

        /// Stored text is read back by hand to the changes it was written
        /// from, unless something in it is escaped; what the hand reads
        /// is what a JSON reader reads.
        #[test]
        fn stored_changes_are_read_back_as_a_json_reader_would(
            changes in change_lists()
        ) {
            let text = changes_json(&changes);
            let escaped = text.contains('\\');
            match stored_changes(&text) {
                Some(read) => proptest::prop_assert_eq!(read, changes),
                None => proptest::prop_assert!(escaped, "not read: {}", text),
            }
        }

        /// Text near the stored form, read by hand or not, means what a
        /// JSON reader says it means, and is read by hand only when it is
        /// exactly the stored form.
        #[test]
        fn other_text_is_never_misread(
            changes in proptest::collection::vec(
                (
                    near(r#"{"field":"#, &[r#"{"field": "#, r#"{"to":"#]),
                    near(r#""a""#, &["null", r#""a\"b""#, r#""é""#]),
                    near(r#","from":"#, &[r#", "from":"#]),
                    near("null", &[r#""x""#, "1", r#""\u0041""#]),
                    near(r#","to":"#, &[r#","field":"#]),
                    near(r#""y""#, &["null", "true"]),
                    near("}", &[" }"]),
                ),
                0..3,
            ),
            open in near("[", &[" ["]),
            separator in near(",", &[", "]),
            close in near("]", &["] ", "]]"]),
        ) {
            let changes: Vec<String> = changes
                .iter()
                .map(|(a, b, c, d, e, f, g)| [*a, *b, *c, *d, *e, *f, *g].concat())
                .collect();
            let text = format!("{open}{}{close}", changes.join(separator));
            if let Some(read) = stored_changes(&text) {
                let json: Vec<Change> = serde_json::from_str(&text).unwrap();
                proptest::prop_assert_eq!(&read, &json);
                proptest::prop_assert_eq!(changes_json(&read), text);
            }
        }
    }

    /// `stored` most often, else one of `others`.
    fn near(stored: &'static str, others: &[&'static str]) -> impl Strategy<Value = &'static str> {
        let mut choices = vec![stored; 4];
        choices.extend_from_slice(others);
        proptest::sample::select(choices)
    }

    #[test]
    fn stored_changes_are_read_only_as_written() {
        let list = |text: &str| stored_changes(text);
        assert_eq!(list("[]"), Some(vec![]));
        assert_eq!(
            list(
                r#"[{"field":"title","from":null,"to":"T"},{"field":"progress","from":"0","to":"5"}]"#
            ),
            Some(vec![
                Change {
                    field: "title".into(),
                    from: None,
                    to: Some("T".into())
                },
                Change {
                    field: "progress".into(),
                    from: Some("0".into()),
                    to: Some("5".into())
                },
            ])
        );
        for other in [
            "",
            "[",
            "null",
            "[ ]",
            r#"[{"field":"a","from":null,"to":null}"#,
            r#"[{"field":"a","from":null,"to":null},]"#,
            r#"[{"field":"a","from":null,"to":null}] "#,
            r#"[{"field": "a","from":null,"to":null}]"#,
            r#"[{"from":null,"field":"a","to":null}]"#,
            r#"[{"field":null,"from":null,"to":null}]"#,
            r#"[{"field":"a","from":null}]"#,
            r#"[{"field":"a","from":null,"to":null,"by":"x"}]"#,
            r#"[{"field":"a\"b","from":null,"to":null}]"#,
            r#"[{"field":"a","from":"\u0041","to":null}]"#,
            "[{\"field\":\"a\tb\",\"from\":null,\"to\":null}]",
            r#"[{"field":"a","from":1,"to":null}]"#,
        ] {
            assert_eq!(list(other), None, "{other}");
        }
    }
}
