//! Server-rendered SVG line charts with a text alternative. Colour is never the
//! only cue: series differ by line style and markers, and every chart has its
//! data table on the page.
use std::fmt::Write;

pub struct Series {
    pub name: String,
    /// One value per x label; gaps where `None`.
    pub values: Vec<Option<f64>>,
    /// `solid`, `dashed` or `dotted`.
    pub style: &'static str,
    pub markers: bool,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn nice(v: f64) -> String {
    if v.abs() >= 1000.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A line chart of `series` over `labels`, with an accessible title and description.
pub fn line_chart(
    id: &str,
    title: &str,
    description: &str,
    labels: &[String],
    series: &[Series],
) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 300.0, 64.0, 40.0, 16.0, 56.0);
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .collect();
    if all.is_empty() || labels.is_empty() {
        return String::new();
    }
    let (mut lo, mut hi) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.1;
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |i: usize| {
        left + (w - left - right)
            * if labels.len() == 1 {
                0.5
            } else {
                i as f64 / (labels.len() - 1) as f64
            }
    };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="line-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(description)
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d0d0d0"/><text x="{}" y="{:.1}" text-anchor="end" font-size="12" fill="#0b0c0c">{}</text>"##,
            w - right,
            left - 6.0,
            y(v) + 4.0,
            nice(v),
            y = y(v)
        );
    }
    let step = (labels.len() / 8).max(1);
    for (i, l) in labels.iter().enumerate() {
        if i % step == 0 || i == labels.len() - 1 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="12" fill="#0b0c0c">{}</text>"##,
                x(i),
                h - bottom + 18.0,
                esc(l)
            );
        }
    }
    let colours = ["#1d70b8", "#0b0c0c", "#6f3e00", "#4c2c92"];
    for (n, se) in series.iter().enumerate() {
        let colour = colours[n % colours.len()];
        let dash = match se.style {
            "dashed" => r#" stroke-dasharray="8 5""#,
            "dotted" => r#" stroke-dasharray="2 4""#,
            _ => "",
        };
        let mut d = String::new();
        let mut pen_up = true;
        for (i, v) in se.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen_up { "M" } else { "L" },
                        x(i),
                        y(*v)
                    );
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
        let _ = write!(
            s,
            r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>"#,
            d.trim()
        );
        if se.markers {
            for (i, v) in se.values.iter().enumerate() {
                if let Some(v) = v {
                    let _ = write!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{colour}"/>"#,
                        x(i),
                        y(*v)
                    );
                }
            }
        }
        // Legend.
        let lx = left + n as f64 * 170.0;
        let ly = h - 12.0;
        let _ = write!(
            s,
            r##"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2.5"{dash}/><text x="{}" y="{}" font-size="12" fill="#0b0c0c">{}</text>"##,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0,
            esc(&se.name)
        );
    }
    s.push_str("</svg>");
    s
}

/// One bar: its label, its value and the text shown at its end.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    /// Drawn hatched (e.g. an option that fails a statutory duty).
    pub muted: bool,
}

/// A horizontal bar chart with every value written at its bar's end (so the
/// figures never depend on reading the bar lengths or colours).
pub fn bar_chart(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let (w, left, right, row) = (720.0, 220.0, 150.0, 34.0);
    let h = 16.0 + row * bars.len() as f64 + 8.0;
    let max = bars.iter().map(|b| b.value.abs()).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 {
        (w - left - right) / max
    } else {
        0.0
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="bar-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc><defs><pattern id="{id}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f3f2f1"/><line x1="0" y1="0" x2="0" y2="8" stroke="#505a5f" stroke-width="3"/></pattern></defs>"##,
        esc(title),
        esc(description)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 16.0 + row * i as f64;
        let len = (b.value.abs() * scale).max(1.0);
        let fill = if b.muted {
            format!("url(#{id}-hatch)")
        } else {
            "#1d70b8".to_string()
        };
        let _ = write!(
            s,
            r##"<text x="{}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{}</text><rect x="{left}" y="{y:.1}" width="{len:.1}" height="22" fill="{fill}" stroke="#0b0c0c" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">{}</text>"##,
            left - 8.0,
            y + 15.0,
            esc(&b.label),
            left + len + 6.0,
            y + 15.0,
            esc(&b.text)
        );
    }
    s.push_str("</svg>");
    s
}

/// One stacked bar: its label and its segments (name, value); segments of
/// the same name share a colour across bars.
pub struct Stack {
    pub label: String,
    pub segments: Vec<(String, f64)>,
}

/// Colours for up to eight segment names, each with a text colour that keeps
/// 4.5:1 contrast on it.
const STACK_COLOURS: [(&str, &str); 8] = [
    ("#1d70b8", "#ffffff"),
    ("#00703c", "#ffffff"),
    ("#4c2c92", "#ffffff"),
    ("#f47738", "#0b0c0c"),
    ("#85994b", "#0b0c0c"),
    ("#d4351c", "#ffffff"),
    ("#b1b4b6", "#0b0c0c"),
    ("#0b0c0c", "#ffffff"),
];

/// Horizontal 100% stacked bars: each bar shows its segments' shares; shares
/// of 7% or more are written on the segment, and a legend names every segment
/// (the page carries the figures in a table too).
pub fn stacked_chart(
    id: &str,
    title: &str,
    description: &str,
    names: &[String],
    stacks: &[Stack],
) -> String {
    if stacks.is_empty() {
        return String::new();
    }
    let (w, left, right, row) = (720.0, 230.0, 16.0, 34.0);
    let legend_rows = names.len().div_ceil(3);
    let h = 12.0 + row * stacks.len() as f64 + 12.0 + 22.0 * legend_rows as f64;
    let width = w - left - right;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="bar-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(description)
    );
    let colour = |name: &str| {
        let i = names.iter().position(|n| n == name).unwrap_or(0);
        STACK_COLOURS[i % STACK_COLOURS.len()]
    };
    for (i, st) in stacks.iter().enumerate() {
        let y = 12.0 + row * i as f64;
        let total: f64 = st.segments.iter().map(|(_, v)| v.max(0.0)).sum();
        let _ = write!(
            s,
            r##"<text x="{}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{}</text>"##,
            left - 8.0,
            y + 15.0,
            esc(&st.label)
        );
        let mut x = left;
        for (name, v) in &st.segments {
            if total <= 0.0 || *v <= 0.0 {
                continue;
            }
            let share = v / total;
            let len = width * share;
            let (bg, fg) = colour(name);
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{len:.1}" height="22" fill="{bg}" stroke="#ffffff" stroke-width="1"><title>{}: {:.0}%</title></rect>"##,
                esc(name),
                share * 100.0
            );
            if share >= 0.07 {
                let _ = write!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="{fg}">{:.0}%</text>"##,
                    x + len / 2.0,
                    y + 15.0,
                    share * 100.0
                );
            }
            x += len;
        }
    }
    let ly = 12.0 + row * stacks.len() as f64 + 8.0;
    for (i, n) in names.iter().enumerate() {
        let (bg, _) = colour(n);
        let lx = left + (i % 3) as f64 * 160.0;
        let y = ly + 22.0 * (i / 3) as f64;
        let _ = write!(
            s,
            r##"<rect x="{lx:.1}" y="{y:.1}" width="14" height="14" fill="{bg}" stroke="#0b0c0c" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#0b0c0c">{}</text>"##,
            lx + 20.0,
            y + 12.0,
            esc(n)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_have_text_alternatives_and_escape_text() {
        let svg = line_chart(
            "c1",
            "Recycling <rate>",
            "Values & targets",
            &["2024/25 Q1".into(), "2024/25 Q2".into()],
            &[Series {
                name: "Value".into(),
                values: vec![Some(1.0), None],
                style: "solid",
                markers: true,
            }],
        );
        assert!(
            svg.contains(r#"role="img""#)
                && svg.contains("<title id=\"c1-t\">Recycling &lt;rate&gt;</title>")
        );
        assert!(svg.contains("Values &amp; targets"));
        assert_eq!(line_chart("c", "t", "d", &[], &[]), "");
    }

    #[test]
    fn bars_write_their_values_and_stacks_their_shares() {
        let svg = bar_chart(
            "b",
            "NPC",
            "Net present cost per option",
            &[
                Bar {
                    label: "A <quo>".into(),
                    value: 100.0,
                    text: "£100".into(),
                    muted: false,
                },
                Bar {
                    label: "B".into(),
                    value: 50.0,
                    text: "£50 (fails a duty)".into(),
                    muted: true,
                },
            ],
        );
        assert!(svg.contains("A &lt;quo&gt;") && svg.contains("£50 (fails a duty)"));
        assert!(svg.contains("url(#b-hatch)"));
        let names = vec!["self-delivery".to_string(), "partnership".to_string()];
        let svg = stacked_chart(
            "s",
            "Mix",
            "Share by model",
            &names,
            &[Stack {
                label: "Now".into(),
                segments: vec![("self-delivery".into(), 3.0), ("partnership".into(), 1.0)],
            }],
        );
        assert!(svg.contains(">75%<") && svg.contains(">25%<"), "{svg}");
        assert!(svg.contains(">partnership</text>"));
    }
}
