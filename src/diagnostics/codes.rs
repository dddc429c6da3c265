//! The registry of diagnostic codes.
//!
//! Every diagnostic flowc reports has a code from this table. A code, once
//! published, keeps its meaning forever: retire a code by leaving it in the
//! table with `retired` in its title, never by reusing it.
//!
//! Ranges: `E00xx` errors found by `flowc check`; `E1xxx` errors found while a
//! record is evaluated; `W0xxx` warnings. The long explanation of each code is
//! the markdown file `explain/<CODE>.md` beside this file: what it means, an
//! example that triggers it, and the fix. `docs/diagnostics.md` is generated
//! from this table (see `tests/docs.rs`).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A diagnostic code with its title and long explanation.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub explanation: &'static str,
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.id == other.id
    }
}
impl Eq for Code {}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

macro_rules! registry {
    ($($name:ident = $id:literal, $severity:ident, $title:literal;)*) => {
        $(
            pub const $name: Code = Code {
                id: $id,
                severity: Severity::$severity,
                title: $title,
                explanation: include_str!(concat!("explain/", $id, ".md")),
            };
        )*
        /// Every code, in the order of the table.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

registry! {
    // Reading the file.
    SYNTAX                  = "E0001", Error, "syntax error";
    NESTING_TOO_DEEP        = "E0002", Error, "nesting too deep";
    FILE_TOO_LARGE          = "E0003", Error, "file too large";
    INVALID_LITERAL         = "E0004", Error, "invalid literal";
    INVALID_ENCODING        = "E0005", Error, "file is not UTF-8";

    // Names.
    UNKNOWN_NAME            = "E0010", Error, "unknown name";
    UNKNOWN_FUNCTION        = "E0011", Error, "unknown function or table";
    UNKNOWN_MODULE          = "E0012", Error, "unknown module";
    UNKNOWN_MODULE_MEMBER   = "E0013", Error, "unknown module member";
    DUPLICATE_DEFINITION    = "E0014", Error, "name defined twice";
    IMPORT_CYCLE            = "E0015", Error, "modules import each other";
    WRONG_KIND_OF_NAME      = "E0016", Error, "name used as the wrong kind of thing";

    // Calls and types.
    WRONG_ARGUMENT_COUNT    = "E0020", Error, "wrong number of arguments";
    ARGUMENT_TYPE           = "E0021", Error, "argument of the wrong type";
    OPERAND_TYPES           = "E0022", Error, "operator applied to the wrong types";
    FLOAT_WITH_DECIMAL      = "E0023", Error, "float mixed with decimal";
    CONDITION_NOT_BOOL      = "E0024", Error, "condition is not a bool";
    INVALID_ARGUMENT        = "E0025", Error, "invalid argument";
    INVALID_SETTING         = "E0026", Error, "invalid setting declaration";
    MISPLACED_LAMBDA        = "E0027", Error, "function argument in the wrong place";
    NOT_A_LIST              = "E0028", Error, "a list is needed";

    // The shape of a flow.
    FIELD_WRITTEN_TWICE     = "E0030", Error, "field written twice";
    FLOW_HEADER             = "E0031", Error, "source or target missing or repeated";
    MULTIPLE_FLOWS          = "E0032", Error, "more than one flow in a file";
    FLOW_WITHOUT_OUTPUT     = "E0033", Error, "flow writes nothing";
    EFFECT_OUTSIDE_FLOW     = "E0034", Error, "target access outside the flow's statements";
    RECORD_OUTSIDE_FLOW     = "E0035", Error, "`$` used where there is no record";
    RECURSIVE_FUNCTION      = "E0036", Error, "recursive function";
    INVALID_JSONPATH        = "E0037", Error, "invalid JSONPath filter";
    UNKNOWN_TARGET          = "E0038", Error, "write to an entity that is not a target";
    MISPLACED               = "E0039", Error, "construct where it has no meaning";

    // Entities and their fields.
    UNKNOWN_ENTITY          = "E0040", Error, "unknown system or entity";
    UNKNOWN_SOURCE_FIELD    = "E0041", Error, "unknown source field";
    UNKNOWN_TARGET_FIELD    = "E0042", Error, "unknown target field";
    READ_ONLY_FIELD         = "E0043", Error, "read-only field written";
    UNFILTERABLE_LOOKUP     = "E0044", Error, "lookup the system's API cannot make";
    VALUE_DOES_NOT_FIT      = "E0045", Error, "value that cannot fit its target field";

    // Evaluating a record.
    MISSING_FIELD           = "E1001", Error, "missing field";
    WRONG_TYPE              = "E1002", Error, "value of the wrong type";
    NO_MATCHING_ARM         = "E1003", Error, "no arm matches";
    INVALID_DATE            = "E1004", Error, "date or time does not parse";
    ARITHMETIC              = "E1005", Error, "arithmetic failed";
    INVALID_VALUE           = "E1006", Error, "value not accepted";
    INVALID_JSON            = "E1007", Error, "input is not valid JSON";
    REQUIREMENT_FAILED      = "E1008", Error, "requirement not met";
    MISSING_IN_TARGET       = "E1009", Error, "records missing in the target";
    NOTHING_TO_UPDATE       = "E1010", Error, "no record to update";
    TARGET_FAILED           = "E1011", Error, "the target system failed";
    TOO_MANY_ACTIONS        = "E1012", Error, "too many reads and writes for one record";

    // Warnings.
    UNUSED_SETTING          = "W0001", Warning, "unused setting";
    UNUSED_TABLE            = "W0002", Warning, "unused table";
    UNUSED_LET              = "W0003", Warning, "unused let";
    UNUSED_FUNCTION         = "W0004", Warning, "unused function";
    UNUSED_IMPORT           = "W0005", Warning, "unused import";
    MATCH_WITHOUT_DEFAULT   = "W0006", Warning, "match without a default arm";
    TABLE_WITHOUT_DEFAULT   = "W0007", Warning, "table without a default arm";
    UNREACHABLE_ARM         = "W0008", Warning, "arm can never match";
    REQUIRED_FIELD_MISSING  = "W0009", Warning, "required target field never written";
    FLOAT_INTO_NUMBER_FIELD = "W0010", Warning, "float written into a number field";
}

/// The code with this id (case-insensitive), if it exists.
pub fn lookup(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|code| code.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for code in ALL {
            assert!(seen.insert(code.id), "{} is registered twice", code.id);
            let expected_prefix = match code.severity {
                Severity::Error => 'E',
                Severity::Warning => 'W',
            };
            assert!(code.id.starts_with(expected_prefix), "{} has the wrong prefix", code.id);
            assert_eq!(code.id.len(), 5, "{} is not a letter and four digits", code.id);
        }
    }

    #[test]
    fn every_explanation_has_an_example_and_a_fix() {
        for code in ALL {
            let text = code.explanation;
            assert!(text.contains("## Example"), "{} has no example", code.id);
            assert!(text.contains("## Fix"), "{} has no fix", code.id);
        }
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(lookup("e0001"), Some(SYNTAX));
        assert_eq!(lookup("E9999"), None);
    }
}
