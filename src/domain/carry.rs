//! The rules of carry-forward links: an item carried to another is named
//! by it as its origin, and following the links never comes back round.

use super::model::ItemId;
use std::collections::HashMap;

/// An item's carry-forward links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carry {
    pub id: ItemId,
    pub carried_from: Option<ItemId>,
    pub carried_to: Option<ItemId>,
}

/// What is wrong with the links of `carries` (every item with a link), by
/// item, in item order: links one side of which does not name the other,
/// and links that go round in a circle (named once, at the circle's
/// lowest item).
pub fn carry_problems(carries: &[Carry]) -> Vec<(ItemId, String)> {
    let by_id: HashMap<ItemId, &Carry> = carries.iter().map(|c| (c.id, c)).collect();
    let mut problems = Vec::new();
    for c in carries {
        if let Some(to) = c.carried_to
            && by_id.get(&to).and_then(|t| t.carried_from) != Some(c.id)
        {
            problems.push((
                c.id,
                format!("carried to {to}, which does not name it as its origin"),
            ));
        }
        if let Some(from) = c.carried_from
            && by_id.get(&from).and_then(|f| f.carried_to) != Some(c.id)
        {
            problems.push((
                c.id,
                format!("carried from {from}, which does not name it as carried to it"),
            ));
        }
    }
    // Each item leads to at most one other, so a walk from each item not
    // yet seen meets a circle, or a walk already made, or the end.
    let mut walked: HashMap<ItemId, usize> = HashMap::new();
    for (walk, c) in carries.iter().enumerate() {
        let mut path = Vec::new();
        let mut at = Some(c.id);
        while let Some(id) = at {
            match walked.get(&id) {
                Some(w) if *w == walk => {
                    let start = path.iter().position(|p| *p == id).expect("on this walk");
                    let circle = &path[start..];
                    let lowest = *circle.iter().min().expect("a circle has items");
                    let shown: Vec<String> = circle
                        .iter()
                        .chain(std::iter::once(&id))
                        .map(ItemId::to_string)
                        .collect();
                    problems.push((
                        lowest,
                        format!(
                            "its carry-forward links go round in a circle ({})",
                            shown.join(" → ")
                        ),
                    ));
                    break;
                }
                Some(_) => break,
                None => {
                    walked.insert(id, walk);
                    path.push(id);
                    at = by_id.get(&id).and_then(|c| c.carried_to);
                }
            }
        }
    }
    problems.sort_by_key(|(id, _)| *id);
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carry(id: i64, from: Option<i64>, to: Option<i64>) -> Carry {
        Carry {
            id: ItemId(id),
            carried_from: from.map(ItemId),
            carried_to: to.map(ItemId),
        }
    }

    #[test]
    fn paired_chains_are_fine() {
        let chain = [
            carry(1, None, Some(2)),
            carry(2, Some(1), Some(3)),
            carry(3, Some(2), None),
        ];
        assert_eq!(carry_problems(&chain), []);
    }

    #[test]
    fn one_sided_links_are_named_by_the_item_that_names_them() {
        let problems = carry_problems(&[carry(1, None, Some(2)), carry(5, Some(4), None)]);
        assert_eq!(
            problems,
            [
                (
                    ItemId(1),
                    "carried to #2, which does not name it as its origin".to_string()
                ),
                (
                    ItemId(5),
                    "carried from #4, which does not name it as carried to it".to_string()
                ),
            ]
        );
    }

    #[test]
    fn circles_of_any_length_are_named_once() {
        let two = [carry(7, Some(3), Some(3)), carry(3, Some(7), Some(7))];
        assert_eq!(
            carry_problems(&two),
            [(
                ItemId(3),
                "its carry-forward links go round in a circle (#7 → #3 → #7)".to_string()
            )]
        );
        let one = [carry(4, Some(4), Some(4))];
        assert_eq!(carry_problems(&one).len(), 1);
        let three = [
            carry(1, Some(3), Some(2)),
            carry(2, Some(1), Some(3)),
            carry(3, Some(2), Some(1)),
            carry(9, None, Some(1)),
        ];
        let problems = carry_problems(&three);
        assert!(
            problems
                .iter()
                .any(|(id, p)| *id == ItemId(1) && p.contains("circle (#1 → #2 → #3 → #1)")),
            "{problems:?}"
        );
        assert_eq!(
            problems
                .iter()
                .filter(|(_, p)| p.contains("circle"))
                .count(),
            1
        );
    }
}
