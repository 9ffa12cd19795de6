//! Every endpoint the client calls, against the simulator.

use crate::helpers::{GRANT, cn, customer, pn, product, spawn};
use economic::{Filter, FilterOp};
use time::macros::datetime;

#[tokio::test]
async fn self_info() {
    let (_sim, client) = spawn(|_| {}).await;
    let me = client.agreement(GRANT).self_info().await.expect("self");
    assert_eq!(me.agreement_number, 9_000_001);
    assert_eq!(me.company.name, "Demo ApS");
    assert_eq!(client.calls_made(), 1);
}

#[tokio::test]
async fn single_records() {
    let (sim, client) = spawn(|_| {}).await;
    let api = client.agreement(GRANT);

    let c = api.customer(cn(3)).await.expect("customer");
    // Product 7 is `VARE 7_A/B`: needs the `_N_` path encoding.
    let p = api.product(&pn("VARE 7_A/B")).await.expect("product");
    let invoices = api.list_booked_invoices(None).await.expect("invoices");
    let invoice = api
        .booked_invoice(invoices[0].booked_invoice_number)
        .await
        .expect("invoice");

    assert_eq!(c.customer_number, cn(3));
    assert!(c.last_updated.is_some());
    assert_eq!(p.product_number.as_str(), "VARE 7_A/B");
    assert_eq!(
        p.self_link.as_deref(),
        Some(format!("{}/products/VARE_9_7_8_A_6_B", sim.base_url()).as_str())
    );
    assert_eq!(invoices.len(), 3);
    assert!(
        invoices.iter().all(|i| i.lines.is_empty()),
        "collections omit lines"
    );
    assert_eq!(invoice.lines.len(), 1);
    assert!(invoice.pdf.as_ref().and_then(|p| p.url()).is_some());
}

#[tokio::test]
async fn pages_and_lists_follow_next_page() {
    let (sim, client) = spawn(|c| c.customers = 45).await;
    let api = client.agreement(GRANT);

    let first = api.customers_page(0, 20, None).await.expect("page 0");
    let last = api.customers_page(2, 20, None).await.expect("page 2");
    let products = api.products_page(0, 5000, None).await.expect("capped");
    sim.agreement().bulk_import_products(2_100).expect("import");
    let before = client.calls_made();
    let all = api.list_products(None).await.expect("all products");

    assert_eq!(first.collection.len(), 20);
    assert!(first.pagination.next_page.is_some());
    assert_eq!(last.collection.len(), 5);
    assert!(last.pagination.next_page.is_none());
    assert_eq!(products.pagination.page_size, 1000);
    assert_eq!(all.len(), 2_112);
    assert_eq!(client.calls_made() - before, 3, "1000 per page");
    let books = api
        .booked_invoices_page(0, 2, None)
        .await
        .expect("invoices");
    assert_eq!(books.collection.len(), 2);
}

#[tokio::test]
async fn incremental_filter_on_last_updated() {
    let (sim, client) = spawn(|c| c.customers = 0).await;
    let api = client.agreement(GRANT);
    sim.set_clock(Some(datetime!(2026-01-01 08:00:00 UTC)));
    for n in 1..=4 {
        api.create_customer(&customer(n, "Før"))
            .await
            .expect("create");
    }
    sim.set_clock(Some(datetime!(2026-01-01 09:00:30 UTC)));
    api.replace_customer(cn(2), &customer(2, "Efter"))
        .await
        .expect("replace");
    api.create_product(&product("P1", "Vare"))
        .await
        .expect("product");

    let since = Filter::last_updated_since(datetime!(2026-01-01 09:00:00 UTC));
    let changed = api.list_customers(Some(&since)).await.expect("filtered");
    let window = since.clone().and(
        Filter::term("lastUpdated", FilterOp::Lt, "2026-01-01T10:00:00Z").expect("no brackets"),
    );
    let products = api.list_products(Some(&window)).await.expect("products");

    assert_eq!(
        changed
            .iter()
            .map(|c| c.customer_number.get())
            .collect::<Vec<_>>(),
        vec![2]
    );
    assert_eq!(changed[0].name, "Efter");
    let p = products
        .iter()
        .find(|p| p.product_number.as_str() == "P1")
        .expect("P1");
    assert_eq!(
        p.last_updated,
        Some(datetime!(2026-01-01 09:00:00 UTC)),
        "minute precision"
    );
}

#[tokio::test]
async fn writes() {
    let (sim, client) = spawn(|_| {}).await;
    let api = client.agreement(GRANT);

    let created = api
        .create_customer(&customer(500, "Ny"))
        .await
        .expect("create");
    let renumbered = api
        .replace_customer(cn(500), &customer(501, "Ny"))
        .await
        .expect("renumber");
    api.delete_customer(cn(501)).await.expect("delete");
    let p = api
        .create_product(&product("A&B 1", "Special"))
        .await
        .expect("create product");
    let mut changed = product("A&B 1", "Ændret");
    changed.sales_price = Some(12.5);
    let replaced = api
        .replace_product(&pn("A&B 1"), &changed)
        .await
        .expect("replace product");
    api.delete_product(&pn("A&B 1"))
        .await
        .expect("delete product");

    assert_eq!(created.customer_number, cn(500));
    assert_eq!(renumbered.customer_number, cn(501));
    assert!(sim.agreement().customer(cn(501)).is_none());
    assert_eq!(p.product_number, pn("A&B 1"));
    assert_eq!(replaced.sales_price, Some(12.5));
    assert!(sim.agreement().product(&pn("A&B 1")).is_none());
}

#[tokio::test]
async fn auxiliary_collections() {
    let (_sim, client) = spawn(|_| {}).await;
    let api = client.agreement(GRANT);
    assert!(!api.customer_groups().await.expect("groups").is_empty());
    assert!(
        api.product_groups()
            .await
            .expect("groups")
            .iter()
            .any(|g| g.name == "Varer m/moms")
    );
    assert!(
        api.units()
            .await
            .expect("units")
            .iter()
            .any(|u| u.unit_number == 3)
    );
    assert_eq!(api.vat_zones().await.expect("zones").len(), 3);
    assert!(!api.payment_terms().await.expect("terms").is_empty());
}
