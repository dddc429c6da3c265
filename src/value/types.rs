//! Sets of value kinds: what a function accepts, and what the checker knows
//! an expression can produce. A type error is certain when the two do not
//! overlap at all.

use std::fmt;
use std::ops::BitOr;

use super::Kind;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Types(u16);

const fn bit(kind: Kind) -> u16 {
    1 << kind as u16
}

impl Types {
    pub const EMPTY: Types = Types(0);
    pub const NULL: Types = Types(bit(Kind::Null));
    pub const BOOL: Types = Types(bit(Kind::Bool));
    pub const INT: Types = Types(bit(Kind::Int));
    pub const DECIMAL: Types = Types(bit(Kind::Decimal));
    pub const FLOAT: Types = Types(bit(Kind::Float));
    pub const TEXT: Types = Types(bit(Kind::Text));
    pub const DATE: Types = Types(bit(Kind::Date));
    pub const DATETIME: Types = Types(bit(Kind::DateTime));
    pub const LIST: Types = Types(bit(Kind::List));
    pub const OBJECT: Types = Types(bit(Kind::Object));
    /// Int or decimal: exact numbers.
    pub const NUMBER: Types = Types(Self::INT.0 | Self::DECIMAL.0);
    pub const TEMPORAL: Types = Types(Self::DATE.0 | Self::DATETIME.0);
    pub const ANY: Types = Types((1 << 10) - 1);

    pub const fn or(self, other: Types) -> Types {
        Types(self.0 | other.0)
    }

    pub fn of(kind: Kind) -> Types {
        Types(bit(kind))
    }

    pub fn contains(self, kind: Kind) -> bool {
        self.0 & bit(kind) != 0
    }

    pub fn intersects(self, other: Types) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_subset_of(self, other: Types) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn is_any(self) -> bool {
        self == Types::ANY
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn without(self, other: Types) -> Types {
        Types(self.0 & !other.0)
    }

    /// The single kind in the set, if there is exactly one.
    pub fn single(self) -> Option<Kind> {
        (self.0.count_ones() == 1).then(|| self.kinds().next()).flatten()
    }

    pub fn kinds(self) -> impl Iterator<Item = Kind> {
        const ALL: [Kind; 10] = [
            Kind::Null,
            Kind::Bool,
            Kind::Int,
            Kind::Decimal,
            Kind::Float,
            Kind::Text,
            Kind::Date,
            Kind::DateTime,
            Kind::List,
            Kind::Object,
        ];
        ALL.into_iter().filter(move |kind| self.contains(*kind))
    }
}

impl BitOr for Types {
    type Output = Types;
    fn bitor(self, other: Types) -> Types {
        self.or(other)
    }
}

/// "text", "int or decimal", "anything".
impl fmt::Display for Types {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_any() {
            return f.write_str("anything");
        }
        if *self == Types::ANY.without(Types::NULL) {
            return f.write_str("anything but none");
        }
        if self.is_empty() {
            return f.write_str("nothing");
        }
        let names: Vec<&str> = self.kinds().map(Kind::name).collect();
        match names.as_slice() {
            [one] => f.write_str(one),
            [init @ .., last] => write!(f, "{} or {last}", init.join(", ")),
            [] => Ok(()),
        }
    }
}

impl fmt::Debug for Types {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Types({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_sets_in_words() {
        assert_eq!(Types::NUMBER.to_string(), "int or decimal");
        assert_eq!((Types::TEXT | Types::NULL).to_string(), "none or text");
        assert_eq!(Types::ANY.to_string(), "anything");
        assert_eq!(Types::TEXT.single(), Some(Kind::Text));
    }
}
