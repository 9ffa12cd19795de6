//! Keeps the redirect after a plain form post on this app's own origin.
//!
//! A form posted without JavaScript is answered by Leptos with a redirect back to the page it
//! came from — the request's `Referer`, with the error in its query — and the `Referer` is
//! whatever the client sent: a forged one sent people to any host. A `Referer` of another
//! origin is removed here, before the server function runs; Leptos then goes to `/`.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use url::{Origin, Url};

/// This app's origin, from its public URL.
#[derive(Debug, Clone)]
pub struct OwnOrigin(Origin);

impl OwnOrigin {
    /// The origin of `public_url` (an opaque one, which nothing equals, if it does not parse).
    pub fn of(public_url: &str) -> OwnOrigin {
        let origin = Url::parse(public_url).map_or_else(|_| Origin::new_opaque(), |u| u.origin());
        OwnOrigin(origin)
    }

    fn is_own(&self, referer: &str) -> bool {
        Url::parse(referer).is_ok_and(|url| url.origin() == self.0)
    }
}

/// Removes a `Referer` of another origin from posts to the server functions.
pub async fn own_origin_only(own: OwnOrigin, mut request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        let foreign = request
            .headers()
            .get_all(header::REFERER)
            .iter()
            .any(|v| !v.to_str().is_ok_and(|v| own.is_own(v)));
        if foreign {
            request.headers_mut().remove(header::REFERER);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::OwnOrigin;

    #[test]
    fn only_the_public_origin_is_own() {
        let own = OwnOrigin::of("https://sync.example.com");
        assert!(own.is_own("https://sync.example.com/settings?x=1"));
        assert!(own.is_own("https://sync.example.com:443/login"));
        for foreign in [
            "https://evil.example/login",
            "http://sync.example.com/login",
            "https://sync.example.com.evil.example/",
            "https://sync.example.com:8443/",
            "//evil.example/",
            "/login",
            "not a url",
        ] {
            assert!(!own.is_own(foreign), "{foreign}");
        }
    }
}
