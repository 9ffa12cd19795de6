//! Companies sharing one e-conomic agreement: the daily API budget is the
//! agreement's, counted over every company connected to it; each company can list the others
//! (and staff all shared agreements); a company alone, or not connected, counts alone.

use backend::managed_webhooks::shared;
use backend::{Keys, TenantId, connection, db_test, sync};

use crate::helpers::*;

db_test!(
    the_budget_and_the_companies_are_the_agreement_s,
    |db| async move {
        let keys = Keys::generate();
        let mut tenants: Vec<TenantId> = Vec::new();
        for (label, calls, connected) in
            [("alpha", 3, true), ("beta", 4, true), ("gamma", 5, false)]
        {
            let tenant = owner(&db, label).await.tenant_id;
            if connected {
                // Both to agreement 1, as two companies connecting the same e-conomic would.
                connection::connect_offline(&db, &keys, tenant, "grant", t0())
                    .await
                    .expect("connect");
            }
            sync::budget::record_now(&db, tenant, t0(), calls)
                .await
                .expect("record");
            tenants.push(tenant);
        }
        let used = |tenant| {
            let db = db.clone();
            async move {
                sync::budget::usage(&db, tenant, t0(), 50_000)
                    .await
                    .expect("usage")
                    .used
            }
        };

        assert_eq!(
            used(tenants[0]).await,
            7,
            "alpha and beta share the agreement's"
        );
        assert_eq!(used(tenants[1]).await, 7);
        assert_eq!(used(tenants[2]).await, 5, "gamma is alone");
        let alpha = shared::of_tenant(&db, tenants[0])
            .await
            .expect("shared")
            .expect("is shared");
        let names: Vec<&str> = alpha.companies.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["alpha ApS", "beta ApS"]);
        assert_eq!(
            shared::of_tenant(&db, tenants[2]).await.expect("alone"),
            None
        );
        let staff = shared::all_shared(&db).await.expect("staff");
        assert_eq!(staff.len(), 1);
        assert_eq!(staff[0].1.len(), 2);
    }
);
