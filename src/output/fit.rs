//! Fitting a table to a window: which columns are shown, how wide each is,
//! and its words wrapped to that width. comfy-table then draws the cells
//! as they are; its own fitting breaks words, drops columns without a
//! word and takes time quadratic in a cell's length, where this is linear.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns give way in this order, least important first, when a table
/// cannot fit; a column not named here is kept (the title, the number, the
/// health, a history's changes and note).
const GIVE_WAY: [&str; 24] = [
    "theme",
    "start",
    "decision",
    "by",
    "ref",
    "owner",
    "elapsed",
    "stale",
    "status",
    "average progress",
    "latest note",
    "strategy",
    "recorded",
    "holds from",
    "outstanding",
    "days overdue",
    "overdue",
    "due",
    "target",
    "travel",
    "progress",
    "why",
    "complete",
    "period",
];

/// A word longer than this may be broken rather than widen its column.
const LONGEST_UNBROKEN: usize = 24;

/// The width of one column's text: its widest line and its longest word,
/// and whether any row has text in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    pub widest: usize,
    pub word: usize,
    pub filled: bool,
}

impl Measure {
    /// The measure of a header.
    pub fn header(text: &str) -> Measure {
        let mut m = Measure::default();
        m.take(text);
        m.filled = false;
        m
    }

    /// Widens the measure to take `text`.
    pub fn take(&mut self, text: &str) {
        self.filled |= !text.is_empty();
        for line in text.split('\n') {
            self.widest = self.widest.max(line.width());
            for word in line.split(' ') {
                self.word = self.word.max(word.width().min(LONGEST_UNBROKEN));
            }
        }
    }

    /// Widens the measure to take `text`, which is never wrapped (a bar,
    /// a number, a health with its arrow).
    pub fn take_whole(&mut self, text: &str) {
        let wide = text.width();
        self.filled |= !text.is_empty();
        self.widest = self.widest.max(wide);
        self.word = self.word.max(wide);
    }

    /// The narrowest the column may be without breaking a word.
    fn least(self) -> usize {
        self.word.min(self.widest).max(1)
    }
}

/// How a table is drawn in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The columns shown, by position, and the width of each.
    pub shown: Vec<(usize, usize)>,
    /// Progress is drawn as a bar (else as its number).
    pub bars: bool,
    /// The headers of the columns left out.
    pub left_out: Vec<&'static str>,
}

/// Lays out columns whose text measures `with_bars` (and `as_numbers`
/// when progress is written as a number) in `width` characters: bars give
/// way to numbers first, then whole columns in the order of `GIVE_WAY`
/// (and a column with nothing in it whenever the text must wrap); what is
/// left over widens the columns that wrap, in proportion to what each
/// would take.
pub fn layout(
    headers: &[&'static str],
    with_bars: &[Measure],
    as_numbers: &[Measure],
    width: usize,
) -> Layout {
    let frame = |n: usize| 3 * n + 1;
    let needs = |measures: &[Measure], shown: &[usize]| {
        frame(shown.len()) + shown.iter().map(|c| measures[*c].least()).sum::<usize>()
    };
    let mut shown: Vec<usize> = (0..headers.len()).collect();
    let bars = needs(with_bars, &shown) <= width;
    let measures = if bars { with_bars } else { as_numbers };
    let mut left_out = Vec::new();
    let whole = |shown: &[usize]| {
        frame(shown.len()) + shown.iter().map(|c| measures[*c].widest).sum::<usize>()
    };
    for gone in GIVE_WAY {
        if whole(&shown) <= width {
            break;
        }
        if let Some(at) = shown
            .iter()
            .position(|c| headers[*c] == gone && !measures[*c].filled)
        {
            left_out.push(headers[shown.remove(at)]);
        }
    }
    for gone in GIVE_WAY {
        if needs(measures, &shown) <= width || shown.len() <= 1 {
            break;
        }
        if let Some(at) = shown.iter().position(|c| headers[*c] == gone) {
            left_out.push(headers[shown.remove(at)]);
        }
    }
    let room = width.saturating_sub(frame(shown.len()));
    let widths = share(room, shown.iter().map(|c| measures[*c]).collect());
    Layout {
        shown: shown.into_iter().zip(widths).collect(),
        bars,
        left_out,
    }
}

/// Gives each column its least width, then shares what is left of `room`
/// in proportion to how much more each would take (at least one wide).
fn share(room: usize, measures: Vec<Measure>) -> Vec<usize> {
    let mut widths: Vec<usize> = measures.iter().map(|m| m.least()).collect();
    let spare = room.saturating_sub(widths.iter().sum());
    let wants: Vec<usize> = measures
        .iter()
        .zip(&widths)
        .map(|(m, w)| m.widest.saturating_sub(*w))
        .collect();
    let wanted: usize = wants.iter().sum();
    if wanted <= spare {
        return measures.iter().map(|m| m.widest.max(1)).collect();
    }
    let mut given = 0;
    for (w, want) in widths.iter_mut().zip(&wants) {
        let more = spare * want / wanted;
        *w += more;
        given += more;
    }
    // What rounding left goes a character at a time to who wants most.
    for _ in given..spare {
        let Some(c) = (0..widths.len())
            .filter(|c| measures[*c].widest > widths[*c])
            .max_by_key(|c| measures[*c].widest - widths[*c])
        else {
            break;
        };
        widths[c] += 1;
    }
    // A least width wider than the room (one column left) is cut to it.
    if widths.len() == 1 {
        widths[0] = widths[0].min(room.max(1));
    }
    widths
}

/// `text` with its lines wrapped at spaces to `width` columns; a word
/// wider than that is broken where it must be. Linear in the text.
pub fn wrap(text: &str, width: usize) -> Cow<'_, str> {
    let width = width.max(1);
    if text.split('\n').all(|l| l.width() <= width) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / width + 1);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        // A line's indent is kept (on its first row).
        let body = line.trim_start_matches(' ');
        let indent = (line.len() - body.len()).min(width - 1);
        out.extend(std::iter::repeat_n(' ', indent));
        let mut used = indent;
        // Whether a word has been written on the row (so the next needs a space).
        let mut written = false;
        for word in body.split(' ').filter(|w| !w.is_empty()) {
            let wide = word.width();
            if written && used + 1 + wide <= width {
                out.push(' ');
                used += 1;
            } else if written {
                out.push('\n');
                used = 0;
            }
            written = true;
            if wide <= width - used {
                out.push_str(word);
                used += wide;
                continue;
            }
            for c in word.chars() {
                let w = c.width().unwrap_or(0);
                if used + w > width && used > 0 {
                    out.push('\n');
                    used = 0;
                }
                out.push(c);
                used += w;
            }
        }
    }
    Cow::Owned(out)
}

/// `value` after a label `indent` wide, wrapped to `width`, each line after
/// the first indented to line up under the first.
pub fn hanging(value: &str, indent: usize, width: usize) -> String {
    let room = width.saturating_sub(indent).max(8);
    wrap(value, room).replace('\n', &format!("\n{}", " ".repeat(indent)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(texts: &[&str]) -> Measure {
        let mut m = Measure::default();
        texts.iter().for_each(|t| m.take(t));
        m
    }

    #[test]
    fn words_wrap_at_spaces_and_only_overlong_words_break() {
        assert_eq!(
            wrap("Replace the ageing SAN", 10),
            "Replace\nthe ageing\nSAN"
        );
        assert_eq!(wrap("short", 10), "short");
        assert_eq!(wrap("abcdefghijkl xy", 5), "abcde\nfghij\nkl xy");
        assert_eq!(wrap("a\nb c d", 3), "a\nb c\nd");
        assert_eq!(wrap("漢字漢字", 4), "漢字\n漢字");
        assert_eq!(
            wrap("  one two three\n  four", 9),
            "  one two\nthree\n  four"
        );
        assert_eq!(wrap("  a b c d e f g h", 5), "  a b\nc d e\nf g h");
        for line in wrap(&"word ".repeat(1000), 17).split('\n') {
            assert!(line.width() <= 17, "{line:?}");
        }
    }

    #[test]
    fn a_table_that_fits_is_drawn_as_wide_as_its_text() {
        let headers = ["id", "title"];
        let m = [
            measure(&["id", "7"]),
            measure(&["title", "Replace the SAN"]),
        ];
        let l = layout(&headers, &m, &m, 80);
        assert_eq!(l.shown, [(0, 2), (1, 15)]);
        assert!(l.bars && l.left_out.is_empty());
    }

    #[test]
    fn bars_give_way_before_columns_and_columns_in_their_order() {
        let headers = ["id", "title", "owner", "progress", "ref"];
        let mut bars = [
            measure(&["id"]),
            measure(&["title", "One online account for residents"]),
            measure(&["owner", "Digital services team"]),
            measure(&["progress"]),
            measure(&["ref", "D01"]),
        ];
        let mut numbers = bars;
        bars[3].take_whole("█████░░░░░ 45%");
        numbers[3].take_whole("45%");
        let at = |w| layout(&headers, &bars, &numbers, w);

        assert!(at(90).bars);
        let narrow = at(50);
        assert!(!narrow.bars);
        assert!(narrow.left_out.is_empty(), "{narrow:?}");
        assert_eq!(at(40).left_out, ["ref"]);
        assert_eq!(at(30).left_out, ["ref", "owner"]);
        let tiny = at(10);
        assert_eq!(
            tiny.left_out,
            ["ref", "owner", "progress"],
            "the id and title stay"
        );
        for w in [10, 30, 40, 50, 90] {
            let l = at(w);
            let drawn = 3 * l.shown.len() + 1 + l.shown.iter().map(|(_, w)| w).sum::<usize>();
            let kept = l
                .shown
                .iter()
                .all(|(c, _)| !GIVE_WAY.contains(&headers[*c]));
            assert!(drawn <= w || kept, "{w}: {l:?}");
        }
    }

    #[test]
    fn empty_columns_give_way_when_text_must_wrap() {
        let headers = ["id", "title", "ref"];
        let m = [
            measure(&["id", "7"]),
            measure(&["title", &"word ".repeat(20)]),
            Measure::header("ref"),
        ];
        assert!(layout(&headers, &m, &m, 200).left_out.is_empty());
        let narrow = layout(&headers, &m, &m, 40);
        assert_eq!(narrow.left_out, ["ref"]);
        assert_eq!(narrow.shown, [(0, 2), (1, 31)]);
    }

    #[test]
    fn spare_room_goes_to_the_columns_that_want_it() {
        let m = vec![
            Measure {
                widest: 40,
                word: 8,
                filled: true,
            },
            Measure {
                widest: 10,
                word: 10,
                filled: true,
            },
            Measure {
                widest: 20,
                word: 5,
                filled: true,
            },
        ];
        let widths = share(50, m);
        assert_eq!(widths.iter().sum::<usize>(), 50);
        assert_eq!(widths[1], 10);
        assert!(widths[0] > widths[2], "{widths:?}");
    }

    #[test]
    fn hanging_lines_line_up() {
        assert_eq!(
            hanging("one two three four five six", 4, 24),
            "one two three four\n    five six"
        );
    }
}
