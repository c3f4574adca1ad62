//! Refusals (a denied access, a refused write, a CSRF or forced-change block) are audited like
//! everything else, but a flood of them must neither fill the log nor queue every writer behind
//! the audit head: the first refusal of an (account, reason) in a minute is written at once, the
//! repeats are counted, and one row per minute and key records how many there were.

use std::collections::HashMap;
use std::sync::Mutex;

use dangjian_domain::time;
use serde_json::{json, Value as Json};

use super::record_alone;
use crate::{Ctx, Result, Store};

/// Keys remembered at most; past it the oldest minutes are written out and forgotten first.
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Clone)]
struct Window {
    minute: i64,
    repeats: u64,
    ctx: Ctx,
    action: String,
}

/// The counting windows of one process.
#[derive(Debug)]
pub struct Refusals {
    windows: Mutex<HashMap<(String, String), Window>>,
    window_secs: i64,
}

impl Default for Refusals {
    fn default() -> Self {
        Refusals::with_window(60)
    }
}

fn who(ctx: &Ctx) -> String {
    if ctx.actor.account_id != 0 {
        format!("account:{}", ctx.actor.account_id)
    } else {
        format!("ip:{}", ctx.ip)
    }
}

impl Refusals {
    /// Windows of `secs` seconds instead of a minute (tests, or a busier installation).
    pub fn with_window(secs: u64) -> Refusals {
        Refusals { windows: Mutex::default(), window_secs: secs.clamp(1, 3600) as i64 }
    }

    fn window_now(&self) -> i64 {
        time::now_unix().div_euclid(self.window_secs)
    }

    /// Decides what to write for one refusal: `(write_this, summaries of ended windows)`.
    fn note(&self, ctx: &Ctx, action: &str, reason: &str, minute: i64) -> (bool, Vec<Window>) {
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let mut ended = Vec::new();
        if w.len() >= MAX_KEYS {
            ended = drain(&mut w, |_| true);
        }
        let key = (who(ctx), reason.to_string());
        match w.get_mut(&key) {
            Some(win) if win.minute == minute => {
                win.repeats += 1;
                (false, ended)
            }
            Some(win) => {
                let old = std::mem::replace(win, Window { minute, repeats: 0, ctx: ctx.clone(), action: action.to_string() });
                if old.repeats > 0 {
                    ended.push(old);
                }
                (true, ended)
            }
            None => {
                w.insert(key, Window { minute, repeats: 0, ctx: ctx.clone(), action: action.to_string() });
                (true, ended)
            }
        }
    }
}

fn drain(w: &mut HashMap<(String, String), Window>, ended: impl Fn(&Window) -> bool) -> Vec<Window> {
    let keys: Vec<_> = w.iter().filter(|(_, v)| ended(v)).map(|(k, _)| k.clone()).collect();
    keys.into_iter().filter_map(|k| w.remove(&k)).filter(|v| v.repeats > 0).collect()
}

async fn write_repeats(store: &Store, ended: Vec<Window>) -> Result<()> {
    for win in ended {
        let secs = store.refusals.window_secs;
        record_alone(store, &win.ctx, "refusal.repeated", &win.action, "denied", json!({"repeats": win.repeats, "from": win.minute * secs, "seconds": secs})).await?;
    }
    Ok(())
}

/// Records a refusal: `action` names what was refused (`deny:MemberRead`, `refused:POST
/// /api/v1/members`), `outcome` the machine code of the refusal (`denied`, `duplicate`, `csrf`),
/// and `reason` what counts as a repeat (the denied action, or the refusal's code).
pub async fn record(store: &Store, ctx: &Ctx, action: &str, object: &str, outcome: &str, reason: &str, detail: Json) -> Result<()> {
    let (write, ended) = store.refusals.note(ctx, action, reason, store.refusals.window_now());
    write_repeats(store, ended).await?;
    if write {
        record_alone(store, ctx, action, object, outcome, detail).await?;
    }
    Ok(())
}

/// Writes the counts of the minutes that have ended (the scheduler calls this every minute, so
/// a count reaches the log within two minutes even if the flood stops).
pub async fn flush(store: &Store) -> Result<()> {
    let minute = store.refusals.window_now();
    let ended = {
        let mut w = store.refusals.windows.lock().unwrap_or_else(|e| e.into_inner());
        drain(&mut w, |v| v.minute < minute)
    };
    write_repeats(store, ended).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use dangjian_domain::policy::Actor;

    fn ctx(account: i64) -> Ctx {
        let mut actor = Actor::system("t");
        actor.system = false;
        actor.account_id = account;
        Ctx { actor, ip: "10.0.0.1".into() }
    }

    fn shape(r: (bool, Vec<Window>)) -> (bool, Vec<u64>) {
        (r.0, r.1.iter().map(|w| w.repeats).collect())
    }

    #[test]
    fn one_row_per_minute_and_key_with_the_repeats_counted() {
        let r = Refusals::default();
        assert_eq!(shape(r.note(&ctx(1), "a", "csrf", 100)), (true, vec![]));
        for _ in 0..500 {
            assert_eq!(shape(r.note(&ctx(1), "a", "csrf", 100)), (false, vec![]));
        }
        // Another reason or another account is another key.
        assert_eq!(shape(r.note(&ctx(1), "a", "duplicate", 100)), (true, vec![]));
        assert_eq!(shape(r.note(&ctx(2), "a", "csrf", 100)), (true, vec![]));
        // The next minute writes again and hands back the count of the one before.
        assert_eq!(shape(r.note(&ctx(1), "a", "csrf", 101)), (true, vec![500]));
        assert_eq!(shape(r.note(&ctx(1), "a", "csrf", 102)), (true, vec![]));
    }

    #[test]
    fn memory_stays_bounded_under_many_keys() {
        let r = Refusals::default();
        let mut summaries = 0;
        for i in 0..(MAX_KEYS as i64 + 10) {
            summaries += r.note(&ctx(i + 1), "a", "csrf", 5).1.len();
            summaries += r.note(&ctx(i + 1), "a", "csrf", 5).1.len();
        }
        assert!(r.windows.lock().unwrap().len() <= MAX_KEYS);
        assert!(summaries > 0, "evicted windows hand their counts back to be written");
    }
}
