use supertokens::protected;

#[protected(optional)]
async fn handler() -> &'static str {
    "who knows"
}

fn main() {}
