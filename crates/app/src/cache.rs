//! Computed performance views, cached per tenant and kept current by the tenant's
//! data version (raised in the database by every write transaction for it), so a
//! cached view is never served after a change, whichever process made the change.
//! Concurrent requests for a view not yet computed wait for one computation.
use crate::performance::{PerfData, StatusReport};
use goldthread_domain::period::Period;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::Date;
use tokio::sync::OnceCell;

/// How many tenants' data are kept (least recently used go first).
const TENANTS: usize = 8;
/// How many status reports are kept per tenant.
const REPORTS: usize = 32;

/// What a status report was asked for.
pub(crate) type ReportKey = (Option<Period>, Option<String>, bool, Date);

type Cell<T> = Arc<OnceCell<Arc<T>>>;

struct Slot {
    version: i64,
    own_area: String,
    used: u64,
    data: Cell<PerfData>,
    reports: HashMap<ReportKey, Cell<StatusReport>>,
}

#[derive(Default)]
pub(crate) struct PerfCache {
    slots: Mutex<(u64, HashMap<String, Slot>)>,
}

impl PerfCache {
    /// The slot for `tenant` at `version`, emptied if it was for another version.
    fn with_slot<R>(
        &self,
        tenant: &str,
        version: i64,
        own_area: &str,
        f: impl FnOnce(&mut Slot) -> R,
    ) -> R {
        let mut guard = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let (clock, slots) = &mut *guard;
        *clock += 1;
        if !slots.contains_key(tenant)
            && slots.len() >= TENANTS
            && let Some(oldest) = slots
                .iter()
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone())
        {
            slots.remove(&oldest);
        }
        let slot = slots.entry(tenant.to_string()).or_insert_with(|| Slot {
            version,
            own_area: own_area.to_string(),
            used: 0,
            data: Arc::default(),
            reports: HashMap::new(),
        });
        if slot.version != version || slot.own_area != own_area {
            *slot = Slot {
                version,
                own_area: own_area.to_string(),
                used: 0,
                data: Arc::default(),
                reports: HashMap::new(),
            };
        }
        slot.used = *clock;
        f(slot)
    }

    pub(crate) fn data_cell(&self, tenant: &str, version: i64, own_area: &str) -> Cell<PerfData> {
        self.with_slot(tenant, version, own_area, |s| s.data.clone())
    }

    pub(crate) fn report_cell(
        &self,
        tenant: &str,
        version: i64,
        own_area: &str,
        key: ReportKey,
    ) -> Cell<StatusReport> {
        self.with_slot(tenant, version, own_area, |s| {
            if !s.reports.contains_key(&key) && s.reports.len() >= REPORTS {
                s.reports.clear();
            }
            s.reports.entry(key).or_default().clone()
        })
    }
}
