//! The app on a random port (the crate's one harness, `server::testing`), and what only the
//! webhook tests compare: the local product numbers against the simulator's.

use backend::{Db, TenantId};

#[allow(unused_imports)]
pub use server::testing::*;

/// The tenant's live product numbers and the simulator agreement's, each sorted: equal when the
/// local data have converged.
pub async fn product_numbers(
    db: &Db,
    tenant: TenantId,
    agreement: &economic_sim::AgreementHandle,
) -> (Vec<String>, Vec<String>) {
    let mut local: Vec<String> =
        backend::records::live_numbers::<backend::records::ProductRecord>(db, tenant)
            .await
            .expect("numbers")
            .into_iter()
            .map(|n| n.as_str().to_owned())
            .collect();
    local.sort();
    let mut remote: Vec<String> = agreement
        .read(|d| d.products.keys().map(|n| n.as_str().to_owned()).collect())
        .unwrap_or_default();
    remote.sort();
    (local, remote)
}
