//! The hand-written program the benchmark compares flowc with: reads NDJSON
//! orders on stdin, writes the invoice lines of the paid ones on stdout.
//! The mapping itself is in support/handwritten.rs.

use std::io::{BufRead, BufWriter, Write};

#[path = "support/handwritten.rs"]
mod handwritten;

fn main() {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut output = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = String::new();
    let mut out = Vec::with_capacity(1024);
    let mut failed = false;
    loop {
        line.clear();
        if input.read_line(&mut line).expect("stdin is readable") == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        out.clear();
        if let Err(error) = handwritten::map_order(&line, &mut out) {
            eprintln!("error: {error}");
            failed = true;
            continue;
        }
        output.write_all(&out).expect("stdout is writable");
    }
    output.flush().expect("stdout is writable");
    if failed {
        std::process::exit(1);
    }
}
