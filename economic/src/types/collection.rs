//! Paginated collections, the error body and `/self`.

use serde::{Deserialize, Serialize};

/// A page of a collection: `{collection, pagination, metaData, self}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T> {
    /// The items on this page.
    #[serde(default = "Vec::new")]
    pub collection: Vec<T>,
    /// Where this page is in the whole.
    pub pagination: Pagination,
    /// Link to this page.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// Pagination block; `next_page` is absent on the last page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Largest allowed page size (1000).
    #[serde(default)]
    pub max_page_size_allowed: u32,
    /// Pages skipped.
    #[serde(default)]
    pub skip_pages: u32,
    /// Page size used.
    #[serde(default)]
    pub page_size: u32,
    /// Results matching the filter.
    #[serde(default)]
    pub results: u64,
    /// Results without the filter.
    #[serde(default)]
    pub results_without_filter: u64,
    /// Link to the first page.
    #[serde(default)]
    pub first_page: String,
    /// Link to the last page.
    #[serde(default)]
    pub last_page: String,
    /// Link to the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<String>,
    /// Link to the previous page; absent on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_page: Option<String>,
}

/// e-conomic's JSON error body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Human-readable message, e.g. `Resource not found.`
    #[serde(default)]
    pub message: String,
    /// Hint for the developer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_hint: Option<String>,
    /// e-conomic's log id, for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_id: Option<String>,
    /// The HTTP status repeated.
    #[serde(default)]
    pub http_status_code: u16,
    /// Server time of the error (no zone, e.g. `2024-10-24T14:26:57`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_time: Option<String>,
    /// Validation errors, shaped like the request (REST) or a list (the OpenAPI services).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<serde_json::Value>,
    /// The machine-readable reason: a problem+json body's `errorCode` (or its first error's),
    /// e.g. `WebhookAlreadyExistsForEventType`. The REST API puts codes inside `errors` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The properties a filter may use, when a filter was refused (REST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_filtering_fields: Option<Vec<String>>,
}

/// `GET /self`: the agreement behind the grant token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfInfo {
    /// The agreement number (one per e-conomic company).
    pub agreement_number: i64,
    /// The company.
    pub company: SelfCompany,
    /// Login name of the user who granted access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Link to `/self`.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
}

/// The company block of `/self`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfCompany {
    /// Company name.
    #[serde(default)]
    pub name: String,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// CVR / company identification number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_identification_number: Option<String>,
    /// VAT number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
}
