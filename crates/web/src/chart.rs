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
}
