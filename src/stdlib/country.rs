//! ISO 3166-1 countries: codes of two and three letters, and names in
//! English, Dutch and German (from Debian's iso-codes; see the data file).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{Args, Category, Example, Function, Prepared, Returns, params, v};
use crate::diagnostics::RecordError;
use crate::value::{Types, Value};

const BASE: Function = Function {
    name: "",
    category: Category::Domain,
    params: &[],
    variadic: None,
    returns: Returns::Types(Types::TEXT),
    fallible: true,
    doc: "",
    examples: &[],
    native: country_code,
    prepare: None,
    special: None,
};

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "country_code",
        params: params!["country": v(Types::TEXT)],
        doc: "The ISO 3166-1 alpha-2 code of a country given by code (2 or 3 letters) or by name in English, Dutch or German (case and accents do not matter). Fails for an unknown country.",
        examples: &[
            Example {
                call: r#"country_code("Nederland")"#,
                result: r#""NL""#,
            },
            Example {
                call: r#"country_code("belgie")"#,
                result: r#""BE""#,
            },
            Example {
                call: r#"country_code("DEU")"#,
                result: r#""DE""#,
            },
            Example {
                call: r#"country_code("Atlantis")"#,
                result: "error E1006",
            },
        ],
        native: country_code,
        ..BASE
    },
    Function {
        name: "country_code3",
        params: params!["country": v(Types::TEXT)],
        doc: "The ISO 3166-1 alpha-3 code of a country given by code or name, as for `country_code`.",
        examples: &[Example {
            call: r#"country_code3("NL")"#,
            result: r#""NLD""#,
        }],
        native: country_code3,
        ..BASE
    },
    Function {
        name: "country_name",
        params: params!["country": v(Types::TEXT), "language?": v(Types::TEXT)],
        doc: "The country's name in `en` (the default), `nl` or `de`.",
        examples: &[
            Example {
                call: r#"country_name("DE", "nl")"#,
                result: r#""Duitsland""#,
            },
            Example {
                call: r#"country_name("Nederland")"#,
                result: r#""Netherlands""#,
            },
        ],
        native: country_name,
        prepare: Some(prepare_language),
        ..BASE
    },
    Function {
        name: "is_eu",
        params: params!["country": v(Types::TEXT)],
        returns: Returns::Types(Types::BOOL),
        doc: "Whether the country is a member of the European Union (for VAT: intra-community supply).",
        examples: &[
            Example {
                call: r#"is_eu("BE")"#,
                result: "true",
            },
            Example {
                call: r#"is_eu("Switzerland")"#,
                result: "false",
            },
        ],
        native: is_eu,
        ..BASE
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    Dutch,
    German,
}

fn language(code: &str) -> Option<Language> {
    match code {
        "en" => Some(Language::English),
        "nl" => Some(Language::Dutch),
        "de" => Some(Language::German),
        _ => None,
    }
}

const LANGUAGES: &str = "\"en\", \"nl\" or \"de\"";

fn prepare_language(constants: &[Option<&Value<'static>>]) -> Result<Prepared, (usize, String)> {
    match constants.get(1).copied().flatten() {
        Some(Value::Text(code)) => language(code).map(Prepared::Language).ok_or_else(|| {
            (
                1,
                format!("{:?} is not a supported language; use {LANGUAGES}", code.as_str()),
            )
        }),
        _ => Ok(Prepared::Nothing),
    }
}

struct Country {
    alpha2: &'static str,
    alpha3: &'static str,
    english: &'static str,
    dutch: &'static str,
    german: &'static str,
}

struct Countries {
    all: Vec<Country>,
    /// Every accepted spelling, folded, to an index in `all`.
    by_name: HashMap<String, usize>,
}

/// Everyday names that are not in ISO 3166 but that integrators meet.
const ALIASES: &[(&str, &str)] = &[
    ("uk", "GB"),
    ("great britain", "GB"),
    ("england", "GB"),
    ("el", "GR"), // Greece's VAT prefix
    ("holland", "NL"),
    ("usa", "US"),
];

const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

static COUNTRIES: LazyLock<Countries> = LazyLock::new(|| {
    let mut all = Vec::new();
    let mut by_name = HashMap::new();
    let rows = include_str!("data/countries.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'));
    for (index, row) in rows.enumerate() {
        let fields: Vec<&'static str> = row.split('\t').collect();
        let [alpha2, alpha3, _numeric, english, dutch, german, others] = fields[..] else {
            panic!("countries.tsv has a malformed row: {row}");
        };
        for name in [alpha2, alpha3, english, dutch, german]
            .into_iter()
            .chain(others.split('|'))
        {
            by_name.entry(fold(name)).or_insert(index);
        }
        all.push(Country {
            alpha2,
            alpha3,
            english,
            dutch,
            german,
        });
    }
    for (alias, code) in ALIASES {
        let index = by_name[&fold(code)];
        by_name.insert(fold(alias), index);
    }
    Countries { all, by_name }
});

/// Lower case, accents removed, whitespace collapsed: "  Belgié " and
/// "belgie" are the same key.
fn fold(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            match c {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => folded.push('a'),
                'ç' => folded.push('c'),
                'è' | 'é' | 'ê' | 'ë' => folded.push('e'),
                'ì' | 'í' | 'î' | 'ï' => folded.push('i'),
                'ñ' => folded.push('n'),
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => folded.push('o'),
                'ù' | 'ú' | 'û' | 'ü' => folded.push('u'),
                'ý' | 'ÿ' => folded.push('y'),
                'ß' => folded.push_str("ss"),
                other => folded.push(other),
            }
        }
    }
    folded
}

fn find(args: &Args<'_, '_>) -> Result<&'static Country, RecordError> {
    let query = args.text(0)?;
    let countries = &*COUNTRIES;
    countries
        .by_name
        .get(&fold(query))
        .map(|index| &countries.all[*index])
        .ok_or_else(|| {
            args.invalid(format!(
                "{} is not a country flowc knows (by ISO code or by name in en, nl or de)",
                crate::diagnostics::personal::shown(format!("{query:?}"))
            ))
        })
}

fn country_code<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::from(find(args)?.alpha2.to_string()))
}

fn country_code3<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::from(find(args)?.alpha3.to_string()))
}

fn country_name<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let language = match args.prepared() {
        Prepared::Language(language) => *language,
        _ => {
            let code = args.text_or(1, "en")?;
            language(code).ok_or_else(|| {
                args.invalid(format!(
                    "{} is not a supported language; use {LANGUAGES}",
                    crate::diagnostics::personal::shown(format!("{code:?}"))
                ))
            })?
        }
    };
    let country = find(args)?;
    let name = match language {
        Language::English => country.english,
        Language::Dutch => country.dutch,
        Language::German => country.german,
    };
    Ok(Value::from(name.to_string()))
}

fn is_eu<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    Ok(Value::Bool(EU.contains(&find(args)?.alpha2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_has_both_codes_and_three_names() {
        let countries = &*COUNTRIES;
        assert_eq!(countries.all.len(), 249);
        for country in &countries.all {
            assert_eq!(country.alpha2.len(), 2);
            assert_eq!(country.alpha3.len(), 3);
            assert!(!country.english.is_empty() && !country.dutch.is_empty() && !country.german.is_empty());
        }
        for code in EU {
            assert!(countries.by_name.contains_key(&fold(code)), "{code}");
        }
    }

    #[test]
    fn names_fold_case_accents_and_spaces() {
        assert_eq!(fold("  België "), "belgie");
        assert_eq!(fold("Österreich"), "osterreich");
        assert_eq!(fold("Verenigd   Koninkrijk"), "verenigd koninkrijk");
    }
}
