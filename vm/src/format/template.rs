//! `str.format(*args, **kwargs)` and `str.format_map(mapping)`: walking the template
//! (CPython's Objects/stringlib/unicode_format.h — `MarkupIterator`, `parse_field`,
//! `field_name_split`, `FieldNameIterator`), with auto/manual numbering, `!r`/`!s`/`!a`,
//! `.attr` and `[index]` chains, nested `{}` inside a spec, and the exact errors.
//!
//! Objects stay on the VM's side of [`FormatFields`]; this file only decides what to ask for,
//! in CPython's order, and glues the pieces together.

use super::error::PyExc;
use super::percent::TextConv;

/// One `.name` or `[key]` step after the first part of a field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accessor<'a> {
    /// `.name` → `getattr(obj, name)`
    Attr(&'a str),
    /// `[3]` → `obj[3]` (decimal digits only)
    Index(usize),
    /// `[key]` → `obj['key']`
    Key(&'a str),
}

/// What `str.format` needs from the VM. `Error` is the VM's exception type; it must be able to
/// carry the `ValueError`/`IndexError`-style errors raised here (`From<PyExc>`).
pub trait FormatFields {
    type Value;
    type Error: From<PyExc>;
    /// `args[i]`, or `None` when out of range (the IndexError message is CPython's, built here).
    /// `Err` for `format_map`, which has no positional arguments: return CPython's
    /// `ValueError("Format string contains positional fields")`.
    fn positional(&self, i: usize) -> Result<Option<Self::Value>, Self::Error>;
    /// `kwargs[name]` (the VM raises KeyError(name) when missing).
    fn keyword(&self, name: &str) -> Result<Self::Value, Self::Error>;
    /// Applies one accessor step.
    fn access(&self, v: Self::Value, step: Accessor<'_>) -> Result<Self::Value, Self::Error>;
    /// `str(v)`, `repr(v)` or `ascii(v)` as a new str value (`!s`, `!r`, `!a`).
    fn convert(&self, v: Self::Value, conv: TextConv) -> Result<Self::Value, Self::Error>;
    /// `format(v, spec)`: calls `type(v).__format__`, i.e. the `format::spec` functions for
    /// built-in types.
    fn format(&self, v: &Self::Value, spec: &str) -> Result<String, Self::Error>;
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum AutoState {
    Init,
    Auto,
    Manual,
}

struct Auto {
    state: AutoState,
    next: usize,
}

fn err<F: FormatFields>(msg: &str) -> F::Error {
    PyExc::value(msg).into()
}

/// `template.format(...)` with values supplied by `fields`.
pub fn str_format<F: FormatFields>(template: &str, fields: &F) -> Result<String, F::Error> {
    let mut auto = Auto {
        state: AutoState::Init,
        next: 0,
    };
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::with_capacity(template.len());
    build_string(&chars, fields, 2, &mut auto, &mut out)?;
    Ok(out)
}

fn build_string<F: FormatFields>(
    s: &[char],
    fields: &F,
    depth: u32,
    auto: &mut Auto,
    out: &mut String,
) -> Result<(), F::Error> {
    if depth == 0 {
        return Err(err::<F>("Max string recursion exceeded"));
    }
    let mut pos = 0;
    let end = s.len();
    while pos < end {
        // Literal text up to the next '{' or '}'.
        let start = pos;
        let mut c = '\0';
        let mut markup = false;
        while pos < end {
            c = s[pos];
            pos += 1;
            if c == '{' || c == '}' {
                markup = true;
                break;
            }
        }
        let at_end = pos >= end;
        let mut len = pos - start;
        if c == '}' && markup && (at_end || s[pos] != '}') {
            return Err(err::<F>("Single '}' encountered in format string"));
        }
        if at_end && c == '{' && markup {
            return Err(err::<F>("Single '{' encountered in format string"));
        }
        if !at_end && markup {
            if s[pos] == c {
                pos += 1;
                markup = false;
            } else {
                len -= 1;
            }
        }
        out.extend(&s[start..start + len]);
        if !markup {
            continue;
        }
        // parse_field
        let name_start = pos;
        c = '\0';
        while pos < end {
            c = s[pos];
            pos += 1;
            match c {
                '{' => return Err(err::<F>("unexpected '{' in field name")),
                '[' => {
                    while pos < end && s[pos] != ']' {
                        pos += 1;
                    }
                    continue;
                }
                '}' | ':' | '!' => break,
                _ => continue,
            }
        }
        let name_end = if matches!(c, '}' | ':' | '!') {
            pos - 1
        } else {
            pos
        };
        let mut conversion = None;
        let mut spec: &[char] = &[];
        let mut spec_nested = false;
        if c == '!' || c == ':' {
            let mut done = false;
            if c == '!' {
                if pos >= end {
                    return Err(err::<F>(
                        "end of string while looking for conversion specifier",
                    ));
                }
                conversion = Some(s[pos]);
                pos += 1;
                if pos < end {
                    let c2 = s[pos];
                    pos += 1;
                    if c2 == '}' {
                        done = true;
                    } else if c2 != ':' {
                        return Err(err::<F>("expected ':' after conversion specifier"));
                    }
                }
            }
            if !done {
                let spec_start = pos;
                let mut count = 1;
                let mut closed = false;
                while pos < end {
                    let c3 = s[pos];
                    pos += 1;
                    if c3 == '{' {
                        spec_nested = true;
                        count += 1;
                    } else if c3 == '}' {
                        count -= 1;
                        if count == 0 {
                            spec = &s[spec_start..pos - 1];
                            closed = true;
                            break;
                        }
                    }
                }
                if !closed {
                    return Err(err::<F>("unmatched '{' in format spec"));
                }
            }
        } else if c != '}' {
            return Err(err::<F>("expected '}' before end of string"));
        }
        // output_markup
        let name: String = s[name_start..name_end].iter().collect();
        let mut obj = get_field_object(&name, fields, auto)?;
        if let Some(conv) = conversion {
            let conv = match conv {
                'r' => TextConv::Repr,
                's' => TextConv::Str,
                'a' => TextConv::Ascii,
                other => {
                    let u = other as u32;
                    let shown = if u > 32 && u < 127 {
                        other.to_string()
                    } else {
                        format!("\\x{:x}", u)
                    };
                    return Err(
                        PyExc::value(format!("Unknown conversion specifier {shown}")).into(),
                    );
                }
            };
            obj = fields.convert(obj, conv)?;
        }
        let spec_text: String = if spec_nested {
            let mut expanded = String::new();
            build_string(spec, fields, depth - 1, auto, &mut expanded)?;
            expanded
        } else {
            spec.iter().collect()
        };
        out.push_str(&fields.format(&obj, &spec_text)?);
    }
    Ok(())
}

/// `get_integer`: a non-empty run of decimal digits (any script), else None.
fn get_integer<F: FormatFields>(s: &str) -> Result<Option<usize>, F::Error> {
    if s.is_empty() {
        return Ok(None);
    }
    let mut acc: usize = 0;
    for c in s.chars() {
        let Some(d) = crate::text::decimal_value(c) else {
            return Ok(None);
        };
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(d as usize))
            .filter(|a| *a <= isize::MAX as usize)
            .ok_or_else(|| err::<F>("Too many decimal digits in format string"))?;
    }
    Ok(Some(acc))
}

fn get_field_object<F: FormatFields>(
    name: &str,
    fields: &F,
    auto: &mut Auto,
) -> Result<F::Value, F::Error> {
    let split = name.find(['.', '[']).unwrap_or(name.len());
    let (first, mut rest) = name.split_at(split);
    let mut index = get_integer::<F>(first)?;
    let empty = first.is_empty();
    if empty || index.is_some() {
        if auto.state == AutoState::Init {
            auto.state = if empty {
                AutoState::Auto
            } else {
                AutoState::Manual
            };
        }
        if auto.state == AutoState::Manual && empty {
            return Err(err::<F>(
                "cannot switch from manual field specification to automatic field numbering",
            ));
        }
        if auto.state == AutoState::Auto && !empty {
            return Err(err::<F>(
                "cannot switch from automatic field numbering to manual field specification",
            ));
        }
        if empty {
            index = Some(auto.next);
            auto.next += 1;
        }
    }
    let mut obj = match index {
        None => fields.keyword(first)?,
        Some(i) => fields.positional(i)?.ok_or_else(|| {
            PyExc::new(
                super::error::ExcKind::IndexError,
                format!("Replacement index {i} out of range for positional args tuple"),
            )
        })?,
    };
    while let Some(c) = rest.chars().next() {
        rest = &rest[1..];
        let step_name;
        let step = match c {
            '.' => {
                let n = rest.find(['.', '[']).unwrap_or(rest.len());
                step_name = &rest[..n];
                rest = &rest[n..];
                Accessor::Attr(step_name)
            }
            '[' => {
                let Some(n) = rest.find(']') else {
                    return Err(err::<F>("Missing ']' in format string"));
                };
                step_name = &rest[..n];
                rest = &rest[n + 1..];
                match get_integer::<F>(step_name)? {
                    Some(i) => Accessor::Index(i),
                    None => Accessor::Key(step_name),
                }
            }
            _ => {
                return Err(err::<F>(
                    "Only '.' or '[' may follow ']' in format field specifier",
                ))
            }
        };
        if step_name.is_empty() {
            return Err(err::<F>("Empty attribute in format string"));
        }
        obj = fields.access(obj, step)?;
    }
    Ok(obj)
}
