fn main() -> std::process::ExitCode {
    dangjian::cli::main()
}
