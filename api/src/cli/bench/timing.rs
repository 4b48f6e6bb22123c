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
