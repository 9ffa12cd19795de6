//! The e-conomic side of each kind of record the workers sync: how one is fetched by its number,
//! and whether a list can ask for many by number. With [`Record`], all that [`super::records`],
//! [`super::fetch`] and the sync runs need to know of customers and products.

use backend::records::{CustomerRecord, ProductRecord, Record};
use economic::{Agreement, ClientError, Filter, MAX_IN_VALUES};
use serde_json::Value;

/// A record kind as e-conomic's REST API serves it.
pub trait Remote: Record {
    /// Records one call can ask for by number: an `$in` list where e-conomic takes one (on
    /// numeric properties only), else one `GET` each.
    const PER_CALL: usize;
    /// From how many records a batch is worth a sweep of the `lastUpdated` list.
    const SWEEP_AT: usize;
    /// What e-conomic calls one of them, in errors.
    const NOUN: &'static str;

    /// `GET` one record, as JSON.
    fn get_json<'a>(
        api: &'a Agreement<'_>,
        number: &'a Self::Number,
    ) -> impl Future<Output = Result<Value, ClientError>> + Send + 'a;

    /// The list filter that asks for these records by number; `None` where there is none.
    fn one_of(numbers: &[Self::Number]) -> Option<Filter>;
}

impl Remote for CustomerRecord {
    const PER_CALL: usize = MAX_IN_VALUES;
    const SWEEP_AT: usize = 5 * MAX_IN_VALUES;
    const NOUN: &'static str = "customer";

    fn get_json<'a>(
        api: &'a Agreement<'_>,
        number: &'a Self::Number,
    ) -> impl Future<Output = Result<Value, ClientError>> + Send + 'a {
        api.customer_json(*number)
    }

    fn one_of(numbers: &[Self::Number]) -> Option<Filter> {
        let raw: Vec<i64> = numbers.iter().map(|n| n.get()).collect();
        Some(Filter::one_of(Self::NUMBER_FIELD, &raw))
    }
}

impl Remote for ProductRecord {
    const PER_CALL: usize = 1;
    const SWEEP_AT: usize = 20;
    const NOUN: &'static str = "product";

    fn get_json<'a>(
        api: &'a Agreement<'_>,
        number: &'a Self::Number,
    ) -> impl Future<Output = Result<Value, ClientError>> + Send + 'a {
        api.product_json(number)
    }

    // Product numbers are text: e-conomic takes `$in` on numeric properties only.
    fn one_of(_: &[Self::Number]) -> Option<Filter> {
        None
    }
}
