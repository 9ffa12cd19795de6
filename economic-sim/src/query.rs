//! Collection query parameters as e-conomic reads them: `skippages`, `pagesize` (default 20,
//! max 1000), `filter` (`$and:`-joined comparisons, `$`-escapes) and `sort` (`-`/`~` prefixes).
//! Filtering and sorting work on typed records so only the requested page is rendered.

use std::cmp::Ordering;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Default page size.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest page size; larger requests are capped (as Rackbeat's client assumes).
pub const MAX_PAGE_SIZE: usize = 1000;

/// A property value a record exposes to filters and sorting.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Timestamps (`lastUpdated`).
    Time(OffsetDateTime),
    /// Integers (numbers, group numbers).
    Int(i64),
    /// Decimals (prices).
    Float(f64),
    /// Text (names, product numbers, dates).
    Text(String),
}

/// A record that can be filtered and sorted by property name.
pub trait Queryable {
    /// The value of a filterable/sortable property, `None` if not supported.
    fn field(&self, name: &str) -> Option<FieldValue>;
}

/// Comparison operators the simulator evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Like,
    /// `$in:[a,b]`: numeric properties only, at most 200 values (as e-conomic documents).
    In,
    /// `$nin:[a,b]`.
    NotIn,
}

/// Most values in one `$in:`/`$nin:` list.
const MAX_LIST_VALUES: usize = 200;

#[derive(Debug, Clone)]
struct Condition {
    property: String,
    op: Op,
    value: String,
}

/// A parsed `?skippages&pagesize&filter&sort`.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Pages to skip.
    pub skip_pages: usize,
    /// Page size after capping.
    pub page_size: usize,
    /// The raw filter, for links.
    pub raw_filter: Option<String>,
    conditions: Vec<Condition>,
    sort: Vec<(String, bool)>,
}

/// Why a query is rejected (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl ListQuery {
    /// Parses decoded query parameters.
    pub fn parse(
        skip_pages: Option<&str>,
        page_size: Option<&str>,
        filter: Option<&str>,
        sort: Option<&str>,
    ) -> Result<Self, QueryError> {
        let number = |name: &str, v: Option<&str>, default: usize| match v {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .map_err(|_| QueryError(format!("{name} must be a non-negative integer."))),
        };
        let skip_pages = number("skippages", skip_pages, 0)?;
        let page_size = number("pagesize", page_size, DEFAULT_PAGE_SIZE)?.clamp(1, MAX_PAGE_SIZE);
        let conditions = match filter.filter(|f| !f.is_empty()) {
            Some(f) => parse_filter(f)?,
            None => Vec::new(),
        };
        let sort = sort
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let descending = s.starts_with('-');
                (s.trim_start_matches(['-', '~']).to_owned(), descending)
            })
            .collect();
        Ok(Self {
            skip_pages,
            page_size,
            raw_filter: filter.filter(|f| !f.is_empty()).map(str::to_owned),
            conditions,
            sort,
        })
    }

    /// Filters and sorts `items` (already in default order); 400 on unknown properties.
    pub fn apply<'a, T: Queryable + 'a>(
        &self,
        items: impl Iterator<Item = &'a T>,
    ) -> Result<Vec<&'a T>, QueryError> {
        let mut kept = Vec::new();
        for item in items {
            let mut all = true;
            for c in &self.conditions {
                let value = item.field(&c.property).ok_or_else(|| {
                    QueryError(format!(
                        "Filtering on the property {} is not supported.",
                        c.property
                    ))
                })?;
                if !matches(&value, c.op, &c.value)? {
                    all = false;
                    break;
                }
            }
            if all {
                kept.push(item);
            }
        }
        if let Some((first, _)) = self.sort.first() {
            if let Some(item) = kept.first()
                && item.field(first).is_none()
            {
                return Err(QueryError(format!(
                    "Sorting on the property {first} is not supported."
                )));
            }
            kept.sort_by(|a, b| {
                for (property, descending) in &self.sort {
                    let ord = compare(a.field(property), b.field(property));
                    let ord = if *descending { ord.reverse() } else { ord };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            });
        }
        Ok(kept)
    }
}

fn compare(a: Option<FieldValue>, b: Option<FieldValue>) -> Ordering {
    match (a, b) {
        (Some(FieldValue::Time(a)), Some(FieldValue::Time(b))) => a.cmp(&b),
        (Some(FieldValue::Int(a)), Some(FieldValue::Int(b))) => a.cmp(&b),
        (Some(FieldValue::Float(a)), Some(FieldValue::Float(b))) => a.total_cmp(&b),
        (Some(FieldValue::Text(a)), Some(FieldValue::Text(b))) => {
            a.to_lowercase().cmp(&b.to_lowercase())
        }
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

fn matches(value: &FieldValue, op: Op, wanted: &str) -> Result<bool, QueryError> {
    if matches!(op, Op::In | Op::NotIn) {
        let found = in_list(value, wanted)?;
        return Ok(found == (op == Op::In));
    }
    let bad = || {
        QueryError(format!(
            "The filter value {wanted:?} is not valid for this property."
        ))
    };
    let ord = match value {
        FieldValue::Time(t) => t.cmp(&parse_time(wanted).ok_or_else(bad)?),
        FieldValue::Int(i) => i.cmp(&wanted.parse::<i64>().map_err(|_| bad())?),
        FieldValue::Float(f) => f.total_cmp(&wanted.parse::<f64>().map_err(|_| bad())?),
        FieldValue::Text(s) => {
            let (s, w) = (s.to_lowercase(), wanted.to_lowercase());
            if op == Op::Like {
                return Ok(like(&s, &w));
            }
            s.cmp(&w)
        }
    };
    Ok(match op {
        Op::Eq | Op::Like => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Gt => ord == Ordering::Greater,
        Op::Gte => ord != Ordering::Less,
        Op::Lt => ord == Ordering::Less,
        Op::Lte => ord != Ordering::Greater,
        Op::In | Op::NotIn => unreachable!("lists are matched above"),
    })
}

/// Whether `value` is in the list `[a,b,…]`; only numeric properties take lists.
fn in_list(value: &FieldValue, list: &str) -> Result<bool, QueryError> {
    let FieldValue::Int(value) = value else {
        return Err(QueryError(
            "The filter operators $in: and $nin: can only be used on numeric properties.".into(),
        ));
    };
    let inner = list
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .ok_or_else(|| QueryError(format!("The filter list {list:?} is not valid.")))?;
    let items: Vec<&str> = inner.split(',').filter(|s| !s.is_empty()).collect();
    if items.len() > MAX_LIST_VALUES {
        return Err(QueryError(format!(
            "A filter list can hold at most {MAX_LIST_VALUES} values."
        )));
    }
    for item in items {
        let n = item
            .trim()
            .parse::<i64>()
            .map_err(|_| QueryError(format!("The filter value {item:?} is not a number.")))?;
        if n == *value {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `$like:` — `*` wildcards at the ends; without `*` it means "contains".
fn like(text: &str, pattern: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), _) if rest.ends_with('*') => text.contains(rest.trim_end_matches('*')),
        (Some(rest), _) => text.ends_with(rest),
        (None, Some(rest)) => text.starts_with(rest),
        (None, None) => text.contains(pattern),
    }
}

/// Accepts `2024-01-01T00:00:00Z` (any RFC 3339) or a date `2024-01-01` (midnight UTC).
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

enum Token {
    Char(char),
    Op(String),
}

fn tokenize(filter: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            tokens.push(Token::Char(c));
            continue;
        }
        match chars.peek().copied() {
            Some(e @ ('$' | '(' | ')' | '*' | ',' | '[' | ']')) => {
                chars.next();
                tokens.push(Token::Char(e));
            }
            _ => {
                let mut name = String::new();
                for n in chars.by_ref() {
                    if n == ':' {
                        break;
                    }
                    name.push(n);
                }
                tokens.push(Token::Op(name));
            }
        }
    }
    Ok(tokens)
}

fn parse_filter(filter: &str) -> Result<Vec<Condition>, QueryError> {
    let mut conditions = Vec::new();
    let mut property = String::new();
    let mut current: Option<(Op, String)> = None;
    let finish =
        |property: &mut String, current: &mut Option<(Op, String)>, out: &mut Vec<Condition>| {
            match current.take() {
                Some((op, value)) if !property.is_empty() => {
                    out.push(Condition {
                        property: std::mem::take(property),
                        op,
                        value,
                    });
                    Ok(())
                }
                _ => Err(QueryError(format!("The filter {filter:?} is not valid."))),
            }
        };
    for token in tokenize(filter)? {
        match token {
            Token::Char(c) => match current.as_mut() {
                Some((_, value)) => value.push(c),
                None if c == '(' || c == ')' => {
                    return Err(QueryError(
                        "Parentheses in filters are not supported by the simulator.".into(),
                    ));
                }
                None => property.push(c),
            },
            Token::Op(name) => {
                let op = match name.as_str() {
                    "eq" => Op::Eq,
                    "ne" => Op::Ne,
                    "gt" => Op::Gt,
                    "gte" => Op::Gte,
                    "lt" => Op::Lt,
                    "lte" => Op::Lte,
                    "like" => Op::Like,
                    "in" => Op::In,
                    "nin" => Op::NotIn,
                    "and" => {
                        finish(&mut property, &mut current, &mut conditions)?;
                        continue;
                    }
                    other => {
                        return Err(QueryError(format!(
                            "The filter operator ${other}: is not supported by the simulator."
                        )));
                    }
                };
                if current.is_some() {
                    return Err(QueryError(format!("The filter {filter:?} is not valid.")));
                }
                current = Some((op, String::new()));
            }
        }
    }
    finish(&mut property, &mut current, &mut conditions)?;
    Ok(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row(i64, &'static str);
    impl Queryable for Row {
        fn field(&self, name: &str) -> Option<FieldValue> {
            match name {
                "number" => Some(FieldValue::Int(self.0)),
                "lastUpdated" => parse_time(self.1).map(FieldValue::Time),
                _ => None,
            }
        }
    }

    #[test]
    fn filters_ranges_and_sorts() {
        let rows = [
            Row(1, "2024-01-01T10:00:00Z"),
            Row(2, "2024-01-02T10:00:00Z"),
            Row(3, "2024-01-03T10:00:00Z"),
        ];
        let q = ListQuery::parse(
            None,
            None,
            Some("lastUpdated$gte:2024-01-02$and:lastUpdated$lt:2024-01-03T10:00:00Z"),
            None,
        )
        .expect("valid");
        let kept: Vec<i64> = q
            .apply(rows.iter())
            .expect("ok")
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(kept, vec![2]);
        let q = ListQuery::parse(
            None,
            Some("5000"),
            Some("lastUpdated$gt:2024-01-01T10:00:00Z"),
            Some("-number"),
        )
        .expect("valid");
        assert_eq!(q.page_size, MAX_PAGE_SIZE);
        let kept: Vec<i64> = q
            .apply(rows.iter())
            .expect("ok")
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(kept, vec![3, 2]);
        let q = ListQuery::parse(None, None, Some("name$eq:x"), None).expect("parses");
        assert!(q.apply(rows.iter()).is_err());
        assert!(ListQuery::parse(None, None, Some("a$or:b"), None).is_err());
    }

    #[test]
    fn in_lists_take_numbers() {
        let rows = [
            Row(1, "2024-01-01T10:00:00Z"),
            Row(2, "2024-01-02T10:00:00Z"),
            Row(3, "2024-01-03T10:00:00Z"),
        ];
        let kept = |filter: &str| -> Result<Vec<i64>, QueryError> {
            let q = ListQuery::parse(None, None, Some(filter), None)?;
            Ok(q.apply(rows.iter())?.iter().map(|r| r.0).collect())
        };
        assert_eq!(kept("number$in:[3,1]"), Ok(vec![1, 3]));
        assert_eq!(kept("number$nin:[3,1]"), Ok(vec![2]));
        let too_many = (0..201)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(kept(&format!("number$in:[{too_many}]")).is_err());
        assert!(kept("lastUpdated$in:[1]").is_err());
        assert!(kept("number$in:[x]").is_err());
    }
}
