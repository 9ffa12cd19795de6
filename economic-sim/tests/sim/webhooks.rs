//! Webhook emission as a receiver sees it, for every action and template form; each request is
//! also run through the `economic` parser to prove the two agree.

use crate::helpers::{Receiver, customer, customer_number, product, product_number, spawn_sim};
use economic::CONTENT_TYPE;
use economic::webhook;
use economic::{Entity, RecordNumber, WebhookAction};
use economic_sim::WebhookConfig;
use std::time::Duration;

fn parsed(kind: Entity, r: &crate::helpers::Received) -> WebhookAction {
    webhook::parse(
        kind,
        r.query.as_deref(),
        r.content_type.as_deref(),
        r.body.as_bytes(),
    )
    .expect("parses")
}

fn c(n: i64) -> RecordNumber {
    RecordNumber::Customer(customer_number(n))
}

#[tokio::test]
async fn rackbeat_raw_template_for_every_customer_action() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    let agreement = sim.agreement();
    agreement.add_webhook(WebhookConfig::rackbeat(
        Entity::Customers,
        receiver.url("/hooks/customers"),
    ));
    // One at a time so the order of arrival is the order of changes.
    sim.set_knobs(economic_sim::Knobs {
        webhook_concurrency: 1,
        ..Default::default()
    });

    agreement
        .create_customer(customer(1001, "Ny kunde"))
        .expect("create");
    agreement
        .update_customer(customer(1001, "Nyt navn"))
        .expect("update");
    agreement
        .renumber_customer(customer_number(1001), customer_number(1002))
        .expect("renumber");
    agreement
        .delete_customer(customer_number(1002))
        .expect("delete");
    let got = receiver.wait_for(4).await;

    let bodies: Vec<&str> = got.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(bodies, ["&1001", "1001&1001", "1001&1002", "1002&"]);
    assert!(got.iter().all(|r| r.content_type.as_deref() == Some(CONTENT_TYPE) && r.uri == "/hooks/customers"));
    let kind = Entity::Customers;
    assert_eq!(parsed(kind, &got[0]), WebhookAction::Created(c(1001)));
    assert_eq!(parsed(kind, &got[1]), WebhookAction::Updated(c(1001)));
    assert_eq!(
        parsed(kind, &got[2]),
        WebhookAction::Renumbered {
            old: c(1001),
            new: c(1002)
        }
    );
    assert_eq!(parsed(kind, &got[3]), WebhookAction::Deleted(c(1002)));
}

#[tokio::test]
async fn keyed_template_and_merge_fields_in_the_url() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    let agreement = sim.agreement();
    agreement.add_webhook(WebhookConfig {
        post_data: "old=[OLDNUMBER]&new=[NEWNUMBER]".into(),
        ..WebhookConfig::rackbeat(Entity::Products, receiver.url("/keyed"))
    });
    agreement.add_webhook(WebhookConfig {
        post_data: String::new(),
        ..WebhookConfig::rackbeat(
            Entity::Products,
            receiver.url("/magento/code/abc?old=[OLDNUMBER]&new=[NEWNUMBER]&number=[NUMBER]"),
        )
    });

    agreement
        .create_product(product("P-1", "Skrue"))
        .expect("create");
    agreement
        .renumber_product(&product_number("P-1"), product_number("P-2"))
        .expect("renumber");
    let got = receiver.wait_for(4).await;

    let keyed: Vec<_> = got.iter().filter(|r| r.uri == "/keyed").collect();
    let mut bodies: Vec<&str> = keyed.iter().map(|r| r.body.as_str()).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, ["old=&new=P-1", "old=P-1&new=P-2"]);
    let in_url: Vec<_> = got
        .iter()
        .filter(|r| r.uri.starts_with("/magento"))
        .collect();
    let mut queries: Vec<&str> = in_url.iter().filter_map(|r| r.query.as_deref()).collect();
    queries.sort_unstable();
    // [NUMBER] is not a merge field of "Product updated": it stays literal (Magento checks this).
    assert_eq!(
        queries,
        [
            "old=&new=P-1&number=[NUMBER]",
            "old=P-1&new=P-2&number=[NUMBER]"
        ]
    );
    let p = |n: &str| RecordNumber::Product(product_number(n));
    for r in keyed.iter().chain(in_url.iter()) {
        let action = parsed(Entity::Products, r);
        assert!(
            action == WebhookAction::Created(p("P-1"))
                || action
                    == WebhookAction::Renumbered {
                        old: p("P-1"),
                        new: p("P-2")
                    },
            "{action:?}"
        );
    }
}

#[tokio::test]
async fn invoice_booked_sends_the_invoice_number() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|c| {
        c.customers = 2;
        c.products = 3;
    })
    .await;
    let agreement = sim.agreement();
    agreement.add_webhook(WebhookConfig::rackbeat(
        Entity::Invoices,
        receiver.url("/invoices"),
    ));
    agreement.add_webhook(WebhookConfig {
        post_data: "number=[INVOICENO]&stale=[OLDNUMBER]".into(),
        ..WebhookConfig::rackbeat(Entity::Invoices, receiver.url("/keyed-invoices"))
    });

    let n = agreement
        .book_invoice(customer_number(1), &[(product_number("1001"), 2.0)])
        .expect("booked");
    let got = receiver.wait_for(2).await;

    let raw = got.iter().find(|r| r.uri == "/invoices").expect("raw");
    assert_eq!(raw.body, n.to_string());
    let keyed = got
        .iter()
        .find(|r| r.uri == "/keyed-invoices")
        .expect("keyed");
    assert_eq!(keyed.body, format!("number={n}&stale=[OLDNUMBER]"));
    for r in [raw, keyed] {
        assert_eq!(parsed(Entity::Invoices, r), WebhookAction::InvoiceBooked(n));
    }
    let invoice = agreement.invoice(n).expect("stored");
    assert_eq!(invoice.lines.len(), 1);
}

#[tokio::test]
async fn rest_writes_fire_webhooks_too() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Products,
        receiver.url("/p"),
    ));
    let http = reqwest::Client::new();
    let send = |method: reqwest::Method, path: &str| {
        http.request(method, format!("{}{path}", sim.base_url()))
            .header("X-AppSecretToken", crate::helpers::APP)
            .header("X-AgreementGrantToken", crate::helpers::GRANT)
    };

    let created = send(reqwest::Method::POST, "/products")
        .json(&product("A B_1", "Lampe"))
        .send()
        .await
        .expect("post");
    let renamed = send(reqwest::Method::PUT, "/products/A_9_B_8_1")
        .json(&product("A B_1", "Lampe 2"))
        .send()
        .await
        .expect("put");
    let deleted = send(reqwest::Method::DELETE, "/products/A_9_B_8_1")
        .send()
        .await
        .expect("delete");
    let got = receiver.wait_for(3).await;

    assert_eq!(created.status().as_u16(), 201);
    assert!(created.headers().get("location").is_some());
    assert_eq!(renamed.status().as_u16(), 200);
    assert_eq!(deleted.status().as_u16(), 204);
    let mut bodies: Vec<String> = got.iter().map(|r| r.body.clone()).collect();
    bodies.sort();
    assert_eq!(bodies, ["&A B_1", "A B_1&", "A B_1&A B_1"]);
}

#[tokio::test]
async fn bulk_import_fires_one_webhook_per_product() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    sim.agreement().add_webhook(WebhookConfig::rackbeat(
        Entity::Products,
        receiver.url("/bulk"),
    ));

    let numbers = sim.agreement().bulk_import_products(500).expect("imported");
    assert!(sim.wait_webhooks_idle(Duration::from_secs(10)).await);

    assert_eq!(numbers.len(), 500);
    let got = receiver.received();
    assert_eq!(got.len(), 500);
    assert!(got.iter().all(|r| r.body.starts_with("&BULK-")));
    assert_eq!(sim.webhook_stats().delivered, 500);
}

#[tokio::test]
async fn disabled_and_other_kinds_send_nothing() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    let agreement = sim.agreement();
    agreement.add_webhook(WebhookConfig {
        is_disabled: true,
        ..WebhookConfig::rackbeat(Entity::Customers, receiver.url("/off"))
    });
    agreement.add_webhook(WebhookConfig::rackbeat(
        Entity::Products,
        receiver.url("/products"),
    ));

    agreement
        .create_customer(customer(5, "Ingen webhook"))
        .expect("create");
    assert!(sim.wait_webhooks_idle(Duration::from_secs(5)).await);

    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn custom_headers_are_sent() {
    let receiver = Receiver::start().await;
    let sim = spawn_sim(|_| {}).await;
    sim.agreement().add_webhook(WebhookConfig {
        custom_headers: vec![("X-Webhook-Secret".into(), "s3cret".into())],
        content_type: "application/json".into(),
        post_data: r#"{"old":"[OLDNUMBER]","new":"[NEWNUMBER]"}"#.into(),
        ..WebhookConfig::rackbeat(Entity::Customers, receiver.url("/json"))
    });

    sim.agreement()
        .create_customer(customer(9, "Med header"))
        .expect("create");
    let got = receiver.wait_for(1).await;

    assert_eq!(got[0].secret.as_deref(), Some("s3cret"));
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(got[0].body, r#"{"old":"","new":"9"}"#);
    assert_eq!(
        parsed(Entity::Customers, &got[0]),
        WebhookAction::Created(c(9))
    );
}

#[tokio::test]
async fn products_in_use_cannot_be_deleted() {
    let sim = spawn_sim(|c| {
        c.customers = 1;
        c.products = 2;
    })
    .await;
    // The seeded invoices use product 1001.
    let err = sim
        .agreement()
        .delete_product(&product_number("1001"))
        .expect_err("in use");
    assert!(err.to_string().contains("in use"), "{err}");
    sim.agreement()
        .delete_product(&product_number("1002"))
        .expect("unused product deletes");
}
