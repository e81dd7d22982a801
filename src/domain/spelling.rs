//! Words as people type them: matched ignoring case, spaces, `_` and `-`
//! (`In Progress` is `in-progress`), and, when a word is not known, the
//! known one it most likely meant.

/// The form words are compared in: lower case, without spaces, `_` or `-`.
pub fn key(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// How many single-character edits turn `a` into `b`.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate `word` most likely meant: one it starts (`digital` for
/// `digital-2024`), or one a few edits away (a third of its length, at
/// least two); none when nothing is close.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = key(word);
    if typed.is_empty() {
        return None;
    }
    candidates
        .into_iter()
        .filter_map(|c| {
            let known = key(c);
            let d = if known.starts_with(&typed) || typed.starts_with(&known) {
                0
            } else {
                distance(&typed, &known)
            };
            (d <= (typed.chars().count() / 3).max(2)).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// ` (did you mean X?)`, when a candidate is close.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_spaces_and_dashes() {
        assert_eq!(key("In Progress"), "inprogress");
        assert_eq!(key("ON_HOLD"), key("on-hold"));
    }

    #[test]
    fn the_closest_known_word_is_suggested() {
        let codes = ["tech-2020", "digital-2024"];
        assert_eq!(closest("digital", codes), Some("digital-2024"));
        assert_eq!(closest("tech-2002", codes), Some("tech-2020"));
        assert_eq!(closest("budget", codes), None);
        assert_eq!(closest("", codes), None);
        let statuses = ["planned", "in-progress", "on-hold", "completed"];
        assert_eq!(closest("in progres", statuses), Some("in-progress"));
        assert_eq!(closest("compleet", statuses), Some("completed"));
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
