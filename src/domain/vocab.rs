//! The fixed vocabularies of the SPEC: statuses, health, overrides, actions.
//! Each is one enum with one spelling per variant, shared by the CLI, the
//! database and every output format.

use super::{Invalid, spelling};
use std::fmt;
use std::str::FromStr;

/// Declares a string-backed enum with `as_str`, `Display`, `FromStr` and
/// serde as its text. `FromStr` matches ignoring case, spaces, `_` and `-`,
/// takes the other words listed after `also` (written as their key, see
/// [`spelling::key`]), and refuses anything else with the accepted words
/// and the likeliest meant.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])* $name:ident, $what:literal {
            $($variant:ident => $text:literal),+ $(,)?
        }
        $(also { $($alias:literal => $meant:ident),+ $(,)? })?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order the SPEC lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                // The stored spelling, at once; else as a person typed it.
                $(if s == $text { return Ok($name::$variant); })+
                let typed = spelling::key(s);
                $(if typed == spelling::key($text) { return Ok($name::$variant); })+
                $($(if typed == $alias { return Ok($name::$meant); })+)?
                let words = || $name::ALL.iter().map(|v| v.as_str());
                Err(Invalid::new(format!(
                    "unknown {} '{}'{}; use one of: {}",
                    $what,
                    s,
                    spelling::did_you_mean(s, words()),
                    words().collect::<Vec<_>>().join(", ")
                )))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// Where an item stands.
    Status, "status" {
        Planned => "planned",
        InProgress => "in-progress",
        OnHold => "on-hold",
        Completed => "completed",
        Cancelled => "cancelled",
        CarriedForward => "carried-forward",
    }
    also {
        "notstarted" => Planned,
        "complete" => Completed,
        "done" => Completed,
        "paused" => OnHold,
    }
);

impl Status {
    /// Still to be delivered in this strategy.
    pub fn is_outstanding(self) -> bool {
        matches!(self, Status::Planned | Status::InProgress | Status::OnHold)
    }
}

vocabulary!(
    /// Where a strategy stands in its governance life.
    StrategyStatus, "strategy status" {
        Draft => "draft",
        Interim => "interim",
        Adopted => "adopted",
        Superseded => "superseded",
        Closed => "closed",
    }
);

vocabulary!(
    /// The computed RAG health of an item on a given day.
    Health, "health" {
        Red => "red",
        Amber => "amber",
        Green => "green",
        Complete => "complete",
        Closed => "closed",
    }
);

vocabulary!(
    /// A health set by hand, which wins over the computed one.
    Rag, "RAG value" {
        Red => "red",
        Amber => "amber",
        Green => "green",
    }
);

impl From<Rag> for Health {
    fn from(r: Rag) -> Health {
        match r {
            Rag::Red => Health::Red,
            Rag::Amber => Health::Amber,
            Rag::Green => Health::Green,
        }
    }
}

vocabulary!(
    /// What an event did to its item.
    Action, "event action" {
        Created => "created",
        Updated => "updated",
        Completed => "completed",
        Noted => "noted",
        CarriedForward => "carried-forward",
        CarriedIn => "carried-in",
        Undone => "undone",
    }
);

vocabulary!(
    /// Which way an item moved since the day a report compares with: worse
    /// or better health (red < amber < green < complete), at equal health
    /// less or more progress; new since, or closed since.
    Direction, "direction" {
        Better => "better",
        Same => "same",
        Worse => "worse",
        New => "new",
        Closed => "closed",
    }
);

impl Action {
    /// True for the first event of an item or strategy.
    pub fn creates(self) -> bool {
        matches!(self, Action::Created | Action::CarriedIn)
    }
}

/// `--rag`: a colour to pin, or `auto` to return to the computed health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RagSetting {
    Pin(Rag),
    Auto,
}

impl FromStr for RagSetting {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        if spelling::key(s) == "auto" {
            return Ok(RagSetting::Auto);
        }
        s.parse().map(RagSetting::Pin).map_err(|_| {
            let words = ["red", "amber", "green", "auto"];
            Invalid::new(format!(
                "unknown RAG value '{s}'{}; use one of: red, amber, green, auto",
                spelling::did_you_mean(s, words)
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), *s);
        }
        for s in StrategyStatus::ALL {
            assert_eq!(s.as_str().parse::<StrategyStatus>().unwrap(), *s);
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>().unwrap(), *a);
        }
    }

    #[test]
    fn statuses_are_taken_as_people_write_them() {
        for (typed, meant) in [
            ("In Progress", Status::InProgress),
            ("in_progress", Status::InProgress),
            ("ON-HOLD", Status::OnHold),
            ("Not started", Status::Planned),
            ("complete", Status::Completed),
            ("Done", Status::Completed),
            ("paused", Status::OnHold),
            ("Carried Forward", Status::CarriedForward),
        ] {
            assert_eq!(typed.parse::<Status>().unwrap(), meant, "{typed}");
        }
        let err = "in progres".parse::<Status>().unwrap_err().to_string();
        assert!(err.contains("did you mean in-progress?"), "{err}");
        assert_eq!(
            "Red".parse::<RagSetting>().unwrap(),
            RagSetting::Pin(Rag::Red)
        );
        assert_eq!("AUTO".parse::<RagSetting>().unwrap(), RagSetting::Auto);
    }

    #[test]
    fn unknown_words_list_the_choices() {
        let err = "finished".parse::<Status>().unwrap_err().to_string();
        assert!(
            err.contains("'finished'") && err.contains("in-progress"),
            "{err}"
        );
        assert!("auto".parse::<RagSetting>().is_ok());
        assert!("purple".parse::<RagSetting>().is_err());
    }

    #[test]
    fn only_open_statuses_are_outstanding() {
        let open: Vec<_> = Status::ALL.iter().filter(|s| s.is_outstanding()).collect();
        assert_eq!(
            open,
            [&Status::Planned, &Status::InProgress, &Status::OnHold]
        );
    }
}
