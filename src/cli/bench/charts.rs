//! The two SVG charts of `nanopy bench`, written by hand: grouped bars (speed-up over CPython,
//! per program and strategy) and stacked bars (the layers of cost per kernel, from the layer
//! ladder). Two bar charts need rectangles, lines and text only; a plotting crate would bring a
//! dependency tree and font handling for no gain, and hand-written SVG keeps every label exact.

use std::fmt::Write;

use super::report::{Layers, Report};

/// Strategy colours, in `Dispatch::ALL` order (colour-blind-safe Okabe-Ito palette).
const PALETTE: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
];

struct Svg {
    body: String,
    w: f64,
    h: f64,
}

impl Svg {
    fn new(w: f64, h: f64) -> Svg {
        Svg {
            body: String::new(),
            w,
            h,
        }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, title: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}"><title>{}</title></rect>"#,
            w.max(0.0),
            h.max(0.0),
            esc(title)
        );
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, style: &str) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" {style}/>"#
        );
    }

    /// `anchor`: start, middle or end.
    fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, s: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}">{}</text>"#,
            esc(s)
        );
    }

    fn text_rotated(&mut self, x: f64, y: f64, size: f64, s: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="end" transform="rotate(-35 {x:.1} {y:.1})">{}</text>"#,
            esc(s)
        );
    }

    fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{}</svg>\n",
            self.body,
            w = self.w,
            h = self.h
        )
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A round axis maximum and tick step covering `max`.
fn axis(max: f64) -> (f64, f64) {
    let raw = (max / 5.0).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

/// Grouped bars: for each program (and the geometric mean) one bar per strategy, height =
/// speed-up over CPython, with the 1× line. Without python3, median seconds instead.
pub fn speedup(r: &Report) -> String {
    let strategies: Vec<&str> = r.strategies().collect();
    let python = r.has_python();
    let value = |p: &super::report::ProgramResult, s: &str| -> Option<f64> {
        if python {
            p.speedup(s)
        } else {
            p.run(s)?.median_s
        }
    };
    let mut groups: Vec<(String, Vec<Option<f64>>)> = r
        .programs
        .iter()
        .map(|p| {
            let vals = strategies.iter().map(|s| value(p, s)).collect();
            (p.name.clone(), vals)
        })
        .filter(|(_, v): &(String, Vec<Option<f64>>)| v.iter().any(Option::is_some))
        .collect();
    if python {
        let geo = strategies.iter().map(|s| r.geomean(s)).collect();
        groups.push(("geometric mean".into(), geo));
    }
    let max = groups
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .copied()
        .fold(if python { 1.0 } else { 0.0 }, f64::max);
    let (top, step) = axis(max * 1.05);

    let bar = 12.0;
    let group_w = bar * strategies.len() as f64 + 14.0;
    let (left, right, top_pad, bottom) = (60.0, 90.0, 60.0, 100.0);
    let plot_h = 300.0;
    let w = left + right + group_w * groups.len().max(1) as f64;
    let h = top_pad + plot_h + bottom;
    let mut svg = Svg::new(w.max(480.0), h);
    let y_of = |v: f64| top_pad + plot_h - v / top * plot_h;

    let title = if python {
        "nanopy speed-up over CPython 3.11 per program and dispatch strategy (higher is faster)"
    } else {
        "nanopy median seconds per program and dispatch strategy (lower is faster)"
    };
    svg.text(left, 20.0, 14.0, "start", title);
    svg.text(
        left,
        38.0,
        11.0,
        "start",
        &format!(
            "{} · commit {} · {} · {} size, median of {}",
            r.machine.date, r.machine.commit, r.machine.cpu, r.settings.size, r.settings.repeat
        ),
    );
    // Grid and axis labels.
    let mut v = 0.0;
    while v <= top + 1e-9 {
        let y = y_of(v);
        svg.line(left, y, w - right, y, r##"stroke="#ddd" stroke-width="1""##);
        let label = if python {
            format!("{v}×")
        } else {
            format!("{v} s")
        };
        svg.text(left - 6.0, y + 4.0, 11.0, "end", &label);
        v += step;
    }
    // Bars.
    for (g, (name, vals)) in groups.iter().enumerate() {
        let x0 = left + 7.0 + g as f64 * group_w;
        for (i, val) in vals.iter().enumerate() {
            let x = x0 + i as f64 * bar;
            match val {
                Some(v) => {
                    let tip = format!("{name} · {} · {v:.2}", strategies[i]);
                    svg.rect(
                        x,
                        y_of(*v),
                        bar - 1.0,
                        y_of(0.0) - y_of(*v),
                        PALETTE[i % 6],
                        &tip,
                    );
                }
                None => svg.text(x + bar / 2.0, y_of(0.0) - 3.0, 9.0, "middle", "–"),
            }
        }
        svg.text_rotated(x0 + group_w / 2.0, y_of(0.0) + 14.0, 11.0, name);
    }
    if python {
        let y = y_of(1.0);
        svg.line(
            left,
            y,
            w - right,
            y,
            r##"stroke="#333" stroke-width="1.2" stroke-dasharray="5,3""##,
        );
        svg.text(w - right + 6.0, y + 4.0, 10.0, "start", "CPython = 1×");
    }
    svg.line(left, y_of(0.0), w - right, y_of(0.0), r##"stroke="#333""##);
    // Legend.
    let mut lx = left;
    for (i, s) in strategies.iter().enumerate() {
        svg.rect(lx, 46.0, 10.0, 10.0, PALETTE[i % 6], s);
        svg.text(lx + 14.0, 55.0, 11.0, "start", s);
        lx += 24.0 + 7.0 * s.len() as f64;
    }
    svg.finish()
}

/// Stacked horizontal bars, one per kernel, in multiples of native Rust's time: native work,
/// then what NaN-boxed values add (type checks, boxing), then what the interpreter adds (nanopy's
/// fastest strategy), then what CPython costs beyond that. Ticks mark every strategy's total (a
/// dashed tick marks CPython when it beats nanopy); the line under each bar lists them.
pub fn layers(l: &Layers, source: &str) -> String {
    let (left, right, top_pad) = (70.0, 50.0, 100.0);
    let (row_h, bar_h) = (50.0, 22.0);
    let plot_w = 560.0;
    let h = top_pad + row_h * l.kernels.len() as f64 + 60.0;
    let w = left + plot_w + right;
    let mut svg = Svg::new(w, h);
    let ratio =
        |k: &str, layer: &str| -> Option<f64> { Some(l.get(k, layer)? / l.get(k, "1-native")?) };
    let max = l
        .kernels
        .iter()
        .filter_map(|(k, ls)| {
            ls.iter()
                .filter_map(|(layer, _)| ratio(k, layer))
                .reduce(f64::max)
        })
        .fold(1.0, f64::max);
    let (top, step) = axis(max * 1.02);
    let x_of = |v: f64| left + v / top * plot_w;

    svg.text(
        left,
        20.0,
        14.0,
        "start",
        "Layers of cost: each kernel's time in multiples of native Rust (lower is faster)",
    );
    svg.text(
        left,
        38.0,
        11.0,
        "start",
        &format!("from bench-results/{source} (criterion medians; CPython timed inside python3)"),
    );
    let segments = [
        ("native Rust (machine types)", "#4D4D4D"),
        ("+ NaN-boxed values (type checks, boxing)", "#56B4E9"),
        ("+ interpreter (nanopy, fastest strategy)", "#E69F00"),
        ("+ CPython beyond nanopy", "#CC79A7"),
    ];
    for (i, (name, colour)) in segments.iter().enumerate() {
        let (lx, ly) = (left + (i % 2) as f64 * 290.0, 50.0 + (i / 2) as f64 * 16.0);
        svg.rect(lx, ly, 10.0, 10.0, colour, name);
        svg.text(lx + 14.0, ly + 9.0, 10.0, "start", name);
    }
    let plot_bottom = top_pad + row_h * l.kernels.len() as f64;
    let mut v = 0.0;
    while v <= top + 1e-9 {
        let x = x_of(v);
        svg.line(x, top_pad - 8.0, x, plot_bottom, r##"stroke="#ddd""##);
        svg.text(x, plot_bottom + 16.0, 11.0, "middle", &format!("{v}×"));
        v += step;
    }
    for (row, (k, ls)) in l.kernels.iter().enumerate() {
        let y = top_pad + row as f64 * row_h;
        svg.text(left - 8.0, y + bar_h / 2.0 + 4.0, 12.0, "end", k);
        let vms: Vec<(&str, f64)> = ls
            .iter()
            .filter(|(layer, _)| layer.starts_with("3-vm-"))
            .filter_map(|(layer, _)| Some((&layer[5..], ratio(k, layer)?)))
            .collect();
        let Some(&(_, best)) = vms.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
            continue;
        };
        let boxed = ratio(k, "2a-nanbox").unwrap_or(1.0).min(best);
        let cpython = ratio(k, "4-cpython");
        let mut stops = vec![(0.0, 1.0), (1.0, boxed), (boxed, best)];
        if let Some(c) = cpython.filter(|c| *c > best) {
            stops.push((best, c));
        }
        for (i, (a, b)) in stops.iter().enumerate() {
            let tip = format!("{k}: {} {a:.1}× → {b:.1}×", segments[i].0);
            svg.rect(x_of(*a), y, x_of(*b) - x_of(*a), bar_h, segments[i].1, &tip);
        }
        // Every strategy's total as a tick; CPython as a dashed tick when it is not stacked.
        for (_, r) in &vms {
            let x = x_of(*r);
            svg.line(
                x,
                y - 3.0,
                x,
                y + bar_h + 3.0,
                r##"stroke="#000" stroke-width="1""##,
            );
        }
        if let Some(c) = cpython.filter(|c| *c <= best) {
            let x = x_of(c);
            svg.line(
                x,
                y - 5.0,
                x,
                y + bar_h + 5.0,
                r##"stroke="#CC79A7" stroke-width="2" stroke-dasharray="3,2""##,
            );
        }
        let mut sorted = vms.clone();
        sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut label: Vec<String> = sorted.iter().map(|(n, r)| format!("{n} {r:.0}×")).collect();
        if let Some(c) = cpython {
            label.push(format!("CPython {c:.0}×"));
        }
        svg.text(left, y + bar_h + 13.0, 9.0, "start", &label.join(" · "));
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_is_round_and_covers() {
        assert_eq!(axis(4.3), (5.0, 1.0));
        assert_eq!(axis(170.0), (200.0, 50.0));
        let (top, step) = axis(2.27);
        assert!(top >= 2.27 && step > 0.0);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(esc("a<b & c>"), "a&lt;b &amp; c&gt;");
    }
}
