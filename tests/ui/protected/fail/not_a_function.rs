use supertokens::protected;

#[protected]
struct Handler;

fn main() {}
