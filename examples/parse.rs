fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = flowc::syntax::parse(&text);
    let file = flowc::source::SourceFile::new(path, text);
    for d in &parsed.diagnostics {
        print!("{}", flowc::diagnostics::render::render(d, &file, flowc::diagnostics::render::Style::Plain));
    }
    if std::env::args().nth(2).is_some() { println!("{:#?}", parsed.module); }
    println!("items: {}", parsed.module.items.len());
}
