//! Stored text as each format may show it. Whatever a database holds (an
//! older one may hold anything), no character a terminal, a Markdown
//! renderer or a spreadsheet would obey gets through raw: control
//! characters and the invisible marks that reorder text are written
//! visibly (`\x1b`, `\u{202e}`), except the line breaks and tabs of notes
//! and descriptions.

use crate::domain::text::visible;
use std::borrow::Cow;

/// What kind of text a cell holds, and so what its line breaks mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name, title or value: one line, every control character visible.
    Label,
    /// A note or description: its line breaks and tabs are its own.
    Prose,
}

/// Characters shown by name: controls, and the bidirectional marks that
/// would make a title read differently from what it holds.
fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Rewrites `s` when one of its characters is `hidden`: each goes through
/// `keep` (which writes it and returns true) or is written visibly.
fn rewritten<'a>(s: &'a str, mut keep: impl FnMut(char, &mut String) -> bool) -> Cow<'a, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !hidden(c) {
            out.push(c);
        } else if !keep(c, &mut out) {
            out.push_str(&visible(c));
        }
    }
    Cow::Owned(out)
}

/// For a terminal table or a document: prose keeps its line breaks (a
/// `\r\n` or a lone `\r` is one), and a tab is four spaces.
pub fn for_terminal(s: &str, kind: Kind) -> Cow<'_, str> {
    if kind == Kind::Label {
        return rewritten(s, |_, _| false);
    }
    let tab_or_line = |c: char, out: &mut String| match c {
        '\n' | '\r' => {
            out.push('\n');
            true
        }
        '\t' => {
            out.push_str("    ");
            true
        }
        _ => false,
    };
    if s.contains("\r\n") {
        Cow::Owned(rewritten(&s.replace("\r\n", "\n"), tab_or_line).into_owned())
    } else {
        rewritten(s, tab_or_line)
    }
}

/// For CSV: prose keeps its line breaks and tabs inside its quoted cell;
/// a cell a spreadsheet would take as a formula gets a leading `'`.
pub fn for_csv(s: &str, kind: Kind) -> Cow<'_, str> {
    let shown = for_sheet(s, kind);
    if shown.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    }
}

/// For a workbook's text cell, which a spreadsheet never runs: prose
/// keeps its line breaks and tabs.
pub fn for_sheet(s: &str, kind: Kind) -> Cow<'_, str> {
    match kind {
        Kind::Label => rewritten(s, |_, _| false),
        Kind::Prose => rewritten(s, |c, out| {
            let kept = matches!(c, '\n' | '\r' | '\t');
            if kept {
                out.push(c);
            }
            kept
        }),
    }
}

/// For Markdown: on one line, with every character that could start
/// markup, a link or HTML escaped, so what is pasted reads as typed.
pub fn for_markdown(s: &str, kind: Kind) -> String {
    let shown = for_terminal(s, kind);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '\n' => out.push(' '),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "x\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}\u{1b}[2J\u{202e}gnp.exe";

    #[test]
    fn control_characters_are_shown_by_name_everywhere() {
        let shown = for_terminal(HOSTILE, Kind::Label);
        assert_eq!(
            shown,
            "x\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x1b[2J\\u{202e}gnp.exe"
        );
        assert_eq!(for_terminal(HOSTILE, Kind::Prose), shown);
        assert_eq!(for_csv(HOSTILE, Kind::Label), shown);
        assert!(!for_markdown(HOSTILE, Kind::Label).contains('\u{1b}'));
        assert_eq!(for_terminal("Café", Kind::Label), "Café");
        assert!(matches!(
            for_terminal("plain", Kind::Prose),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn prose_keeps_its_lines_and_labels_do_not() {
        assert_eq!(
            for_terminal("a\r\nb\rc\nd\te", Kind::Prose),
            "a\nb\nc\nd    e"
        );
        assert_eq!(for_terminal("a\nb", Kind::Label), "a\\x0ab");
        assert_eq!(for_csv("a\r\nb\tc", Kind::Prose), "a\r\nb\tc");
        assert_eq!(for_csv("a\tb", Kind::Label), "a\\x09b");
        assert_eq!(for_markdown("a\nb", Kind::Prose), "a b");
    }

    #[test]
    fn csv_cells_that_would_run_are_defused() {
        for (cell, kind) in [
            ("=SUM(A1)", Kind::Label),
            ("+44 3000", Kind::Label),
            ("-x", Kind::Label),
            ("@cmd", Kind::Label),
            ("\tcmd", Kind::Prose),
            ("\r=1", Kind::Prose),
        ] {
            assert!(for_csv(cell, kind).starts_with('\''), "{cell:?}");
        }
        assert_eq!(for_csv("SAN", Kind::Label), "SAN");
    }

    #[test]
    fn markdown_markup_is_escaped() {
        assert_eq!(
            for_markdown("a|b *c* <script>[x](y) `z` # &amp;", Kind::Label),
            "a\\|b \\*c\\* \\<script\\>\\[x\\](y) \\`z\\` \\# \\&amp;"
        );
    }
}
