//! Tells the tail-call dispatcher whether it may rely on sibling calls: only in optimised
//! builds (opt-level >= 1; see `interp/tail.rs` and the test proving it).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(nanopy_opt)");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    if opt != "0" {
        println!("cargo::rustc-cfg=nanopy_opt");
    }
}
