//! Booked-invoice events: fetch the invoice with its lines, store it once and move stock once
//! per product line ([`backend::records::invoices::store`]), whatever duplicates arrive. A line's
//! product that we do not have is fetched first (and stored if e-conomic has it); one that
//! e-conomic does not have either is stored as unmatched, visibly, and moves no stock.

use std::collections::HashMap;

use backend::events::{EventId, Outcome};
use backend::queue::{self, Done, Fenced, Job};
use backend::records::invoices::{self, InvoiceChange};
use backend::records::{self, ProductRecord};
use backend::sync::{self, Counts, Run, RunKind};
use backend::{Timestamp, connection, settings};
use economic::types::{BookedInvoice, Product};
use economic::{Entity, Filter, InvoiceNumber, ProductNumber, WebhookAction};

use super::pages::{self, List, ListPage, RunError, save};
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
            Some(
                WebhookAction::Created(_)
                | WebhookAction::Updated(_)
                | WebhookAction::Deleted(_)
                | WebhookAction::Renumbered { .. },
            )
            | None => unreadable.push((
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
    let mut tx = ctx.fenced().await?;
    let change = store(&mut tx, tenant, &fetched, true, synced_at).await?;
    let done = fold(Outcome::Invoice { change });
    queue::finish(&mut tx, &ctx.attempt(), &done).await?;
    tx.commit().await?;
    Ok(())
}

/// Store a fetched invoice: first the products of its lines that we lacked, then the invoice
/// with its lines and (if `moves_stock`) its stock movements.
async fn store(
    tx: &mut Fenced,
    tenant: backend::TenantId,
    (invoice, raw, missing): &FetchedInvoice,
    moves_stock: bool,
    synced_at: Timestamp,
) -> backend::Result<InvoiceChange> {
    for (product, raw) in missing {
        records::insert_if_missing::<ProductRecord>(tx, tenant, product, raw, synced_at).await?;
    }
    let numbers: Vec<ProductNumber> = invoice
        .lines
        .iter()
        .filter_map(|l| ProductNumber::parse(&l.product.as_ref()?.product_number).ok())
        .collect();
    let ids = records::ids::<ProductRecord>(tx, tenant, &numbers).await?;
    invoices::store(tx, tenant, invoice, raw, &ids, moves_stock, synced_at).await
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
    // A number e-conomic itself would refuse cannot be fetched: its line stays unmatched.
    let mut wanted: Vec<ProductNumber> = invoice
        .lines
        .iter()
        .filter_map(|l| ProductNumber::parse(&l.product.as_ref()?.product_number).ok())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut tx = ctx.env.db.begin_read(ctx.lease.tenant_id).await?;
    let known = records::ids::<ProductRecord>(&mut tx, ctx.lease.tenant_id, &wanted).await?;
    let mut missing = Vec::new();
    for number in wanted
        .into_iter()
        .filter(|n| !known.contains_key(n.as_str()))
    {
        match ctx.call().product_json(&number).await {
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

/// The first import's booked invoices (and the reconciliation's, which finds those no webhook
/// brought, moving their stock when they are from after the connection): those dated within the last
/// [`crate::SyncConfig::invoice_import_days`] that we do not have yet, fetched with their lines
/// and stored. Only invoices dated on or after the day the tenant connected move stock; the
/// stock counted when connecting already reflects older ones. Invoices already stored cost no
/// call, so a resumed import only fetches what it had not stored.
pub(super) async fn import(ctx: &Ctx<'_>, run: &Run, allowance: u64) -> Result<(), RunError> {
    let (db, tenant) = (&ctx.env.db, run.tenant_id);
    let start = run
        .window_to
        .unwrap_or(ctx.started_at)
        .to_offset_date_time();
    let days = i64::from(ctx.env.config.sync.invoice_import_days);
    let since = (start - time::Duration::days(days)).date();
    let connected_on = connection::get(db, tenant)
        .await?
        .map(|c| c.connected_at.to_offset_date_time().date().to_string())
        .unwrap_or_default();
    let filter = Filter::since_date("date", since);
    let webhooks_on = settings::get(db, tenant)
        .await?
        .is_enabled(Entity::Invoices);
    let list = List {
        entity: Entity::Invoices,
        filter: Some(&filter),
        sort: None,
        allowance,
    };
    let mut records_done = run.records_done;
    let (mut pages, reading) = pages::reader(ctx, &list, run.pages_done);
    let storing = async {
        while let Some(page) = pages.recv().await {
            let page: ListPage = page?;
            let mut counts = Counts::default();
            let mut repaired: Vec<String> = Vec::new();
            for raw in &page.records {
                let Some(number) = raw
                    .get("bookedInvoiceNumber")
                    .and_then(serde_json::Value::as_i64)
                    .and_then(|n| InvoiceNumber::new(n).ok())
                else {
                    tracing::warn!("skipping a booked invoice without a readable number");
                    continue;
                };
                if invoices::exists(db, tenant, number).await? {
                    continue;
                }
                if u64::from(ctx.calls()) >= allowance {
                    return Err(RunError::Budget);
                }
                let fetched = fetch_invoice(ctx, number)
                    .await?
                    .map_err(RunError::Failed)?;
                let synced_at = Timestamp::now();
                let mut tx = ctx.fenced().await?;
                let moves_stock = fetched.0.date.as_str() >= connected_on.as_str();
                let change = store(&mut tx, tenant, &fetched, moves_stock, synced_at).await?;
                if matches!(change, InvoiceChange::Stored { .. }) {
                    counts.created += 1;
                    repaired.push(number.to_string());
                }
                tx.commit().await?;
            }
            records_done += page.records.len() as u64;
            if run.kind == RunKind::Reconcile && webhooks_on && !repaired.is_empty() {
                let since = run.started_at.unwrap_or(ctx.started_at);
                let unreported =
                    sync::unreported_numbers(db, tenant, Entity::Invoices, &repaired, since)
                        .await?;
                counts.unreported = unreported.len() as u64;
            }
            let mut tx = ctx.fenced().await?;
            save(&mut tx, ctx, run, &page, records_done, counts).await?;
            if page.last {
                sync::complete(&mut tx, run, None, Timestamp::now()).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    };
    let ((), stored) = tokio::join!(reading, storing);
    stored
}
