use supertokens::protected;

#[protected(permissions = [])]
async fn orders() -> &'static str {
    "orders"
}

fn main() {}
