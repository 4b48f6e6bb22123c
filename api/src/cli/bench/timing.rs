//! What the request benchmarks share: reading the server's own time of a request from its `Server-Timing`
//! header (so the client's scheduling on a shared machine stays out of the figure) and percentiles.

/// Sends one GET and answers (status, server milliseconds).
pub async fn server_time(http: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> Result<(u16, f64), String> {
    let mut request = http.get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let server_ms = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.parse::<f64>().ok());
    response.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, server_ms.ok_or("no Server-Timing header")?))
}

/// Server times of requests sent one at a time, the first left out (it warms the connection and the caches).
pub struct Timed {
    /// Milliseconds, sorted.
    pub times: Vec<f64>,
    /// How many answered each status.
    pub statuses: std::collections::BTreeMap<u16, usize>,
}

impl Timed {
    /// "200x99": each status and how many answered it.
    pub fn answers(&self) -> String {
        self.statuses.iter().map(|(s, c)| format!("{s}x{c}")).collect::<Vec<_>>().join(",")
    }
}

/// Sends each (path, headers) to `base` in turn and times it (see [`Timed`]).
pub async fn time_requests<'a>(
    http: &reqwest::Client,
    base: &str,
    requests: impl IntoIterator<Item = (&'a str, &'a [(&'a str, &'a str)])>,
) -> Result<Timed, String> {
    let mut timed = Timed { times: Vec::new(), statuses: Default::default() };
    for (i, (path, headers)) in requests.into_iter().enumerate() {
        let (status, ms) = server_time(http, &format!("{base}{path}"), headers).await?;
        if i > 0 {
            timed.times.push(ms);
            *timed.statuses.entry(status).or_default() += 1;
        }
    }
    timed.times.sort_by(f64::total_cmp);
    Ok(timed)
}

/// The baseline of the request benchmarks: the median milliseconds of reading each of these dossiers by primary
/// key on the same database, timed around the call.
pub fn primary_key_read_ms(
    db: &motcua_engine::store::Db,
    ids: impl IntoIterator<Item = impl AsRef<str>>,
) -> Result<f64, String> {
    let mut times = Vec::new();
    for id in ids {
        let started = std::time::Instant::now();
        db.read(|conn| motcua_engine::store::dossiers::get(conn, id.as_ref())).map_err(|e| e.to_string())?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(median(&times))
}

pub fn median(sorted: &[f64]) -> f64 {
    percentile(sorted, 50.0)
}

/// The nearest-rank percentile of sorted figures.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// CPU time (user and system, in clock ticks of `/proc`) used so far by this process and by every local
/// process named `postgres`: the work a run cost on this machine, which stays put when a shared machine's
/// other load makes throughput swing. Linux only; zeros elsewhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuTicks {
    pub this: u64,
    pub postgres: u64,
}

impl CpuTicks {
    pub fn now() -> CpuTicks {
        let mut ticks = CpuTicks { this: ticks_of("self").map_or(0, |(_, t)| t), postgres: 0 };
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
            if let Some((comm, t)) = ticks_of(pid)
                && comm == "postgres"
            {
                ticks.postgres += t;
            }
        }
        ticks
    }

    /// Milliseconds of CPU per `count` things done between `self` and `later` (ticks are 1/100 s on Linux).
    pub fn per(self, later: CpuTicks, count: usize) -> (f64, f64) {
        let ms = |ticks: u64| ticks as f64 * 10.0 / count.max(1) as f64;
        (ms(later.this.saturating_sub(self.this)), ms(later.postgres.saturating_sub(self.postgres)))
    }
}

/// (command name, utime + stime) of a process from `/proc/<pid>/stat`.
fn ticks_of(pid: &str) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(") ")?;
    let comm = head.split_once(" (")?.1.to_string();
    // Fields after the command: state is the 3rd of the line, utime and stime the 14th and 15th.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((comm, utime + stime))
}
