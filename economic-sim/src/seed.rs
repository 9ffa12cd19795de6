//! Deterministic start-up data: the auxiliary collections every agreement has, plus generated
//! customers, products and a few booked invoices from a seeded RNG.

use crate::store::AgreementData;
use economic::types::{
    BookedInvoice, Customer, CustomerGroup, CustomerGroupRef, InvoiceCustomer, InvoiceLine,
    InvoiceProduct, PaymentTerms, PaymentTermsRef, Product, ProductGroup, ProductGroupRef,
    Recipient, Unit, UnitRef, VatZone, VatZoneRef,
};
use economic::{CustomerNumber, ProductNumber};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::OffsetDateTime;

const FIRST: [&str; 8] = [
    "Nordisk", "Jensen", "Aarhus", "Fyns", "Hansen", "Sol", "Blå", "Viking",
];
const SECOND: [&str; 6] = ["Handel", "Tømrer", "Bageri", "Import", "Cykler", "Design"];
const CITIES: [(&str, &str); 5] = [
    ("København K", "1050"),
    ("Aarhus C", "8000"),
    ("Odense C", "5000"),
    ("Aalborg", "9000"),
    ("Esbjerg", "6700"),
];
const GOODS: [&str; 8] = [
    "Skrue", "Møtrik", "Kabel", "Lampe", "Stol", "Bord", "Hylde", "Krog",
];

/// Fills the auxiliary collections (groups, units, VAT zones, payment terms).
pub fn auxiliary(data: &mut AgreementData) {
    data.customer_groups = vec![
        CustomerGroup {
            customer_group_number: 1,
            name: "Danske kunder".into(),
            self_link: None,
        },
        CustomerGroup {
            customer_group_number: 2,
            name: "Udenlandske kunder".into(),
            self_link: None,
        },
    ];
    data.product_groups = vec![
        ProductGroup {
            product_group_number: 1,
            name: "Varer m/moms".into(),
            self_link: None,
        },
        ProductGroup {
            product_group_number: 2,
            name: "Varer u/moms".into(),
            self_link: None,
        },
    ];
    data.units = vec![
        Unit {
            unit_number: 1,
            name: "stk.".into(),
            self_link: None,
        },
        Unit {
            unit_number: 3,
            name: "pcs.".into(),
            self_link: None,
        },
    ];
    let zone = |n: i64, name: &str| VatZone {
        vat_zone_number: n,
        name: name.into(),
        enabled_for_customer: true,
        enabled_for_supplier: true,
        self_link: None,
    };
    data.vat_zones = vec![zone(1, "Domestic"), zone(2, "EU"), zone(3, "Abroad")];
    let terms = |n: i64, name: &str, days: i64, kind: &str| PaymentTerms {
        payment_terms_number: n,
        name: name.into(),
        days_of_credit: Some(days),
        payment_terms_type: Some(kind.into()),
        self_link: None,
    };
    data.payment_terms = vec![
        terms(1, "Netto 8 dage", 8, "net"),
        terms(2, "Løbende måned 30 dage", 30, "invoiceMonth"),
    ];
}

/// A customer with the references e-conomic requires filled in.
pub fn customer(number: CustomerNumber, name: &str) -> Customer {
    let mut customer = Customer::new(number, name);
    customer.customer_group = Some(CustomerGroupRef {
        customer_group_number: 1,
        self_link: None,
    });
    customer.payment_terms = Some(PaymentTermsRef {
        payment_terms_number: 1,
        self_link: None,
    });
    customer.vat_zone = Some(VatZoneRef {
        vat_zone_number: 1,
        self_link: None,
    });
    customer
}

/// A product with a product group and unit.
pub fn product(number: ProductNumber, name: &str, price: f64) -> Product {
    let mut product = Product::new(number, name);
    product.product_group = Some(ProductGroupRef {
        product_group_number: 1,
        name: None,
        sales_accounts: None,
        products: None,
        self_link: None,
    });
    product.unit = Some(UnitRef {
        unit_number: 1,
        name: None,
        products: None,
        self_link: None,
    });
    product.sales_price = Some(price);
    product.cost_price = Some((price * 0.6 * 100.0).round() / 100.0);
    product.recommended_price = Some(price);
    product
}

/// Generates `customers` customers, `products` products and a few invoices, deterministically.
pub fn generate(
    data: &mut AgreementData,
    seed: u64,
    customers: usize,
    products: usize,
    now: OffsetDateTime,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    for i in 1..=customers {
        let Ok(number) = CustomerNumber::new(i64::try_from(i).unwrap_or(i64::MAX)) else {
            continue;
        };
        let name = format!("{} {} ApS", pick(&mut rng, &FIRST), pick(&mut rng, &SECOND));
        let mut c = customer(number, &name);
        let (city, zip) = CITIES[rng.gen_range(0..CITIES.len())];
        c.city = Some(city.into());
        c.zip = Some(zip.into());
        c.country = Some("Danmark".into());
        c.email = Some(format!("kunde{i}@example.dk"));
        let _ = data.create_customer(c, now);
    }
    for i in 1..=products {
        // Every tenth number has characters that need e-conomic's `_N_` path encoding.
        let number = if i % 10 == 7 {
            format!("VARE {i}_A/B")
        } else {
            format!("{}", 1000 + i)
        };
        let Ok(number) = ProductNumber::parse(&number) else {
            continue;
        };
        let price = f64::from(rng.gen_range(1_000..100_000_u32)) / 100.0;
        let name = format!("{} {}", pick(&mut rng, &GOODS), i);
        let _ = data.create_product(product(number, &name, price), now);
    }
    let first_customer = data.customers.keys().next().copied();
    let first_product = data.products.values().next().cloned();
    if let (Some(customer_number), Some(product)) = (first_customer, first_product) {
        for _ in 0..3 {
            let quantity = f64::from(rng.gen_range(1..10_u32));
            let invoice = invoice(customer_number, &[(product.clone(), quantity)], now);
            let _ = data.book_invoice(invoice, None);
        }
    }
}

/// An invoice for `customer` with one line per `(product, quantity)`, dated `now`.
pub fn invoice(
    customer: CustomerNumber,
    lines: &[(Product, f64)],
    now: OffsetDateTime,
) -> BookedInvoice {
    let date = now.date().to_string();
    let lines: Vec<InvoiceLine> = lines
        .iter()
        .map(|(product, quantity)| {
            let price = product.sales_price.unwrap_or(0.0);
            let net = (price * quantity * 100.0).round() / 100.0;
            InvoiceLine {
                line_number: 0,
                sort_key: None,
                description: Some(product.name.clone()),
                product: Some(InvoiceProduct {
                    product_number: product.product_number.as_str().to_owned(),
                    self_link: None,
                }),
                quantity: Some(*quantity),
                unit: product.unit.clone(),
                unit_net_price: Some(price),
                discount_percentage: Some(0.0),
                unit_cost_price: product.cost_price,
                vat_rate: Some(25.0),
                vat_amount: Some((net * 25.0).round() / 100.0),
                total_net_amount: Some(net),
            }
        })
        .collect();
    let net: f64 = lines.iter().filter_map(|l| l.total_net_amount).sum();
    let vat: f64 = lines.iter().filter_map(|l| l.vat_amount).sum();
    BookedInvoice {
        booked_invoice_number: economic::InvoiceNumber::MIN,
        date: date.clone(),
        due_date: Some(date),
        currency: "DKK".into(),
        exchange_rate: Some(100.0),
        customer: InvoiceCustomer {
            customer_number: customer,
            self_link: None,
        },
        recipient: Some(Recipient {
            name: format!("Kunde {customer}"),
            ..Recipient::default()
        }),
        payment_terms: None,
        notes: None,
        references: None,
        net_amount: Some(net),
        net_amount_in_base_currency: Some(net),
        gross_amount: Some(net + vat),
        gross_amount_in_base_currency: Some(net + vat),
        vat_amount: Some(vat),
        rounding_amount: Some(0.0),
        remainder: Some(net + vat),
        pdf: None,
        lines,
        self_link: None,
    }
}

fn pick<'a>(rng: &mut StdRng, words: &[&'a str]) -> &'a str {
    words[rng.gen_range(0..words.len())]
}
