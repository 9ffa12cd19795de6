//! Reading the records a batch needs from e-conomic, with as few calls as the batch allows:
//! - a few records: one `GET` each (up to [`CONCURRENCY`] at once);
//! - many customers: `customerNumber$in:[…]` lists of 200 (e-conomic takes `$in` on numeric
//!   properties only, so products cannot);
//! - a large backlog (a CSV import): a sweep of `lastUpdated$gte:` the oldest event's arrival
//!   minus a margin, 1000 records a page — when its pages cost fewer calls than the ways above
//!   (the first page's `results` tells). What the sweep misses (a webhook delayed past the
//!   margin, a record that moved between pages) falls back to the ways above, so the margin only
//!   matters for speed, never for correctness.
//!
//! Records are decoded one by one from JSON, so a record of an unexpected shape fails alone.

use std::collections::{HashMap, HashSet};

use backend::Timestamp;
use economic::types::{Customer, Product};
use economic::{CustomerNumber, Entity, Filter, MAX_IN_VALUES, ProductNumber, RecordNumber};
use futures::StreamExt;
use serde_json::Value;

use super::{Ctx, Failure, JobError, classify};

/// Single GETs in flight at once.
pub const CONCURRENCY: usize = 8;
/// A sweep reaches this far before the oldest event's arrival: products' `lastUpdated` is cut to
/// the minute, and e-conomic may send a webhook a little after the change.
const SWEEP_MARGIN: time::Duration = time::Duration::minutes(2);

/// How many records make a batch worth a sweep.
fn sweep_at(entity: Entity) -> usize {
    match entity {
        Entity::Customers => 5 * MAX_IN_VALUES,
        Entity::Products | Entity::Invoices => 20,
    }
}

/// A record as fetched: the JSON as e-conomic sent it, and decoded.
#[derive(Debug, Clone)]
pub struct Record {
    /// As sent.
    pub raw: Value,
    /// Decoded.
    pub decoded: Decoded,
}

/// A decoded customer or product.
#[derive(Debug, Clone)]
pub enum Decoded {
    /// A customer.
    Customer(Customer),
    /// A product.
    Product(Product),
}

/// What became of one record the batch asked for.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// e-conomic has it (boxed: a decoded record is large, the other answers small).
    Found(Box<Record>),
    /// e-conomic does not have it (404, or absent from an `$in` list).
    Missing,
    /// It could not be read.
    Failed(Failure),
}

/// The result of [`fetch`].
#[derive(Debug, Default)]
pub struct Fetch {
    /// Each number asked for.
    pub results: HashMap<RecordNumber, Fetched>,
    /// Records a sweep brought that nobody asked for (changed too, so they are stored too).
    pub extra: Vec<Record>,
}

/// Fetch `numbers` of `entity`; `oldest` is when the oldest of the events asking arrived.
/// Errors only for a refused grant token.
pub async fn fetch(
    ctx: &Ctx<'_>,
    entity: Entity,
    numbers: &[RecordNumber],
    oldest: Timestamp,
) -> Result<Fetch, JobError> {
    let mut fetch = Fetch::default();
    let mut remaining: Vec<RecordNumber> = numbers.to_vec();
    if numbers.len() >= sweep_at(entity) {
        sweep(ctx, entity, numbers, oldest, &mut fetch).await?;
        remaining.retain(|n| !fetch.results.contains_key(n));
    }
    let customers: Vec<CustomerNumber> = remaining
        .iter()
        .filter_map(|n| match n {
            RecordNumber::Customer(c) => Some(*c),
            RecordNumber::Product(_) => None,
        })
        .collect();
    if customers.len() > 1 {
        for chunk in customers.chunks(MAX_IN_VALUES) {
            listed(ctx, chunk, &mut fetch).await?;
        }
        remaining.retain(|n| !fetch.results.contains_key(n));
    }
    let singles = futures::stream::iter(remaining)
        .map(|number| async move {
            let got = match &number {
                RecordNumber::Customer(n) => ctx.call().customer_json(*n).await,
                RecordNumber::Product(n) => ctx.call().product_json(n).await,
            };
            (number, got)
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    for (number, got) in singles {
        let fetched = match got {
            Ok(raw) => match decode(entity, raw) {
                Ok((_, record)) => Fetched::Found(Box::new(record)),
                Err((_, error)) => Fetched::Failed(Failure::Permanent(error)),
            },
            Err(e) => match classify(e)? {
                None => Fetched::Missing,
                Some(failure) => Fetched::Failed(failure),
            },
        };
        fetch.results.insert(number, fetched);
    }
    Ok(fetch)
}

/// Read every record changed since `oldest - margin`; those asked for go to `results`, the
/// rest to `extra`. A failed page fails every number asked for (the batch retries later).
async fn sweep(
    ctx: &Ctx<'_>,
    entity: Entity,
    numbers: &[RecordNumber],
    oldest: Timestamp,
    fetch: &mut Fetch,
) -> Result<(), JobError> {
    let wanted: HashSet<&RecordNumber> = numbers.iter().collect();
    let since = (oldest - SWEEP_MARGIN).to_offset_date_time();
    let filter = Filter::last_updated_since(since);
    let size = economic::client::LIST_PAGE_SIZE;
    // A sweep is worth it while its pages cost fewer calls than fetching the numbers the other
    // ways would: one GET each (products), or `$in` lists of 200 (customers).
    let other_ways = match entity {
        Entity::Customers => numbers.len().div_ceil(MAX_IN_VALUES),
        Entity::Products | Entity::Invoices => numbers.len(),
    } as u64;
    let budget = other_ways * u64::from(size);
    let mut found = Vec::new();
    for skip in 0.. {
        let page = match entity {
            Entity::Customers => {
                ctx.call()
                    .customers_page_json(skip, size, Some(&filter))
                    .await
            }
            Entity::Products | Entity::Invoices => {
                ctx.call()
                    .products_page_json(skip, size, Some(&filter))
                    .await
            }
        };
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let Some(failure) = classify(e)? else {
                    return Ok(()); // a 404 on a collection: nothing to sweep
                };
                for n in numbers {
                    fetch
                        .results
                        .insert(n.clone(), Fetched::Failed(failure.clone()));
                }
                return Ok(());
            }
        };
        if skip == 0 && page.pagination.results > budget {
            tracing::debug!(
                results = page.pagination.results,
                wanted = numbers.len(),
                "a sweep would cost more calls than it saves"
            );
            return Ok(());
        }
        let last = page.pagination.next_page.is_none() || page.collection.is_empty();
        found.extend(page.collection);
        if last {
            break;
        }
    }
    for raw in found {
        match decode(entity, raw) {
            Ok((number, record)) if wanted.contains(&number) => {
                fetch
                    .results
                    .insert(number, Fetched::Found(Box::new(record)));
            }
            Ok((_, record)) => fetch.extra.push(record),
            Err((Some(number), error)) if wanted.contains(&number) => {
                fetch
                    .results
                    .insert(number, Fetched::Failed(Failure::Permanent(error)));
            }
            Err((_, error)) => tracing::warn!(error, "skipping a record the sweep could not read"),
        }
    }
    Ok(())
}

/// One `customerNumber$in:[…]` call; numbers absent from the answer do not exist.
async fn listed(
    ctx: &Ctx<'_>,
    numbers: &[CustomerNumber],
    fetch: &mut Fetch,
) -> Result<(), JobError> {
    let raw: Vec<i64> = numbers.iter().map(|n| n.get()).collect();
    let filter = Filter::one_of("customerNumber", &raw);
    let size = economic::client::LIST_PAGE_SIZE;
    let page = match ctx.call().customers_page_json(0, size, Some(&filter)).await {
        Ok(page) => page.collection,
        Err(e) => {
            let failure = classify(e)?.unwrap_or(Failure::Permanent(
                "e-conomic answered 404 to a customer list".to_owned(),
            ));
            for n in numbers {
                fetch
                    .results
                    .insert(RecordNumber::Customer(*n), Fetched::Failed(failure.clone()));
            }
            return Ok(());
        }
    };
    for raw in page {
        match decode(Entity::Customers, raw) {
            Ok((number, record)) => {
                fetch
                    .results
                    .insert(number, Fetched::Found(Box::new(record)));
            }
            Err((Some(number), error)) => {
                fetch
                    .results
                    .insert(number, Fetched::Failed(Failure::Permanent(error)));
            }
            Err((None, error)) => tracing::warn!(error, "skipping a customer we could not read"),
        }
    }
    for n in numbers {
        fetch
            .results
            .entry(RecordNumber::Customer(*n))
            .or_insert(Fetched::Missing);
    }
    Ok(())
}

/// Decode one record; on failure, its number if it can be read, and the error.
pub(super) fn decode(
    entity: Entity,
    raw: Value,
) -> Result<(RecordNumber, Record), (Option<RecordNumber>, String)> {
    match entity {
        Entity::Customers => match serde_json::from_value::<Customer>(raw.clone()) {
            Ok(c) => Ok((
                RecordNumber::Customer(c.customer_number),
                Record {
                    raw,
                    decoded: Decoded::Customer(c),
                },
            )),
            Err(e) => {
                let number = raw
                    .get("customerNumber")
                    .and_then(Value::as_i64)
                    .and_then(|n| CustomerNumber::new(n).ok())
                    .map(RecordNumber::Customer);
                Err((
                    number,
                    format!("e-conomic sent a customer we cannot read: {e}"),
                ))
            }
        },
        Entity::Products | Entity::Invoices => match serde_json::from_value::<Product>(raw.clone())
        {
            Ok(p) => Ok((
                RecordNumber::Product(p.product_number.clone()),
                Record {
                    raw,
                    decoded: Decoded::Product(p),
                },
            )),
            Err(e) => {
                let number = raw
                    .get("productNumber")
                    .and_then(Value::as_str)
                    .and_then(|n| ProductNumber::parse(n).ok())
                    .map(RecordNumber::Product);
                Err((
                    number,
                    format!("e-conomic sent a product we cannot read: {e}"),
                ))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_of_an_unexpected_shape_fails_alone_and_keeps_its_number() {
        let raw = serde_json::json!({ "productNumber": "P-1", "name": 42, "barred": "no" });
        let Err((number, error)) = decode(Entity::Products, raw) else {
            panic!("a name that is a number cannot be read");
        };
        let expected = ProductNumber::parse("P-1").map(RecordNumber::Product).ok();
        assert_eq!(number, expected);
        assert!(error.contains("cannot read"), "{error}");

        let raw = serde_json::json!({ "customerNumber": "x" });
        let Err((number, _)) = decode(Entity::Customers, raw) else {
            panic!("a customer number must be a number");
        };
        assert_eq!(number, None);
    }

    #[test]
    fn a_record_as_e_conomic_sends_it_decodes() {
        let raw = serde_json::json!({ "customerNumber": 7, "name": "Kunde", "currency": "DKK" });
        let decoded = decode(Entity::Customers, raw.clone());
        let Ok((number, record)) = decoded else {
            panic!("decodes");
        };
        assert_eq!(
            number,
            RecordNumber::Customer(CustomerNumber::new(7).expect("n"))
        );
        assert_eq!(record.raw, raw);
    }
}
