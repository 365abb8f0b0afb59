//! Send counters in Redis, shared by every app instance that uses the same server and prefix.

use std::fmt::Write as _;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::store::{Attempt, LimitStore, LimitStoreError, Refusal};
use crate::future::BoxFuture;

/// Checks an attempt's rules against the lists under its keys and, when none refuses, appends
/// the time to each recorded list, as one step (a script runs alone on the server). Lists hold
/// times oldest first; `ARGV[1]` is the attempt in its serde form with each key replaced by
/// `{name}` (also listed in `KEYS`), `ARGV[2]` the time as text. Returns nil when the send is
/// counted, else `{rule, free_at}` (rule from 0).
const SCRIPT: &str = r"
local a = cjson.decode(ARGV[1])
local now = a.now_ms
local function times(k)
  local t = redis.call('LRANGE', k.name, 0, -1)
  for i, v in ipairs(t) do t[i] = tonumber(v) end
  return t
end
local function newest(k)
  return tonumber(redis.call('LINDEX', k.name, -1))
end
local function recent(t, since)
  local n = 0
  for _, v in ipairs(t) do if v > since then n = n + 1 end end
  return n
end
for i, r in ipairs(a.rules) do
  local free
  if r.rule == 'window' then
    local t = times(r.key)
    local n = recent(t, now - r.window_ms)
    if n >= r.max then free = t[#t + 1 - r.max] + r.window_ms end
  elseif r.rule == 'interval' then
    local last = newest(r.key)
    if last and now < last + r.interval_ms then free = last + r.interval_ms end
  elseif r.rule == 'back-off' then
    local g = newest(r.guard)
    if g and g > now - r.window_ms then
      local t = times(r.key)
      local over = recent(t, now - r.window_ms) - r.after
      if over >= 0 and #t > 0 then
        local wait = math.min(r.first_ms * 2 ^ math.min(over, 30), r.longest_ms)
        if now < t[#t] + wait then free = t[#t] + wait end
      end
    end
  else
    return redis.error_reply('unknown rule ' .. tostring(r.rule))
  end
  if free then return {i - 1, string.format('%.0f', free)} end
end
for _, r in ipairs(a.records) do
  redis.call('RPUSH', r.key.name, ARGV[2])
  redis.call('LTRIM', r.key.name, -math.max(r.keep, 1), -1)
  redis.call('PEXPIRE', r.key.name, math.max(r.ttl_ms, 1))
end
return false
";

/// Send counters in Redis (feature `redis`): several app instances using one server and one
/// [`prefix`](Self::prefix) share every limit, and a restart forgets nothing.
///
/// Each counter is a short list of send times, checked and updated by one server-side script,
/// so two instances can never both take the last send a limit allows. Contacts and addresses
/// are stored as digests (SHA-256), never as themselves. Every key starts with the prefix and
/// expires when it can no longer refuse anything.
///
/// The connection is made on first use and remade when lost; an answer is awaited at most
/// [`timeout`](Self::timeout). While Redis cannot be reached, the SDK counts in the process
/// (see [`SendLimits::store`](super::SendLimits::store)). Use `rediss://` for TLS.
pub struct RedisStore {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
    prefix: String,
    timeout: Duration,
    script: redis::Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let addr = &self.client.get_connection_info().addr();
        f.debug_struct("RedisStore")
            .field("addr", &addr.to_string())
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the Redis server at `url` (`redis://[:password@]host[:port][/db]`, or
    /// `rediss://` for TLS). Fails only on a malformed URL: the server is reached on first use.
    pub fn new(url: &str) -> Result<Self, LimitStoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| LimitStoreError(format!("the Redis URL is not usable: {e}")))?;
        Ok(Self {
            client,
            connection: OnceCell::new(),
            prefix: "supertokens:send-limits:".to_owned(),
            timeout: Duration::from_secs(1),
            script: redis::Script::new(SCRIPT),
        })
    }

    /// What every key starts with (`supertokens:send-limits:` by default): give each app its
    /// own when several share a server.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest wait for Redis on a send (1 second by default), connecting included.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Redis key of a counter: the prefix, the kind and a digest of the value.
    fn redis_key(&self, kind: &str, value: &str) -> String {
        let mut name = format!("{}{kind}", self.prefix);
        if !value.is_empty() {
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, value.as_bytes());
            name.push(':');
            for byte in &digest.as_ref()[..16] {
                let _ = write!(name, "{byte:02x}");
            }
        }
        name
    }

    /// Replaces each key in `value` (the JSON form of an attempt) by its Redis key, collecting
    /// those in `keys`.
    fn name_keys(&self, value: &mut Value, keys: &mut Vec<String>) {
        match value {
            Value::Object(o) => {
                if let (Some(Value::String(kind)), Some(Value::String(value))) =
                    (o.get("kind"), o.get("value"))
                {
                    let name = self.redis_key(kind, value);
                    keys.push(name.clone());
                    *o = serde_json::Map::from_iter([("name".to_owned(), Value::String(name))]);
                } else {
                    o.values_mut().for_each(|v| self.name_keys(v, keys));
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|v| self.name_keys(v, keys)),
            _ => {}
        }
    }

    async fn run(&self, attempt: &Attempt) -> Result<Option<Refusal>, LimitStoreError> {
        let mut body = serde_json::to_value(attempt)
            .map_err(|e| LimitStoreError(format!("an attempt as JSON: {e}")))?;
        let mut keys = Vec::new();
        self.name_keys(&mut body, &mut keys);
        keys.sort_unstable();
        keys.dedup();
        let mut invocation = self.script.prepare_invoke();
        for key in &keys {
            invocation.key(key);
        }
        invocation.arg(body.to_string()).arg(attempt.now_ms);
        let connection = self
            .connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.timeout))
                    .set_response_timeout(Some(self.timeout))
                    .set_number_of_retries(1);
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .map_err(|e| LimitStoreError(format!("Redis: {e}")))?;
        let mut connection = connection.clone();
        let answer: Option<(usize, String)> =
            tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection))
                .await
                .map_err(|_| LimitStoreError("Redis did not answer in time".to_owned()))?
                .map_err(|e| LimitStoreError(format!("Redis: {e}")))?;
        answer
            .map(|(rule, free_at)| {
                let free_at_ms = free_at.parse().map_err(|_| {
                    LimitStoreError(format!("Redis answered an unreadable time `{free_at}`"))
                })?;
                Ok(Refusal { rule, free_at_ms })
            })
            .transpose()
    }
}

impl LimitStore for RedisStore {
    fn check_and_record<'a>(
        &'a self,
        attempt: &'a Attempt,
    ) -> BoxFuture<'a, Result<Option<Refusal>, LimitStoreError>> {
        Box::pin(self.run(attempt))
    }
}
