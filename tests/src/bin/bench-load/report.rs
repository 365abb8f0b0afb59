//! `bench-load report`: the medians of a run's results as a Markdown table and an SVG chart.
//!
//! The results file has one line per measurement, `figure side round value errors`
//! (tab-separated), written by the load phases and by `compare.sh` (start-up times, RSS).

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A figure of the report, in the order shown.
struct Figure {
    key: &'static str,
    title: &'static str,
    unit: &'static str,
    /// Whether more is better (requests/s) or less (milliseconds, MiB).
    higher_is_better: bool,
    /// What supertokens-rs is when its figure is the better one ("faster", "smaller").
    word: &'static str,
}

const FIGURES: [Figure; 9] = [
    Figure {
        key: "protected",
        title: "Protected route, GET /sessioninfo",
        unit: "requests/s",
        higher_is_better: true,
        word: "faster",
    },
    Figure {
        key: "open",
        title: "The same route unprotected",
        unit: "requests/s",
        higher_is_better: true,
        word: "faster",
    },
    Figure {
        key: "signin",
        title: "FDI sign-ins (create code + consume)",
        unit: "sign-ins/s",
        higher_is_better: true,
        word: "faster",
    },
    Figure {
        key: "startup",
        title: "Start to first answer",
        unit: "ms",
        higher_is_better: false,
        word: "sooner",
    },
    Figure {
        key: "rss",
        title: "RSS after load",
        unit: "MiB",
        higher_is_better: false,
        word: "smaller",
    },
    Figure {
        key: "protected-cpu-app",
        title: "Backend CPU time per protected request",
        unit: "µs",
        higher_is_better: false,
        word: "cheaper",
    },
    Figure {
        key: "open-cpu-app",
        title: "Backend CPU time per unprotected request",
        unit: "µs",
        higher_is_better: false,
        word: "cheaper",
    },
    Figure {
        key: "signin-cpu-app",
        title: "Backend CPU time per sign-in",
        unit: "µs",
        higher_is_better: false,
        word: "cheaper",
    },
    Figure {
        key: "signin-cpu-core",
        title: "Core CPU time per sign-in, for that backend",
        unit: "µs",
        higher_is_better: false,
        word: "cheaper",
    },
];

const SIDES: [(&str, &str); 2] = [("ours", "supertokens-rs"), ("node", "supertokens-node")];

#[derive(Default)]
struct Series {
    values: Vec<f64>,
    errors: u64,
}

impl Series {
    fn median(&self) -> Option<f64> {
        if self.values.is_empty() {
            return None;
        }
        let mut v = self.values.clone();
        v.sort_by(f64::total_cmp);
        let mid = v.len() / 2;
        Some(if v.len() % 2 == 1 {
            v[mid]
        } else {
            f64::midpoint(v[mid - 1], v[mid])
        })
    }
}

pub(crate) fn main(mut it: impl Iterator<Item = String>) -> Result<(), String> {
    let (mut results, mut md, mut svg, mut meta) = (None, None, None, Vec::new());
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
        match flag.as_str() {
            "--results" => results = Some(value),
            "--md" => md = Some(value),
            "--svg" => svg = Some(value),
            "--meta" => {
                let (k, v) = value
                    .split_once('=')
                    .ok_or_else(|| format!("`--meta {value}`: write it as Name=value"))?;
                meta.push((k.to_owned(), v.to_owned()));
            }
            other => return Err(format!("report: unknown option `{other}`")),
        }
    }
    let results = results.ok_or("report: --results is required")?;
    let text = std::fs::read_to_string(&results).map_err(|e| format!("{results}: {e}"))?;
    let series = parse(&text)?;
    let svg_name = svg
        .as_deref()
        .and_then(|p| std::path::Path::new(p).file_name())
        .map(|n| n.to_string_lossy().into_owned());
    if let Some(path) = md {
        std::fs::write(&path, markdown(&series, &meta, svg_name.as_deref()))
            .map_err(|e| format!("{path}: {e}"))?;
    }
    if let Some(path) = svg {
        std::fs::write(&path, chart(&series)).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn parse(text: &str) -> Result<BTreeMap<(String, String), Series>, String> {
    let mut series: BTreeMap<(String, String), Series> = BTreeMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let bad = || format!("results line {}: {line:?}", n + 1);
        let [figure, side, _round, value, errors] = fields[..] else {
            return Err(bad());
        };
        let value: f64 = value.parse().map_err(|_| bad())?;
        let errors: u64 = errors.parse().map_err(|_| bad())?;
        let entry = series
            .entry((figure.to_owned(), side.to_owned()))
            .or_default();
        entry.values.push(value);
        entry.errors += errors;
    }
    Ok(series)
}

fn median(series: &BTreeMap<(String, String), Series>, figure: &str, side: &str) -> Option<f64> {
    series
        .get(&(figure.to_owned(), side.to_owned()))
        .and_then(Series::median)
}

/// How many times better ours is: ours/node for rates, node/ours for times and sizes.
fn advantage(figure: &Figure, ours: f64, node: f64) -> Option<f64> {
    let (num, den) = if figure.higher_is_better {
        (ours, node)
    } else {
        (node, ours)
    };
    (den > 0.0).then(|| num / den)
}

fn number(v: f64) -> String {
    if v >= 100.0 {
        let whole = format!("{:.0}", v);
        // Thousands separated by a thin space keep the table readable.
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push('\u{202f}');
            }
            out.push(c);
        }
        out
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), number)
}

/// The median, and the range of the rounds when there are several (how noisy the run was).
fn cell_with_range(
    series: &BTreeMap<(String, String), Series>,
    figure: &str,
    side: &str,
) -> String {
    let Some(s) = series.get(&(figure.to_owned(), side.to_owned())) else {
        return cell(None);
    };
    let median = cell(s.median());
    let lo = s.values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = s.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if s.values.len() > 1 && lo < hi {
        format!("{median} ({}–{})", number(lo), number(hi))
    } else {
        median
    }
}

fn markdown(
    series: &BTreeMap<(String, String), Series>,
    meta: &[(String, String)],
    svg: Option<&str>,
) -> String {
    let rounds = series.values().map(|s| s.values.len()).max().unwrap_or(0);
    let mut out = String::new();
    out.push_str("# Benchmarks: supertokens-rs and supertokens-node side by side\n\n");
    out.push_str(
        "Written by `scripts/bench/compare.sh` (run it again to measure your machine). Both \
         backends serve the same routes on the same `embedded-core` server, loaded one after the \
         other by the same single-threaded load generator; each figure is the median of the \
         rounds, with the range of the rounds in brackets.\n\n",
    );
    if let Some(svg) = svg {
        let _ = writeln!(out, "![the figures below as a chart]({svg})\n");
    }
    let _ = writeln!(
        out,
        "| figure | supertokens-rs | supertokens-node | supertokens-rs is |\n|---|---:|---:|---:|"
    );
    for figure in &FIGURES {
        let ours = median(series, figure.key, "ours");
        let node = median(series, figure.key, "node");
        let ratio = match (ours, node) {
            (Some(o), Some(n)) => advantage(figure, o, n)
                .map_or_else(|| "–".to_owned(), |r| format!("{r:.1}× {}", figure.word)),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {} | {ratio} |",
            figure.title,
            figure.unit,
            cell_with_range(series, figure.key, "ours"),
            cell_with_range(series, figure.key, "node")
        );
    }
    let errors = |side: &str| {
        series
            .iter()
            .filter(|((_, s), _)| s == side)
            .map(|(_, s)| s.errors)
            .sum::<u64>()
    };
    let _ = writeln!(
        out,
        "| Errors during the loads | {} | {} | |",
        errors("ours"),
        errors("node")
    );
    out.push('\n');
    if let (Some(p), Some(o)) = (
        median(series, "protected", "ours"),
        median(series, "open", "ours"),
    ) && o > 0.0
    {
        let _ = write!(
            out,
            "supertokens-rs serves the protected route at {:.2}× the rate of the same route \
             unprotected (session verification included)",
            p / o
        );
        if let (Some(cp), Some(co)) = (
            median(series, "protected-cpu-app", "ours"),
            median(series, "open-cpu-app", "ours"),
        ) && co > 0.0
        {
            let _ = write!(
                out,
                "; in CPU time per request, {} µs against {} µs ({:.2}×)",
                number(cp),
                number(co),
                co / cp
            );
        }
        out.push_str(".\n\n");
    }
    targets(&mut out, series);
    sign_in_bound(&mut out, series);
    out.push_str("## How it was measured\n\n");
    let _ = writeln!(out, "- Rounds: {rounds} (median shown).");
    for (k, v) in meta {
        let _ = writeln!(out, "- {k}: {v}");
    }
    out.push_str(
        "- Protected route: `GET /sessioninfo` with the access token in `authorization: Bearer`, \
         answering the session's user id, handle, tenant and payload as JSON. Unprotected: \
         `GET /open`, the same request (token included) and an answer of the same shape and size \
         with fixed values, no session check.\n\
         - Sign-ins: the frontend's calls, `POST /auth/signinup/code` then \
         `POST /auth/signinup/code/consume` with the fixed code both apps issue (our \
         `user_input_code_generator`, node's `getCustomUserInputCode`), e-mail delivery a no-op, \
         send limits off; each connection signs in one user of its own again and again.\n\
         - Start to first answer: from exec to the first `200` of `GET /auth/jwt/jwks.json`. \
         supertokens-rs runs its embedded core in-process on a SQLite file whose keys exist \
         already; supertokens-node uses the running `embedded-core` server.\n\
         - RSS: the backend process alone (the core server is not counted on either side), the \
         largest value read after the loads of a round.\n\
         - CPU time: user plus system time of the process (all its threads, from \
         `/proc/PID/stat`) over the measured seconds of a load, divided by the requests or \
         sign-ins completed in them; it depends far less than the rates on how the load shared the machine's cores.\n",
    );
    out
}

/// What bounds the sign-in rate on this machine, from the CPU times of the run.
fn sign_in_bound(out: &mut String, series: &BTreeMap<(String, String), Series>) {
    let m = |figure: &str, side: &str| median(series, figure, side);
    out.push_str(
        "Every sign-in creates a session, and the core signs each new access token (RS256): the \
         core both sides share does most of the sign-in work.",
    );
    if let (Some(core_ours), Some(app_ours), Some(core_node), Some(app_node), Some(node_rate)) = (
        m("signin-cpu-core", "ours"),
        m("signin-cpu-app", "ours"),
        m("signin-cpu-core", "node"),
        m("signin-cpu-app", "node"),
        m("signin", "node"),
    ) && core_ours > 0.0
        && app_ours > 0.0
    {
        let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
        let ceiling = cores * 1e6 / core_ours;
        let _ = write!(
            out,
            " In this run the core spent {} µs of CPU per sign-in of supertokens-rs, which itself \
             spent {} µs; for supertokens-node the core spent {} µs (it makes more calls to the \
             core per sign-in) and the backend {} µs, {:.1}× as much as supertokens-rs. With the \
             core's share alone, {} cores can complete at most {} sign-ins/s of supertokens-rs \
             even if the backend and the load generator cost nothing: {:.1}× the rate measured \
             for supertokens-node.",
            number(core_ours),
            number(app_ours),
            number(core_node),
            number(app_node),
            app_node / app_ours,
            cores,
            number(ceiling),
            if node_rate > 0.0 {
                ceiling / node_rate
            } else {
                0.0
            },
        );
    }
    out.push_str("\n\n");
}

/// The project's targets, each with the figure that decides it.
fn targets(out: &mut String, series: &BTreeMap<(String, String), Series>) {
    let m = |figure: &str, side: &str| median(series, figure, side);
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let errors: u64 = series.values().map(|s| s.errors).sum();
    let rows: [(&str, Option<f64>, String, bool); 5] = {
        let protected = ratio(m("protected", "ours"), m("protected", "node"));
        let own = ratio(m("protected", "ours"), m("open", "ours"));
        let signin = ratio(m("signin", "ours"), m("signin", "node"));
        let rss = m("rss", "ours");
        let start = m("startup", "ours");
        [
            (
                "Protected route ≥ 20× supertokens-node",
                protected,
                protected.map_or("–".into(), |r| format!("{r:.1}×")),
                protected.is_some_and(|r| r >= 20.0),
            ),
            (
                "Protected route ≥ 0.9× our unprotected route",
                own,
                own.map_or("–".into(), |r| format!("{r:.2}×")),
                own.is_some_and(|r| r >= 0.9),
            ),
            (
                "Sign-ins ≥ 20× supertokens-node, no error on either side",
                signin,
                signin.map_or("–".into(), |r| format!("{r:.1}×, {errors} errors")),
                signin.is_some_and(|r| r >= 20.0) && errors == 0,
            ),
            (
                "RSS after load < 50 MiB",
                rss,
                rss.map_or("–".into(), |v| format!("{v:.1} MiB")),
                rss.is_some_and(|v| v < 50.0),
            ),
            (
                "Start to first answer < 200 ms",
                start,
                start.map_or("–".into(), |v| format!("{v:.1} ms")),
                start.is_some_and(|v| v < 200.0),
            ),
        ]
    };
    out.push_str("| target | this run | met |\n|---|---:|:---:|\n");
    for (name, value, shown, met) in rows {
        let verdict = match (value, met) {
            (None, _) => "–",
            (Some(_), true) => "yes",
            (Some(_), false) => "no",
        };
        let _ = writeln!(out, "| {name} | {shown} | {verdict} |");
    }
    out.push('\n');
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One panel per figure, a bar per side on the panel's own linear scale, the value and the
/// ratio written out. Text uses the generic `sans-serif` family: no font is embedded or needed.
fn chart(series: &BTreeMap<(String, String), Series>) -> String {
    const WIDTH: f64 = 760.0;
    const LABEL: f64 = 150.0;
    const BAR_MAX: f64 = 430.0;
    const PANEL: f64 = 92.0;
    const TOP: f64 = 48.0;
    const COLORS: [&str; 2] = ["#d9480f", "#495057"];
    let height = TOP + PANEL * FIGURES.len() as f64 + 12.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13">"##
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="26" font-size="17" font-weight="bold" fill="#212529">supertokens-rs and supertokens-node, side by side (medians)</text>"##
    );
    for (i, figure) in FIGURES.iter().enumerate() {
        let y0 = TOP + PANEL * i as f64;
        let values: Vec<Option<f64>> = SIDES
            .iter()
            .map(|(side, _)| median(series, figure.key, side))
            .collect();
        let max = values.iter().flatten().copied().fold(0.0, f64::max);
        let better = if figure.higher_is_better {
            "higher is better"
        } else {
            "lower is better"
        };
        let ratio = match (values[0], values[1]) {
            (Some(o), Some(n)) => advantage(figure, o, n)
                .map(|r| format!(" · supertokens-rs {r:.1}×"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            r##"<text x="16" y="{:.0}" font-weight="bold" fill="#212529">{} ({}, {better}){}</text>"##,
            y0 + 16.0,
            esc(figure.title),
            esc(figure.unit),
            esc(&ratio)
        );
        for (j, ((_, name), value)) in SIDES.iter().zip(&values).enumerate() {
            let y = y0 + 26.0 + 28.0 * j as f64;
            let _ = writeln!(
                out,
                r##"<text x="16" y="{:.0}" fill="#343a40">{name}</text>"##,
                y + 15.0
            );
            let Some(v) = value else {
                let _ = writeln!(
                    out,
                    r##"<text x="{LABEL}" y="{:.0}" fill="#868e96">not measured</text>"##,
                    y + 15.0
                );
                continue;
            };
            let w = if max > 0.0 {
                (v / max * BAR_MAX).max(1.0)
            } else {
                1.0
            };
            let _ = writeln!(
                out,
                r##"<rect x="{LABEL}" y="{y:.0}" width="{w:.1}" height="20" rx="2" fill="{}"/>
<text x="{:.1}" y="{:.0}" fill="#212529">{} {}</text>"##,
                COLORS[j],
                LABEL + w + 6.0,
                y + 15.0,
                esc(&number(*v)),
                esc(figure.unit)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_ratios_and_outputs() {
        let text = "protected\tours\t1\t100\t0\nprotected\tours\t2\t300\t0\n\
                    protected\tours\t3\t200\t0\nprotected\tnode\t1\t10\t0\n\
                    startup\tours\t1\t20\t0\nstartup\tnode\t1\t400\t0\nsignin\tnode\t1\t5\t2\n";
        let series = parse(text).unwrap();
        assert_eq!(median(&series, "protected", "ours"), Some(200.0));
        let md = markdown(&series, &[("CPU".into(), "x".into())], Some("b.svg"));
        assert!(
            md.contains("| 200 (100–300) | 10.0 | 20.0× faster |"),
            "{md}"
        );
        assert!(md.contains("| 20.0 | 400 | 20.0× sooner |"), "{md}");
        assert!(md.contains("| Errors during the loads | 0 | 2 | |"), "{md}");
        assert!(md.contains("- CPU: x"));
        assert!(
            md.contains("| Protected route ≥ 20× supertokens-node | 20.0× | yes |"),
            "{md}"
        );
        assert!(md.contains("| Start to first answer < 200 ms | 20.0 ms | yes |"));
        assert!(md.contains("| RSS after load < 50 MiB | – | – |"));
        // Without CPU figures the bound is stated without numbers.
        assert!(!md.contains("can complete at most"), "{md}");
        let cpu = "signin\tours\t1\t800\t0\nsignin\tnode\t1\t100\t0\n\
                   signin-cpu-core\tours\t1\t2000\t0\nsignin-cpu-app\tours\t1\t500\t0\n\
                   signin-cpu-core\tnode\t1\t4000\t0\nsignin-cpu-app\tnode\t1\t10000\t0\n\
                   protected\tours\t1\t900\t0\nopen\tours\t1\t1000\t0\n\
                   protected-cpu-app\tours\t1\t25\t0\nopen-cpu-app\tours\t1\t20\t0\n";
        let md = markdown(&parse(cpu).unwrap(), &[], None);
        assert!(
            md.contains(
                "| Backend CPU time per sign-in (µs) | 500 | 10\u{202f}000 | 20.0× cheaper |"
            ),
            "{md}"
        );
        assert!(
            md.contains("the backend 10\u{202f}000 µs, 20.0× as much"),
            "{md}"
        );
        assert!(
            md.contains(
                "at 0.90× the rate of the same route unprotected (session verification \
                 included); in CPU time per request, 25.0 µs against 20.0 µs (0.80×)."
            ),
            "{md}"
        );
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let ceiling = cores as f64 * 500.0;
        assert!(
            md.contains(&format!(
                "{cores} cores can complete at most {} sign-ins/s",
                number(ceiling)
            )),
            "{md}"
        );
        assert!(
            md.contains(&format!("{:.1}× the rate measured", ceiling / 100.0)),
            "{md}"
        );
        let svg = chart(&series);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert!(svg.contains("not measured"));
        assert!(parse("protected\tours\t1\n").is_err());
    }
}
