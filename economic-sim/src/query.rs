//! Collection query parameters as e-conomic reads them: `skippages`, `pagesize` (default 20,
//! max 1000; above it 400, as live probes show), `filter` (comparisons joined by `$and:` and
//! `$or:`, grouped by parentheses, `$null:` as a value, `$`-escapes) and `sort` (`-`/`~`
//! prefixes). Filtering and sorting work on typed records so only the requested page is
//! rendered.

use std::cmp::Ordering;
use time::OffsetDateTime;

/// Default page size.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest page size; larger requests are refused with 400 (live probes: `pagesize=1001`).
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
    /// No value: the property is absent (matched by `$eq:$null:`).
    Null,
}

/// A record that can be filtered and sorted by property name.
pub trait Queryable {
    /// The properties [`Queryable::field`] supports (named in a refused filter's answer).
    const FIELDS: &'static [&'static str];

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

/// A comparison's right side: text, or `$null:`.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Null,
}

#[derive(Debug, Clone)]
struct Condition {
    property: String,
    op: Op,
    value: Value,
}

/// A filter: comparisons joined by `$and:` (binding tighter) and `$or:`, grouped by parentheses.
#[derive(Debug, Clone)]
enum Expr {
    Condition(Condition),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
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
    filter: Option<Expr>,
    sort: Vec<(String, bool)>,
}

/// Why a query is rejected (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// What is wrong, in e-conomic's words.
    pub message: String,
    /// The filter names a property that cannot be filtered on (e-conomic then lists the
    /// allowed ones).
    pub not_filterable: bool,
}

impl QueryError {
    fn not_filterable(message: String) -> Self {
        Self {
            message,
            not_filterable: true,
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            not_filterable: false,
        }
    }
}

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
            Some(text) => text.parse::<usize>().map_err(|_| {
                QueryError::invalid(format!("{name} must be a non-negative integer."))
            }),
        };
        let skip_pages = number("skippages", skip_pages, 0)?;
        let page_size = number("pagesize", page_size, DEFAULT_PAGE_SIZE)?.max(1);
        if page_size > MAX_PAGE_SIZE {
            return Err(QueryError::invalid(format!(
                "The page size must be at most {MAX_PAGE_SIZE}."
            )));
        }
        let parsed = match filter.filter(|f| !f.is_empty()) {
            Some(f) => Some(parse_filter(f)?),
            None => None,
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
            filter: parsed,
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
            let keep = match &self.filter {
                Some(filter) => evaluate(filter, item)?,
                None => true,
            };
            if keep {
                kept.push(item);
            }
        }
        if let Some((first, _)) = self.sort.first() {
            if let Some(item) = kept.first()
                && item.field(first).is_none()
            {
                return Err(QueryError::invalid(format!(
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

/// Whether `item` passes `expr`; every property named must be filterable, whether or not the
/// evaluation reaches it (e-conomic checks the filter before it runs it).
fn evaluate<T: Queryable>(expr: &Expr, item: &T) -> Result<bool, QueryError> {
    match expr {
        Expr::Condition(c) => {
            let value = item.field(&c.property).ok_or_else(|| {
                QueryError::not_filterable(format!(
                    "Filtering is not allowed on property '{}'.",
                    c.property
                ))
            })?;
            matches(&value, c.op, &c.value)
        }
        Expr::And(a, b) => {
            let (a, b) = (evaluate(a, item)?, evaluate(b, item)?);
            Ok(a && b)
        }
        Expr::Or(a, b) => {
            let (a, b) = (evaluate(a, item)?, evaluate(b, item)?);
            Ok(a || b)
        }
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

fn matches(value: &FieldValue, op: Op, wanted: &Value) -> Result<bool, QueryError> {
    let wanted = match (wanted, value) {
        // `$null:`: "has no value"; only equality asks that.
        (Value::Null, _) => {
            let is_null = *value == FieldValue::Null;
            return match op {
                Op::Eq => Ok(is_null),
                Op::Ne => Ok(!is_null),
                Op::Gt | Op::Gte | Op::Lt | Op::Lte | Op::Like | Op::In | Op::NotIn => Err(
                    QueryError::invalid("$null: can only be compared with $eq: or $ne:."),
                ),
            };
        }
        // No value compares with nothing but $null: ($ne: matches it).
        (Value::Text(_), FieldValue::Null) => return Ok(op == Op::Ne || op == Op::NotIn),
        (Value::Text(text), _) => text.as_str(),
    };
    if matches!(op, Op::In | Op::NotIn) {
        let found = in_list(value, wanted)?;
        return Ok(found == (op == Op::In));
    }
    let bad = || {
        QueryError::invalid(format!(
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
        FieldValue::Null => unreachable!("no value is matched above"),
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
        return Err(QueryError::invalid(
            "The filter operators $in: and $nin: can only be used on numeric properties.",
        ));
    };
    let inner = list
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .ok_or_else(|| QueryError::invalid(format!("The filter list {list:?} is not valid.")))?;
    let items: Vec<&str> = inner.split(',').filter(|s| !s.is_empty()).collect();
    if items.len() > MAX_LIST_VALUES {
        return Err(QueryError::invalid(format!(
            "A filter list can hold at most {MAX_LIST_VALUES} values."
        )));
    }
    for item in items {
        let n = item.trim().parse::<i64>().map_err(|_| {
            QueryError::invalid(format!("The filter value {item:?} is not a number."))
        })?;
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

/// Accepts `2024-01-01T00:00:00Z` (any RFC 3339), the same without an offset (UTC), or a date
/// `2024-01-01` (midnight UTC).
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    if let Some(t) = economic::datetime::parse(text) {
        return Some(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

#[derive(Debug, PartialEq)]
enum Token {
    /// A literal character (plain, or `$`-escaped).
    Char(char),
    /// `$name:` (an operator, `$and:`, `$or:`, `$null:`).
    Op(String),
    /// An unescaped `(`.
    Open,
    /// An unescaped `)`.
    Close,
}

fn tokenize(filter: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            '$' => match chars.peek().copied() {
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
            },
            c => tokens.push(Token::Char(c)),
        }
    }
    tokens
}

fn parse_filter(filter: &str) -> Result<Expr, QueryError> {
    let tokens = tokenize(filter);
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        filter,
    };
    let expr = parser.or()?;
    match parser.at == tokens.len() {
        true => Ok(expr),
        false => Err(parser.invalid()),
    }
}

/// Recursive descent over the tokens: `or := and ($or: and)*`, `and := primary ($and:
/// primary)*`, `primary := ( or ) | property $op: value`.
struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    filter: &'a str,
}

impl Parser<'_> {
    fn invalid(&self) -> QueryError {
        QueryError::invalid(format!("The filter {:?} is not valid.", self.filter))
    }

    fn joiner(&self, name: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Op(op)) if op == name)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.joiner("or") {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.primary()?;
        while self.joiner("and") {
            self.at += 1;
            let right = self.primary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        if self.tokens.get(self.at) == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            if self.tokens.get(self.at) != Some(&Token::Close) {
                return Err(self.invalid());
            }
            self.at += 1;
            return Ok(inner);
        }
        let mut property = String::new();
        while let Some(Token::Char(c)) = self.tokens.get(self.at) {
            property.push(*c);
            self.at += 1;
        }
        let Some(Token::Op(name)) = self.tokens.get(self.at) else {
            return Err(self.invalid());
        };
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
            other => {
                return Err(QueryError::invalid(format!(
                    "The filter operator ${other}: is not supported."
                )));
            }
        };
        self.at += 1;
        if property.is_empty() {
            return Err(self.invalid());
        }
        if self.joiner("null") {
            self.at += 1;
            return Ok(Expr::Condition(Condition {
                property,
                op,
                value: Value::Null,
            }));
        }
        let mut value = String::new();
        while let Some(Token::Char(c)) = self.tokens.get(self.at) {
            value.push(*c);
            self.at += 1;
        }
        Ok(Expr::Condition(Condition {
            property,
            op,
            value: Value::Text(value),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row(i64, &'static str);
    impl Queryable for Row {
        const FIELDS: &'static [&'static str] = &["number", "lastUpdated"];

        fn field(&self, name: &str) -> Option<FieldValue> {
            match name {
                "number" => Some(FieldValue::Int(self.0)),
                "lastUpdated" => {
                    Some(parse_time(self.1).map_or(FieldValue::Null, FieldValue::Time))
                }
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
        assert!(ListQuery::parse(None, Some("1001"), None, None).is_err());
        let q = ListQuery::parse(
            None,
            Some("1000"),
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
        assert!(ListQuery::parse(None, None, Some("(number$eq:1"), None).is_err());
    }

    #[test]
    fn or_parentheses_and_null() {
        let rows = [
            Row(1, "2024-01-01T10:00:00Z"),
            Row(2, "2024-01-02T10:00:00Z"),
            Row(3, "2024-01-03T10:00:00"),
            Row(4, ""),
        ];
        let kept = |filter: &str| -> Result<Vec<i64>, QueryError> {
            let q = ListQuery::parse(None, None, Some(filter), None)?;
            Ok(q.apply(rows.iter())?.iter().map(|r| r.0).collect())
        };
        assert_eq!(kept("number$eq:1$or:number$eq:3"), Ok(vec![1, 3]));
        // $and: binds tighter than $or:, parentheses change that.
        assert_eq!(
            kept("number$eq:1$or:number$gt:1$and:number$lt:3"),
            Ok(vec![1, 2])
        );
        assert_eq!(
            kept("(number$eq:1$or:number$gt:1)$and:number$lt:3"),
            Ok(vec![1, 2])
        );
        assert_eq!(
            kept("number$lt:4$and:(number$eq:1$or:number$eq:3)"),
            Ok(vec![1, 3])
        );
        assert_eq!(kept("lastUpdated$eq:$null:"), Ok(vec![4]));
        assert_eq!(kept("lastUpdated$ne:$null:"), Ok(vec![1, 2, 3]));
        assert_eq!(kept("lastUpdated$gte:2024-01-03T10:00:00"), Ok(vec![3]));
        assert!(kept("number$gt:$null:").is_err());
        assert!(
            kept("number$eq:1$or:nothing$eq:1").is_err(),
            "every property is checked"
        );
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
