//! Rendered public pages and open-data files, kept per council until its data
//! changes. A public page is rebuilt from the council's assured data on every
//! request otherwise, which makes the public site (the part of goldthread the
//! whole country reads) many times slower than the staff dashboard.
//!
//! A rendering is kept under its council's **stamp**: the council's data
//! version (raised in the database by every write transaction for it, whichever
//! process made it), its name and area, and the day (pages show the day's
//! reporting period). A request first reads the stamp (one small query); a
//! rendering made under another stamp is never served. So a change is public
//! at once, on every server, as it was before the cache.
//!
//! Only `200 OK` answers to `GET` are kept; a rendering larger than
//! [`MAX_BODY`] is served but not kept, and all renderings together stay under
//! [`BUDGET`] bytes (least recently used councils go first). Concurrent
//! requests for a page not yet rendered wait for one rendering.
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The largest rendering kept.
pub(crate) const MAX_BODY: usize = 4 * 1024 * 1024;
/// All renderings kept, together.
pub(crate) const BUDGET: usize = 64 * 1024 * 1024;
// A rendering that may be kept always fits the budget on its own.
const _: () = assert!(MAX_BODY <= BUDGET);
/// Renderings kept per council (its pages and open-data files).
const PER_COUNCIL: usize = 512;

/// What a council's public renderings depend on besides the request's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub data: goldthread_app::performance::PublicStamp,
    pub day: time::Date,
}

/// A kept answer: its headers (content type, ETag, caching, disposition) and body.
#[derive(Debug)]
pub(crate) struct Rendered {
    headers: HeaderMap,
    body: Bytes,
}

type Slot = Arc<OnceCell<Arc<Rendered>>>;

struct Council {
    stamp: Stamp,
    used: u64,
    bytes: usize,
    pages: HashMap<String, Slot>,
}

impl Council {
    /// Drops every rendering, taking their bytes off `total`.
    fn clear(&mut self, total: &mut usize) {
        *total -= self.bytes;
        self.bytes = 0;
        self.pages.clear();
    }
}

#[derive(Default)]
pub(crate) struct PublicCache {
    /// (use clock, bytes kept, councils by tenant id)
    inner: Mutex<(u64, usize, HashMap<String, Council>)>,
}

impl PublicCache {
    /// The slot for `path` of council `tenant` under `stamp`; the council's
    /// renderings under any other stamp are dropped first.
    pub(crate) fn slot(&self, tenant: &str, stamp: &Stamp, path: &str) -> Slot {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (clock, total, councils) = &mut *g;
        *clock += 1;
        let c = councils
            .entry(tenant.to_string())
            .or_insert_with(|| Council {
                stamp: stamp.clone(),
                used: 0,
                bytes: 0,
                pages: HashMap::new(),
            });
        if c.stamp != *stamp {
            c.clear(total);
            c.stamp = stamp.clone();
        }
        if !c.pages.contains_key(path) && c.pages.len() >= PER_COUNCIL {
            c.clear(total);
        }
        c.used = *clock;
        c.pages.entry(path.to_string()).or_default().clone()
    }

    /// Counts `bytes` just kept for `tenant` under `stamp`, then drops the
    /// least recently used other councils while over budget (and, if this
    /// council alone is over it, its other renderings).
    pub(crate) fn kept(&self, tenant: &str, stamp: &Stamp, path: &str, slot: &Slot, bytes: usize) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (_, total, councils) = &mut *g;
        match councils.get_mut(tenant) {
            // Unless the slot was dropped meanwhile (another stamp, or the
            // council's renderings cleared): then it was never counted.
            Some(c)
                if c.stamp == *stamp && c.pages.get(path).is_some_and(|s| Arc::ptr_eq(s, slot)) =>
            {
                c.bytes += bytes;
                *total += bytes;
            }
            _ => return,
        }
        while *total > BUDGET {
            let oldest = councils
                .iter()
                .filter(|(k, _)| k.as_str() != tenant)
                .min_by_key(|(_, c)| c.used)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    let c = councils.remove(&k).expect("listed");
                    *total -= c.bytes;
                }
                None => {
                    // This council alone: keep only the rendering just made
                    // (no larger than MAX_BODY, so within the budget).
                    let c = councils.get_mut(tenant).expect("present");
                    let this = c.pages.remove(path).expect("counted above");
                    c.clear(total);
                    c.pages.insert(path.to_string(), this);
                    c.bytes = bytes;
                    *total += bytes;
                    break;
                }
            }
        }
    }

    /// Bytes kept in all.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).1
    }
}

/// The council code a public path names (`/p/{code}/…`), when it is plain.
fn council_of(path: &str) -> Option<&str> {
    let code = path.strip_prefix("/p/")?.split('/').next()?;
    (!code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(code)
}

/// Middleware on the public site: serves a kept rendering, or renders, keeps
/// and serves one. Anything it cannot key safely passes straight through.
pub(crate) async fn serve(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(code) = council_of(&path) else {
        return next.run(req).await;
    };
    if req.method() != Method::GET || req.uri().query().is_some() {
        return next.run(req).await;
    }
    // An unknown council, or a database that cannot answer: the page says so.
    let Ok((tenant, data)) = s.app.public_stamp(code).await else {
        return next.run(req).await;
    };
    let stamp = Stamp {
        data,
        day: crate::perf_pages::today(),
    };
    // The handler always renders the whole page; this answers 304 itself.
    let if_none_match = req.headers_mut().remove(header::IF_NONE_MATCH);
    let slot = s.public_cache.slot(&tenant, &stamp, &path);
    let mut req = Some(req);
    let mut kept = None;
    let rendered = slot
        .get_or_try_init(|| async {
            let res = next.run(req.take().expect("run once")).await;
            if res.status() != StatusCode::OK {
                return Err(res);
            }
            let (parts, body) = res.into_parts();
            // The handler built the body in memory; this only gathers it.
            let body = match axum::body::to_bytes(body, usize::MAX).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!("public page body: {e}");
                    return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
                }
            };
            let r = Rendered {
                headers: parts.headers,
                body,
            };
            if r.body.len() > MAX_BODY {
                // Served, not kept.
                return Err(answer(&r, if_none_match.as_ref()));
            }
            kept = Some(r.body.len());
            Ok(Arc::new(r))
        })
        .await;
    if let Some(n) = kept {
        s.public_cache.kept(&tenant, &stamp, &path, &slot, n);
    }
    match rendered {
        Ok(r) => answer(r, if_none_match.as_ref()),
        Err(res) => res,
    }
}

/// The kept answer, or `304 Not Modified` when the client holds it already.
fn answer(r: &Rendered, if_none_match: Option<&header::HeaderValue>) -> Response {
    let etag = r.headers.get(header::ETAG);
    let fresh = match (etag.and_then(|e| e.to_str().ok()), if_none_match) {
        (Some(etag), Some(inm)) => inm
            .to_str()
            .ok()
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*")),
        _ => false,
    };
    if fresh {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        for h in [header::ETAG, header::CACHE_CONTROL] {
            if let Some(v) = r.headers.get(&h) {
                res.headers_mut().insert(h, v.clone());
            }
        }
        return res;
    }
    let mut res = Response::new(Body::from(r.body.clone()));
    *res.headers_mut() = r.headers.clone();
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use goldthread_app::performance::PublicStamp;

    fn stamp(version: i64) -> Stamp {
        Stamp {
            data: PublicStamp {
                version,
                name: "Demo Council".into(),
                area: "Demo".into(),
            },
            day: time::macros::date!(2026 - 11 - 24),
        }
    }

    /// Renders `path` into the cache as `body`, the way [`serve`] does.
    async fn keep(c: &PublicCache, tenant: &str, st: &Stamp, path: &str, body: &str) -> Slot {
        let slot = c.slot(tenant, st, path);
        let r = Arc::new(Rendered {
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        });
        slot.set(r).unwrap();
        c.kept(tenant, st, path, &slot, body.len());
        slot
    }

    fn held(c: &PublicCache, tenant: &str, st: &Stamp, path: &str) -> Option<String> {
        c.slot(tenant, st, path)
            .get()
            .map(|r| String::from_utf8(r.body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_rendering_is_served_only_under_its_own_stamp() {
        let c = PublicCache::default();
        keep(&c, "t1", &stamp(1), "/p/demo", "home v1").await;
        keep(&c, "t2", &stamp(1), "/p/demo", "other council").await;
        assert_eq!(
            held(&c, "t1", &stamp(1), "/p/demo").as_deref(),
            Some("home v1")
        );
        assert_eq!(c.bytes(), 7 + 13);
        // A write raised the version: nothing made before it is served.
        assert_eq!(held(&c, "t1", &stamp(2), "/p/demo"), None);
        assert_eq!(
            c.bytes(),
            13,
            "the old renderings are dropped and uncounted"
        );
        // Nor after a rename, a new area or a new day.
        keep(&c, "t1", &stamp(2), "/p/demo", "home v2").await;
        let mut renamed = stamp(2);
        renamed.data.name = "Renamed Council".into();
        assert_eq!(held(&c, "t1", &renamed, "/p/demo"), None);
        let mut area = stamp(2);
        area.data.area = "Elsewhere".into();
        assert_eq!(held(&c, "t1", &area, "/p/demo"), None);
        let mut tomorrow = stamp(2);
        tomorrow.day = time::macros::date!(2026 - 11 - 25);
        assert_eq!(held(&c, "t1", &tomorrow, "/p/demo"), None);
        // The other council's rendering was never touched.
        assert_eq!(
            held(&c, "t2", &stamp(1), "/p/demo").as_deref(),
            Some("other council")
        );
    }

    #[tokio::test]
    async fn a_rendering_finished_after_its_stamp_changed_is_not_counted() {
        let c = PublicCache::default();
        let slot = c.slot("t1", &stamp(1), "/p/demo");
        // Meanwhile a write: the council's renderings start again.
        keep(&c, "t1", &stamp(2), "/p/demo", "new").await;
        slot.set(Arc::new(Rendered {
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"old"),
        }))
        .unwrap();
        c.kept("t1", &stamp(1), "/p/demo", &slot, 3);
        assert_eq!(c.bytes(), 3, "only the new rendering is counted");
        assert_eq!(held(&c, "t1", &stamp(2), "/p/demo").as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn the_byte_budget_drops_the_least_recently_used_councils_first() {
        let c = PublicCache::default();
        let big = "x".repeat(MAX_BODY);
        let per = BUDGET / MAX_BODY; // renderings that fit
        for i in 0..per {
            keep(&c, &format!("t{i}"), &stamp(1), "/p/x", &big).await;
        }
        assert_eq!(c.bytes(), BUDGET);
        // t0 is read again, so t1 is now the least recently used.
        assert!(held(&c, "t0", &stamp(1), "/p/x").is_some());
        keep(&c, "new", &stamp(1), "/p/x", &big).await;
        assert_eq!(c.bytes(), BUDGET, "never over budget");
        assert!(held(&c, "t1", &stamp(1), "/p/x").is_none(), "t1 went");
        assert!(held(&c, "t0", &stamp(1), "/p/x").is_some(), "t0 stayed");
        assert!(held(&c, "new", &stamp(1), "/p/x").is_some());

        // One council alone over budget keeps its newest rendering.
        let c = PublicCache::default();
        for i in 0..=per {
            keep(&c, "t", &stamp(1), &format!("/p/t/{i}"), &big).await;
        }
        assert!(c.bytes() <= BUDGET);
        assert!(held(&c, "t", &stamp(1), &format!("/p/t/{per}")).is_some());
    }

    #[tokio::test]
    async fn a_council_keeps_a_bounded_number_of_renderings() {
        let c = PublicCache::default();
        for i in 0..PER_COUNCIL + 10 {
            keep(&c, "t", &stamp(1), &format!("/p/t/{i}"), "page").await;
        }
        let g = c.inner.lock().unwrap();
        assert!(g.2["t"].pages.len() <= PER_COUNCIL);
        assert_eq!(g.1, g.2["t"].pages.len() * 4);
    }

    #[test]
    fn only_plain_council_codes_are_keyed() {
        assert_eq!(council_of("/p/demo"), Some("demo"));
        assert_eq!(council_of("/p/demo/data/x.csv"), Some("demo"));
        assert_eq!(council_of("/p/council-01/"), Some("council-01"));
        assert_eq!(council_of("/p/%64emo"), None);
        assert_eq!(council_of("/p/"), None);
        assert_eq!(council_of("/pages"), None);
    }
}
