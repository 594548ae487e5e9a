//! Admission counters in Redis, for several gateway processes behind one load balancer: the
//! same all-or-nothing reservation as `counters::LocalCounters`, done by one Lua script so it
//! is atomic across processes. A counter is a hash (`used`, and for a balance `cap` and the
//! balance's version `ver`); a counter of a period expires an hour after the period ends.
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
  redis.call('HINCRBY', k, 'used', ARGV[(i - 1) * 3 + 3])
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
if existed and ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[1], 'used', '-' .. ARGV[3]) end
return 1
"#;

const ADJUST: &str = r#"
for i, k in ipairs(KEYS) do
  if ARGV[i] ~= '0' and redis.call('EXISTS', k) == 1 then redis.call('HINCRBY', k, 'used', ARGV[i]) end
end
return 1
"#;

/// A period's counter outlives its period by this much (late settlements still land).
const GRACE_SECS: i64 = 3600;

pub struct RedisCounters {
    conn: ConnectionManager,
    prefix: String,
    reserve: Script,
    seed: Script,
    set_balance: Script,
    adjust: Script,
}

impl RedisCounters {
    /// Connects to `url`; every counter name is put after `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<RedisCounters> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(RedisCounters {
            conn,
            prefix: prefix.to_string(),
            reserve: Script::new(RESERVE),
            seed: Script::new(SEED),
            set_balance: Script::new(SET_BALANCE),
            adjust: Script::new(ADJUST),
        })
    }

    fn key(&self, counter: &str) -> String {
        format!("{}c:{counter}", self.prefix)
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
            .invoke_async::<i64>(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub async fn adjust_each(&self, moves: &[(String, i64)]) -> redis::RedisResult<()> {
        if moves.iter().all(|(_, d)| *d == 0) {
            return Ok(());
        }
        let mut inv = self.adjust.prepare_invoke();
        for (c, d) in moves {
            inv.key(self.key(c));
            inv.arg(*d);
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
