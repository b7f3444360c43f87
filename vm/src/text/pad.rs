//! `center ljust rjust zfill expandtabs`, widths in code points.

fn repeat(out: &mut String, c: char, n: usize) {
    out.extend(std::iter::repeat_n(c, n));
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `pad()` in CPython: `left` fill chars, `s`, `right` fill chars.
fn pad(s: &str, left: usize, right: usize, fill: char) -> String {
    let mut out = String::with_capacity(s.len() + (left + right) * fill.len_utf8());
    repeat(&mut out, fill, left);
    out.push_str(s);
    repeat(&mut out, fill, right);
    out
}

/// `s.center(width, fillchar)` — with CPython's odd-width bias `left = marg/2 + (marg & width & 1)`.
pub fn center(s: &str, width: i64, fill: char) -> String {
    let len = char_len(s) as i64;
    if len >= width {
        return s.to_owned();
    }
    let marg = width - len;
    let left = marg / 2 + (marg & width & 1);
    pad(s, left as usize, (marg - left) as usize, fill)
}

/// `s.ljust(width, fillchar)`.
pub fn ljust(s: &str, width: i64, fill: char) -> String {
    let len = char_len(s) as i64;
    if len >= width {
        return s.to_owned();
    }
    pad(s, 0, (width - len) as usize, fill)
}

/// `s.rjust(width, fillchar)`.
pub fn rjust(s: &str, width: i64, fill: char) -> String {
    let len = char_len(s) as i64;
    if len >= width {
        return s.to_owned();
    }
    pad(s, (width - len) as usize, 0, fill)
}

/// `s.zfill(width)`: zeros after any leading sign.
pub fn zfill(s: &str, width: i64) -> String {
    let len = char_len(s) as i64;
    if len >= width {
        return s.to_owned();
    }
    let fill = (width - len) as usize;
    let mut out = String::with_capacity(s.len() + fill);
    let rest = match s.as_bytes().first() {
        Some(b'+' | b'-') => {
            out.push_str(&s[..1]);
            &s[1..]
        }
        _ => s,
    };
    repeat(&mut out, '0', fill);
    out.push_str(rest);
    out
}

/// `s.expandtabs(tabsize)`: columns reset at `\n` and `\r`; tabsize <= 0 deletes tabs.
pub fn expandtabs(s: &str, tabsize: i64) -> String {
    let mut out = String::with_capacity(s.len());
    let mut col: i64 = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                if tabsize > 0 {
                    let incr = tabsize - col % tabsize;
                    col += incr;
                    repeat(&mut out, ' ', incr as usize);
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}
