//! Faults a sandbox injects on demand, so that flows and connectors can be
//! tried against a system that misbehaves the way real ones do.
//!
//! `--faults` takes a list separated by commas; each fault is
//! `NAME=CHANCE` with an optional `@ENTITY+ENTITY` to limit it to some
//! endpoints:
//!
//! | fault | what the sandbox does |
//! |---|---|
//! | `429=10%` | answers 429 with `Retry-After` in seconds (`retry-after=S`, default 1; 503 carries it too) |
//! | `429-date=5%` | answers 429 with `Retry-After` as an HTTP date |
//! | `500=5%`, `502=..`, `503=..`, `504=..`, `401=..`, `403=..` | answers that status without doing anything |
//! | `create-then-500=20%` | carries out a create, then answers 500 |
//! | `reset=2%` | drops the connection before doing anything |
//! | `latency=200ms` | waits that long before every answer |
//! | `forge=5%` | signs an answer wrongly (CCV: a lying server) |
//! | `seed=42` | makes the chances repeat from run to run |
//!
//! Example: `429=10%,503=5%,create-then-500=20%@orders+customers,seed=7`.

use std::time::Duration;

/// A fault that may happen to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// An answer with this status, before anything is done.
    Status(u16),
    /// 429 with `Retry-After` as a date.
    TooManyDated,
    /// The create is carried out, then the answer is 500.
    CreateThen500,
    /// The connection is dropped before anything is done.
    Reset,
    /// The answer's signature is wrong.
    Forge,
}

#[derive(Clone, Debug)]
struct Rule {
    fault: Fault,
    /// Out of 10,000.
    chance: u32,
    /// Endpoints it applies to; all when empty.
    entities: Vec<String>,
}

/// The faults of a sandbox.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    rules: Vec<Rule>,
    pub latency: Duration,
    pub retry_after: u64,
    seed: u64,
}

impl Faults {
    /// No faults; new ids and tokens from a seed that differs per start.
    pub fn none() -> Faults {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x5eed, |since| since.as_nanos() as u64);
        Faults {
            retry_after: 1,
            seed,
            ..Faults::default()
        }
    }

    pub fn parse(spec: &str) -> Result<Faults, String> {
        let mut faults = Faults::none();
        for item in spec.split(',').map(str::trim).filter(|item| !item.is_empty()) {
            let (what, value) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}` is not NAME=VALUE (such as 429=10%)"))?;
            let (value, entities) = match value.split_once('@') {
                Some((value, entities)) => (value, entities.split('+').map(str::to_string).collect()),
                None => (value, Vec::new()),
            };
            let fault = match what {
                "latency" => {
                    let ms = value
                        .strip_suffix("ms")
                        .and_then(|ms| ms.parse::<u64>().ok())
                        .ok_or_else(|| format!("latency takes milliseconds, such as latency=200ms, not `{value}`"))?;
                    faults.latency = Duration::from_millis(ms);
                    continue;
                }
                "retry-after" => {
                    faults.retry_after = value
                        .parse()
                        .map_err(|_| format!("retry-after takes whole seconds, not `{value}`"))?;
                    continue;
                }
                "seed" => {
                    faults.seed = value
                        .parse()
                        .map_err(|_| format!("seed takes a number, not `{value}`"))?;
                    continue;
                }
                "429-date" => Fault::TooManyDated,
                "create-then-500" => Fault::CreateThen500,
                "reset" => Fault::Reset,
                "forge" => Fault::Forge,
                status => match status.parse::<u16>() {
                    Ok(code @ (401 | 403 | 429 | 500 | 502 | 503 | 504)) => Fault::Status(code),
                    _ => {
                        return Err(format!(
                            "`{what}` is no fault; use 401, 403, 429, 429-date, 500, 502, 503, 504, create-then-500, reset, forge, latency, retry-after or seed"
                        ));
                    }
                },
            };
            let chance = percent(value)?;
            faults.rules.push(Rule {
                fault,
                chance,
                entities,
            });
        }
        Ok(faults)
    }

    /// A random source for one sandbox, from the seed.
    pub fn dice(&self) -> Dice {
        Dice(self.seed.max(1))
    }

    /// The fault that strikes a request to `entity` that is `creating` or
    /// not, if one does. Each rule rolls its own dice.
    pub fn strike(&self, dice: &mut Dice, entity: &str, creating: bool) -> Option<Fault> {
        for rule in &self.rules {
            if !rule.entities.is_empty() && !rule.entities.iter().any(|name| name == entity) {
                continue;
            }
            if rule.fault == Fault::CreateThen500 && !creating {
                continue;
            }
            if dice.roll() % 10_000 < u64::from(rule.chance) {
                return Some(rule.fault);
            }
        }
        None
    }
}

/// `10%`, `2.5%`: out of 10,000.
fn percent(text: &str) -> Result<u32, String> {
    let number = text
        .strip_suffix('%')
        .and_then(|number| number.parse::<f64>().ok())
        .filter(|number| (0.0..=100.0).contains(number))
        .ok_or_else(|| format!("a chance is a percentage such as 10%, not `{text}`"))?;
    Ok((number * 100.0).round() as u32)
}

/// A small random source (xorshift): enough to spread faults, and
/// repeatable from a seed.
#[derive(Clone, Debug)]
pub struct Dice(u64);

impl Dice {
    pub fn roll(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_read_with_their_chances_and_endpoints() {
        let faults = Faults::parse("429=10%, 503=5%,create-then-500=20%@orders+customers,latency=5ms,seed=7").unwrap();
        assert_eq!(faults.latency, Duration::from_millis(5));
        assert_eq!(faults.rules.len(), 3);
        assert_eq!(faults.rules[2].entities, ["orders", "customers"]);
        let mut dice = faults.dice();
        let mut seen = std::collections::HashMap::new();
        for _ in 0..10_000 {
            if let Some(fault) = faults.strike(&mut dice, "orders", true) {
                *seen.entry(fault).or_insert(0) += 1;
            }
        }
        let count = |fault| *seen.get(&fault).unwrap_or(&0) as f64;
        assert!((800.0..1200.0).contains(&count(Fault::Status(429))), "{seen:?}");
        assert!(count(Fault::CreateThen500) > 1000.0, "{seen:?}");
        assert!(faults.strike(&mut faults.dice(), "articles", false) != Some(Fault::CreateThen500));
        assert!(Faults::parse("418=1%").unwrap_err().contains("no fault"));
        assert!(Faults::parse("429=lots").unwrap_err().contains("percentage"));
    }
}
