//! Booked-invoice events: fetch the invoice with its lines, store it once and move stock once
//! per product line ([`backend::records::invoices::store`]), whatever duplicates arrive. A line's
//! product that we do not have is fetched first (and stored if e-conomic has it); one that
//! e-conomic does not have either is stored as unmatched, visibly, and moves no stock.

use std::collections::HashMap;

use backend::Timestamp;
use backend::events::{EventId, Outcome};
use backend::queue::{self, Attempt, Done, Job};
use backend::records::invoices::{self, InvoiceChange};
use backend::records::products;
use economic::types::{BookedInvoice, Product};
use economic::{InvoiceNumber, ProductNumber, WebhookAction};

use super::{Ctx, Failure, JobError, classify};

/// Apply a batch of invoice events, one invoice (and one transaction) at a time.
pub async fn run(ctx: &Ctx<'_>, jobs: &[Job]) -> Result<(), JobError> {
    let mut order: Vec<InvoiceNumber> = Vec::new();
    let mut groups: HashMap<InvoiceNumber, Vec<&Job>> = HashMap::new();
    let mut unreadable = Vec::new();
    for job in jobs {
        match &job.action {
            Some(WebhookAction::InvoiceBooked(n)) => {
                groups
                    .entry(*n)
                    .or_insert_with(|| {
                        order.push(*n);
                        Vec::new()
                    })
                    .push(job);
            }
            _ => unreadable.push((
                job.id,
                Done::Dead {
                    error: "the stored event is not an invoice booking".to_owned(),
                },
            )),
        }
    }
    if !unreadable.is_empty() {
        ctx.finish(&unreadable).await?;
    }
    for number in order {
        let group = &groups[&number];
        apply(ctx, number, group).await?;
    }
    Ok(())
}

async fn apply(ctx: &Ctx<'_>, number: InvoiceNumber, group: &[&Job]) -> Result<(), JobError> {
    let (db, tenant) = (&ctx.env.db, ctx.lease.tenant_id);
    let Some((lead, folded)) = group.split_last() else {
        return Ok(());
    };
    let fold = |outcome: Outcome| -> Vec<(EventId, Done)> {
        let mut done = vec![(lead.id, Done::Processed(outcome))];
        done.extend(
            folded
                .iter()
                .map(|j| (j.id, Done::Coalesced { into: lead.id })),
        );
        done
    };
    // A duplicate of a stored invoice costs no call: booked invoices never change.
    if invoices::exists(db, tenant, number).await? {
        let change = InvoiceChange::AlreadyStored;
        return Ok(ctx.finish(&fold(Outcome::Invoice { change })).await?);
    }
    let synced_at = Timestamp::now();
    let fetched = match fetch_invoice(ctx, number).await? {
        Ok(fetched) => fetched,
        Err(failure) => {
            let done: Vec<_> = group
                .iter()
                .map(|j| (j.id, ctx.retry_or_dead(j, &failure)))
                .collect();
            return Ok(ctx.finish(&done).await?);
        }
    };
    let (invoice, raw, missing) = fetched;
    let mut tx = db.begin().await?;
    queue::fence(&mut tx, ctx.lease, Timestamp::now(), ctx.env.lease()).await?;
    for (product, raw) in &missing {
        products::insert_if_missing(&mut tx, tenant, product, raw, synced_at).await?;
    }
    let numbers: Vec<&str> = invoice
        .lines
        .iter()
        .filter_map(|l| l.product.as_ref().map(|p| p.product_number.as_str()))
        .collect();
    let ids = products::ids(&mut tx, tenant, &numbers).await?;
    let change = invoices::store(&mut tx, tenant, &invoice, &raw, &ids, synced_at).await?;
    let attempt = Attempt {
        worker: ctx.worker,
        started_at: ctx.started_at,
        finished_at: Timestamp::now(),
        api_calls: ctx.calls(),
    };
    queue::finish(
        &mut tx,
        ctx.lease,
        &attempt,
        &fold(Outcome::Invoice { change }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

type FetchedInvoice = (
    BookedInvoice,
    serde_json::Value,
    Vec<(Product, serde_json::Value)>,
);

/// The invoice, and the products on its lines that we lack and e-conomic has.
async fn fetch_invoice(
    ctx: &Ctx<'_>,
    number: InvoiceNumber,
) -> Result<Result<FetchedInvoice, Failure>, JobError> {
    let raw = match ctx.call().booked_invoice_json(number).await {
        Ok(raw) => raw,
        Err(e) => {
            return Ok(Err(classify(e)?.unwrap_or_else(|| {
                Failure::Permanent(format!("e-conomic has no booked invoice {number}"))
            })));
        }
    };
    let invoice: BookedInvoice = match serde_json::from_value(raw.clone()) {
        Ok(invoice) => invoice,
        Err(e) => {
            return Ok(Err(Failure::Permanent(format!(
                "e-conomic sent a booked invoice we cannot read: {e}"
            ))));
        }
    };
    let mut wanted: Vec<&str> = invoice
        .lines
        .iter()
        .filter_map(|l| l.product.as_ref().map(|p| p.product_number.as_str()))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut tx = ctx.env.db.begin_read().await?;
    let known = products::ids(&mut tx, ctx.lease.tenant_id, &wanted).await?;
    let mut missing = Vec::new();
    for number in wanted.into_iter().filter(|n| !known.contains_key(*n)) {
        // A number e-conomic itself would refuse cannot be fetched: the line stays unmatched.
        let Ok(product_number) = ProductNumber::parse(number) else {
            continue;
        };
        match ctx.call().product_json(&product_number).await {
            Ok(raw) => match serde_json::from_value::<Product>(raw.clone()) {
                Ok(product) => missing.push((product, raw)),
                Err(e) => {
                    return Ok(Err(Failure::Permanent(format!(
                        "e-conomic sent product {number} of this invoice in a shape we cannot read: {e}"
                    ))));
                }
            },
            Err(e) => {
                if let Some(failure) = classify(e)? {
                    return Ok(Err(failure));
                }
                // 404: e-conomic does not have it either; the line is stored unmatched.
            }
        }
    }
    Ok(Ok((invoice, raw, missing)))
}
