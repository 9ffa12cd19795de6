//! Whose webhook is it? Several companies may connect the same e-conomic agreement, and they
//! all use this one app, so the Webhooks API shows each of them every webhook this app made on
//! the agreement. A company owns a webhook only when it points at that company's URL on this
//! server (`{public_url}/webhooks/economic/{tenant_id}/{kind}/{token}`, any generation of the
//! token): everything else is left alone.

use economic::Entity;

use crate::ids::TenantId;

/// Where an e-conomic webhook's URL points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A company's webhook URL on this server (this company's, or another's).
    Company(TenantId),
    /// Some other address: another installation, or something else entirely.
    Elsewhere,
}

impl Owner {
    /// The owner of `url`, a webhook of `kind`, as seen by the server at `public_url`.
    pub fn of(url: &str, public_url: &str, kind: Entity) -> Owner {
        let base = public_url.trim_end_matches('/');
        match url.trim().strip_prefix(base) {
            Some(path) => Owner::of_path(path, kind),
            None => Owner::Elsewhere,
        }
    }

    /// The owner by the URL's path alone, whatever its host (the scheduled health check runs
    /// where the public URL is not known): `/webhooks/economic/{tenant_id}/{kind}/…`. Only
    /// [`Owner::of`] decides whether a webhook may be changed.
    pub fn of_url_path(url: &str, kind: Entity) -> Owner {
        let rest = url.trim();
        let rest = rest.split_once("://").map_or(rest, |(_, rest)| rest);
        let path = rest.find('/').map_or("", |at| &rest[at..]);
        Owner::of_path(path, kind)
    }

    fn of_path(path: &str, kind: Entity) -> Owner {
        let mut segments = path
            .strip_prefix("/webhooks/economic/")
            .unwrap_or("")
            .split(['/', '?', '#']);
        let tenant = segments.next().and_then(|s| s.parse::<i64>().ok());
        let slug = segments.next();
        match (tenant, slug) {
            (Some(id), Some(slug)) if slug == kind.as_str() => Owner::Company(TenantId::new(id)),
            _ => Owner::Elsewhere,
        }
    }

    /// The company, if the URL is one of this server's.
    pub fn company(self) -> Option<TenantId> {
        match self {
            Owner::Company(id) => Some(id),
            Owner::Elsewhere => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_company_owns_only_its_own_urls() {
        let base = "https://sync.example.com";
        let url =
            |tenant: &str, kind: &str| format!("{base}/webhooks/economic/{tenant}/{kind}/tok");
        assert_eq!(
            Owner::of(&url("7", "products"), base, Entity::Products),
            Owner::Company(TenantId::new(7))
        );
        assert_eq!(
            Owner::of(
                &url("7", "products"),
                "https://sync.example.com/",
                Entity::Products
            ),
            Owner::Company(TenantId::new(7))
        );
        // Another kind's URL, another server, or no tenant: not a company's webhook of this kind.
        for (url, base) in [
            (url("7", "customers"), base),
            (url("7", "products"), "https://other.example.com"),
            (url("x", "products"), base),
            (format!("{base}/somewhere/else"), base),
            (
                "https://sync.example.com.evil/webhooks/economic/7/products/t".to_owned(),
                base,
            ),
        ] {
            assert_eq!(
                Owner::of(&url, base, Entity::Products),
                Owner::Elsewhere,
                "{url}"
            );
        }
        assert_eq!(
            Owner::of_url_path(
                "https://any.host/webhooks/economic/9/invoices/t",
                Entity::Invoices
            ),
            Owner::Company(TenantId::new(9))
        );
        assert_eq!(
            Owner::of_url_path(
                "https://any.host/x/webhooks/economic/9/invoices/t",
                Entity::Invoices
            ),
            Owner::Elsewhere
        );
    }
}
