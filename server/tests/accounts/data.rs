//! The data pages over HTTP (`/customers`, `/products`, `/invoices` and the product and invoice
//! pages): each company sees its own synced records and nothing of another's, even where the
//! two use the same numbers; search and paging are plain GET links.

use std::collections::HashMap;

use app::error::AppError;
use app::i18n::{Lang, Msg};
use backend::queue::Fenced;
use backend::records::{self, CustomerRecord, ProductRecord, invoices};
use backend::{Db, TenantId, Timestamp, db_test};
use economic::types::{BookedInvoice, Customer, Product};
use economic::{CustomerNumber, ProductNumber};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Browser, TestApp, api_error, owner, spawn_app};

/// A product number with every character that needs encoding in a URL path.
const TRICKY: &str = "A-1/X & Y";
/// It as the page links it.
const TRICKY_PATH: &str = "/products/A-1%2FX%20%26%20Y";

/// Store customers `(number, name)` for `tenant`.
async fn seed_customers(db: &Db, tenant: TenantId, list: &[(i64, &str)]) {
    let fetched: Vec<(Customer, serde_json::Value)> = list
        .iter()
        .map(|(n, name)| {
            let number = CustomerNumber::new(*n).expect("customer number");
            (Customer::new(number, *name), json!({}))
        })
        .collect();
    let mut tx = Fenced::unchecked_for_tests(db.begin(tenant).await.expect("begin"), tenant);
    records::upsert_many::<CustomerRecord>(&mut tx, tenant, &fetched, Timestamp::now())
        .await
        .expect("store customers");
    tx.commit().await.expect("commit");
}

/// Store products `(number, name)` for `tenant`.
async fn seed_products(db: &Db, tenant: TenantId, list: &[(&str, &str)]) {
    let fetched: Vec<(Product, serde_json::Value)> = list
        .iter()
        .map(|(n, name)| {
            let number = ProductNumber::parse(n).expect("product number");
            (Product::new(number, *name), json!({}))
        })
        .collect();
    let mut tx = Fenced::unchecked_for_tests(db.begin(tenant).await.expect("begin"), tenant);
    records::upsert_many::<ProductRecord>(&mut tx, tenant, &fetched, Timestamp::now())
        .await
        .expect("store products");
    tx.commit().await.expect("commit");
}

/// Store booked invoice `number` for customer `customer` (recipient `recipient`), one line per
/// `(product number, quantity)`; products the tenant has move stock.
async fn seed_invoice(
    db: &Db,
    tenant: TenantId,
    number: i64,
    customer: i64,
    recipient: &str,
    lines: &[(&str, f64)],
) {
    let lines: Vec<serde_json::Value> = lines
        .iter()
        .zip(1..)
        .map(|((product, quantity), n)| {
            json!({"lineNumber": n, "product": {"productNumber": product}, "quantity": quantity,
                   "description": format!("{recipient} line {n}"), "unitNetPrice": 10.0,
                   "totalNetAmount": 10.0 * quantity})
        })
        .collect();
    let raw = json!({
        "bookedInvoiceNumber": number, "date": "2026-12-01", "currency": "DKK",
        "customer": {"customerNumber": customer}, "recipient": {"name": recipient},
        "netAmount": 100.0, "grossAmount": 125.0, "lines": lines,
    });
    let invoice: BookedInvoice = serde_json::from_value(raw.clone()).expect("invoice JSON");
    let numbers: Vec<ProductNumber> = invoice
        .lines
        .iter()
        .filter_map(|l| ProductNumber::parse(&l.product.as_ref()?.product_number).ok())
        .collect();
    let mut tx = Fenced::unchecked_for_tests(db.begin(tenant).await.expect("begin"), tenant);
    let ids: HashMap<String, i64> = records::ids::<ProductRecord>(&mut tx, tenant, &numbers)
        .await
        .expect("product ids");
    invoices::store(
        &mut tx,
        tenant,
        &invoice,
        &raw,
        &ids,
        true,
        Timestamp::now(),
    )
    .await
    .expect("store invoice");
    tx.commit().await.expect("commit");
}

/// Companies alphaco and bravoco with records; bravoco's all say "Bravo", and it reuses
/// alphaco's customer number 1 and product number A-2. Returns a browser logged in as
/// alphaco's owner.
async fn two_companies(app: &TestApp) -> Browser {
    let db = &app.db;
    let alpha = owner(db, "alphaco").await;
    let bravo = owner(db, "bravoco").await;
    let a = alpha.tenant_id;
    seed_customers(
        db,
        a,
        &[(1, "Alpha One"), (2, "Alpha Two"), (3, "Alpha Gone")],
    )
    .await;
    let mut tx = Fenced::unchecked_for_tests(db.begin(a).await.expect("begin"), a);
    let three = CustomerNumber::new(3).expect("customer number");
    records::soft_delete::<CustomerRecord>(&mut tx, a, &three, Timestamp::now())
        .await
        .expect("delete customer 3");
    tx.commit().await.expect("commit");
    seed_products(db, a, &[(TRICKY, "Alpha Widget"), ("A-2", "Alpha Gadget")]).await;
    seed_invoice(
        db,
        a,
        20001,
        1,
        "Alpha One",
        &[(TRICKY, 2.0), ("NOPE-9", 1.0)],
    )
    .await;
    seed_invoice(db, a, 20003, 2, "Alpha Two", &[("A-2", 1.0)]).await;

    let b = bravo.tenant_id;
    seed_customers(db, b, &[(1, "Bravo Customer")]).await;
    seed_products(db, b, &[("B-1", "Bravo Thing"), ("A-2", "Bravo Shadow")]).await;
    seed_invoice(
        db,
        b,
        20002,
        1,
        "Bravo Customer",
        &[("B-1", 5.0), ("A-2", 7.0)],
    )
    .await;

    let browser = app.browser();
    let response = browser.log_in(alpha.email.as_str(), &alpha.password).await;
    assert_eq!(response.status(), StatusCode::OK, "log in as alphaco");
    browser
}

/// GET `path` as a page; asserts 200 and that nothing of bravoco's shows.
async fn own_page(browser: &Browser, path: &str) -> String {
    let (status, html) = browser.page(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {html}");
    assert!(
        !html.to_lowercase().contains("bravo"),
        "{path} shows bravoco's data: {html}"
    );
    html
}

/// The text of the first element marked `data-test="stock"`.
fn stock_shown(html: &str) -> &str {
    let (_, rest) = html
        .split_once(r#"data-test="stock""#)
        .expect("a stock figure on the page");
    let (_, rest) = rest.split_once('>').expect("the end of its tag");
    let (text, _) = rest.split_once('<').expect("the end of its text");
    text
}

db_test!(the_data_pages_show_only_the_own_company, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let alpha = two_companies(&app).await;

    // Act
    let customers = own_page(&alpha, "/customers").await;
    let products = own_page(&alpha, "/products").await;
    let widget = own_page(&alpha, TRICKY_PATH).await;
    let shared = own_page(&alpha, "/products/A-2").await;
    let invoices = own_page(&alpha, "/invoices").await;
    let invoice = own_page(&alpha, "/invoices/20001").await;

    // Assert
    for name in ["Alpha One", "Alpha Two", "Alpha Gone"] {
        assert!(
            customers.contains(name),
            "/customers lists {name}: {customers}"
        );
    }
    assert!(
        customers.contains(Msg::DataDeleted.text(Lang::Da)),
        "deleted pill"
    );
    assert!(products.contains("Alpha Widget") && products.contains("Alpha Gadget"));
    assert!(
        products.contains(TRICKY_PATH),
        "the product link is encoded: {products}"
    );
    assert!(widget.contains("A-1/X &amp; Y"), "{widget}");
    assert!(widget.contains("Alpha Widget"), "{widget}");
    assert!(
        widget.contains("/invoices?q=20001"),
        "movement links its invoice: {widget}"
    );
    assert!(shared.contains("Alpha Gadget"), "{shared}");
    assert!(invoices.contains("/invoices/20001") && invoices.contains("/invoices/20003"));
    assert!(!invoices.contains("20002"), "{invoices}");
    assert!(invoice.contains("Alpha One line 1"), "{invoice}");
    assert!(invoice.contains("NOPE-9"), "{invoice}");
    assert!(
        invoice.contains(Msg::InvoiceUnknownProduct.text(Lang::Da)),
        "an unmatched line is marked: {invoice}"
    );
});

db_test!(the_stock_on_hand_follows_the_invoices, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let alpha = two_companies(&app).await;

    // Act
    let widget = own_page(&alpha, TRICKY_PATH).await;
    let gadget = own_page(&alpha, "/products/A-2").await;
    let json: serde_json::Value = alpha
        .get("/api/product_detail?number=A-2")
        .await
        .json()
        .await
        .expect("product JSON");

    // Assert: two sold of the widget; one of alphaco's gadget (bravoco's seven are bravoco's).
    assert_eq!(stock_shown(&widget), "-2", "{widget}");
    assert_eq!(stock_shown(&gadget), "-1", "{gadget}");
    assert_eq!(json["product"]["stock"], "-1", "{json}");
    assert_eq!(json["movements"][0]["quantity"], "-1", "{json}");
    assert_eq!(json["movements"][0]["invoice_number"], 20003, "{json}");
    assert_eq!(
        json["movements"].as_array().map(Vec::len),
        Some(1),
        "{json}"
    );
});

db_test!(another_company_s_records_are_not_found, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let alpha = two_companies(&app).await;

    for (path, text) in [
        ("/products/B-1", Msg::ProductNotFound),
        ("/products/no%20such", Msg::ProductNotFound),
        ("/invoices/20002", Msg::InvoiceNotFound),
        ("/invoices/not-a-number", Msg::InvoiceNotFound),
        ("/invoices/0", Msg::InvoiceNotFound),
    ] {
        // Act
        let (status, html) = alpha.page(path).await;

        // Assert
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {html}");
        assert!(html.contains(text.text(Lang::Da)), "{path}: {html}");
        assert!(!html.to_lowercase().contains("bravo"), "{path}: {html}");
    }
    for path in [
        "/api/product_detail?number=B-1",
        "/api/invoice_lines?number=20002",
    ] {
        let (status, error) = api_error(alpha.get(path).await).await;
        assert_eq!(
            (status, error),
            (StatusCode::NOT_FOUND, AppError::NotFound),
            "{path}"
        );
    }
});

db_test!(the_search_box_filters_each_list, |db| async move {
    // Arrange
    let app = spawn_app(&db).await;
    let alpha = two_companies(&app).await;

    // Act
    let by_name = own_page(&alpha, "/customers?q=two").await;
    let by_number = own_page(&alpha, "/customers?q=1").await;
    let products = own_page(&alpha, "/products?q=GADGET").await;
    let by_slash = own_page(&alpha, "/products?q=a-1%2Fx").await;
    let invoices = own_page(&alpha, "/invoices?q=20003").await;
    let by_customer = own_page(&alpha, "/invoices?q=alpha+one").await;
    let nothing = own_page(&alpha, "/customers?q=zzz").await;

    // Assert
    assert!(
        by_name.contains("Alpha Two") && !by_name.contains("Alpha One"),
        "{by_name}"
    );
    assert!(by_number.contains("Alpha One") && !by_number.contains("Alpha Two"));
    assert!(products.contains("Alpha Gadget") && !products.contains("Alpha Widget"));
    assert!(by_slash.contains("Alpha Widget") && !by_slash.contains("Alpha Gadget"));
    assert!(
        by_slash.contains(r#"value="a-1/x""#),
        "the box keeps the text: {by_slash}"
    );
    assert!(invoices.contains("/invoices/20003") && !invoices.contains("/invoices/20001"));
    assert!(by_customer.contains("/invoices/20001") && !by_customer.contains("/invoices/20003"));
    assert!(
        nothing.contains(Msg::DataNoMatch.text(Lang::Da)),
        "{nothing}"
    );
});

db_test!(the_next_page_link_continues_the_list, |db| async move {
    // Arrange: 55 customers, a page holds 50.
    let app = spawn_app(&db).await;
    let acme = owner(&db, "acme").await;
    let names: Vec<(i64, String)> = (1..=55).map(|n| (n, format!("Customer {n:03}"))).collect();
    let list: Vec<(i64, &str)> = names.iter().map(|(n, s)| (*n, s.as_str())).collect();
    seed_customers(&db, acme.tenant_id, &list).await;
    let browser = app.browser();
    let response = browser.log_in(acme.email.as_str(), &acme.password).await;
    assert_eq!(response.status(), StatusCode::OK, "log in");

    // Act
    let (_, first) = browser.page("/customers").await;
    let (status, second) = browser.page("/customers?after=50").await;

    // Assert
    assert!(first.contains("Customer 050") && !first.contains("Customer 051"));
    assert!(first.contains(r#"href="/customers?after=50""#), "{first}");
    assert_eq!(status, StatusCode::OK);
    assert!(second.contains("Customer 051") && second.contains("Customer 055"));
    assert!(!second.contains("Customer 050"), "{second}");
    assert!(
        !second.contains(r#"data-test="next-page""#),
        "the last page: {second}"
    );
});
