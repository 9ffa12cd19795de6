//! Tolerant reading of real e-conomic JSON into the `economic` types.

use economic::types::{BookedInvoice, Customer, ErrorBody, Product};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture exists")
}

#[test]
fn real_customer_with_omitted_fields() {
    let c: Customer = serde_json::from_str(&fixture("customer.json")).expect("customer");
    assert_eq!(c.customer_number.get(), 4);
    assert_eq!(c.currency, "INR");
    assert!(c.barred);
    assert_eq!(c.address, None, "omitted empty fields read as None");
    assert_eq!(c.vat_zone.map(|z| z.vat_zone_number), Some(1));
    assert_eq!(
        c.last_updated.map(|t| t.unix_timestamp()),
        Some(1_511_867_597)
    );
}

#[test]
fn real_product_and_false_booleans_either_way() {
    let p: Product = serde_json::from_str(&fixture("product.json")).expect("product");
    assert_eq!(p.product_number.as_str(), "01CF8D2E-A6A6-4");
    assert_eq!(p.unit.and_then(|u| u.name).as_deref(), Some("pcs."));
    let omitted: Product =
        serde_json::from_str(r#"{"productNumber":"x","name":"n"}"#).expect("minimal");
    let explicit: Product =
        serde_json::from_str(r#"{"productNumber":"x","name":"n","barred":false}"#)
            .expect("explicit");
    assert!(!omitted.barred && !explicit.barred);
    assert_eq!(omitted.cost_price, None);
}

#[test]
fn booked_invoice_with_lines_and_either_pdf_link() {
    let i: BookedInvoice = serde_json::from_str(&fixture("booked_invoice.json")).expect("invoice");
    assert_eq!(i.lines.len(), 1);
    assert_eq!(
        i.lines[0]
            .product
            .as_ref()
            .map(|p| p.product_number.as_str()),
        Some("1")
    );
    assert_eq!(
        i.pdf.as_ref().and_then(|p| p.url()),
        Some("https://restapi.e-conomic.com/invoices/booked/1077/pdf")
    );
    let old_docs = r#"{"bookedInvoiceNumber":2,"customer":{"customerNumber":1},"pdf":{"self":"https://x/pdf"}}"#;
    let old: BookedInvoice = serde_json::from_str(old_docs).expect("2019 shape");
    assert_eq!(
        old.pdf.as_ref().and_then(|p| p.url()),
        Some("https://x/pdf")
    );
}

#[test]
fn error_body() {
    let e: ErrorBody = serde_json::from_str(&fixture("404.json")).expect("error body");
    assert_eq!(e.http_status_code, 404);
    assert_eq!(e.log_id.as_deref(), Some("8d79f54f226ebe44-CPH"));
    assert_eq!(e.errors, None);
}
