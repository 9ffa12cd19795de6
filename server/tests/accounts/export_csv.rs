//! The event export is safe in a spreadsheet whichever separator it is split on: read as
//! comma-separated (RFC 4180) and as Danish Excel reads a double-clicked `.csv` (split on `;`),
//! no cell starts a formula.

use backend::events::{self, EventStatus, NewEvent};
use backend::{Timestamp, db_test};
use economic::{Entity, ProductNumber, RecordNumber, WebhookAction};
use reqwest::StatusCode;

use crate::helpers::{owner, spawn_app};

/// What starts a formula in a spreadsheet cell.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The records of `text` split on `separator`, RFC 4180 style, leniently as spreadsheets do: a
/// quote opens a quoted field only at the start of a field; inside one, `""` is a quote and a
/// lone quote ends the quoting (what follows is kept as it is).
fn parse(text: &str, separator: char) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut at_start) = (false, true);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_start => {
                quoted = true;
                at_start = false;
            }
            c if c == separator => {
                record.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_start = true;
            }
            c => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

fn formulas(records: &[Vec<String>]) -> Vec<String> {
    records
        .iter()
        .flatten()
        .filter(|cell| cell.trim_start_matches(' ').starts_with(FORMULA_START))
        .cloned()
        .collect()
}

db_test!(
    no_cell_starts_a_formula_split_on_commas_or_semicolons,
    |db| async move {
        // Arrange: a product number made in e-conomic, and a body a stranger sent.
        let app = spawn_app(&db).await;
        let acme = owner(&db, "acme").await;
        for (number, body) in [
            ("x538;=1+2", "x538;=1+2&x538;=1+2"),
            ("p1", "p1&p1;@SUM(A1)\n=HYPERLINK(\"x\");-2+3"),
            ("=2+5", "=2+5&=2+5;+1"),
        ] {
            let n = RecordNumber::Product(ProductNumber::parse(number).expect("number"));
            let event = NewEvent {
                kind: Entity::Products,
                status: EventStatus::Received,
                action: Some(WebhookAction::Updated(n)),
                content_type: Some("text/plain;=3+4".into()),
                raw_query: Some("a=1;=5+6".into()),
                raw_body: body.as_bytes().to_vec(),
                reason: None,
                received_at: Timestamp::now(),
            };
            events::ingest(&db, acme.tenant_id, &event)
                .await
                .expect("ingest");
        }
        let browser = app.browser();
        browser.log_in(acme.email.as_str(), &acme.password).await;

        // Act
        let response = browser.get("/events/export.csv").await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
        let csv = response.text().await.expect("CSV");
        let by_comma = parse(&csv, ',');
        assert_eq!(by_comma.len(), 4, "a header and three events: {by_comma:?}");
        assert!(
            by_comma.iter().all(|r| r.len() == 16),
            "16 columns each: {by_comma:?}"
        );
        assert_eq!(by_comma[3][5], "x538;'=1+2", "the number, defused");
        assert_eq!(formulas(&by_comma), Vec::<String>::new(), "split on ','");
        let by_semicolon = parse(&csv, ';');
        assert!(
            by_semicolon.len() > 4,
            "the ';' reading splits: {by_semicolon:?}"
        );
        assert_eq!(
            formulas(&by_semicolon),
            Vec::<String>::new(),
            "split on ';'"
        );
    }
);
