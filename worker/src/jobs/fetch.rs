//! Reading the records a batch needs from e-conomic, with as few calls as the batch allows:
//! - a few records: one `GET` each (up to [`CONCURRENCY`] at once);
//! - many customers: `customerNumber$in:[…]` lists of 200 ([`Remote::one_of`]; e-conomic takes
//!   `$in` on numeric properties only, so products cannot);
//! - a large backlog (a CSV import): a sweep of `lastUpdated$gte:` the oldest event's arrival
//!   minus a margin, 1000 records a page — when its pages cost fewer calls than the ways above
//!   (the first page's `results` tells). What the sweep misses (a webhook delayed past the
//!   margin, a record that moved between pages) falls back to the ways above, so the margin only
//!   matters for speed, never for correctness.
//!
//! Records are decoded one by one from JSON, so a record of an unexpected shape fails alone.

use std::collections::{HashMap, HashSet};

use backend::Timestamp;
use economic::Filter;
use futures::StreamExt;
use serde_json::Value;

use super::remote::Remote;
use super::{Ctx, Failure, JobError, classify};

/// Single GETs in flight at once.
pub const CONCURRENCY: usize = 8;
/// A sweep reaches this far before the oldest event's arrival: products' `lastUpdated` is cut to
/// the minute, and e-conomic may send a webhook a little after the change.
const SWEEP_MARGIN: time::Duration = time::Duration::minutes(2);

/// A record as fetched: decoded, and its JSON as e-conomic sent it (what
/// [`backend::records::upsert_many`] stores).
pub type Found<R> = (<R as backend::records::Record>::Fetched, Value);

/// What became of one record the batch asked for.
#[derive(Debug, Clone)]
pub enum Fetched<R: Remote> {
    /// e-conomic has it (boxed: a decoded record is large, the other answers small).
    Found(Box<Found<R>>),
    /// e-conomic does not have it (404, or absent from an `$in` list).
    Missing,
    /// It could not be read.
    Failed(Failure),
}

/// The result of [`fetch`].
#[derive(Debug)]
pub struct Fetch<R: Remote> {
    /// Each number asked for.
    pub results: HashMap<R::Number, Fetched<R>>,
    /// Records a sweep brought that nobody asked for (changed too, so they are stored too).
    pub extra: Vec<Found<R>>,
}

impl<R: Remote> Default for Fetch<R> {
    fn default() -> Self {
        Fetch {
            results: HashMap::new(),
            extra: Vec::new(),
        }
    }
}

/// Fetch `numbers`; `oldest` is when the oldest of the events asking arrived. Errors only for a
/// refused grant token.
pub async fn fetch<R: Remote>(
    ctx: &Ctx<'_>,
    numbers: &[R::Number],
    oldest: Timestamp,
) -> Result<Fetch<R>, JobError> {
    let mut fetch = Fetch::default();
    let mut remaining: Vec<R::Number> = numbers.to_vec();
    if numbers.len() >= R::SWEEP_AT {
        sweep(ctx, numbers, oldest, &mut fetch).await?;
        remaining.retain(|n| !fetch.results.contains_key(n));
    }
    if remaining.len() > 1 {
        for chunk in remaining.chunks(R::PER_CALL) {
            let Some(filter) = R::one_of(chunk) else {
                break; // one GET each
            };
            listed(ctx, chunk, &filter, &mut fetch).await?;
        }
        remaining.retain(|n| !fetch.results.contains_key(n));
    }
    let singles = futures::stream::iter(remaining)
        .map(|number| async move {
            let got = R::get_json(ctx.call(), &number).await;
            (number, got)
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    for (number, got) in singles {
        let fetched = match got {
            Ok(raw) => match decode::<R>(raw) {
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
async fn sweep<R: Remote>(
    ctx: &Ctx<'_>,
    numbers: &[R::Number],
    oldest: Timestamp,
    fetch: &mut Fetch<R>,
) -> Result<(), JobError> {
    let wanted: HashSet<&R::Number> = numbers.iter().collect();
    let since = (oldest - SWEEP_MARGIN).to_offset_date_time();
    let filter = Filter::last_updated_since(since);
    let size = economic::client::LIST_PAGE_SIZE;
    // A sweep is worth it while its pages cost fewer calls than fetching the numbers the other
    // ways would: `$in` lists (customers), or one GET each (products).
    let other_ways = numbers.len().div_ceil(R::PER_CALL) as u64;
    let budget = other_ways * u64::from(size);
    let mut found = Vec::new();
    for skip in 0.. {
        let page = ctx
            .call()
            .list_page_json(R::ENTITY, skip, size, Some(&filter), None)
            .await;
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
        match decode::<R>(raw) {
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

/// One list call for `numbers` by `filter`; numbers absent from the answer do not exist.
async fn listed<R: Remote>(
    ctx: &Ctx<'_>,
    numbers: &[R::Number],
    filter: &Filter,
    fetch: &mut Fetch<R>,
) -> Result<(), JobError> {
    let size = economic::client::LIST_PAGE_SIZE;
    let page = ctx
        .call()
        .list_page_json(R::ENTITY, 0, size, Some(filter), None)
        .await;
    let page = match page {
        Ok(page) => page.collection,
        Err(e) => {
            let failure = classify(e)?.unwrap_or(Failure::Permanent(format!(
                "e-conomic answered 404 to a {} list",
                R::NOUN
            )));
            for n in numbers {
                fetch
                    .results
                    .insert(n.clone(), Fetched::Failed(failure.clone()));
            }
            return Ok(());
        }
    };
    for raw in page {
        match decode::<R>(raw) {
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
            Err((None, error)) => {
                tracing::warn!(error, "skipping a {} we could not read", R::NOUN);
            }
        }
    }
    for n in numbers {
        fetch.results.entry(n.clone()).or_insert(Fetched::Missing);
    }
    Ok(())
}

/// A record e-conomic sent that we cannot read: its number if that can be read, and the error.
pub(super) type Undecodable<N> = (Option<N>, String);

/// A record read: its number, and the record with e-conomic's JSON.
pub(super) type Decoded<R> = (<R as backend::records::Record>::Number, Found<R>);

/// Decode one record; on failure, its number if it can be read, and the error.
pub(super) fn decode<R: Remote>(raw: Value) -> Result<Decoded<R>, Undecodable<R::Number>> {
    match serde_json::from_value::<R::Fetched>(raw.clone()) {
        Ok(record) => Ok((R::number(&record), (record, raw))),
        Err(e) => Err((
            R::number_in_json(&raw),
            format!("e-conomic sent a {} we cannot read: {e}", R::NOUN),
        )),
    }
}

#[cfg(test)]
mod tests {
    use backend::records::{CustomerRecord, ProductRecord};
    use economic::{CustomerNumber, ProductNumber};

    use super::*;

    #[test]
    fn a_record_of_an_unexpected_shape_fails_alone_and_keeps_its_number() {
        let raw = serde_json::json!({ "productNumber": "P-1", "name": 42, "barred": "no" });
        let Err((number, error)) = decode::<ProductRecord>(raw) else {
            panic!("a name that is a number cannot be read");
        };
        assert_eq!(number, ProductNumber::parse("P-1").ok());
        assert!(error.contains("cannot read"), "{error}");

        let raw = serde_json::json!({ "customerNumber": "x" });
        let Err((number, _)) = decode::<CustomerRecord>(raw) else {
            panic!("a customer number must be a number");
        };
        assert_eq!(number, None);
    }

    #[test]
    fn a_record_as_e_conomic_sends_it_decodes() {
        let raw = serde_json::json!({ "customerNumber": 7, "name": "Kunde", "currency": "DKK" });
        let decoded = decode::<CustomerRecord>(raw.clone());
        let Ok((number, (_, json))) = decoded else {
            panic!("decodes");
        };
        assert_eq!(number, CustomerNumber::new(7).expect("n"));
        assert_eq!(json, raw);
    }
}
