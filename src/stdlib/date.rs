//! Dates and date-times. A date-time always carries its offset; time zones are
//! IANA names (`Europe/Amsterdam`) or `UTC`. Formats use strftime directives.

use std::str::FromStr;

use chrono::format::{Item, StrftimeItems};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use chrono_tz::Tz;

use super::{Args, Category, Example, Function, Prepared, Returns, params, v};
use crate::diagnostics::{RecordError, codes};
use crate::value::{Types, Value};

const BASE: Function = Function {
    name: "",
    category: Category::Dates,
    params: &[],
    variadic: None,
    returns: Returns::Types(Types::DATE),
    fallible: true,
    doc: "",
    examples: &[],
    native: date,
    prepare: None,
    special: None,
};

const TEXT: Types = Types::TEXT;
const TEMPORAL: Types = Types::TEMPORAL;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "date",
        params: params!["value": v(TEXT.or(TEMPORAL))],
        doc: "A date from ISO 8601 text (`\"2024-03-14\"`), from RFC 3339 date-time text (its date where it was written), or from a date-time.",
        examples: &[
            Example {
                call: r#"date("2024-03-14")"#,
                result: r#""2024-03-14""#,
            },
            Example {
                call: r#"date("2024-03-14T23:30:00-02:00")"#,
                result: r#""2024-03-14""#,
            },
            Example {
                call: r#"date("14-03-2024")"#,
                result: "error E1004",
            },
        ],
        native: date,
        ..BASE
    },
    Function {
        name: "datetime",
        params: params!["value": v(TEXT.or(TEMPORAL)), "zone?": v(TEXT)],
        returns: Returns::Types(Types::DATETIME),
        doc: "A date-time from RFC 3339 text (`\"2024-03-14T10:21:33Z\"`). Text without an offset, and a date (taken as midnight), need the zone they are local to.",
        examples: &[
            Example {
                call: r#"datetime("2024-03-14T10:21:33Z")"#,
                result: r#""2024-03-14T10:21:33Z""#,
            },
            Example {
                call: r#"datetime("2024-03-14T10:21:33", "Europe/Amsterdam")"#,
                result: r#""2024-03-14T10:21:33+01:00""#,
            },
            Example {
                call: r#"datetime("2024-03-14T10:21:33")"#,
                result: "error E1004",
            },
        ],
        native: datetime,
        prepare: Some(prepare_zone::<1>),
        ..BASE
    },
    Function {
        name: "parse_date",
        params: params!["text": v(TEXT), "format": v(TEXT)],
        doc: "A date from text in a given format, e.g. `\"%d-%m-%Y\"`.",
        examples: &[
            Example {
                call: r#"parse_date("14-03-2024", "%d-%m-%Y")"#,
                result: r#""2024-03-14""#,
            },
            Example {
                call: r#"parse_date("2024-02-30", "%Y-%m-%d")"#,
                result: "error E1004",
            },
        ],
        native: parse_date,
        prepare: Some(prepare_format::<1>),
        ..BASE
    },
    Function {
        name: "parse_datetime",
        params: params!["text": v(TEXT), "format": v(TEXT), "zone?": v(TEXT)],
        returns: Returns::Types(Types::DATETIME),
        doc: "A date-time from text in a given format. When the format has no offset (`%z`), the zone the text is local to must be given.",
        examples: &[
            Example {
                call: r#"parse_datetime("14-03-2024 10:21", "%d-%m-%Y %H:%M", "Europe/Amsterdam")"#,
                result: r#""2024-03-14T10:21:00+01:00""#,
            },
            Example {
                call: r#"parse_datetime("2024-03-14 10:21 +0200", "%Y-%m-%d %H:%M %z")"#,
                result: r#""2024-03-14T10:21:00+02:00""#,
            },
        ],
        native: parse_datetime,
        prepare: Some(prepare_format_and_zone),
        ..BASE
    },
    Function {
        name: "format_date",
        params: params!["value": v(TEMPORAL), "format": v(TEXT)],
        returns: Returns::Types(TEXT),
        doc: "Writes a date or date-time in a given format.",
        examples: &[
            Example {
                call: r#"format_date(@2024-03-14, "%d-%m-%Y")"#,
                result: r#""14-03-2024""#,
            },
            Example {
                call: r#"format_date(@2024-03-14T10:21:00+01:00, "%H:%M")"#,
                result: r#""10:21""#,
            },
        ],
        native: format_date,
        prepare: Some(prepare_format::<1>),
        ..BASE
    },
    Function {
        name: "today",
        params: params!["zone": v(TEXT)],
        doc: "Today's date in a time zone. (A day has no single date worldwide, so the zone is required.) In `flowc test` the clock is fixed.",
        examples: &[Example {
            call: r#"today("Europe/Amsterdam")"#,
            result: r#""2024-03-14""#,
        }],
        native: today,
        prepare: Some(prepare_zone::<0>),
        ..BASE
    },
    Function {
        name: "now",
        params: params!["zone?": v(TEXT)],
        returns: Returns::Types(Types::DATETIME),
        doc: "The current moment, with the offset of a time zone (UTC by default). In `flowc test` the clock is fixed.",
        examples: &[Example {
            call: r#"now("Europe/Amsterdam")"#,
            result: r#""2024-03-14T11:00:00+01:00""#,
        }],
        native: now,
        prepare: Some(prepare_zone::<0>),
        ..BASE
    },
    Function {
        name: "add_days",
        params: params!["value": v(TEMPORAL), "days": v(Types::INT)],
        returns: Returns::SameAs(0),
        doc: "A date or date-time some days later (or earlier, for a negative number).",
        examples: &[
            Example {
                call: "add_days(@2024-02-27, 14)",
                result: r#""2024-03-12""#,
            },
            Example {
                call: "add_days(@2024-03-14T10:00:00Z, -1)",
                result: r#""2024-03-13T10:00:00Z""#,
            },
        ],
        native: add_days,
        ..BASE
    },
    Function {
        name: "add_months",
        params: params!["value": v(TEMPORAL), "months": v(Types::INT)],
        returns: Returns::SameAs(0),
        doc: "A date or date-time some months later (or earlier); the day is kept, or moved back to the month's last day.",
        examples: &[Example {
            call: "add_months(@2024-01-31, 1)",
            result: r#""2024-02-29""#,
        }],
        native: add_months,
        ..BASE
    },
    Function {
        name: "days_between",
        params: params!["from": v(TEMPORAL), "to": v(TEMPORAL)],
        returns: Returns::Types(Types::INT),
        doc: "Whole days from one date (or date-time) to another; negative when `to` is earlier.",
        examples: &[Example {
            call: "days_between(@2024-02-01, @2024-03-01)",
            result: "29",
        }],
        native: days_between,
        ..BASE
    },
    Function {
        name: "to_zone",
        params: params!["value": v(Types::DATETIME), "zone": v(TEXT)],
        returns: Returns::Types(Types::DATETIME),
        doc: "The same moment, with the offset the time zone has at that moment.",
        examples: &[Example {
            call: r#"to_zone(@2024-07-01T10:00:00Z, "Europe/Amsterdam")"#,
            result: r#""2024-07-01T12:00:00+02:00""#,
        }],
        native: to_zone,
        prepare: Some(prepare_zone::<1>),
        ..BASE
    },
    Function {
        name: "year",
        params: params!["value": v(TEMPORAL)],
        returns: Returns::Types(Types::INT),
        fallible: false,
        doc: "The year of a date or date-time (where it was written).",
        examples: &[Example {
            call: "year(@2024-03-14)",
            result: "2024",
        }],
        native: year,
        ..BASE
    },
    Function {
        name: "month",
        params: params!["value": v(TEMPORAL)],
        returns: Returns::Types(Types::INT),
        fallible: false,
        doc: "The month (1 to 12) of a date or date-time.",
        examples: &[Example {
            call: "month(@2024-03-14)",
            result: "3",
        }],
        native: month,
        ..BASE
    },
    Function {
        name: "day",
        params: params!["value": v(TEMPORAL)],
        returns: Returns::Types(Types::INT),
        fallible: false,
        doc: "The day of the month (1 to 31) of a date or date-time.",
        examples: &[Example {
            call: "day(@2024-03-14)",
            result: "14",
        }],
        native: day,
        ..BASE
    },
];

fn date_error(message: impl Into<String>) -> RecordError {
    RecordError::new(codes::INVALID_DATE, message)
}

/// A time zone by IANA name.
pub fn zone(name: &str) -> Option<Tz> {
    Tz::from_str(name).ok()
}

fn zone_message(name: impl std::fmt::Display) -> String {
    format!("{name} is not a time zone; use an IANA name such as \"Europe/Amsterdam\" or \"UTC\"")
}

fn prepare_zone<const INDEX: usize>(constants: &[Option<&Value<'static>>]) -> Result<Prepared, (usize, String)> {
    match constants.get(INDEX).copied().flatten() {
        Some(Value::Text(name)) => zone(name)
            .map(Prepared::Zone)
            .ok_or_else(|| (INDEX, zone_message(format!("{:?}", name.as_str())))),
        _ => Ok(Prepared::Nothing),
    }
}

/// Whether a strftime format is valid, with the reason when not.
pub fn check_format(format: &str) -> Result<(), String> {
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(format!(
            "{format:?} is not a valid date format; use strftime directives such as %Y, %m, %d, %H, %M, %S, %z"
        ));
    }
    Ok(())
}

fn prepare_format<const INDEX: usize>(constants: &[Option<&Value<'static>>]) -> Result<Prepared, (usize, String)> {
    if let Some(Value::Text(format)) = constants.get(INDEX).copied().flatten() {
        check_format(format).map_err(|message| (INDEX, message))?;
    }
    Ok(Prepared::Nothing)
}

fn prepare_format_and_zone(constants: &[Option<&Value<'static>>]) -> Result<Prepared, (usize, String)> {
    prepare_format::<1>(constants)?;
    prepare_zone::<2>(constants)
}

/// The zone argument at `index`: prepared when constant, else looked up now.
fn zone_arg(args: &Args<'_, '_>, index: usize) -> Result<Option<Tz>, RecordError> {
    if let Prepared::Zone(tz) = args.prepared() {
        return Ok(Some(*tz));
    }
    match args.get(index) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => {
            let name = args.text(index)?;
            zone(name)
                .map(Some)
                .ok_or_else(|| args.invalid(zone_message(crate::diagnostics::personal::shown(format!("{name:?}")))))
        }
    }
}

fn format_arg<'s>(args: &'s Args<'_, '_>, index: usize) -> Result<&'s str, RecordError> {
    let format = args.text(index)?;
    check_format(format).map_err(|message| args.invalid(message))?;
    Ok(format)
}

/// A local date and time in `tz`, as a fixed-offset date-time.
pub fn in_zone(naive: NaiveDateTime, tz: Tz) -> Result<DateTime<FixedOffset>, RecordError> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(datetime) => Ok(datetime.fixed_offset()),
        // Clocks went back: the earlier of the two moments.
        LocalResult::Ambiguous(earliest, _) => Ok(earliest.fixed_offset()),
        LocalResult::None => Err(date_error(format!(
            "{naive} does not exist in {tz}: the clocks skip it"
        ))),
    }
}

fn date<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    match args.get(0) {
        Some(Value::Date(date)) => Ok(Value::Date(*date)),
        Some(Value::DateTime(datetime)) => Ok(Value::Date(datetime.date_naive())),
        Some(Value::Text(text)) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| DateTime::parse_from_rfc3339(text).map(|dt| dt.date_naive()))
            .map(Value::Date)
            .map_err(|_| {
                date_error(format!(
                    "{:?} is not a date in ISO 8601 form (2024-03-14)",
                    text.as_str()
                ))
                .help("for another form, use `parse_date(text, format)`")
            }),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn datetime<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let tz = zone_arg(args, 1)?;
    match args.get(0) {
        Some(Value::DateTime(datetime)) => Ok(Value::DateTime(*datetime)),
        Some(Value::Date(date)) => match tz {
            Some(tz) => in_zone(date.and_time(NaiveTime::MIN), tz).map(Value::DateTime),
            None => Err(date_error("a date has no time of day and no zone")
                .help("give the zone: `datetime(d, \"Europe/Amsterdam\")`")),
        },
        Some(Value::Text(text)) => {
            if let Ok(datetime) = DateTime::parse_from_rfc3339(text) {
                return Ok(Value::DateTime(datetime));
            }
            let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
                .map_err(|_| {
                    date_error(format!(
                        "{} is not a date-time in RFC 3339 form (2024-03-14T10:21:33Z)",
                        crate::diagnostics::personal::shown(format!("{:?}", text.as_str()))
                    ))
                })?;
            match tz {
                Some(tz) => in_zone(naive, tz).map(Value::DateTime),
                None => Err(date_error(format!(
                    "{} has no offset, so the moment is unknown",
                    crate::diagnostics::personal::shown(format!("{:?}", text.as_str()))
                ))
                .help("give the zone it is local to: `datetime(text, \"Europe/Amsterdam\")`")),
            }
        }
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn parse_date<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.text(0)?;
    let format = format_arg(args, 1)?;
    NaiveDate::parse_from_str(text, format)
        .map(Value::Date)
        .map_err(|error| {
            date_error(format!(
                "{} is not a date in the format {format:?}: {error}",
                crate::diagnostics::personal::shown(format!("{text:?}"))
            ))
        })
}

fn has_offset(format: &str) -> bool {
    ["%z", "%:z", "%::z", "%#z", "%+"]
        .iter()
        .any(|directive| format.contains(directive))
}

fn parse_datetime<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let text = args.text(0)?;
    let format = format_arg(args, 1)?;
    let fail = |error: chrono::ParseError| {
        date_error(format!(
            "{} is not a date-time in the format {format:?}: {error}",
            crate::diagnostics::personal::shown(format!("{text:?}"))
        ))
    };
    if has_offset(format) {
        return DateTime::parse_from_str(text, format)
            .map(Value::DateTime)
            .map_err(fail);
    }
    let naive = NaiveDateTime::parse_from_str(text, format).map_err(fail)?;
    match zone_arg(args, 2)? {
        Some(tz) => in_zone(naive, tz).map(Value::DateTime),
        None => Err(
            date_error(format!("the format {format:?} has no offset, so the moment is unknown"))
                .help("give the zone the text is local to as the third argument"),
        ),
    }
}

fn format_date<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let format = format_arg(args, 1)?;
    let text = match args.get(0) {
        Some(Value::Date(date)) => {
            if ["%H", "%M", "%S", "%z", "%Z", "%T", "%R", "%I", "%p", "%s", "%+"]
                .iter()
                .any(|d| format.contains(d))
            {
                return Err(args.invalid(format!("a date has no time or zone to write with {format:?}")));
            }
            date.format(format).to_string()
        }
        Some(Value::DateTime(datetime)) => datetime.format(format).to_string(),
        other => return Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    };
    Ok(Value::from(text))
}

fn today<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let tz = zone_arg(args, 0)?.ok_or_else(|| args.wrong_type(0, &Value::Null))?;
    Ok(Value::Date(args.now().with_timezone(&tz).date_naive()))
}

fn now<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let tz = zone_arg(args, 0)?.unwrap_or(Tz::UTC);
    Ok(Value::DateTime(args.now().with_timezone(&tz).fixed_offset()))
}

fn out_of_range() -> RecordError {
    date_error("the result lies outside the calendar flowc supports")
}

fn add_days<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let days = Duration::try_days(args.int(1)?).ok_or_else(out_of_range)?;
    match args.get(0) {
        Some(Value::Date(date)) => date.checked_add_signed(days).map(Value::Date).ok_or_else(out_of_range),
        Some(Value::DateTime(datetime)) => datetime
            .checked_add_signed(days)
            .map(Value::DateTime)
            .ok_or_else(out_of_range),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn shift_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let count = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        date.checked_add_months(count)
    } else {
        date.checked_sub_months(count)
    }
}

fn add_months<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let months = args.int(1)?;
    match args.get(0) {
        Some(Value::Date(date)) => shift_months(*date, months).map(Value::Date).ok_or_else(out_of_range),
        Some(Value::DateTime(datetime)) => {
            let local = datetime.naive_local();
            let shifted = shift_months(local.date(), months)
                .ok_or_else(out_of_range)?
                .and_time(local.time());
            datetime
                .offset()
                .from_local_datetime(&shifted)
                .single()
                .map(Value::DateTime)
                .ok_or_else(out_of_range)
        }
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn days_between<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let days = match (args.get(0), args.get(1)) {
        (Some(Value::Date(from)), Some(Value::Date(to))) => (*to - *from).num_days(),
        (Some(Value::DateTime(from)), Some(Value::DateTime(to))) => (*to - *from).num_days(),
        (Some(from @ (Value::Date(_) | Value::DateTime(_))), Some(to)) => {
            return Err(RecordError::new(
                codes::WRONG_TYPE,
                format!(
                    "`days_between` needs two dates or two date-times, not a {} and a {}",
                    from.kind(),
                    to.kind()
                ),
            ));
        }
        (other, _) => return Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    };
    Ok(Value::Int(days))
}

fn to_zone<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    let tz = zone_arg(args, 1)?.ok_or_else(|| args.wrong_type(1, &Value::Null))?;
    match args.get(0) {
        Some(Value::DateTime(datetime)) => Ok(Value::DateTime(datetime.with_timezone(&tz).fixed_offset())),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn part<'a>(args: &mut Args<'_, 'a>, of: fn(&NaiveDate) -> i64) -> Result<Value<'a>, RecordError> {
    match args.get(0) {
        Some(Value::Date(date)) => Ok(Value::Int(of(date))),
        Some(Value::DateTime(datetime)) => Ok(Value::Int(of(&datetime.date_naive()))),
        other => Err(args.wrong_type(0, other.unwrap_or(&Value::Null))),
    }
}

fn year<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    part(args, |d| i64::from(d.year()))
}

fn month<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    part(args, |d| i64::from(d.month()))
}

fn day<'a>(args: &mut Args<'_, 'a>) -> Result<Value<'a>, RecordError> {
    part(args, |d| i64::from(d.day()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_formats_are_caught_before_chrono_sees_them() {
        assert!(check_format("%Y-%m-%d").is_ok());
        assert!(check_format("%Q").is_err());
        assert!(check_format("%").is_err());
    }

    #[test]
    fn clocks_going_back_take_the_earlier_moment() {
        let tz = zone("Europe/Amsterdam").unwrap();
        let naive = NaiveDateTime::parse_from_str("2024-10-27 02:30", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(in_zone(naive, tz).unwrap().to_rfc3339(), "2024-10-27T02:30:00+02:00");
        let skipped = NaiveDateTime::parse_from_str("2024-03-31 02:30", "%Y-%m-%d %H:%M").unwrap();
        assert!(in_zone(skipped, tz).is_err());
    }
}
