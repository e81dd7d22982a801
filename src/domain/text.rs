//! What text a user may store. Names and labels (titles, refs, owners,
//! themes, codes, who made a change) are one line of printable text;
//! notes and descriptions may also hold line breaks and tabs. Nothing
//! else that a terminal would obey is accepted on input.

use std::fmt;

/// The kind of text a field holds, and so which characters it refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// One line: no control character at all.
    Label,
    /// Free text: line breaks and tabs, and no other control character.
    Prose,
}

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError(String);

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TextError {}

/// A control character as a reader can see it: `\x1b`, `\u{85}`.
pub fn visible(c: char) -> String {
    match u32::from(c) {
        n @ 0..=0xff => format!("\\x{n:02x}"),
        n => format!("\\u{{{n:x}}}"),
    }
}

impl TextRule {
    fn allows(self, c: char) -> bool {
        !c.is_control() || (self == TextRule::Prose && matches!(c, '\n' | '\r' | '\t'))
    }

    /// Accepts `text` when every character of it is allowed.
    pub fn check(self, text: &str) -> Result<(), TextError> {
        match text.chars().find(|c| !self.allows(*c)) {
            None => Ok(()),
            Some(c) => Err(TextError(format!(
                "holds the control character {}, which is not allowed {}",
                visible(c),
                match self {
                    TextRule::Label => "in a name or title; write it on one line of plain text",
                    TextRule::Prose => "in a note; only line breaks and tabs are",
                }
            ))),
        }
    }
}

/// `1 item`, `2 items`: a count with its noun in the right number.
pub fn counted(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A clap value parser for names and titles.
pub fn label(s: &str) -> Result<String, TextError> {
    TextRule::Label.check(s).map(|()| s.to_string())
}

/// A clap value parser for notes and descriptions.
pub fn prose(s: &str) -> Result<String, TextError> {
    TextRule::Prose.check(s).map(|()| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(counted(1, "strategy", "strategies"), "1 strategy");
        assert_eq!(counted(0, "strategy", "strategies"), "0 strategies");
        assert_eq!(counted(2, "day", "days"), "2 days");
    }

    #[test]
    fn labels_refuse_every_control_character_and_prose_keeps_line_breaks() {
        assert!(TextRule::Label.check("Corporate OneDrive · café").is_ok());
        for bad in [
            "a\u{1b}]52;c;x\u{7}",
            "a\nb",
            "a\tb",
            "\u{0}",
            "x\u{85}",
            "\u{7f}",
        ] {
            assert!(TextRule::Label.check(bad).is_err(), "{bad:?}");
        }
        assert!(
            TextRule::Prose
                .check("line one\r\nline two\tindented")
                .is_ok()
        );
        for bad in ["\u{1b}[2J", "bell\u{7}", "\u{0}"] {
            assert!(TextRule::Prose.check(bad).is_err(), "{bad:?}");
        }
        let err = TextRule::Label.check("x\u{1b}[2J").unwrap_err().to_string();
        assert!(err.contains("\\x1b"), "{err}");
    }
}
