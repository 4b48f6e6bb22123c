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
