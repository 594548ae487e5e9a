//! Admission counters in Redis, for several gateway processes behind one load balancer: the
//! same all-or-nothing reservation as `counters::LocalCounters`, done by one Lua script so it
//! is atomic across processes. A counter is a hash (`used`, and for a balance `cap` and the
//! balance's version `ver`); a counter of a period expires an hour after the period ends.
//!
//! Leases: a process that dies leaves its reservations in `used`. So each process (an
//! *instance*, a random id) also keeps, in field `h:<instance>` of every counter it reserved
//! on, what of `used` is its own and not final: its requests in flight, and for a balance the
//! charges it settled but has not written to the ledger yet. Instances beat every few seconds
//! (`<prefix>instances`, a sorted set by last beat); any live instance reaps an instance
//! silent for longer than the lease: it takes that instance's share out of every counter it
//! touched (`<prefix>i:<instance>`, a sorted set of counters by expiry) and forgets it.
//! An instance reaped while alive (Redis out of its reach for a whole lease) rejoins under a
//! new id; what its older requests give back then is given back twice — lenient by what it had
//! in flight, once.
//!
//! Lua compares in doubles: amounts above 2^53 units (about 900 000 USD) compare to within a
//! few 10⁻¹⁰ USD; Redis adds them exactly.

use super::counters::{Cap, Limit, Refusal};
use redis::aio::ConnectionManager;
use redis::{Script, Value};

const RESERVE: &str = r#"
local missing = {}
for i, k in ipairs(KEYS) do
  local kind = ARGV[(i - 1) * 3 + 1]
  if redis.call('EXISTS', k) == 0 or (kind == 'S' and redis.call('HEXISTS', k, 'cap') == 0) then
    table.insert(missing, i - 1)
  end
end
if #missing > 0 then
  table.insert(missing, 1, 'U')
  return missing
end
for i, k in ipairs(KEYS) do
  local base = (i - 1) * 3
  local kind, amount = ARGV[base + 1], tonumber(ARGV[base + 3])
  local cap = tonumber(ARGV[base + 2])
  if kind == 'S' then cap = tonumber(redis.call('HGET', k, 'cap')) end
  local available = cap - tonumber(redis.call('HGET', k, 'used') or '0')
  local fits
  if amount == 0 then fits = available > 0 or (kind == 'S' and available == 0) else fits = available >= amount end
  if not fits then return {'F', i - 1, available} end
end
for i, k in ipairs(KEYS) do
  local amount = ARGV[(i - 1) * 3 + 3]
  redis.call('HINCRBY', k, 'used', amount)
  redis.call('HINCRBY', k, 'h:' .. ARGV[#ARGV - 1], amount)
  local ttl = redis.call('PEXPIRETIME', k)
  local expiry = '+inf'
  if ttl > 0 then expiry = tostring(math.floor(ttl / 1000)) end
  redis.call('ZADD', ARGV[#ARGV], expiry, k)
end
return {'OK'}
"#;

const SEED: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'used', ARGV[1])
  if ARGV[2] ~= '' then redis.call('EXPIREAT', KEYS[1], ARGV[2]) end
end
return 1
"#;

const SET_BALANCE: &str = r#"
local existed = redis.call('EXISTS', KEYS[1]) == 1
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '-1')
if tonumber(ARGV[2]) >= ver then redis.call('HSET', KEYS[1], 'cap', ARGV[1], 'ver', ARGV[2]) end
if existed and ARGV[3] ~= '0' then
  redis.call('HINCRBY', KEYS[1], 'used', '-' .. ARGV[3])
  if redis.call('HINCRBY', KEYS[1], ARGV[4], '-' .. ARGV[3]) == 0 then redis.call('HDEL', KEYS[1], ARGV[4]) end
end
return 1
"#;

// ARGV: the instance, then per counter what `used` and the instance's share move by
const ADJUST: &str = r#"
local field = 'h:' .. ARGV[1]
for i, k in ipairs(KEYS) do
  local used, held = ARGV[i * 2], ARGV[i * 2 + 1]
  if redis.call('EXISTS', k) == 1 then
    if used ~= '0' then redis.call('HINCRBY', k, 'used', used) end
    if held ~= '0' and redis.call('HINCRBY', k, field, held) == 0 then redis.call('HDEL', k, field) end
  end
end
return 1
"#;

// Beats for ARGV[1] at ARGV[2]; reaps every instance whose last beat is before ARGV[3]; drops
// from the beating instance's list the counters that expired before ARGV[2].
// KEYS: the instances set. ARGV[4]: the key prefix. Returns how many instances were reaped.
const BEAT: &str = r#"
local prefix = ARGV[4]
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', prefix .. 'i:' .. ARGV[1], '-inf', '(' .. ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
for _, id in ipairs(dead) do
  local list = prefix .. 'i:' .. id
  local field = 'h:' .. id
  for _, k in ipairs(redis.call('ZRANGE', list, 0, -1)) do
    local held = tonumber(redis.call('HGET', k, field) or '0')
    if held ~= 0 then redis.call('HINCRBY', k, 'used', -held) end
    redis.call('HDEL', k, field)
  end
  redis.call('DEL', list)
  redis.call('ZREM', KEYS[1], id)
end
return #dead
"#;

/// A period's counter outlives its period by this much (late settlements still land).
const GRACE_SECS: i64 = 3600;
/// An instance silent this long is taken for dead and its shares are given back.
pub const LEASE_SECS: i64 = 30;
/// How often an instance beats (and reaps).
pub const BEAT_SECS: u64 = 5;

pub struct RedisCounters {
    conn: ConnectionManager,
    prefix: String,
    /// This process's id in the lease scheme; a new one if it was ever reaped.
    instance: std::sync::RwLock<std::sync::Arc<str>>,
    joined: std::sync::atomic::AtomicBool,
    reserve: Script,
    seed: Script,
    set_balance: Script,
    adjust: Script,
    beat: Script,
}

impl RedisCounters {
    /// Connects to `url`; every counter name is put after `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<RedisCounters> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        let counters = RedisCounters {
            conn,
            prefix: prefix.to_string(),
            instance: std::sync::RwLock::new(new_instance()),
            joined: std::sync::atomic::AtomicBool::new(false),
            reserve: Script::new(RESERVE),
            seed: Script::new(SEED),
            set_balance: Script::new(SET_BALANCE),
            adjust: Script::new(ADJUST),
            beat: Script::new(BEAT),
        };
        // join before the first reservation, so no one reaps this instance's first shares
        counters.beat(crate::clock::now(), LEASE_SECS).await?;
        Ok(counters)
    }

    fn key(&self, counter: &str) -> String {
        format!("{}c:{counter}", self.prefix)
    }

    /// The id this process's shares are kept under now.
    pub fn instance(&self) -> std::sync::Arc<str> {
        self.instance.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// One beat at `now`: says this instance is alive, reaps instances silent for `lease`
    /// seconds. Returns how many were reaped. An instance that finds it was reaped itself
    /// takes a new id.
    pub async fn beat(&self, now: i64, lease: i64) -> redis::RedisResult<i64> {
        let me = self.instance();
        let instances = format!("{}instances", self.prefix);
        let known: Option<f64> = redis::cmd("ZSCORE").arg(&instances).arg(&*me).query_async(&mut self.conn.clone()).await?;
        let joined = self.joined.swap(true, std::sync::atomic::Ordering::SeqCst);
        // gone from the set, or about to be reaped: shares kept under the old id are lost
        let reaped = match known {
            None => joined,
            Some(last) => (last as i64) < now - lease,
        };
        let me = match reaped {
            true => {
                let fresh = new_instance();
                tracing::error!(old = %me, new = %fresh, "this gateway lost its Redis lease (unreachable for longer than the lease); rejoining");
                *self.instance.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
                fresh
            }
            false => me,
        };
        self.beat
            .key(instances)
            .arg(&*me)
            .arg(now)
            .arg(now - lease)
            .arg(&self.prefix)
            .invoke_async(&mut self.conn.clone())
            .await
    }

    /// Beats every few seconds for as long as the process lives.
    pub fn keep_beating(self: &std::sync::Arc<Self>) {
        let me = std::sync::Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(BEAT_SECS));
            loop {
                every.tick().await;
                let Some(c) = me.upgrade() else { return };
                match c.beat(crate::clock::now(), LEASE_SECS).await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(reaped = n, "gave back the admission reservations of gateways that stopped"),
                    Err(e) => tracing::error!(error = %e, "admission lease beat failed"),
                }
            }
        });
    }

    pub async fn reserve(&self, limits: &[Limit]) -> redis::RedisResult<Result<(), Refusal>> {
        let mut inv = self.reserve.prepare_invoke();
        for l in limits {
            inv.key(self.key(&l.counter));
            match l.cap {
                Cap::Fixed(c) => inv.arg("F").arg(c),
                Cap::Stored => inv.arg("S").arg(0),
            };
            inv.arg(l.amount);
        }
        let me = self.instance();
        inv.arg(&*me).arg(format!("{}i:{me}", self.prefix));
        let reply: Vec<Value> = inv.invoke_async(&mut self.conn.clone()).await?;
        let int = |v: &Value| match v {
            Value::Int(i) => *i,
            _ => 0,
        };
        let tag = match reply.first() {
            Some(Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
            Some(Value::SimpleString(s)) => s.clone(),
            other => return Err(redis::RedisError::from((redis::ErrorKind::TypeError, "unexpected reply", format!("{other:?}")))),
        };
        Ok(match tag.as_str() {
            "OK" => Ok(()),
            "U" => Err(Refusal::Unseeded(reply[1..].iter().map(|v| int(v) as usize).collect())),
            _ => Err(Refusal::Full { index: reply.get(1).map_or(0, int) as usize, available: reply.get(2).map_or(0, int) }),
        })
    }

    pub async fn seed(&self, counter: &str, used: i64, until: i64) -> redis::RedisResult<()> {
        let expire = if until == i64::MAX { String::new() } else { (until + GRACE_SECS).to_string() };
        self.seed.key(self.key(counter)).arg(used).arg(expire).invoke_async::<i64>(&mut self.conn.clone()).await?;
        Ok(())
    }

    pub async fn set_balance(&self, counter: &str, balance: i64, version: i64, written: i64) -> redis::RedisResult<()> {
        self.set_balance
            .key(self.key(counter))
            .arg(balance)
            .arg(version)
            .arg(written)
            .arg(format!("h:{}", self.instance()))
            .invoke_async::<i64>(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    /// Moves each counter's `used` and this instance's share of it.
    pub async fn adjust_each(&self, moves: &[(String, i64, i64)]) -> redis::RedisResult<()> {
        if moves.iter().all(|(_, u, h)| *u == 0 && *h == 0) {
            return Ok(());
        }
        let mut inv = self.adjust.prepare_invoke();
        inv.arg(&*self.instance());
        for (c, used, held) in moves {
            inv.key(self.key(c));
            inv.arg(*used).arg(*held);
        }
        inv.invoke_async::<i64>(&mut self.conn.clone()).await?;
        Ok(())
    }

    /// The cap a balance counter holds, and what it uses.
    pub async fn balance(&self, counter: &str) -> redis::RedisResult<Option<(i64, i64)>> {
        let (cap, used): (Option<i64>, Option<i64>) =
            redis::cmd("HMGET").arg(self.key(counter)).arg("cap").arg("used").query_async(&mut self.conn.clone()).await?;
        Ok(cap.map(|c| (c, used.unwrap_or(0))))
    }
}

fn new_instance() -> std::sync::Arc<str> {
    uuid::Uuid::now_v7().simple().to_string().into()
}
